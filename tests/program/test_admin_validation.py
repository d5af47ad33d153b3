"""Validation, warnings, local times, reordering and history on the admin's change pages."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse

from program.models import Session
from tests.factories import (
    AuthorshipFactory,
    ConferenceFactory,
    DayFactory,
    SessionFactory,
    SpeakerFactory,
    TalkFactory,
)
from tests.program.test_admin_pages import admin_url, form_data


@pytest.fixture
def session(db):
    """Session at 9:00–10:30 America/Los_Angeles (16:00–17:30 UTC) on 2030-07-01."""
    day = DayFactory(date=datetime(2030, 7, 1, tzinfo=UTC).date())
    return SessionFactory(day=day, number=1)


def session_page(client, session):
    return client.get(admin_url(Session, "change", session.pk))


def post_session(client, session, **changes):
    data = form_data(session_page(client, session)) | changes
    return client.post(admin_url(Session, "change", session.pk), data)


def warnings_of(response):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]


def test_saving_unchanged_keeps_the_times(member_client, session):
    response = post_session(member_client, session)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.start == datetime(2030, 7, 1, 16, 0, tzinfo=UTC)


def test_times_are_entered_in_the_conference_zone(member_client, session):
    response = post_session(member_client, session, start_1="09:30", end_1="11:00")
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.start == datetime(2030, 7, 1, 16, 30, tzinfo=UTC)
    assert session.end == datetime(2030, 7, 1, 18, 0, tzinfo=UTC)


def test_the_zone_is_named_beside_the_times(member_client, session):
    page = session_page(member_client, session)
    form = page.context["adminform"].form
    assert "America/Los_Angeles" in form.fields["start"].help_text
    assert "America/Los_Angeles" in form.fields["end"].help_text


def test_add_page_reads_times_in_the_chosen_conference_zone(member_client, db):
    tokyo = ConferenceFactory(time_zone="Asia/Tokyo")
    day = DayFactory(conference=tokyo, date=datetime(2030, 7, 1, tzinfo=UTC).date())
    page = member_client.get(admin_url(Session, "add"))
    assert "Asia/Tokyo" in page.context["adminform"].form.fields["start"].help_text
    data = form_data(page) | {
        "conference": tokyo.pk,
        "day": day.pk,
        "number": 3,
        "title": "Tokyo morning",
        "start_0": "2030-07-01",
        "start_1": "09:00",
        "end_0": "2030-07-01",
        "end_1": "10:00",
    }
    response = member_client.post(admin_url(Session, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Session.objects.get(conference=tokyo, number=3)
    assert created.start == datetime(2030, 7, 1, 0, 0, tzinfo=UTC)


def test_end_before_start_is_an_error_on_end(member_client, session):
    response = post_session(member_client, session, end_1="08:00")
    assert response.status_code == 200
    assert "end" in response.context["adminform"].form.errors


def test_session_on_a_day_of_another_conference_is_an_error_on_day(member_client, session):
    other_day = DayFactory()
    response = post_session(member_client, session, day=other_day.pk)
    # The day list offers only the conference's own days, so the choice itself is refused.
    assert "day" in response.context["adminform"].form.errors
    session.refresh_from_db()
    assert session.day_id != other_day.pk


def test_session_starting_on_another_date_than_its_day_is_an_error_on_start(member_client, session):
    response = post_session(member_client, session, start_0="2030-07-02", end_0="2030-07-02")
    assert "start" in response.context["adminform"].form.errors


def test_talk_times_outside_their_session_are_field_errors(member_client, session):
    talk = TalkFactory(session=session)
    page = member_client.get(admin_url(talk.__class__, "change", talk.pk))
    data = form_data(page) | {
        "start_0": "2030-07-01",
        "start_1": "08:30",
        "end_0": "2030-07-01",
        "end_1": "09:30",
    }
    response = member_client.post(admin_url(talk.__class__, "change", talk.pk), data)
    errors = response.context["adminform"].form.errors
    assert "start" in errors
    assert "09:00–10:30 America/Los_Angeles" in errors["start"][0]
    assert "end" not in errors
    assert not response.context["adminform"].form.non_field_errors()

    data |= {"start_1": "09:30", "end_1": "10:00"}
    response = member_client.post(admin_url(talk.__class__, "change", talk.pk), data)
    assert response.status_code == 302
    talk.refresh_from_db()
    assert talk.start == datetime(2030, 7, 1, 16, 30, tzinfo=UTC)


def test_talk_with_only_a_start_is_an_error_on_end(member_client, session):
    talk = TalkFactory(session=session)
    page = member_client.get(admin_url(talk.__class__, "change", talk.pk))
    data = form_data(page) | {"start_0": "2030-07-01", "start_1": "09:30"}
    response = member_client.post(admin_url(talk.__class__, "change", talk.pk), data)
    assert "end" in response.context["adminform"].form.errors


def test_talk_rows_of_a_session_are_checked_against_its_new_times(member_client, session):
    TalkFactory(
        session=session,
        start=session.start + timedelta(minutes=60),
        end=session.start + timedelta(minutes=90),
    )
    response = post_session(member_client, session, end_1="10:00")
    assert response.status_code == 200
    talk_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert "end" in talk_form.errors


def test_overlapping_sessions_save_with_a_warning(member_client, session):
    other = SessionFactory(
        day=session.day,
        number=2,
        start=session.start + timedelta(minutes=60),
        end=session.end + timedelta(minutes=60),
    )
    response = post_session(member_client, session)
    assert response.status_code == 302
    assert any(str(other) in warning and "overlaps" in warning for warning in warnings_of(response))


def test_a_speaker_in_two_overlapping_sessions_is_a_warning(member_client, session):
    other = SessionFactory(
        day=session.day,
        number=2,
        start=session.start + timedelta(minutes=30),
        end=session.end + timedelta(minutes=30),
    )
    speaker = SpeakerFactory(name="Busy Person")
    AuthorshipFactory(talk=TalkFactory(session=session), speaker=speaker, position=0)
    AuthorshipFactory(talk=TalkFactory(session=other), speaker=speaker, position=0)
    response = post_session(member_client, session)
    assert response.status_code == 302
    assert any("Busy Person is also booked in" in w for w in warnings_of(response))

    talk = session.talks.get()
    page = member_client.get(admin_url(talk.__class__, "change", talk.pk))
    response = member_client.post(admin_url(talk.__class__, "change", talk.pk), form_data(page))
    assert response.status_code == 302
    assert any("Busy Person is also booked in" in w for w in warnings_of(response))


def test_clashes_show_and_filter_in_the_session_changelist(member_client, session):
    SessionFactory(day=session.day, number=2, start=session.start, end=session.end)
    SessionFactory(
        day=session.day,
        number=3,
        start=session.end + timedelta(hours=1),
        end=session.end + timedelta(hours=2),
    )
    page = member_client.get(admin_url(Session, "changelist"), {"clash": "overlap"})
    shown = {s.number for s in page.context["cl"].result_list}
    assert shown == {1, 2}
    assert "room clash" in page.text


def test_talks_are_reordered_from_their_session(member_client, session):
    first, second = TalkFactory(session=session, order=0), TalkFactory(session=session, order=1)
    data = form_data(session_page(member_client, session))
    forms = {data[f"talks-{i}-id"]: i for i in range(2)}
    data[f"talks-{forms[str(first.pk)]}-order"] = "1"
    data[f"talks-{forms[str(second.pk)]}-order"] = "0"
    response = member_client.post(admin_url(Session, "change", session.pk), data)
    assert response.status_code == 302
    assert list(session.talks.order_by("order").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]


def test_authors_are_reordered_by_swapping_positions(member_client, session):
    talk = TalkFactory(session=session)
    a = AuthorshipFactory(talk=talk, position=0, speaker__name="Ada First")
    b = AuthorshipFactory(talk=talk, position=1, speaker__name="Bo Second")
    page = member_client.get(admin_url(talk.__class__, "change", talk.pk))
    data = form_data(page)
    rows = {data[f"authorships-{i}-id"]: i for i in range(2)}
    data[f"authorships-{rows[str(a.pk)]}-position"] = "1"
    data[f"authorships-{rows[str(b.pk)]}-position"] = "0"
    response = member_client.post(admin_url(talk.__class__, "change", talk.pk), data)
    assert response.status_code == 302
    talk.refresh_from_db()
    assert talk.author_line.startswith("Bo Second")
    assert list(talk.authorships.values_list("speaker__name", flat=True)) == [
        "Bo Second",
        "Ada First",
    ]


def test_two_authors_on_one_position_is_an_error(member_client, session):
    talk = TalkFactory(session=session)
    AuthorshipFactory(talk=talk, position=0)
    AuthorshipFactory(talk=talk, position=1)
    data = form_data(member_client.get(admin_url(talk.__class__, "change", talk.pk)))
    data["authorships-1-position"] = data["authorships-0-position"]
    response = member_client.post(admin_url(talk.__class__, "change", talk.pk), data)
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors()


def test_a_change_is_recorded_with_who_and_shows_in_history(member_client, member, session):
    post_session(member_client, session, title="Renamed session")
    entry = LogEntry.objects.get(object_id=str(session.pk), content_type__model="session")
    assert entry.user == member
    assert "Title" in entry.get_change_message()
    history = member_client.get(admin_url(Session, "history", session.pk))
    assert member.username in history.text


def test_publish_action_records_each_change(member_client, member, session):
    session.is_published = False
    session.save()
    response = member_client.post(
        admin_url(Session, "changelist"),
        {"action": "publish", "_selected_action": [session.pk]},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.is_published
    entry = LogEntry.objects.get(object_id=str(session.pk), content_type__model="session")
    assert entry.user == member
    assert "published" in entry.get_change_message().lower()


def test_readiness_is_reachable_from_the_changelist(member_client, session):
    page = member_client.get(admin_url(session.conference.__class__, "changelist"))
    assert reverse("admin:program_conference_readiness", args=[session.conference.pk]) in page.text
