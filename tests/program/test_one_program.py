"""One program, one truth (program/events.py): every channel says the same title, times, place,
people and status of each talk, changes together, and deploying the read model changes nothing
a calendar subscriber was sent."""

import hashlib
import io
import itertools
import json
import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest
from django.contrib import admin
from django.core.management import call_command, get_commands
from django.urls import reverse
from django.utils import timezone

from program.admin.talk_times import even_split
from program.events import Event, Kind, conference_program
from program.importer import apply_program
from program.models import ChangeLogEntry, Conference, EventRevision, Session, Talk
from program.parser import parse_program
from program.readiness import readiness_report
from program.revisions import Recorded, diff, record_changes
from speakers.models import Affiliation, Speaker

# The hash of every OpML '20 event's (uid, content hash) as recorded before the read model
# existed: Event.as_snapshot() must keep its exact shape, or every subscriber's SEQUENCE moves.
SCHEDULED = "https://schema.org/EventScheduled"
RESCHEDULED = "https://schema.org/EventRescheduled"
OPML20_RECORDED = "3f065b68ee2d77d7cbcb68ade7f6aff12f9e5d6438a48e2347ac6ee494eb9be2"


def recorded_digest():
    rows = sorted((str(r.uid), r.content_hash) for r in EventRevision.objects.all())
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def unrecorded(conference):
    """Events whose recorded revision differs from what the read model builds now, and events
    recorded as published that are no longer."""
    revisions = {r.uid: r for r in EventRevision.objects.filter(withdrawn_at=None)}
    events = conference_program(conference)
    stale = [
        event.summary
        for event in events
        if event.uid not in revisions or revisions[event.uid].content_hash != event.content_hash
    ]
    live = {event.uid for event in events}
    return stale + [
        r.snapshot["summary"]
        for r in revisions.values()
        if r.conference_id == conference.pk and r.uid not in live
    ]


# --- Deploying changes nothing ---------------------------------------------------------------


def test_opml20_snapshots_are_byte_for_byte_as_before(opml20):
    assert recorded_digest() == OPML20_RECORDED
    for event in conference_program(opml20):
        revision = EventRevision.objects.get(uid=event.uid)
        assert revision.snapshot == event.as_snapshot()
        assert Event.from_snapshot(revision.snapshot) == event


@pytest.mark.parametrize("program", ["opml20", "large_program"])
def test_recording_again_raises_no_sequence_and_logs_nothing(request, program):
    conference = request.getfixturevalue(program)
    sequences = dict(EventRevision.objects.values_list("uid", "sequence"))
    entries = ChangeLogEntry.objects.count()
    record_changes({conference.pk})
    assert dict(EventRevision.objects.values_list("uid", "sequence")) == sequences
    assert ChangeLogEntry.objects.count() == entries
    assert unrecorded(conference) == []


# --- diff is pure ----------------------------------------------------------------------------


def event(uid, **fields):
    start = datetime(2030, 7, 1, 16, tzinfo=ZoneInfo("UTC"))
    values = dict(
        uid=uid,
        conference_id=1,
        key=f"talk/t{uid.int}",
        listed=False,
        session_uid=str(uid),
        speakers=(),
        summary="A talk",
        description="",
        start=start,
        end=start + timedelta(hours=1),
        location="Room A",
        path="/c/talks/t/",
        kind=Kind.TALK,
    )
    return Event(**values | fields)


def test_diff_needs_no_database_and_says_each_change_once():
    kept, retitled, moved, gone, new = (uuid.UUID(int=n) for n in range(1, 6))
    old = {uid: event(uid) for uid in (kept, retitled, moved, gone)}
    previous = {
        uid: Recorded(snapshot=e.as_snapshot(), content_hash=e.content_hash)
        for uid, e in old.items()
    }
    now = {
        kept: old[kept],
        retitled: event(retitled, summary="A new title"),
        moved: event(moved, listed=True, start=old[moved].start + timedelta(hours=1)),
        new: event(new),
    }
    changes = diff(previous, now, ZoneInfo("America/Los_Angeles"))
    assert [e.uid for e in changes.added] == [new]
    assert [e.uid for _, e in changes.changed] == [retitled, moved]
    assert [r.snapshot["uid"] for r in changes.withdrawn] == [str(gone)]
    texts = [text for _, text, _, _ in changes.log]
    assert texts[0] == "Talk withdrawn: “A talk”."
    assert "Retitled: “A talk” is now “A new title”." in texts
    (_, _, _, previous_start) = next(line for line in changes.log if line[0] == "rescheduled")
    assert previous_start == old[moved].start
    assert not diff(previous | {}, old, ZoneInfo("UTC"))


