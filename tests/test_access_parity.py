"""Parity: the page, the JSON API and OSDI give every member of the cast one answer.

One table-driven test per decision (issue 10): each asks every way in that has the operation
the same question for every member of ``maria_case``'s cast, and asserts the same answer from
all of them, and that nothing changed when the answer was no. The answers:

- ``ALLOWED``; ``FORBIDDEN`` (403: Maria is in the viewer's scope, the act is not theirs);
  ``NOT_FOUND`` (404: Maria is outside their scope); ``LOGIN`` (a switched-off account: the
  pages send her to sign in, her key is a 401).
- For text: ``SEES`` (every sensitive word this way in shows) or ``REDACTED`` (none of them).

Where a request names Maria in its body rather than its address (``POST /followups/``, an
OSDI tagging), "outside your scope" is the field error ``No such supporter`` (400), which
counts as ``NOT_FOUND`` here: the body never tells an outsider whether she exists.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from conversations.models import FollowUp, Note, NoteRevision
from organizing.models import ApiKey
from organizing.roles import user_may_download_segments
from supporters.models import (
    Assignment,
    DuplicateCandidate,
    HistoryEvent,
    Segment,
    Supporter,
    SupporterTag,
    Tag,
)
from tests.api_helpers import key_for
from tests.conftest import (
    LATER_SENSITIVE_NOTE,
    SECRETS,
    SENSITIVE_HEARD,
    SENSITIVE_NOTE,
    SUGGESTION_EVIDENCE,
)

pytestmark = pytest.mark.django_db

OSDI = "/api/osdi/v1/"

ALLOWED, FORBIDDEN, NOT_FOUND, LOGIN = "allowed", "403", "404", "login"
SEES, REDACTED = "sees", "redacted"

CAST = ["alice", "bob", "olivia", "charlie", "priya", "ada", "evan", "lou", "ines"]
OUTSIDERS = {"evan": NOT_FOUND, "lou": NOT_FOUND, "ines": LOGIN}


def expect(allowed: set[str], *, denied: str = FORBIDDEN) -> dict[str, str]:
    """The table: ``allowed`` may, the rest of those who see Maria get ``denied``, and the
    ended volunteer, the user with no team and the switched-off user see nothing."""
    return {name: OUTSIDERS.get(name, ALLOWED if name in allowed else denied) for name in CAST}


class WaysIn:
    """One member of the cast at each door: a signed-in browser, an API key, an OSDI key."""

    def __init__(self, user) -> None:
        scopes = ["read", "write", *(["export"] if user_may_download_segments(user) else [])]
        raw = key_for(user, scopes)
        self.page = Client()
        self.page.force_login(user)
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        self.osdi = APIClient()
        self.osdi.credentials(HTTP_OSDI_API_TOKEN=raw)


@pytest.fixture
def ways(maria_case):
    # Keys are made for everyone, Ines too: a key made before her account was switched off
    # must stop working with it.
    made = {name: WaysIn(user) for name, user in maria_case.cast.items()}
    assert ApiKey.objects.filter(user=maria_case.cast["ines"]).exists()
    return made


def answer(response, *, named_in_body: bool = False) -> str:
    status = response.status_code
    if status == 401:
        return LOGIN
    if status == 302 and reverse("account_login") in response["Location"]:
        return LOGIN
    if status == 404:
        return NOT_FOUND
    if status == 403:
        return FORBIDDEN
    if named_in_body and status == 400 and "No such" in response.content.decode():
        return NOT_FOUND
    if status in (200, 201, 204, 302):
        return ALLOWED
    raise AssertionError(f"Unexpected answer {status}: {response.content[:500]!r}")


def text_answer(response, shown: tuple[str, ...]) -> str:
    """SEES when ``shown`` (the sensitive words this address carries) are all there,
    REDACTED when no sensitive word at all is; anything between is a leak. A list filtered
    to Maria that comes back empty is her being outside the viewer's scope."""
    verdict = answer(response)
    if verdict != ALLOWED:
        return verdict
    if response["Content-Type"].startswith("application/json"):
        data = response.json()
        if isinstance(data, dict) and data.get("results") == []:
            return NOT_FOUND
    body = response.content.decode()
    leaked = [secret for secret in SECRETS if secret in body]
    if not leaked:
        return REDACTED
    if all(secret in body for secret in shown):
        return SEES
    return f"partly: {leaked}"


