"""The rules the program models carry: constraints, validation, names, URLs, querysets."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError, RestrictedError

from program.models import Conference, Session, Talk
from speakers.models import Affiliation, Speaker
from tests.factories import (
    AuthorshipFactory,
    DayFactory,
    SessionFactory,
    TalkFactory,
)

pytestmark = pytest.mark.django_db


def test_session_must_end_after_it_starts_in_the_database():
    session = SessionFactory()
    session.end = session.start
    with pytest.raises(IntegrityError), transaction.atomic():
        session.save()


def test_session_must_end_after_it_starts_in_forms():
    session = SessionFactory()
    session.end = session.start - timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert error.value.message_dict["end"] == ["The session must end after it starts."]


def test_session_numbers_are_unique_per_conference():
    session = SessionFactory(number=1)
    SessionFactory(number=1)  # another conference: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(number=1, day=DayFactory(conference=session.conference))


def test_session_day_must_belong_to_its_conference():
    session = SessionFactory()
    session.day = DayFactory()
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert "day" in error.value.message_dict


def test_session_must_start_on_its_day_in_the_conference_zone():
    # 03:00 UTC on July 1 is still June 30 in Los Angeles.
    day = DayFactory(date=date(2030, 7, 1))
    session = SessionFactory(day=day)
    session.start = datetime(2030, 7, 1, 3, 0, tzinfo=UTC)
    session.end = session.start + timedelta(hours=1)
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert "must start on its day" in error.value.message_dict["start"][0]


def test_talk_times_lie_inside_the_session():
    talk = TalkFactory()
    talk.start = talk.session.start - timedelta(minutes=5)
    talk.end = talk.session.start + timedelta(minutes=20)
    with pytest.raises(ValidationError, match="within its session"):
        talk.full_clean()
    talk.start = talk.session.start
    talk.full_clean()


def test_talk_needs_both_times_or_neither():
    talk = TalkFactory()
    talk.start = talk.session.start
    with pytest.raises(ValidationError, match="both a start and an end"):
        talk.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        talk.save()


def test_conference_rejects_unknown_zones_and_reserved_slugs():
    conference = Conference(name="X", slug="speakers", time_zone="Mars/Olympus_Mons")
    with pytest.raises(ValidationError) as error:
        conference.full_clean()
    assert set(error.value.message_dict) == {"slug", "time_zone"}


def test_deleting_a_talk_keeps_people_and_organisations():
    authorship = AuthorshipFactory()
    authorship.talk.delete()
    assert Speaker.objects.filter(pk=authorship.speaker_id).exists()
    assert Affiliation.objects.filter(pk=authorship.affiliation_id).exists()


def test_people_and_organisations_with_talks_cannot_be_deleted():
    authorship = AuthorshipFactory()
    with pytest.raises(ProtectedError):
        authorship.speaker.delete()
    with pytest.raises(ProtectedError):
        authorship.affiliation.delete()


def test_a_day_with_sessions_goes_only_with_its_conference():
    session = SessionFactory()
    with pytest.raises(RestrictedError):
        session.day.delete()
    session.conference.delete()
    assert not Session.objects.exists()


def test_names_and_urls():
    talk = TalkFactory(title="DLSpec", slug="dlspec", session__number=3)
    conference = talk.session.conference
    assert str(talk) == "DLSpec"
    assert str(talk.session) == f"Session 3: {talk.session.title}"
    assert talk.get_absolute_url() == f"/{conference.slug}/talks/dlspec/"
    assert talk.session.get_absolute_url() == f"/{conference.slug}/sessions/3/"
    assert conference.get_absolute_url() == f"/{conference.slug}/"
    day = talk.session.day
    assert day.get_absolute_url() == f"/{conference.slug}/#day-{day.date.isoformat()}"


def test_published_querysets_hide_drafts_at_every_level():
    visible = TalkFactory()
    TalkFactory(is_published=False)
    TalkFactory(session__is_published=False)
    TalkFactory(session__day__conference__is_published=False)
    assert list(Talk.objects.published()) == [visible]
    assert Session.objects.published().count() == 2  # the draft talk's session is published
    assert Conference.objects.published().count() == 3


# Minutes after 9:00 of the first session's and the second's start and end.
OVERLAP_CASES = [
    pytest.param((0, 90), (90, 120), False, id="touching: one starts as the other ends"),
    pytest.param((0, 90), (120, 150), False, id="apart"),
    pytest.param((0, 90), (89, 120), True, id="one minute in common"),
    pytest.param((0, 90), (30, 60), True, id="one inside the other"),
    pytest.param((0, 90), (0, 90), True, id="the same times"),
    pytest.param((0, 90), (-30, 1), True, id="starts before, ends inside"),
]


@pytest.mark.parametrize(("first", "second", "expected"), OVERLAP_CASES)
def test_overlap_rule_is_the_same_in_python_and_sql(first, second, expected):
    a = SessionFactory(number=1)
    nine = a.start
    a.start, a.end = (nine + timedelta(minutes=m) for m in first)
    a.save()
    b = SessionFactory(
        day=a.day,
        number=2,
        start=nine + timedelta(minutes=second[0]),
        end=nine + timedelta(minutes=second[1]),
    )
    assert a.overlaps(b) is expected
    assert b.overlaps(a) is expected
    assert Session.objects.overlapping(a.start, a.end).filter(pk=b.pk).exists() is expected
    assert Session.objects.overlapping(b.start, b.end).filter(pk=a.pk).exists() is expected
    condition = Session.overlap_condition(a.start, a.end, "session__")
    with_talk = TalkFactory(session=b)
    assert Talk.objects.filter(condition, pk=with_talk.pk).exists() is expected


def test_local_hours_read_the_conference_clock_across_dst():
    summer = SessionFactory(day__date=date(2030, 7, 1))
    assert summer.local_hours == "09:00–10:30 America/Los_Angeles"
    conference = summer.conference
    winter = datetime(2030, 12, 2, 17, 0, tzinfo=UTC)
    assert conference.local_hours(winter, winter + timedelta(hours=1)) == (
        "09:00–10:00 America/Los_Angeles"
    )
    assert conference.local_hours(summer.start, summer.end, zone_abbreviation=True) == (
        "09:00–10:30 PDT"
    )
    assert conference.local_hours(winter, winter, zone_abbreviation=True) == "09:00–09:00 PST"


@pytest.mark.parametrize(
    ("start", "end", "faulty"),
    [
        pytest.param(-30, 30, {"start"}, id="starts before its session"),
        pytest.param(60, 120, {"end"}, id="ends after its session"),
        pytest.param(-30, 120, {"start", "end"}, id="around its session"),
        pytest.param(0, 90, set(), id="the whole session"),
    ],
)
def test_talk_times_outside_the_session_are_errors_on_the_field_at_fault(start, end, faulty):
    talk = TalkFactory(session__day__date=date(2030, 7, 1))
    talk.start = talk.session.start + timedelta(minutes=start)
    talk.end = talk.session.start + timedelta(minutes=end)
    if not faulty:
        talk.full_clean()
        return
    with pytest.raises(ValidationError) as error:
        talk.full_clean()
    assert set(error.value.message_dict) == faulty
    for name in faulty:
        assert error.value.message_dict[name] == [
            f"The talk must {name} within its session (09:00–10:30 America/Los_Angeles)."
        ]


def test_talk_with_one_time_is_an_error_on_the_missing_one():
    talk = TalkFactory()
    talk.end = talk.session.end
    with pytest.raises(ValidationError) as error:
        talk.full_clean()
    assert error.value.message_dict == {
        "start": ["Give the talk both a start and an end, or neither."]
    }


def test_talk_times_are_checked_against_a_session_not_saved_yet():
    day = DayFactory(date=date(2030, 7, 1))
    session = SessionFactory.build(day=day, number=9)
    talk = TalkFactory.build(session=session, slug="unsaved-session-talk")
    talk.start, talk.end = session.start, session.end + timedelta(minutes=5)
    with pytest.raises(ValidationError) as error:
        talk.clean()
    assert list(error.value.message_dict) == ["end"]