# --- Every channel says the same -------------------------------------------------------------


def ics_events(client, url):
    calendar = icalendar.Calendar.from_ical(client.get(url).content)
    return {str(c["UID"]).split("@")[0]: c for c in calendar.walk("VEVENT")}


def frab_events(client, conference):
    document = json.loads(client.get(f"/{conference.slug}/schedule.json").content)
    days = document["schedule"]["conference"]["days"]
    return {e["guid"]: e for day in days for events in day["rooms"].values() for e in events}


def api_talks(client, conference):
    talks, url = {}, f"/api/talks/?conference={conference.slug}&page_size=500"
    while url:
        page = client.get(url).json()
        talks |= {talk["id"]: talk for talk in page["results"]}
        url = page["next"]
    return talks


def jsonld(client, url):
    html = client.get(url).content.decode()
    (data,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)
    return json.loads(data), html


def duration(value):
    hours, minutes = map(int, value.split(":"))
    return timedelta(hours=hours, minutes=minutes)


def assert_channels_agree(client, conference):
    frab = frab_events(client, conference)
    api = api_talks(client, conference)
    talks = Talk.objects.published().filter(session__conference=conference).with_speakers()
    assert talks
    for talk in talks:
        uid = str(talk.uid)
        start, end = (
            (talk.start, talk.end) if talk.start else (talk.session.start, talk.session.end)
        )
        (ics,) = ics_events(client, talk.get_calendar_url()).values()
        session_ics = ics_events(client, talk.session.get_calendar_url())
        data, html = jsonld(client, talk.get_absolute_url())
        page_time = re.search(r'<time class="when" datetime="([^"]+)" data-end="([^"]+)"', html)
        people = [a.printed_name for a in talk.byline]
        place = Session.objects.get(pk=talk.session_id)
        expected_place = (
            place.location_name
            or conference.default_location_name
            or f"Session {place.number} Slack channel"
        )
        # Title
        assert talk.title == str(ics["SUMMARY"]) == frab[uid]["title"] == api[uid]["title"]
        assert data["name"] == talk.title
        # Times
        assert ics.decoded("DTSTART") == start
        assert ics.decoded("DTEND") == end
        assert datetime.fromisoformat(frab[uid]["date"]) == start
        assert duration(frab[uid]["duration"]) == end - start
        assert datetime.fromisoformat(api[uid]["start"]) == start
        assert datetime.fromisoformat(api[uid]["end"]) == end
        assert datetime.fromisoformat(data["startDate"]) == start
        assert datetime.fromisoformat(data["endDate"]) == end
        assert page_time.groups() == tuple(
            t.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%MZ") for t in (start, end)
        )
        if talk.start:  # a talk with its own times is in its session's feed too
            assert session_ics[uid].decoded("DTSTART") == start
        # Place
        assert frab[uid]["room"] == api[uid]["place"]["name"] == expected_place
        location = data["location"] if isinstance(data["location"], list) else [data["location"]]
        assert expected_place in [item.get("name") for item in location]
        if place.location_name or conference.default_location_name:
            assert f'<p class="place">Where: {expected_place}</p>' in html
        else:  # the Slack channel: the page's Slack line says it
            assert '<p class="place">' not in html
            assert f"Session {place.number} Slack channel" in html
        if not (place.location_name or conference.default_location_name) and place.slack_url:
            assert str(ics["LOCATION"]) == place.slack_url  # the channel itself
        else:
            assert str(ics["LOCATION"]) == expected_place
        # People
        assert [p["public_name"] for p in frab[uid]["persons"]] == people
        assert [a["name"] for a in api[uid]["authors"]] == people
        assert [p["name"] for p in data.get("performer", [])] == people
        # Status
        assert str(ics["STATUS"]) == "CONFIRMED"
        assert api[uid]["status"] == "confirmed"
        # Confirmed everywhere; JSON-LD may add that it moved (EventRescheduled).
        assert data["eventStatus"] in (SCHEDULED, RESCHEDULED)


def test_opml20_channels_agree(client, opml20):
    assert_channels_agree(client, opml20)


