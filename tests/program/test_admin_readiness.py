"""The readiness report, clash detection and publishing from the admin."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from program.models import Session
from program.readiness import CHECKS, readiness_report, session_warnings, with_clash_flags
from speakers.models import affiliation_key, look_alike_people, person_key
from tests.factories import (
    AffiliationFactory,
    AuthorshipFactory,
    SessionFactory,
    SpeakerFactory,
    TalkFactory,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Intuit", "Intuit Inc."),
        ("VMware Inc", "vmware"),
        ("Mercari, inc.", "Mercari"),
        ("SnT – Univ. of Luxembourg", "SnT - Univ of Luxembourg"),
        ("The Linux Foundation", "Linux Foundation"),
        ("Logical Clocks AB", "Logical Clocks"),
    ],
)
def test_look_alike_names_share_a_key(a, b):
    assert affiliation_key(a) == affiliation_key(b)


@pytest.mark.parametrize(("a", "b"), [("IBM", "IBM Research AI"), ("Google", "Goggle")])
def test_different_organisations_keep_different_keys(a, b):
    assert affiliation_key(a) != affiliation_key(b)


def test_opml20_report_lists_what_is_missing(opml20):
    report = readiness_report(opml20)
    assert report.session_count == 8
    assert report.talk_count == 25
    assert len(report.sessions_without_slack) == 8
    assert len(report.talks_without_media) == 25
    assert not report.talks_without_abstract
    names = {speaker.name for speaker, _ in report.speakers_without_bio}
    # Intel's talks printed bios for some of their authors only.
    assert names == {"Dongjie Shi", "Qiyuan Gong", "Lei Xia", "Shengsheng Huang"}
    groups = [[a.name for a in group] for group in report.duplicate_affiliations]
    assert ["Intuit", "Intuit Inc."] in groups
    assert not report.overlapping_sessions
    assert not report.is_ready


def test_paper_presentations_do_not_need_bios(db):
    paper = TalkFactory()
    AuthorshipFactory(talk=paper, speaker__bio="", position=0)
    AuthorshipFactory(talk=paper, speaker__bio="", position=1)
    report = readiness_report(paper.session.conference)
    assert report.speakers_without_bio == []


def test_overlaps_and_double_bookings_are_reported(db):
    first = SessionFactory(number=1)
    second = SessionFactory(
        day=first.day, number=2, start=first.start + timedelta(minutes=45), end=first.end
    )
    SessionFactory(day=first.day, number=3, start=first.end, end=first.end + timedelta(hours=1))
    person = SpeakerFactory(name="Twice Booked")
    AuthorshipFactory(talk=TalkFactory(session=first), speaker=person, position=0)
    AuthorshipFactory(talk=TalkFactory(session=second), speaker=person, position=0)
    report = readiness_report(first.conference)
    assert [(a.number, b.number) for a, b in report.overlapping_sessions] == [(1, 2)]
    assert [(d.speaker.name, [s.number for s in d.sessions]) for d in report.double_bookings] == [
        ("Twice Booked", [1, 2])
    ]


def test_a_complete_published_conference_is_ready(db):
    talk = TalkFactory(media_url="https://example.org/media", session__slack_url="https://x.y/z")
    AuthorshipFactory(talk=talk, position=0)
    assert readiness_report(talk.session.conference).is_ready


def test_report_page_renders_with_links(opml20, member_client, django_assert_max_num_queries):
    url = reverse("admin:program_conference_readiness", args=[opml20.pk])
    with django_assert_max_num_queries(20):
        page = member_client.get(url)
    assert page.status_code == 200
    assert "Sessions without a Slack link" in page.text
    assert "Intuit Inc." in page.text
    session = opml20.sessions.get(number=1)
    assert reverse("admin:program_session_change", args=[session.pk]) in page.text


def test_publishing_from_the_report_publishes_everything_and_logs_it(db, member_client, member):
    talk = TalkFactory(
        is_published=False,
        session__is_published=False,
        session__day__conference__is_published=False,
    )
    conference = talk.session.conference
    url = reverse("admin:program_conference_readiness", args=[conference.pk])
    page = member_client.get(url)
    assert "anyway" in page.text  # something is still missing
    response = member_client.post(url, {"publish": "1"})
    assert response.status_code == 302
    talk.refresh_from_db()
    talk.session.refresh_from_db()
    conference.refresh_from_db()
    assert talk.is_published
    assert talk.session.is_published
    assert conference.is_published
    logged = set(LogEntry.objects.filter(user=member).values_list("content_type__model", flat=True))
    assert logged == {"conference", "session", "talk"}


def test_the_report_needs_a_view_permission(db, client, django_user_model):
    talk = TalkFactory()
    outsider = django_user_model.objects.create_user("outsider", is_staff=True)
    client.force_login(outsider)
    url = reverse("admin:program_conference_readiness", args=[talk.session.conference.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"publish": "1"}).status_code == 403


def test_looks_like_duplicate_affiliations_beyond_the_conference_are_ignored(db):
    talk = TalkFactory()
    AffiliationFactory(name="Unrelated Corp")
    AffiliationFactory(name="Unrelated")
    assert readiness_report(talk.session.conference).duplicate_affiliations == []


def test_every_clash_check_finds_the_same_overlapping_pairs(db):
    """The report, the changelist flags and the save warnings all ask Session.overlaps."""
    first = SessionFactory(number=1)
    nine = first.start
    # Minutes after nine: 1 is 0–90 and holds 2; 3 starts as 1 ends, 4 as 3 ends; 4 and 5 overlap.
    times = [(30, 60), (90, 150), (150, 180), (170, 200)]
    sessions = [first] + [
        SessionFactory(
            day=first.day,
            number=n,
            start=nine + timedelta(minutes=s),
            end=nine + timedelta(minutes=e),
        )
        for n, (s, e) in enumerate(times, start=2)
    ]
    expected = {
        (a.number, b.number)
        for a in sessions
        for b in sessions
        if a.number < b.number and a.overlaps(b)
    }
    assert expected == {(1, 2), (4, 5)}
    report = readiness_report(first.conference)
    assert {(a.number, b.number) for a, b in report.overlapping_sessions} == expected
    flagged = with_clash_flags(Session.objects.all()).filter(overlaps=True)
    assert set(flagged.values_list("number", flat=True)) == {n for pair in expected for n in pair}
    warned = {s.number for s in sessions if session_warnings(s)}
    assert warned == {n for pair in expected for n in pair}


@pytest.mark.parametrize("size", ["opml20", "large_program"])
def test_the_report_runs_seven_queries_whatever_the_size(request, size, django_assert_num_queries):
    """Sessions (1), talks with their authors (2), affiliations (2), people (1), double
    bookings (1)."""
    conference = request.getfixturevalue(size)
    with django_assert_num_queries(7):
        report = readiness_report(conference)
        assert report.session_count
        assert report.missing_count
        assert isinstance(report.draft_sessions + report.draft_talks, list)


def test_the_page_shows_every_check_once_in_order(opml20, member_client):
    page = member_client.get(reverse("admin:program_conference_readiness", args=[opml20.pk]))
    titles = [check.title for check in CHECKS]
    assert [check.title for check, _ in page.context["report"].problems] == titles
    positions = [page.text.index(f"</span> {title}</h2>") for title in titles]
    assert positions == sorted(positions)


def test_parallel_sessions_in_different_rooms_are_no_clash(db):
    """Overlap is the design of parallel tracks: only the same room, or a speaker in both, is a
    clash, in the report, the session list's flags and the warnings on saving alike."""
    first = SessionFactory(number=1, location_name="Room A")
    parallel = SessionFactory(
        day=first.day, number=2, location_name="Room B", start=first.start, end=first.end
    )
    report = readiness_report(first.conference)
    assert report.overlapping_sessions == []
    assert report.double_bookings == []
    assert not with_clash_flags(Session.objects.all()).filter(overlaps=True).exists()
    assert session_warnings(first) == []

    # The same room, named on the session or by the conference's default location, clashes.
    parallel.location_name = ""
    parallel.save()
    first.conference.default_location_name = "Room A"
    first.conference.save()
    report = readiness_report(first.conference)
    assert [(a.number, b.number) for a, b in report.overlapping_sessions] == [(1, 2)]
    flagged = with_clash_flags(Session.objects.all()).filter(overlaps=True)
    assert set(flagged.values_list("number", flat=True)) == {1, 2}
    assert any("same room (Room A)" in w for w in session_warnings(parallel))