def one_answer(*answers: str) -> str:
    assert len(set(answers)) == 1, answers
    return answers[0]


# --- see the person ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    expect({"alice", "bob", "olivia", "charlie", "priya", "ada"}).items(),
)
def test_reading_maria_has_one_answer(maria_case, ways, name, expected):
    pk = maria_case.maria.pk
    way = ways[name]
    assert (
        one_answer(
            answer(way.page.get(reverse("conversations:brief", args=[pk]))),
            answer(way.api.get(reverse("api:supporter-detail", args=[pk]))),
            answer(way.osdi.get(f"{OSDI}people/{pk}")),
        )
        == expected
    )


# --- see sensitive text --------------------------------------------------------------------

SENSITIVE_TEXT = {
    "alice": REDACTED,
    "bob": REDACTED,
    "olivia": SEES,
    "charlie": REDACTED,  # he knows Maria, but organizes another team
    "priya": SEES,
    "ada": SEES,
    **OUTSIDERS,
}


@pytest.mark.parametrize("name, expected", SENSITIVE_TEXT.items())
def test_sensitive_text_has_one_answer_on_every_page_and_endpoint(maria_case, ways, name, expected):
    pk = maria_case.maria.pk
    way = ways[name]
    notes = (SENSITIVE_NOTE, LATER_SENSITIVE_NOTE)
    page = [
        # The brief: sensitive notes and what was heard in confidence.
        text_answer(
            way.page.get(reverse("conversations:brief", args=[pk])), (*notes, SENSITIVE_HEARD)
        ),
        # The history: the same, plus the note's earlier text (its revision) and the line
        # written when it was still general.
        text_answer(
            way.page.get(reverse("conversations:history", args=[pk])),
            (*notes, SENSITIVE_HEARD),
        ),
    ]
    api = [
        text_answer(way.api.get(reverse("api:note-list"), {"supporter": pk}), notes),
        text_answer(
            way.api.get(reverse("api:note-detail", args=[maria_case.sensitive_note.pk])),
            (SENSITIVE_NOTE,),
        ),
        # The creation line of the note marked sensitive later held its words.
        text_answer(
            way.api.get(reverse("api:supporter-history", args=[pk])), (LATER_SENSITIVE_NOTE,)
        ),
        text_answer(
            way.api.get(reverse("api:conversation-list"), {"supporter": pk}), (SENSITIVE_HEARD,)
        ),
        text_answer(
            way.api.get(reverse("api:suggestion-list"), {"supporter": pk}),
            (SUGGESTION_EVIDENCE,),
        ),
    ]
    assert one_answer(*page, *api) == expected
    # OSDI reads the person, never notes or what was heard: the same door, no such text.
    osdi = text_answer(way.osdi.get(f"{OSDI}people/{pk}"), ())
    assert osdi == (REDACTED if expected in (SEES, REDACTED) else expected)


@pytest.mark.parametrize(
    "name, expected", [(k, v) for k, v in SENSITIVE_TEXT.items() if v in (SEES, REDACTED)]
)
def test_redacted_rows_keep_their_place_and_say_so(maria_case, ways, name, expected):
    way, pk = ways[name], maria_case.maria.pk
    redacted = expected == REDACTED
    notes = way.api.get(reverse("api:note-list"), {"supporter": pk}).json()["results"]
    by_id = {row["id"]: row for row in notes}
    for note in (maria_case.sensitive_note, maria_case.later_sensitive_note):
        assert by_id[note.pk]["is_redacted"] is redacted
        assert (by_id[note.pk]["body"] == "") is redacted
    (conversation,) = way.api.get(reverse("api:conversation-list"), {"supporter": pk}).json()[
        "results"
    ]
    assert conversation["is_redacted"] is redacted and conversation["heard_is_sensitive"]
    (suggestion,) = way.api.get(reverse("api:suggestion-list"), {"supporter": pk}).json()["results"]
    assert suggestion["is_redacted"] is redacted
    assert suggestion["evidence"] == ("" if redacted else SUGGESTION_EVIDENCE)