def test_an_imported_program_agrees(client, db, seed_text):
    apply_program(parse_program(seed_text), "imported")
    conference = Conference.objects.get(slug="imported")
    Conference.objects.filter(pk=conference.pk).publish_with_program()
    assert_channels_agree(client, conference)


def test_parallel_sessions_in_rooms_with_timed_talks_agree(client, parallel_program):
    sessions = list(Session.objects.filter(conference=parallel_program).order_by("start", "pk"))
    for index, session in enumerate(sessions):
        session.location_name = f"Room {'AB'[index % 2]}"
        session.save()
    talk = sessions[0].talks.first()
    talk.start, talk.end = sessions[0].start + timedelta(minutes=15), sessions[0].end
    talk.save()
    assert_channels_agree(client, parallel_program)


# --- Changing together -----------------------------------------------------------------------


def test_a_retitle_a_move_and_a_withdrawal_change_every_channel_together(client, opml20):
    talks = list(Talk.objects.published().filter(session__conference=opml20).order_by("pk"))
    retitled, moved, withdrawn = talks[0], talks[1], talks[2]
    before_frab = frab_events(client, opml20)
    before_api = api_talks(client, opml20)
    retitled.title = "A clearer title"
    retitled.save()
    moved.session = Session.objects.get(conference=opml20, number=6)
    moved.save()
    withdrawn.is_published = False
    withdrawn.save()
    assert_channels_agree(client, opml20)
    frab, api = frab_events(client, opml20), api_talks(client, opml20)
    assert frab[str(withdrawn.uid)]["title"] == f"Cancelled: {withdrawn.title}"
    assert api[str(withdrawn.uid)]["status"] == "withdrawn"
    (ics,) = ics_events(client, withdrawn.get_calendar_url()).values()
    assert str(ics["STATUS"]) == "CANCELLED"
    # No other talk's time moved.
    for talk in talks[3:]:
        uid = str(talk.uid)
        assert (frab[uid]["date"], frab[uid]["duration"]) == (
            before_frab[uid]["date"],
            before_frab[uid]["duration"],
        )
        assert (api[uid]["start"], api[uid]["end"]) == (
            before_api[uid]["start"],
            before_api[uid]["end"],
        )


def test_a_picks_feed_validators_move_with_its_list_and_its_events(client, opml20):
    talk, other = Talk.objects.published().filter(session__conference=opml20)[:2]
    created = client.post(
        "/picks/lists/", json.dumps({"items": [str(talk.uid)]}), content_type="application/json"
    ).json()
    url = created["feed_url"]
    first = client.get(url)
    later = timezone.now() + timedelta(days=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        response = client.put(
            f"/picks/lists/{created['feed']}/",
            json.dumps({"items": [str(talk.uid), str(other.uid)]}),
            content_type="application/json",
            headers={"x-picks-edit": created["edit"]},
        )
        assert response.status_code == 200, response.content
    second = client.get(url)
    assert second["ETag"] != first["ETag"]
    assert second["Last-Modified"] != first["Last-Modified"]
    assert client.get(url, headers={"if-modified-since": first["Last-Modified"]}).status_code == 200
    later += timedelta(days=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        other.title = "Renamed"
        other.save()
    third = client.get(url)
    assert third["ETag"] != second["ETag"]
    assert third["Last-Modified"] != second["Last-Modified"]


# --- Atom and HTML ---------------------------------------------------------------------------


def test_atom_ids_are_absolute_with_an_author_and_each_thing_said_once(client, opml20):
    talk = Talk.objects.published().filter(session__conference=opml20).first()
    talk.title = "Retitled once"
    talk.save()
    talk.is_published = False
    talk.save()
    feed = feedparser.parse(client.get(reverse("program:changes_feed", args=["opml20"])).content)
    assert not feed.bozo, feed.bozo_exception
    changes = f"http://testserver{reverse('program:changes', args=['opml20'])}"
    assert feed.feed.author == "USENIX"
    for entry in feed.entries:
        assert re.fullmatch(r"tag:[^,]+,\d{4}-\d{2}-\d{2}:opml20/changes/\d+", entry.id)
        assert "summary" not in entry or entry.summary != f"{entry.title}"
        assert not re.match(r"(\w+): \1", entry.title)
    withdrawn = next(e for e in feed.entries if e.title.startswith("Talk withdrawn"))
    assert withdrawn.link.startswith(changes + "#change-")
    retitled = next(e for e in feed.entries if e.title.startswith("Retitled"))
    assert not retitled.title.startswith("Retitled: Retitled")
    # One change's entries are ordered by a second key, newest row first.
    assert feed.entries.index(withdrawn) < feed.entries.index(retitled)


def test_every_datetime_attribute_of_the_changes_page_is_valid_html(client, opml20):
    talk = Talk.objects.published().filter(session__conference=opml20).first()
    talk.title = "Retitled"
    talk.save()
    html = client.get(reverse("program:changes", args=["opml20"])).content.decode()
    values = re.findall(r'datetime="([^"]+)"', html)
    assert len(values) == 2
    for value in values:
        assert re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d)", value
        )
    assert 'href="/opml20/talks/' in html  # a retitle links to the talk