def test_a_speaker_in_parallel_rooms_is_still_double_booked(db):
    first = SessionFactory(number=1, location_name="Room A")
    parallel = SessionFactory(
        day=first.day, number=2, location_name="Room B", start=first.start, end=first.end
    )
    person = SpeakerFactory(name="Everywhere At Once")
    AuthorshipFactory(talk=TalkFactory(session=first), speaker=person, position=0)
    AuthorshipFactory(talk=TalkFactory(session=parallel), speaker=person, position=0)
    report = readiness_report(first.conference)
    assert report.overlapping_sessions == []
    assert [d.speaker.name for d in report.double_bookings] == ["Everywhere At Once"]
    assert with_clash_flags(Session.objects.filter(pk=first.pk)).get().double_booked


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Grace Hopper", "Grace M. Hopper"),
        ("Grace Hopper", "grace hopper"),
        ("Grace Hopper", "Grâce Höpper"),
        ("G. Hopper", "Grace Brewster Murray Hopper"),
    ],
)
def test_look_alike_people(a, b):
    assert look_alike_people(a, b)
    assert person_key(a) == person_key(b)


@pytest.mark.parametrize(
    ("a", "b"), [("Grace Hopper", "George Hopper"), ("Grace Hopper", "Grace Hoppers"), ("Li", "")]
)
def test_different_people_do_not_look_alike(a, b):
    assert not look_alike_people(a, b)


def test_the_report_suggests_look_alike_speakers_as_merges(db, member_client):
    talk = TalkFactory()
    grace = AuthorshipFactory(talk=talk, speaker__name="Grace Hopper", position=0).speaker
    middle = AuthorshipFactory(talk=TalkFactory(), speaker__name="Grace M. Hopper").speaker
    SpeakerFactory(name="George Hopper")
    SpeakerFactory(name="Ada Lovelace")
    SpeakerFactory(name="ADA LOVELACE")  # look alike, but neither speaks at this conference
    conference = talk.session.conference
    assert readiness_report(conference).duplicate_speakers == [[grace, middle]]

    page = member_client.get(reverse("admin:program_conference_readiness", args=[conference.pk]))
    assert "Speakers who may be one person" in page.text
    assert "?duplicate=yes" in page.text
    listed = member_client.get(reverse("admin:speakers_speaker_changelist"), {"duplicate": "yes"})
    names = {s.name for s in listed.context["cl"].result_list}
    assert names == {"Grace Hopper", "Grace M. Hopper", "Ada Lovelace", "ADA LOVELACE"}