# --- edit a note ---------------------------------------------------------------------------

EDIT_SENSITIVE_NOTE = expect({"olivia", "priya", "ada"})


@pytest.mark.parametrize("name, expected", EDIT_SENSITIVE_NOTE.items())
def test_editing_the_sensitive_note_has_one_answer(maria_case, ways, name, expected):
    note = maria_case.sensitive_note
    pk = maria_case.maria.pk
    way = ways[name]
    before = (Note.objects.get(pk=note.pk).body, NoteRevision.objects.count())
    page = answer(
        way.page.post(
            reverse("conversations:note_edit", args=[pk, note.pk]),
            {"body": "Changed on the page", "kind": "sensitive"},
        )
    )
    if page != ALLOWED:
        assert (Note.objects.get(pk=note.pk).body, NoteRevision.objects.count()) == before
    api = answer(
        way.api.patch(
            reverse("api:note-detail", args=[note.pk]),
            {"body": "Changed through the API"},
            format="json",
        )
    )
    assert one_answer(page, api) == expected
    current = Note.objects.get(pk=note.pk).body
    if expected == ALLOWED:
        assert current == "Changed through the API"
    else:
        assert (current, NoteRevision.objects.count()) == before


# --- assign --------------------------------------------------------------------------------

ASSIGN = expect({"olivia", "priya", "ada"})


def _assigned_to(supporter) -> list[int]:
    return list(
        Assignment.objects.active().filter(supporter=supporter).values_list("volunteer", flat=True)
    )


@pytest.mark.parametrize("name, expected", ASSIGN.items())
def test_assigning_maria_to_bob_has_one_answer(maria_case, ways, name, expected):
    """The page assigns from the organizer's list; the API gives Maria's work to someone
    else (a follow-up for Bob, or for Alice when Bob asks), which is organizing her too."""
    maria, bob = maria_case.maria, maria_case.cast["bob"]
    someone_else = maria_case.cast["alice"] if name == "bob" else bob
    way = ways[name]
    before = (_assigned_to(maria), FollowUp.objects.count(), HistoryEvent.objects.count())
    response = way.page.post(
        reverse("supporters:list"), {"volunteer": bob.pk, "supporters": [maria.pk]}
    )
    page = answer(response)
    if page == ALLOWED and _assigned_to(maria) != [bob.pk]:
        # The list offers only the people one organizes: Maria is not on Charlie's, so his
        # ticked Maria is refused as a bad choice (and nothing is assigned).
        page = FORBIDDEN
    api = answer(
        way.api.post(
            reverse("api:followup-list"),
            {
                "supporter": maria.pk,
                "assignee": someone_else.pk,
                "due_at": (timezone.now() + timezone.timedelta(days=3)).isoformat(),
                "reason": "Walk her to the tenants' meeting",
            },
            format="json",
        ),
        named_in_body=True,
    )
    # The list page names nobody in its address: to those who organize no team it is a 403
    # whoever is ticked, so the outsiders' answer there is "no", not "no such person".
    if name in ("evan", "lou"):
        assert (page, api) == (FORBIDDEN, NOT_FOUND)
    else:
        assert one_answer(page, api) == expected
    if expected == ALLOWED:
        assert _assigned_to(maria) == [bob.pk]
        assert FollowUp.objects.filter(supporter=maria, assignee=someone_else).exists()
    else:
        assert (
            _assigned_to(maria),
            FollowUp.objects.count(),
            HistoryEvent.objects.count(),
        ) == before


# --- follow-ups: complete, reassign --------------------------------------------------------

COMPLETE = expect({"alice", "olivia", "priya", "ada"})


def _followup_state(followup):
    followup.refresh_from_db()
    return (followup.status, followup.assignee_id, followup.completed_by_id)