def test_json_ld_says_when_a_rescheduled_session_started_before(client, opml20):
    session = Session.objects.get(conference=opml20, number=3)
    old_start = session.start
    session.start += timedelta(minutes=30)
    session.save()
    data, _ = jsonld(client, session.get_absolute_url())
    assert data["eventStatus"] == "https://schema.org/EventRescheduled"
    assert datetime.fromisoformat(data["previousStartDate"]) == old_start


# --- Every write path reaches the bookkeeping ------------------------------------------------

# How the test runs each admin action: a new action (or command) must be added here, and so is
# checked to keep the recorded events equal to what the read model builds.
ACTION_RUNS = {
    ("program", "conference", "publish"): {},
    ("program", "conference", "unpublish"): {},
    ("program", "conference", "publish_with_program"): {},
    ("program", "session", "publish"): {},
    ("program", "session", "unpublish"): {},
    ("program", "session", "propose_talk_times"): {"apply": "yes"},
    ("program", "talk", "publish"): {},
    ("program", "talk", "unpublish"): {},
    ("speakers", "speaker", "merge"): {"post": "yes"},
    ("speakers", "affiliation", "merge"): {"post": "yes"},
    ("program", "conference", "delete_selected"): {"post": "yes"},
    ("program", "day", "delete_selected"): {"post": "yes"},
    ("program", "session", "delete_selected"): {"post": "yes"},
    ("program", "talk", "delete_selected"): {"post": "yes"},
    ("speakers", "speaker", "delete_selected"): {"post": "yes"},
    ("speakers", "affiliation", "delete_selected"): {"post": "yes"},
    # The speakers' own page: links sent or revoked change no event, which the test checks too.
    ("program", "conference", "send_speaker_links"): {},
    ("speakers", "speaker", "send_speaker_links"): {},
    ("speakers", "speaker", "revoke_speaker_links"): {},
}
COMMANDS_THAT_WRITE_THE_PROGRAM = {
    "import_program",
    "load_reference_program",
    "loaddata",
    "generate_program",
    "record_revisions",
}
COMMANDS_THAT_DO_NOT = {"add_committee_member", "expire_picks", "static_stamp"}


def registered_actions():
    found = set()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("program", "speakers"):
            continue
        for name in model_admin.actions or ():
            found.add(
                (model._meta.app_label, model._meta.model_name, getattr(name, "__name__", name))
            )
        if admin.site._global_actions and model_admin.actions is not None:
            found.add((model._meta.app_label, model._meta.model_name, "delete_selected"))
    return found


def test_every_admin_action_and_command_is_known_to_the_write_path_test():
    actions = {a for a in registered_actions() if a[1] in {k[1] for k in ACTION_RUNS}}
    assert actions <= ACTION_RUNS.keys(), actions - ACTION_RUNS.keys()
    ours = {
        name
        for name, app in get_commands().items()
        if app in ("program", "speakers") or name == "loaddata"
    }
    assert ours <= COMMANDS_THAT_WRITE_THE_PROGRAM | COMMANDS_THAT_DO_NOT, ours


