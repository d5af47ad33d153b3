"""No lost updates in the admin: a change form opened before someone else saved the same talk,
session, speaker or conference is refused on save, saying what changed; saving again keeps the
user's values, knowingly."""

import re

import pytest
from django.test import Client

from program.models import Conference, Session, Talk
from speakers.models import Speaker
from tests.factories import SpeakerFactory, TalkFactory, make_committee_member
from tests.program.test_admin_pages import admin_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_member(django_user_model):
    client = Client()
    client.force_login(make_committee_member(django_user_model, username="mia"))
    return client


def objects():
    talk = TalkFactory(is_published=True, session__is_published=True)
    return {
        Talk: talk,
        Session: talk.session,
        Conference: talk.session.conference,
        Speaker: SpeakerFactory(),
    }


TEXT_FIELD = {Talk: "title", Session: "title", Conference: "name", Speaker: "name"}


def refused_message(response):
    errors = response.context["adminform"].form.non_field_errors()
    assert errors, "the save was not refused"
    return " ".join(errors)


@pytest.mark.parametrize("model", [Talk, Session, Conference, Speaker])
def test_a_stale_change_form_is_refused_saying_what_changed(member_client, other_member, model):
    item = objects()[model]
    field = TEXT_FIELD[model]
    url = admin_url(model, "change", item.pk)
    stale = form_data(member_client.get(url))
    assert stale["_loaded_version"]
    theirs = form_data(other_member.get(url)) | {field: "Their newer text"}
    assert other_member.post(url, theirs).status_code == 302

    response = member_client.post(url, stale | {"_save": "Save"})
    assert response.status_code == 200
    message = refused_message(response)
    assert "changed after you opened this form" in message
    assert "mia at" in message
    assert "“Their newer text”" in message  # what is saved now, which this save would undo
    item.refresh_from_db()
    assert getattr(item, field) == "Their newer text"

    # The form came back with the user's values and the new version: saving again is knowing.
    again = form_data(response)
    assert again[field] == stale[field]
    assert member_client.post(url, again).status_code == 302
    item.refresh_from_db()
    assert getattr(item, field) == stale[field]


def test_an_unpublish_is_not_undone_by_an_older_form(member_client, other_member):
    """The reported case: a form opened before another member unpublished the talk republished
    it on save."""
    talk = objects()[Talk]
    url = admin_url(Talk, "change", talk.pk)
    stale = form_data(member_client.get(url)) | {"title": "Typo fixed"}
    changelist = admin_url(Talk, "changelist")
    other_member.post(changelist, {"action": "unpublish", "_selected_action": [talk.pk]})
    talk.refresh_from_db()
    assert not talk.is_published

    response = member_client.post(url, stale)
    message = refused_message(response)
    assert re.search(r"mia at [\d:]+ \w+: Changed [Pp]ublished", message), message
    assert "Published (saved now: no)" in message
    talk.refresh_from_db()
    assert not talk.is_published
    assert talk.title != "Typo fixed"


def test_a_form_saved_without_a_concurrent_change_goes_through(member_client):
    talk = objects()[Talk]
    url = admin_url(Talk, "change", talk.pk)
    data = form_data(member_client.get(url)) | {"title": "Mine"}
    assert member_client.post(url, data).status_code == 302
    data = form_data(member_client.get(url)) | {"title": "Mine again"}
    assert member_client.post(url, data).status_code == 302
    talk.refresh_from_db()
    assert talk.title == "Mine again"