@pytest.mark.parametrize("name, expected", COMPLETE.items())
def test_completing_alices_followup_has_one_answer(maria_case, ways, name, expected):
    followup, pk = maria_case.followup, maria_case.maria.pk
    way = ways[name]
    before = _followup_state(followup), HistoryEvent.objects.count()
    page = answer(
        way.page.post(
            reverse("conversations:followup_complete", args=[pk, followup.pk]),
            {"status": "done"},
        )
    )
    if page == ALLOWED:
        assert _followup_state(followup)[0] == FollowUp.Status.DONE
        FollowUp.objects.filter(pk=followup.pk).update(
            status=FollowUp.Status.OPEN, completed_by=None, completed_at=None
        )
        followup.refresh_from_db()
    else:
        assert (_followup_state(followup), HistoryEvent.objects.count()) == before
    api = answer(
        way.api.post(
            reverse("api:followup-complete", args=[followup.pk]), {"status": "done"}, format="json"
        )
    )
    assert one_answer(page, api) == expected
    if expected == ALLOWED:
        assert _followup_state(followup)[:1] == (FollowUp.Status.DONE,)
        assert _followup_state(followup)[2] == maria_case.cast[name].pk
    else:
        assert (_followup_state(followup), HistoryEvent.objects.count()) == before


REASSIGN = expect({"olivia", "priya", "ada"})


@pytest.mark.parametrize("name, expected", REASSIGN.items())
def test_reassigning_alices_followup_has_one_answer(maria_case, ways, name, expected):
    followup, bob, alice = maria_case.followup, maria_case.cast["bob"], maria_case.cast["alice"]
    way = ways[name]
    before = _followup_state(followup), HistoryEvent.objects.count()
    page = answer(
        way.page.post(
            reverse("conversations:followup_reassign", args=[followup.pk]), {"assignee": bob.pk}
        )
    )
    if page == ALLOWED:
        assert _followup_state(followup)[1] == bob.pk
        FollowUp.objects.filter(pk=followup.pk).update(assignee=alice)
        followup.refresh_from_db()
    else:
        assert (_followup_state(followup), HistoryEvent.objects.count()) == before
    api = answer(
        way.api.post(
            reverse("api:followup-reassign", args=[followup.pk]),
            {"assignee": bob.pk},
            format="json",
        )
    )
    assert one_answer(page, api) == expected
    if expected == ALLOWED:
        assert _followup_state(followup)[1] == bob.pk
    else:
        assert (_followup_state(followup), HistoryEvent.objects.count()) == before


# --- merge ---------------------------------------------------------------------------------

MERGE = expect({"olivia", "priya", "ada"})


@pytest.mark.parametrize("name, expected", MERGE.items())
def test_merging_maria_and_her_duplicate_has_one_answer(maria_case, ways, name, expected):
    """Merging is on the duplicate review page only (the API and OSDI have no merge); the
    review list agrees with it about who may see the pair."""
    pair, way = maria_case.pair, ways[name]
    before = (Supporter.objects.count(), HistoryEvent.objects.count())
    listed = way.page.get(reverse("review:duplicate_list"))
    merge = answer(
        way.page.post(reverse("review:duplicate_merge", args=[pair.pk]), {"keep": "first"})
    )
    if name in ("evan", "lou"):
        # The review list is for organizers; the pair itself is outside their scope.
        assert (answer(listed), merge) == (FORBIDDEN, NOT_FOUND)
    elif name == "ines":
        assert (answer(listed), merge) == (LOGIN, LOGIN)
    else:
        assert merge == expected
        # Volunteers may not open the review list; Charlie may (he organizes Westside), but
        # this pair is not on it.
        assert answer(listed) == (FORBIDDEN if name in ("alice", "bob") else ALLOWED)
        if name == "charlie":
            assert f"duplicates/{pair.pk}/merge/" not in listed.content.decode()
        elif expected == ALLOWED:
            assert f"duplicates/{pair.pk}/merge/" in listed.content.decode()
    if expected == ALLOWED:
        assert not Supporter.objects.filter(pk=maria_case.duplicate.pk).exists()
        assert not DuplicateCandidate.objects.filter(pk=pair.pk).exists() or (
            DuplicateCandidate.objects.get(pk=pair.pk).status != DuplicateCandidate.Status.OPEN
        )
    else:
        assert (Supporter.objects.count(), HistoryEvent.objects.count()) == before
        assert DuplicateCandidate.objects.get(pk=pair.pk).status == DuplicateCandidate.Status.OPEN


