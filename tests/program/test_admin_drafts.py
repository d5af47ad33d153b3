"""Drafts are invisible to the public (404) and previewable by staff, whom the admin links."""

import pytest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse

from tests.factories import AuthorshipFactory, TalkFactory, make_committee_member


def needs_template(name):
    """Staff previews render the public templates, which another part of the site provides."""
    try:
        get_template(name)
    except TemplateDoesNotExist:
        pytest.skip(f"{name} is not written yet")


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(make_committee_member(django_user_model))
    return client


@pytest.fixture
def draft_talk(db):
    """A draft talk in a draft session of a draft conference, with one author."""
    talk = TalkFactory(
        is_published=False,
        session__is_published=False,
        session__day__conference__is_published=False,
    )
    AuthorshipFactory(talk=talk, position=0)
    return talk


def pages(talk):
    speaker = talk.authorships.get().speaker
    return {
        "conference": talk.session.conference.get_absolute_url(),
        "session": talk.session.get_absolute_url(),
        "talk": talk.get_absolute_url(),
        "speaker": speaker.get_absolute_url(),
    }


TEMPLATES = {
    "conference": "program/conference_detail.html",
    "session": "program/session_detail.html",
    "talk": "program/talk_detail.html",
    "speaker": "speakers/speaker_detail.html",
}


@pytest.mark.parametrize("page", list(TEMPLATES))
def test_drafts_are_404_for_the_public(client, draft_talk, page):
    assert client.get(pages(draft_talk)[page]).status_code == 404


@pytest.mark.parametrize("page", list(TEMPLATES))
def test_drafts_render_for_staff(staff_client, draft_talk, page):
    needs_template(TEMPLATES[page])
    response = staff_client.get(pages(draft_talk)[page])
    assert response.status_code == 200


@pytest.mark.parametrize("draft", ["talk", "session", "conference"])
def test_a_published_talk_inside_a_draft_is_hidden(client, db, draft):
    talk = TalkFactory()
    AuthorshipFactory(talk=talk, position=0)
    target = {"talk": talk, "session": talk.session, "conference": talk.session.conference}[draft]
    target.is_published = False
    target.save()
    assert client.get(talk.get_absolute_url()).status_code == 404
    assert client.get(talk.authorships.get().speaker.get_absolute_url()).status_code == 404


def test_published_talk_is_public(client, db):
    talk = TalkFactory()
    needs_template(TEMPLATES["talk"])
    assert client.get(talk.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("model", "public"), [("talk", "View"), ("session", "View"), ("conference", "View")]
)
def test_changelists_tell_drafts_from_public_pages(staff_client, draft_talk, model, public):
    page = staff_client.get(reverse(f"admin:program_{model}_changelist"))
    assert "Draft · preview" in page.text


@pytest.mark.parametrize("page", list(TEMPLATES))
def test_staff_without_the_committee_permission_cannot_preview(
    client, django_user_model, draft_talk, page
):
    """Being staff is not enough: previewing drafts takes the permission the Program committee
    group holds (program.view_talk)."""
    bare = django_user_model.objects.create_user("bare", password="x", is_staff=True)
    client.force_login(bare)
    assert client.get(pages(draft_talk)[page]).status_code == 404
