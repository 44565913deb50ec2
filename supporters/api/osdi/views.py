"""OSDI resources: the entry point, people (and the signup helper), tags and taggings, lists
(our segments) and their items, metadata. Reads go through the visibility rule, writes
through the supporter services.
"""

from __future__ import annotations

import re

from django.db.models import Exists, Func, OuterRef, TextField
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from organizing.api.base import get_or_404
from organizing.api.errors import Unprocessable
from organizing.api.osdi.base import (
    CURIES,
    MAX_PAGESIZE,
    OSDI_VERSION,
    PRODUCT_NAME,
    VENDOR_NAME,
    OsdiView,
    identifiers,
    odata_parse,
    osdi_date,
    osdi_page,
)
from organizing.services import audit_record
from supporters import services
from supporters.models import Segment, SupporterTag, Tag
from supporters.segments import SegmentError, segment_supporters
from supporters.selectors import supporter_list

from .people import (
    person_apply,
    person_parse,
    person_queryset,
    person_represent,
    tags_named,
)

PEOPLE_EQUAL_FIELDS = {
    "email_address": "emails__address__iexact",
    # Names compare as search does: ignoring case and accents ("Nunez" is "Núñez").
    "given_name": "given_name__search_equal",
    "family_name": "family_name__search_equal",
    "postal_code": "addresses__postal_code",
    "language": "language",
}
DATE_FIELDS = {"created_date": "created_at", "modified_date": "updated_at"}


class EntryPointView(OsdiView):
    """The Application Entry Point: what this server offers, and where."""

    def get(self, request):
        return Response(
            {
                "motd": "Earshot speaks OSDI. Send one of your API keys as OSDI-API-Token.",
                "vendor_name": VENDOR_NAME,
                "product_name": PRODUCT_NAME,
                "osdi_version": OSDI_VERSION,
                "max_pagesize": MAX_PAGESIZE,
                "namespace": "earshot",
                "_links": {
                    "self": {"href": self.url("entry")},
                    "osdi:people": {"href": self.url("people")},
                    "osdi:tags": {"href": self.url("tags")},
                    "osdi:lists": {"href": self.url("lists")},
                    "osdi:person_signup_helper": {"href": self.url("person_signup_helper")},
                    "osdi:metadata": {"href": self.url("metadata")},
                    "curies": CURIES,
                },
            }
        )


# --- people ------------------------------------------------------------------------------------