# --- tag a person (OSDI has this one) --------------------------------------------------------

TAG = expect({"alice", "bob", "olivia", "charlie", "priya", "ada"})


@pytest.mark.parametrize("name, expected", TAG.items())
def test_tagging_maria_has_one_answer(maria_case, ways, name, expected):
    maria, way = maria_case.maria, ways[name]
    api_tag = Tag.objects.create(name="tenant-leader")
    osdi_tag = Tag.objects.create(name="phone-bank")
    api = answer(
        way.api.post(
            reverse("api:supporter-tags", args=[maria.pk]),
            {"tag": api_tag.pk, "action": "add"},
            format="json",
        )
    )
    osdi = answer(
        way.osdi.post(
            f"{OSDI}tags/{osdi_tag.pk}/taggings",
            {"_links": {"osdi:person": {"href": f"{OSDI}people/{maria.pk}"}}},
            format="json",
        ),
        named_in_body=True,
    )
    assert one_answer(api, osdi) == expected
    tags = set(SupporterTag.objects.filter(supporter=maria).values_list("tag__name", flat=True))
    assert tags == ({"tenant-leader", "phone-bank"} if expected == ALLOWED else set())


# --- edit the person: contact details, typed fields (issue 16, item 1) ----------------------

EDIT_CONTACT = expect({"alice", "bob", "olivia", "charlie", "priya", "ada"})
EDIT_TYPED = expect({"olivia", "priya", "ada"})


def _edit_page_data(way, maria) -> dict:
    """What the edit page sends back unchanged for this viewer (404 and sign-in: nothing)."""
    response = way.page.get(reverse("supporters:edit", args=[maria.pk]))
    if response.status_code != 200:
        return {}
    form = response.context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if name != "tags"
        and (name in ("updated_at", "opened", "shown_at", "tags_shown") or form.may(name))
    }
    data["tags"] = [str(pk) for pk in form.initial["tags"]]
    return data


def _maria_now(maria) -> tuple:
    person = Supporter.objects.get(pk=maria.pk)
    return (
        person.pronouns,
        person.family_name,
        sorted(person.emails.values_list("address", flat=True)),
        sorted(person.phones.values_list("number", flat=True)),
        HistoryEvent.objects.filter(supporter=maria).count(),
    )


@pytest.mark.parametrize("name, expected", EDIT_CONTACT.items())
def test_correcting_marias_contact_details_has_one_answer(maria_case, ways, name, expected):
    """Everyone who sees her corrects how to reach and address her: the edit page (a phone
    and her pronouns), the API (her pronouns), OSDI (an email)."""
    maria, way = maria_case.maria, ways[name]
    before = _maria_now(maria)
    data = _edit_page_data(way, maria)
    data.update({"pronouns": "she/her", "phone-new-number": "312-555-0142"})
    page = answer(way.page.post(reverse("supporters:edit", args=[maria.pk]), data))
    if page != ALLOWED:
        assert _maria_now(maria) == before
    api = answer(
        way.api.patch(
            reverse("api:supporter-detail", args=[maria.pk]),
            {"pronouns": "ella"},
            format="json",
        )
    )
    osdi = answer(
        way.osdi.put(
            f"{OSDI}people/{maria.pk}",
            {"email_addresses": [{"address": f"maria-{name}@example.org"}]},
            format="json",
        )
    )
    assert one_answer(page, api, osdi) == expected
    now = _maria_now(maria)
    if expected == ALLOWED:
        assert now[0] == "ella" and "312-555-0142" in now[3]
        assert f"maria-{name}@example.org" in now[2]
    else:
        assert now == before


