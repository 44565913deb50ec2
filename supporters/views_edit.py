"""The page that edits a person: thin over ``SupporterEditForm`` and the supporter services.

Who may change what is the access model's (``SupporterAccess.may_edit_field``), asked by the
services themselves; the page only leaves out the inputs a viewer may not use. The whole save
is one transaction with the person's row locked: a bad value anywhere (the form's or a
service's) saves nothing and brings the form back with everything typed; a save over someone
else's newer change (``updated_at`` moved since the form was shown) saves nothing either and
shows their change beside what was typed (409), for the viewer to choose.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .forms_edit import ADDRESS_PARTS, SupporterEditForm
from .models import HistoryEvent, Relationship, Supporter, Tag
from .selectors import SupporterAccess, supporter_access_get, supporter_list, supporter_search
from .services import (
    contact_point_remove,
    contact_point_update,
    contact_points_add,
    external_id_remove,
    external_id_set,
    relationship_create,
    relationship_end,
    supporter_update,
    tag_add,
    tag_remove,
)


class _SaveRefused(Exception):
    """A service refused a value: roll the whole save back."""


def _relationships(access: SupporterAccess) -> list[Relationship]:
    """Relationships between this person and other supporters the viewer may see."""
    supporter = access.supporter
    rows = list(
        Relationship.objects.filter(
            Q(supporter=supporter) | Q(other_supporter=supporter), other_supporter__isnull=False
        ).select_related("supporter", "other_supporter")
    )
    counterparts = {
        row.other_supporter_id if row.supporter_id == supporter.pk else row.supporter_id
        for row in rows
    }
    visible = set(
        supporter_list(viewer=access.viewer)
        .filter(pk__in=counterparts)
        .values_list("pk", flat=True)
    )
    for row in rows:
        row.counterpart = row.other_supporter if row.supporter_id == supporter.pk else row.supporter
    return [row for row in rows if row.counterpart.pk in visible]


def _form(access: SupporterAccess, data=None) -> SupporterEditForm:
    supporter = access.supporter
    return SupporterEditForm(
        data,
        access=access,
        phones=list(supporter.phones.order_by("-is_primary", "id")),
        emails=list(supporter.emails.order_by("-is_primary", "id")),
        addresses=list(supporter.addresses.order_by("-is_primary", "id")),
        external_ids=list(supporter.external_ids.order_by("system")),
        relationships=_relationships(access),
    )


def _changes_since(supporter: Supporter, since: str, viewer) -> list[HistoryEvent]:
    """The lines written about the person since the form was shown (``since``), by anyone
    but the viewer."""
    try:
        moment = datetime.fromisoformat(since)
    except ValueError:
        return []
    return list(
        HistoryEvent.objects.filter(supporter=supporter, at__gt=moment, is_sensitive=False)
        .exclude(actor=viewer)
        .select_related("actor")
        .order_by("at", "id")[:20]
    )


class _Saver:
    """Calls the services for what the form says changed, collecting their refusals as
    field errors (each service in its own savepoint); ``run`` raises ``_SaveRefused`` when
    any refused, so the caller's transaction saves nothing."""

    def __init__(self, form: SupporterEditForm, actor) -> None:
        self.form, self.actor = form, actor
        self.supporter = form.supporter
        self.failed = False

    def attempt(self, prefix: str, call: Callable[[], object]) -> None:
        try:
            with transaction.atomic():
                call()
        except ValidationError as error:
            self.failed = True
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
            for key, messages_ in errors.items():
                name = f"{prefix}{key}" if key and f"{prefix}{key}" in self.form.fields else None
                if name is None and prefix.rstrip("-") in self.form.fields:
                    name = prefix.rstrip("-")
                self.form.add_error(name, messages_)

    def run(self) -> None:
        data, actor, supporter = self.form.cleaned_data, self.actor, self.supporter
        changes = {name: data[name] for name in SupporterEditForm.SCALARS}
        changes["custom_fields"] = data["custom_fields"]
        if changes["custom_fields"] == (supporter.custom_fields or {}):
            del changes["custom_fields"]
        self.attempt(
            "",
            lambda: supporter_update(actor=actor, supporter=supporter, **changes),
        )
        self._contact_points(data)
        self._external_ids(data)
        self._tags(data)
        self._relationships(data)
        if self.failed:
            raise _SaveRefused

    def _contact_points(self, data: dict) -> None:
        actor, supporter = self.actor, self.supporter
        for phone in self.form.phones:
            key = f"phone-{phone.pk}-"
            if data.get(f"{key}remove"):
                self.attempt(
                    key, lambda p=phone: contact_point_remove(actor=actor, contact_point=p)
                )
            else:
                self.attempt(
                    key,
                    lambda p=phone, k=key: contact_point_update(
                        actor=actor,
                        contact_point=p,
                        number=data[f"{k}number"],
                        kind=data[f"{k}kind"],
                    ),
                )
        for email in self.form.emails:
            key = f"email-{email.pk}-"
            if data.get(f"{key}remove"):
                self.attempt(
                    key, lambda e=email: contact_point_remove(actor=actor, contact_point=e)
                )
            else:
                self.attempt(
                    key,
                    lambda e=email, k=key: contact_point_update(
                        actor=actor, contact_point=e, address=data[f"{k}address"]
                    ),
                )
        for address in self.form.addresses:
            key = f"address-{address.pk}-"
            if data.get(f"{key}remove"):
                self.attempt(
                    key, lambda a=address: contact_point_remove(actor=actor, contact_point=a)
                )
            else:
                self.attempt(
                    key,
                    lambda a=address, k=key: contact_point_update(
                        actor=actor,
                        contact_point=a,
                        **{part: data[f"{k}{part}"] for part in ADDRESS_PARTS},
                    ),
                )
        new_phone = data.get("phone-new-number", "").strip()
        new_email = data.get("email-new-address", "").strip()
        new_address = {part: data.get(f"address-new-{part}", "") for part in ADDRESS_PARTS}
        if new_phone or new_email or new_address["line1"]:
            self.attempt(
                "phone-new-",
                lambda: contact_points_add(
                    actor=actor,
                    supporter=supporter,
                    phones=[(new_phone, data.get("phone-new-kind") or "unknown")]
                    if new_phone
                    else [],
                    emails=[new_email] if new_email else [],
                    addresses=[new_address] if new_address["line1"] else [],
                ),
            )

    def _external_ids(self, data: dict) -> None:
        actor, supporter = self.actor, self.supporter
        for external in self.form.external_ids:
            key = f"external-{external.pk}-"
            if data.get(f"{key}remove"):
                self.attempt(key, lambda x=external: external_id_remove(actor=actor, external_id=x))
            elif data[f"{key}value"].strip() != external.value:
                self.attempt(
                    key,
                    lambda x=external, k=key: external_id_set(
                        actor=actor, supporter=supporter, system=x.system, value=data[f"{k}value"]
                    ),
                )
        if data.get("external-new-system"):
            self.attempt(
                "external-new-",
                lambda: external_id_set(
                    actor=actor,
                    supporter=supporter,
                    system=data["external-new-system"],
                    value=data["external-new-value"],
                ),
            )

    def _tags(self, data: dict) -> None:
        # What the viewer ticked and unticked against what the form showed: a tag someone
        # else added meanwhile is not taken away.
        shown = {int(pk) for pk in (data.get("tags_shown") or "").split(",") if pk.isdigit()}
        ticked = {tag.pk for tag in data["tags"]}
        actor, supporter = self.actor, self.supporter
        for tag in Tag.objects.filter(pk__in=ticked - shown):
            self.attempt("tags-", lambda t=tag: tag_add(actor=actor, supporter=supporter, tag=t))
        for tag in Tag.objects.filter(pk__in=shown - ticked):
            self.attempt("tags-", lambda t=tag: tag_remove(actor=actor, supporter=supporter, tag=t))

    def _relationships(self, data: dict) -> None:
        actor, supporter = self.actor, self.supporter
        for relationship in self.form.relationships:
            if data.get(f"relationship-{relationship.pk}-end"):
                self.attempt(
                    "relationship-new-",
                    lambda r=relationship: relationship_end(actor=actor, relationship=r),
                )
        wanted = data.get("relationship-new-person", "").strip()
        if not wanted:
            return
        other = self._person_named(wanted)
        if other is None:
            return
        self.attempt(
            "relationship-new-",
            lambda: relationship_create(
                actor=actor,
                supporter=supporter,
                kind=data["relationship-new-kind"],
                other_supporter=other,
                note=data.get("relationship-new-note", ""),
            ),
        )

    def _person_named(self, wanted: str) -> Supporter | None:
        """The one other person the viewer may see by this number (#123) or name."""
        people = supporter_list(viewer=self.actor).exclude(pk=self.supporter.pk)
        number = wanted.lstrip("#")
        if number.isdigit() and len(number) <= 18:
            found = list(people.filter(pk=int(number)))
        else:
            found = [
                person
                for person in supporter_search(viewer=self.actor, query=wanted, limit=3)
                if person.pk != self.supporter.pk
            ]
        if len(found) == 1:
            return found[0]
        self.failed = True
        self.form.add_error(
            "relationship-new-person",
            _("No one you can see has that number or name.")
            if not found
            else _("Several people match: %(people)s. Type their number.")
            % {"people": ", ".join(f"{person} (#{person.pk})" for person in found[:3])},
        )
        return None