class PeopleView(OsdiView):
    def get(self, request):
        filters = odata_parse(
            request.query_params.get("filter", ""),
            equal_fields=PEOPLE_EQUAL_FIELDS,
            compare_fields=DATE_FIELDS,
        )
        people = supporter_list(viewer=request.user).filter(**filters)
        if filters:
            # Joins through emails or addresses could repeat a person; keep each once.
            people = supporter_list(viewer=request.user).filter(pk__in=people.values("pk"))
        people = people.prefetch_related("emails", "phones", "addresses", "do_not_contact")
        body = osdi_page(
            self,
            people.order_by("id"),
            key="osdi:people",
            url_name="people",
            represent=lambda supporter: person_represent(self, supporter),
        )
        ids = [
            int(item["identifiers"][0].split(":")[1]) for item in body["_embedded"]["osdi:people"]
        ]
        audit_record(actor=request.user, action="supporter.list", request=request, ids=ids)
        return Response(body)

    def post(self, request):
        """The person signup helper: create, or update the person matched by email."""
        body = self.body()
        unknown = sorted(set(body) - {"person", "add_tags", "remove_tags"})
        if unknown:
            raise ValidationError({name: [_("Unknown field.")] for name in unknown})
        if "person" not in body:
            raise ValidationError({"person": [_("This field is required.")]})
        parsed = person_parse(body["person"], path="person.")
        if not parsed["emails"] and not parsed["phones"]:
            raise ValidationError(
                {"person.email_addresses": [_("Give an email address (or a phone number).")]}
            )
        add_tags = tags_named(body.get("add_tags"), "add_tags")
        remove_tags = tags_named(body.get("remove_tags"), "remove_tags")
        # Matched and written under a lock on each email and phone, so that identical
        # requests racing each other store one person (the later ones update it).
        supporter, created = services.supporter_match_or_create(
            actor=request.user,
            emails=parsed["emails"],
            phones=[number for number, _kind in parsed["phones"]],
            write=lambda match: person_apply(
                actor=request.user,
                supporter=match,
                parsed=parsed,
                add_tags=add_tags,
                remove_tags=remove_tags,
            )[0],
        )
        supporter = person_queryset(request.user).get(pk=supporter.pk)
        return Response(
            person_represent(self, supporter),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class PersonView(OsdiView):
    def get(self, request, pk):
        supporter = get_or_404(person_queryset(request.user), pk)
        audit_record(actor=request.user, action="supporter.view", obj=supporter, request=request)
        return Response(person_represent(self, supporter))

    def put(self, request, pk):
        supporter = get_or_404(person_queryset(request.user), pk)
        parsed = person_parse(self.body())
        person_apply(actor=request.user, supporter=supporter, parsed=parsed)
        return Response(person_represent(self, person_queryset(request.user).get(pk=pk)))


# --- tags and taggings -------------------------------------------------------------------------


def tag_represent(view, tag: Tag) -> dict:
    return {
        "identifiers": identifiers(tag.pk),
        "name": tag.name,
        "description": tag.description,
        "created_date": osdi_date(tag.created_at),
        "modified_date": osdi_date(tag.created_at),
        "_links": {
            "self": {"href": view.url("tag", tag.pk)},
            "osdi:taggings": {"href": view.url("taggings", tag.pk)},
        },
    }


class TagsView(OsdiView):
    def get(self, request):
        filters = odata_parse(
            request.query_params.get("filter", ""),
            equal_fields={"name": "name__iexact"},
            compare_fields={"created_date": "created_at", "modified_date": "created_at"},
        )
        return Response(
            osdi_page(
                self,
                Tag.objects.filter(**filters).order_by("id"),
                key="osdi:tags",
                url_name="tags",
                represent=lambda tag: tag_represent(self, tag),
            )
        )

    def post(self, request):
        """Add a tag (organizers and above); a name that exists answers with that tag."""
        body = self.body()
        unknown = sorted(set(body) - {"name", "description", "identifiers"})
        if unknown:
            raise ValidationError({name: [_("Unknown field.")] for name in unknown})
        name = body.get("name")
        if (
            not isinstance(name, str)
            or not name.strip()
            or len(name.strip()) > 80
            or "\x00" in name
        ):
            raise ValidationError({"name": [_("A tag needs a name of 1 to 80 characters.")]})
        description = body.get("description") or ""
        if not isinstance(description, str) or len(description) > 200 or "\x00" in description:
            raise ValidationError({"description": [_("At most 200 characters.")]})
        existing = Tag.objects.filter(name__iexact=name.strip()).first()
        if existing is not None:
            return Response(tag_represent(self, existing))
        tag = services.tag_create(actor=request.user, name=name, description=description)
        return Response(tag_represent(self, tag), status=status.HTTP_201_CREATED)


class TagView(OsdiView):
    def get(self, request, pk):
        return Response(tag_represent(self, get_or_404(Tag.objects.all(), pk)))


def tagging_represent(view, tagging: SupporterTag) -> dict:
    return {
        "identifiers": identifiers(tagging.pk),
        "created_date": osdi_date(tagging.added_at),
        "modified_date": osdi_date(tagging.added_at),
        "item_type": "osdi:person",
        "_links": {
            "self": {"href": view.url("tagging", tagging.tag_id, tagging.pk)},
            "osdi:tag": {"href": view.url("tag", tagging.tag_id)},
            "osdi:person": {"href": view.url("person", tagging.supporter_id)},
        },
    }


def visible_taggings(user, tag: Tag):
    visible = supporter_list(viewer=user).filter(pk=OuterRef("supporter_id"))
    return SupporterTag.objects.filter(tag=tag).filter(Exists(visible))


PERSON_HREF = re.compile(r"/people/([0-9]{1,18})/?$")


class TaggingsView(OsdiView):
    def get(self, request, tag_pk):
        tag = get_or_404(Tag.objects.all(), tag_pk)
        filters = odata_parse(
            request.query_params.get("filter", ""),
            equal_fields={},
            compare_fields={"created_date": "added_at", "modified_date": "added_at"},
        )
        return Response(
            osdi_page(
                self,
                visible_taggings(request.user, tag).filter(**filters).order_by("id"),
                key="osdi:taggings",
                url_name="taggings",
                url_args=(tag.pk,),
                represent=lambda tagging: tagging_represent(self, tagging),
            )
        )

    def post(self, request, tag_pk):
        """Tag a person named by ``_links["osdi:person"].href`` (or an ``identifiers`` id)."""
        tag = get_or_404(Tag.objects.all(), tag_pk)
        body = self.body()
        person_id = None
        link = (body.get("_links") or {}) if isinstance(body.get("_links"), dict) else {}
        href = (link.get("osdi:person") or {}) if isinstance(link.get("osdi:person"), dict) else {}
        match = PERSON_HREF.search(str(href.get("href") or ""))
        if match:
            person_id = int(match.group(1))
        elif isinstance(body.get("identifiers"), list):
            for identifier in body["identifiers"]:
                prefix, _colon, value = str(identifier).partition(":")
                if prefix in {"earshot", "action_network"} and value.isdigit():
                    person_id = int(value)
        if person_id is None:
            raise ValidationError(
                {"_links": [_('Name the person as {"osdi:person": {"href": ".../people/<id>"}}.')]}
            )
        supporter = supporter_list(viewer=request.user).filter(pk=person_id).first()
        if supporter is None:
            raise ValidationError({"_links": [_("No such person.")]})
        created = services.tag_add(actor=request.user, supporter=supporter, tag=tag)
        tagging = SupporterTag.objects.get(supporter=supporter, tag=tag)
        return Response(
            tagging_represent(self, tagging),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class TaggingView(OsdiView):
    def _tagging(self, tag_pk, pk) -> SupporterTag:
        tag = get_or_404(Tag.objects.all(), tag_pk)
        return get_or_404(visible_taggings(self.request.user, tag).select_related("tag"), pk)

    def get(self, request, tag_pk, pk):
        return Response(tagging_represent(self, self._tagging(tag_pk, pk)))

    def delete(self, request, tag_pk, pk):
        tagging = self._tagging(tag_pk, pk)
        services.tag_remove(actor=request.user, supporter=tagging.supporter, tag=tagging.tag)
        return Response({"notice": "This tagging was successfully deleted."})


class PersonTaggingsView(OsdiView):
    """A person's taggings (``people/{id}/taggings``), as Action Network links them."""

    def get(self, request, person_pk):
        supporter = get_or_404(supporter_list(viewer=request.user), person_pk)
        return Response(
            osdi_page(
                self,
                SupporterTag.objects.filter(supporter=supporter).order_by("id"),
                key="osdi:taggings",
                url_name="person_taggings",
                url_args=(supporter.pk,),
                represent=lambda tagging: tagging_represent(self, tagging),
            )
        )


# --- lists (segments) and items ----------------------------------------------------------------


def list_represent(view, segment: Segment) -> dict:
    return {
        "identifiers": identifiers(segment.pk),
        "name": segment.name,
        "title": segment.name,
        "description": segment.description,
        "created_date": osdi_date(segment.created_at),
        "modified_date": osdi_date(segment.updated_at),
        "_links": {
            "self": {"href": view.url("list", segment.pk)},
            "osdi:items": {"href": view.url("items", segment.pk)},
        },
    }


class ListsView(OsdiView):
    def get(self, request):
        filters = odata_parse(
            request.query_params.get("filter", ""),
            equal_fields={"name": "name__iexact"},
            compare_fields=DATE_FIELDS,
        )
        return Response(
            osdi_page(
                self,
                Segment.objects.filter(**filters).order_by("id"),
                key="osdi:lists",
                url_name="lists",
                represent=lambda segment: list_represent(self, segment),
            )
        )


class ListView(OsdiView):
    def get(self, request, pk):
        return Response(list_represent(self, get_or_404(Segment.objects.all(), pk)))


def item_represent(view, segment: Segment, supporter_id: int) -> dict:
    return {
        "identifiers": identifiers(supporter_id),
        "item_type": "osdi:person",
        "_links": {
            "self": {"href": view.url("item", segment.pk, supporter_id)},
            "osdi:list": {"href": view.url("list", segment.pk)},
            "osdi:person": {"href": view.url("person", supporter_id)},
        },
    }


def segment_people(user, segment: Segment):
    try:
        return segment_supporters(viewer=user, filter_json=segment.filter)
    except SegmentError as error:
        raise Unprocessable(f"This list's filter no longer works: {error}") from None


class ItemsView(OsdiView):
    """The people in a list: the segment's members that the caller may see."""

    def get(self, request, list_pk):
        segment = get_or_404(Segment.objects.all(), list_pk)
        ids = segment_people(request.user, segment).order_by("id").values_list("id", flat=True)
        return Response(
            osdi_page(
                self,
                ids,
                key="osdi:items",
                url_name="items",
                url_args=(segment.pk,),
                represent=lambda supporter_id: item_represent(self, segment, supporter_id),
            )
        )


class ItemView(OsdiView):
    def get(self, request, list_pk, pk):
        segment = get_or_404(Segment.objects.all(), list_pk)
        supporter = get_or_404(segment_people(request.user, segment), pk)
        return Response(item_represent(self, segment, supporter.pk))


# --- metadata ----------------------------------------------------------------------------------


class MetadataView(OsdiView):
    def get(self, request):
        return Response(
            {
                "name": PRODUCT_NAME,
                "_links": {
                    "self": {"href": self.url("metadata")},
                    "osdi:custom_fields": {"href": self.url("custom_fields")},
                    "curies": CURIES,
                },
            }
        )


class JsonbObjectKeys(Func):
    function = "jsonb_object_keys"
    output_field = TextField()


class CustomFieldsView(OsdiView):
    """The custom field names in use on the people the caller may see."""

    def get(self, request):
        names = (
            supporter_list(viewer=request.user)
            .annotate(kind=Func("custom_fields", function="jsonb_typeof", output_field=TextField()))
            .filter(kind="object")
            .annotate(field_name=JsonbObjectKeys("custom_fields"))
            .values_list("field_name", flat=True)
            .order_by("field_name")
            .distinct()[:1000]
        )
        return Response(
            {
                "action_network:custom_fields": [{"name": name} for name in names],
                "_links": {"self": {"href": self.url("custom_fields")}, "curies": CURIES},
            }
        )