@pytest.mark.parametrize("name, expected", EDIT_TYPED.items())
def test_changing_marias_registered_name_has_one_answer(maria_case, ways, name, expected):
    """Her name as registered (and support level, custom fields, external IDs) is her
    organizers' to change: the edit page, the API and OSDI say so alike, and a refused save
    changes nothing, not even the contact details sent with it."""
    maria, way = maria_case.maria, ways[name]
    before = _maria_now(maria)
    data = _edit_page_data(way, maria)
    data.update({"family_name": "López (page)", "pronouns": "she/her"})
    page = answer(way.page.post(reverse("supporters:edit", args=[maria.pk]), data))
    if page != ALLOWED:
        assert _maria_now(maria) == before
    else:
        assert Supporter.objects.get(pk=maria.pk).family_name == "López (page)"
    api = answer(
        way.api.patch(
            reverse("api:supporter-detail", args=[maria.pk]),
            {"family_name": "López (API)", "support_level": 2},
            format="json",
        )
    )
    osdi = answer(
        way.osdi.put(f"{OSDI}people/{maria.pk}", {"family_name": "López (OSDI)"}, format="json")
    )
    assert one_answer(page, api, osdi) == expected
    person = Supporter.objects.get(pk=maria.pk)
    if expected == ALLOWED:
        assert (person.family_name, person.support_level) == ("López (OSDI)", 2)
    else:
        assert _maria_now(maria) == before and person.support_level is None


# --- export --------------------------------------------------------------------------------

EXPORT = {
    **{name: FORBIDDEN for name in CAST},
    # Organizers download their own teams' people (issue 16, item 3): Olivia gets Maria;
    # Charlie, who organizes another team and only knows her, downloads without her.
    "olivia": ALLOWED,
    "charlie": ALLOWED,
    "priya": ALLOWED,
    "ada": ALLOWED,
    # A segment is nobody's person: the ended volunteer and the user with no team are
    # simply not data staff (403); a switched-off account signs in first.
    "ines": LOGIN,
}


@pytest.mark.parametrize("name, expected", EXPORT.items())
def test_exporting_a_segment_has_one_answer(maria_case, ways, name, expected):
    segment = Segment.objects.create(name="Everyone", filter={})
    way = ways[name]
    people_before = Supporter.objects.count()
    page = way.page.get(reverse("segments:export", args=[segment.pk]))
    api = way.api.get(reverse("api:segment-export", args=[segment.pk]), {"format": "ndjson"})
    assert one_answer(answer(page), answer(api)) == expected
    assert Supporter.objects.count() == people_before
    if expected == ALLOWED:
        for response in (page, api):
            body = b"".join(response.streaming_content).decode()
            assert ("Maria" in body) == (name != "charlie"), name
            # Exports carry no note, no heard, no suggestion: not even for those who may
            # read them on the brief.
            assert not [secret for secret in SECRETS if secret in body]


def test_osdi_lists_show_each_member_only_the_people_they_may_see(maria_case, ways):
    """OSDI lists are our segments and their items are people's ids, read (not exported)
    through the visibility rule: each member gets the segment's people they may see."""
    segment = Segment.objects.create(name="Everyone", filter={})
    maria, duplicate = maria_case.maria.pk, maria_case.duplicate.pk
    for name, way in ways.items():
        response = way.osdi.get(f"{OSDI}lists/{segment.pk}/items")
        if name == "ines":
            assert response.status_code == 401
            continue
        ids = {
            int(item["identifiers"][0].split(":")[1])
            for item in response.json()["_embedded"]["osdi:items"]
        }
        sees_maria = name not in ("evan", "lou")
        assert ids == ({maria, duplicate} if sees_maria else set()), name


# --- the shared lists: one writer, one message (issue 10, item 8) ----------------------------


@pytest.mark.parametrize("kind", ["tag", "issue"])
def test_a_taken_name_gets_the_services_message_from_the_page_and_the_api(organizer, kind):
    from conversations.models import Issue

    model = {"tag": Tag, "issue": Issue}[kind]
    model.objects.create(name="Rent")
    expected = f"There is already {'a tag' if kind == 'tag' else 'an issue'} called rent."
    page = Client()
    page.force_login(organizer)
    response = page.post(
        reverse("conversations:lists"),
        {"add": kind, f"{kind}-name": "rent", f"{kind}-description": ""},
    )
    assert response.status_code == 400
    assert response.context[f"{kind}_form"].errors == {"name": [expected]}
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(organizer, ['read', 'write'])}")
    response = api.post(reverse(f"api:{kind}-list"), {"name": "rent"}, format="json")
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert model.objects.count() == 1


