"""What the committee types is kept clean: links are web addresses, text has no control
characters (one rule, speakers/text.py, applied by the models whatever form saves them)."""

import pytest
from django.core.exceptions import ValidationError

from program.models import Conference, Session, Talk
from tests.factories import ConferenceFactory, SessionFactory, TalkFactory
from tests.program.test_admin_pages import admin_url, form_data

pytestmark = pytest.mark.django_db

SCHEME_ERROR = "Enter a web address starting with http:// or https://."
DIRTY = "Line\u2028one\x07\x1b[31m\x7f\u2029two\u0085three\tend"
CLEAN = "Line\none[31m\ntwo\nthree\tend"
URL_FIELDS = [
    (SessionFactory, "slack_url"),
    (SessionFactory, "location_url"),
    (ConferenceFactory, "default_location_url"),
    (TalkFactory, "media_url"),
]


@pytest.mark.parametrize(("factory", "field"), URL_FIELDS)
@pytest.mark.parametrize(
    "url", ["ftp://files.example.org/talk.mp4", "javascript:alert(1)", "file:///etc/passwd"]
)
def test_links_must_be_web_addresses(factory, field, url):
    item = factory()
    setattr(item, field, url)
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert SCHEME_ERROR in error.value.message_dict[field]


@pytest.mark.parametrize(("factory", "field"), URL_FIELDS)
@pytest.mark.parametrize("url", ["https://example.slack.com/archives/C1", "http://example.org/"])
def test_http_and_https_links_pass(factory, field, url):
    item = factory()
    setattr(item, field, url)
    item.full_clean()


@pytest.mark.parametrize(
    ("factory", "model", "field", "url"),
    [
        (SessionFactory, Session, "slack_url", "ftp://example.org/channel"),
        (TalkFactory, Talk, "media_url", "ftp://example.org/talk.mp4"),
    ],
)
def test_the_admin_refuses_an_ftp_link(member_client, factory, model, field, url):
    item = factory()
    change_url = admin_url(model, "change", item.pk)
    data = form_data(member_client.get(change_url)) | {field: url}
    response = member_client.post(change_url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [SCHEME_ERROR]
    item.refresh_from_db()
    assert getattr(item, field) == ""


def test_full_clean_strips_control_characters_and_normalises_line_breaks():
    talk = TalkFactory(title="Plain")
    talk.title = "Bell\x07 title\x00"
    talk.abstract = DIRTY
    talk.full_clean()
    assert talk.title == "Bell title"
    assert talk.abstract == CLEAN
    session = talk.session
    session.description = DIRTY
    session.slack_label = "Join\x0b us"
    session.full_clean()
    assert (session.description, session.slack_label) == (CLEAN, "Join us")


def test_tabs_newlines_and_carriage_returns_are_kept():
    conference = ConferenceFactory()
    conference.intro = "One\ttwo\r\n\r\nthree\n"
    conference.full_clean()
    assert conference.intro == "One\ttwo\r\n\r\nthree\n"


def test_the_admin_saves_clean_text(member_client):
    talk = TalkFactory()
    url = admin_url(Talk, "change", talk.pk)
    data = form_data(member_client.get(url)) | {"title": "Escape\x1b title", "abstract": DIRTY}
    response = member_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    talk.refresh_from_db()
    assert talk.title == "Escape title"
    assert talk.abstract == CLEAN


def test_the_admin_saves_a_clean_conference(member_client):
    conference = ConferenceFactory()
    url = admin_url(Conference, "change", conference.pk)
    data = form_data(member_client.get(url)) | {"name": "OpML\x7f '30", "intro": DIRTY}
    response = member_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    conference.refresh_from_db()
    assert (conference.name, conference.intro) == ("OpML '30", CLEAN)