@login_required
def supporter_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a person: everything for those who organize them, contact details for anyone
    else who may see them (``SupporterAccess.may_edit_field``)."""
    access = supporter_access_get(viewer=request.user, pk=pk)
    if not access.can_edit:
        raise PermissionDenied(_("You may not change this person."))
    if request.method != "POST":
        return _render(request, _form(access))
    with transaction.atomic():
        locked = Supporter.objects.select_for_update().get(pk=pk)
        access = dataclasses.replace(access, supporter=locked)
        form = _form(access, request.POST)
        opened_at = request.POST.get("updated_at", "")
        if opened_at != locked.updated_at.isoformat():
            form.merge_theirs()
            form.is_valid()
            changes = _changes_since(locked, request.POST.get("shown_at", ""), request.user)
            return _render(request, form, status=409, conflict=True, changes=changes)
        if not form.is_valid():
            return _render(request, form, status=400)
        try:
            with transaction.atomic():
                _Saver(form, request.user).run()
        except _SaveRefused:
            return _render(request, form, status=400)
    messages.success(request, _("%(name)s saved.") % {"name": locked})
    return redirect("conversations:brief", pk=pk)


def _render(request, form: SupporterEditForm, *, status=200, **context) -> HttpResponse:
    return render(
        request,
        "supporters/supporter_edit.html",
        {"form": form, "supporter": form.supporter, "access": form.access, **context},
        status=status,
    )