def test_osdi_answers_a_taken_tag_name_with_that_tag_and_adds_none(organizer):
    # OSDI's create-or-return (as Action Network answers parsons' add_tag): no second tag,
    # no error, the same tag whichever case was sent.
    tag = Tag.objects.create(name="Rent")
    osdi = APIClient()
    osdi.credentials(HTTP_OSDI_API_TOKEN=key_for(organizer, ["read", "write"]))
    response = osdi.post(f"{OSDI}tags", {"name": "rent"}, format="json")
    assert response.status_code == 200
    assert response.json()["identifiers"][0] == f"earshot:{tag.pk}"
    assert Tag.objects.count() == 1


@pytest.mark.parametrize("kind", ["tag", "issue"])
def test_tags_and_issues_added_on_the_page_api_and_osdi_are_written_by_the_services(
    organizer, monkeypatch, kind
):
    """Every way in adds through ``tag_create`` / ``issue_create``: no second writer."""
    import conversations.services
    import supporters.services

    module = supporters.services if kind == "tag" else conversations.services
    service = getattr(module, f"{kind}_create")
    calls = []

    def spy(**kwargs):
        calls.append(kwargs["name"])
        return service(**kwargs)

    # The lists page imports the service by name; the APIs call it through its module.
    import conversations.views_lists

    for place in (module, conversations.views_lists):
        if hasattr(place, f"{kind}_create"):
            monkeypatch.setattr(place, f"{kind}_create", spy)
    page = Client()
    page.force_login(organizer)
    page.post(
        reverse("conversations:lists"),
        {"add": kind, f"{kind}-name": "From the page", f"{kind}-description": ""},
    )
    raw = key_for(organizer, ["read", "write"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    api.post(reverse(f"api:{kind}-list"), {"name": "From the API"}, format="json")
    names = ["From the page", "From the API"]
    if kind == "tag":
        osdi = APIClient()
        osdi.credentials(HTTP_OSDI_API_TOKEN=raw)
        osdi.post(f"{OSDI}tags", {"name": "From OSDI"}, format="json")
        names.append("From OSDI")
    assert calls == names


# --- add a person: who has them afterwards (issue 10, item 4) --------------------------------

# A volunteer who adds someone has them (assigned); organizers and above hand people out, so
# theirs are nobody's yet. One rule, in supporter_create, whichever way in.
ADDED_BY = {"alice": "alice", "bob": "bob", "olivia": None, "priya": None, "ada": None}


@pytest.mark.parametrize("name, assigned", ADDED_BY.items())
def test_whoever_adds_a_person_has_them_by_one_rule_on_page_api_and_osdi(
    maria_case, ways, name, assigned
):
    import uuid

    way, cast, team = ways[name], maria_case.cast, maria_case.maria.team
    page = way.page.post(
        reverse("supporters:create"),
        {
            "given_name": "Page",
            "family_name": name,
            "language": "en",
            "how": "door",
            "team": team.pk,
            "client_uuid": str(uuid.uuid4()),
            "confirm_new": "on",
        },
    )
    api = way.api.post(
        reverse("api:supporter-list"),
        {"given_name": "Api", "family_name": name, "team": team.pk},
        format="json",
    )
    osdi = way.osdi.post(
        f"{OSDI}people",
        {
            "person": {
                "given_name": "Osdi",
                "family_name": name,
                "email_addresses": [{"address": f"osdi-{name}@example.org"}],
            }
        },
        format="json",
    )
    assert (page.status_code, api.status_code, osdi.status_code) == (302, 201, 201)
    expected = [cast[assigned].pk] if assigned else []
    for given in ("Page", "Api", "Osdi"):
        person = Supporter.objects.get(given_name=given, family_name=name)
        assert (person.team, _assigned_to(person)) == (team, expected), given
        # Whoever added them can open them afterwards, whichever way they came in.
        assert answer(way.page.get(reverse("conversations:brief", args=[person.pk]))) == ALLOWED


def test_someone_a_volunteer_knows_is_recorded_as_known_not_assigned_on_page_and_api(
    maria_case, ways
):
    import uuid

    from supporters.models import Relationship

    alice, team = maria_case.cast["alice"], maria_case.maria.team
    ways["alice"].page.post(
        reverse("supporters:create"),
        {
            "given_name": "Known",
            "family_name": "Page",
            "how": "relational",
            "relationship_kind": "coworker",
            "language": "en",
            "team": team.pk,
            "client_uuid": str(uuid.uuid4()),
            "confirm_new": "on",
        },
    )
    ways["alice"].api.post(
        reverse("api:supporter-list"),
        {"given_name": "Known", "family_name": "Api", "known_by_kind": "coworker"},
        format="json",
    )
    for family in ("Page", "Api"):
        person = Supporter.objects.get(given_name="Known", family_name=family)
        assert _assigned_to(person) == [], family
        assert Relationship.objects.get(supporter=person).known_by == alice


# --- import --------------------------------------------------------------------------------

IMPORT = {
    **{name: FORBIDDEN for name in CAST},
    # Maria's team's organizer, data staff and admins import into Eastside; Charlie organizes
    # another team, the volunteers import nobody.
    "olivia": ALLOWED,
    "priya": ALLOWED,
    "ada": ALLOWED,
    "ines": LOGIN,
}


@pytest.mark.parametrize("name, expected", IMPORT.items())
def test_importing_into_marias_team_has_one_answer(
    maria_case, ways, name, expected, settings, tmp_path
):
    """Uploading a file that names Maria: the page and the API answer alike; a refusal
    stores nothing; those allowed see her matched (never revealed to anyone else)."""
    import io

    from supporters.importing.models import Import

    settings.IMPORT_DIR = tmp_path
    team = maria_case.maria.team
    way = ways[name]
    text = b"First Name,Email\nMaria,maria@example.org\nZed,zed@example.org\n"
    upload = io.BytesIO(text)
    upload.name = "people.csv"
    page = answer(
        way.page.post(reverse("supporters:import-list"), {"file": upload, "team": team.pk})
    )
    again = io.BytesIO(text)
    again.name = "people.csv"
    api_response = way.api.post(
        "/api/v1/imports/", {"file": again, "team": team.pk}, format="multipart"
    )
    assert one_answer(page, answer(api_response)) == expected
    if expected != ALLOWED:
        assert not Import.objects.exists()
        return
    dry = way.api.post(f"/api/v1/imports/{api_response.json()['id']}/dry-run/").json()
    assert dry["counts"] == {"new": 1, "matched": 1, "review": 0, "errors": 0}


# --- a caller's lease (calling): the person they hold, while it lasts -----------------------


def test_a_callers_lease_opens_maria_the_same_way_everywhere_and_closes_with_it(maria_case, ways):
    """Evan (Maria's assignment to him ended) works Eastside's call list: holding Maria on a
    lease, every way in lets him read her, none shows her sensitive text, and when the lease
    runs out every way in is a 404 again."""
    from datetime import timedelta

    from calling.models import CallTarget
    from calling.services import call_claim
    from supporters.models import SupporterPhone
    from tests.calling.helpers import call_list

    maria, evan = maria_case.maria, maria_case.cast["evan"]
    SupporterPhone.objects.create(supporter=maria, number="312-555-0199", is_primary=True)
    tag = Tag.objects.create(name="phone bank")
    SupporterTag.objects.create(supporter=maria, tag=tag)
    calls = call_list(
        maria_case.cast["olivia"], maria.team, filter_json={"tags": {"any": [tag.pk]}}
    )
    way = ways["evan"]

    def ways_in():
        return (
            text_answer(way.page.get(reverse("conversations:brief", args=[maria.pk])), ()),
            text_answer(way.api.get(reverse("api:supporter-detail", args=[maria.pk])), ()),
            text_answer(way.osdi.get(f"{OSDI}people/{maria.pk}"), ()),
        )

    assert ways_in() == (NOT_FOUND, NOT_FOUND, NOT_FOUND)
    held = call_claim(actor=evan, call_list=calls)
    assert held.supporter_id == maria.pk
    call_page = way.page.get(reverse("calling:call", args=[calls.pk, held.pk]))
    assert text_answer(call_page, ()) == REDACTED
    assert ways_in() == (REDACTED, REDACTED, REDACTED)
    CallTarget.objects.filter(pk=held.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert ways_in() == (NOT_FOUND, NOT_FOUND, NOT_FOUND)