@pytest.mark.parametrize("action", sorted(ACTION_RUNS), ids="/".join)
def test_every_admin_action_keeps_the_recorded_events_true(admin_client, opml20, action):
    """Run the action on a few objects of OpML '20, as the admin's changelist posts it, then
    compare what is recorded with what the read model builds: a write that skipped the
    bookkeeping (a bare QuerySet.update()) leaves them apart."""
    app, model_name, name = action
    model = next(
        m for m in admin.site._registry if (m._meta.app_label, m._meta.model_name) == action[:2]
    )
    objects = {
        "conference": [opml20.pk],
        "day": [],
        "session": [Session.objects.get(conference=opml20, number=2).pk],
        "talk": list(Talk.objects.filter(session__number=3).values_list("pk", flat=True)[:2]),
        "speaker": list(Speaker.objects.order_by("pk").values_list("pk", flat=True)[:2]),
        "affiliation": list(Affiliation.objects.order_by("pk").values_list("pk", flat=True)[:2]),
    }[model_name]
    if name == "publish":
        for obj in model.objects.filter(pk__in=objects):
            obj.is_published = False
            obj.save()
    data = {"action": name, "_selected_action": objects} | ACTION_RUNS[action]
    if name == "merge":
        data |= {"target": objects[0], "previewed": objects[0]}
    if name == "propose_talk_times":
        session = Session.objects.get(pk=objects[0])
        local = [
            timezone.localtime(session.start, session.conference.tz) + timedelta(minutes=m)
            for m in (0, 10, 20, 30)
        ]
        for index, talk in enumerate(session.talks.all()):
            data[f"start-{talk.pk}"] = f"{local[index]:%H:%M}"
            data[f"end-{talk.pk}"] = f"{local[index + 1]:%H:%M}"
    if model_name == "day":
        return  # a day with sessions cannot be deleted on its own (RESTRICT): nothing to run
    url = reverse(f"admin:{app}_{model_name}_changelist")
    response = admin_client.post(url, data)
    assert response.status_code in (200, 302)
    if name == "merge":  # it ran: one of the two is left
        assert model.objects.filter(pk__in=objects).count() == 1
    if name == "propose_talk_times":
        assert not session.talks.filter(start=None).exists()
    for conference in Conference.objects.all():
        assert unrecorded(conference) == [], action


@pytest.mark.parametrize("command", sorted(COMMANDS_THAT_WRITE_THE_PROGRAM - {"loaddata"}))
def test_every_command_keeps_the_recorded_events_true(opml20, seed_text, tmp_path, command):
    arguments = {
        "import_program": ([str(tmp_path / "program.txt")], {"conference": "opml20"}),
        "load_reference_program": ([], {}),
        "generate_program": ([], {"slug": "small", "days": 1, "sessions_per_day": 1}),
        "record_revisions": ([], {}),
    }[command]
    (tmp_path / "program.txt").write_text(
        seed_text.replace("Session 1:", "Session 1: Renamed,", 1), encoding="utf-8"
    )
    call_command(command, *arguments[0], stdout=io.StringIO(), **arguments[1])
    for conference in Conference.objects.all():
        assert unrecorded(conference) == [], command


# --- Per-talk times are the committee's --------------------------------------------------------


def test_the_even_split_proposal_is_whole_minutes_in_order():
    start = datetime(2030, 7, 1, 16, tzinfo=ZoneInfo("UTC"))
    slots = even_split(start, start + timedelta(minutes=90), 4)  # 22.5 minutes each
    assert [int((end - begin).total_seconds() // 60) for begin, end in slots] == [22, 23, 22, 23]
    assert slots[0][0] == start
    assert all(a[1] == b[0] for a, b in itertools.pairwise(slots))


def test_readiness_lists_sessions_without_talk_times_as_information(opml20):
    report = readiness_report(opml20)
    listed = report.sessions_without_talk_times
    assert {s.number for s in listed} == {
        s.number for s in Session.objects.filter(conference=opml20) if s.talks.count() > 1
    }
    check = next(
        check for check, _ in report.problems if check.name == "sessions_without_talk_times"
    )
    assert check.information
    assert report.missing_count == sum(
        len(items) for check, items in report.problems if not check.information
    )


def test_proposing_talk_times_saves_nothing_until_the_committee_saves(admin_client, opml20):
    session = Session.objects.get(conference=opml20, number=1)
    url = reverse("admin:program_session_changelist")
    page = admin_client.post(
        url, {"action": "propose_talk_times", "_selected_action": [session.pk]}
    )
    assert "Save these times" in page.text
    assert 'value="09:00"' in page.text
    assert not Talk.objects.filter(session=session).exclude(start=None).exists()
    # A time outside the session is refused, and nothing is saved.
    talks = list(session.talks.all())
    data = {"action": "propose_talk_times", "_selected_action": [session.pk], "apply": "yes"}
    data |= {f"start-{t.pk}": "11:00" for t in talks} | {f"end-{t.pk}": "11:30" for t in talks}
    admin_client.post(url, data)
    assert not Talk.objects.filter(session=session).exclude(start=None).exists()
