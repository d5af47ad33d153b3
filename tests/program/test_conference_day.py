"""The attendee's conference day (issue 19): what attendees came for under the program's title,
the chat workspace and attendee guide links, one header on every public page that stays within
the conference being read, and one search box per page."""

import re

import pytest
from django.core.exceptions import ValidationError

from program.models import Session, Talk
from tests.program.test_views import page_text

pytestmark = pytest.mark.django_db


def header_of(html):
    return html[html.index('<header class="site-header"') : html.index("</header>")]


def test_subscribe_and_the_workspace_sit_under_the_title_outside_any_fold(client, opml20):
    opml20.chat_url = "https://join.slack.com/t/usenix-opml/shared_invite/abc"
    opml20.guide_url = "https://www.usenix.org/conference/opml20/attendee-guide"
    opml20.save()
    html = client.get(opml20.get_absolute_url()).content.decode()
    main = html[html.index("<main") :]
    essentials = main[main.index("</h1>") : main.index('<nav class="day-index"')]
    assert "<details" not in essentials
    assert f'href="webcal://testserver{opml20.get_calendar_url()}">Subscribe</a>' in essentials
    assert (
        '<a class="chat-link" href="https://join.slack.com/t/usenix-opml/shared_invite/abc">'
        "Slack workspace</a>" in essentials
    )
    assert (
        '<a class="guide-link" href="https://www.usenix.org/conference/opml20/attendee-guide">'
        "Attendee guide</a>" in essentials
    )
    # The intro's words stay on the page, in a fold of their own.
    assert "Join the USENIX OpML Slack workspace" in page_text_of(main)


def test_without_the_links_the_page_offers_none(client, opml20):
    html = client.get(opml20.get_absolute_url()).content.decode()
    assert "chat-link" not in html
    assert "guide-link" not in html


@pytest.mark.parametrize("field", ["chat_url", "guide_url"])
@pytest.mark.parametrize("value", ["javascript:alert(1)", "ftp://example.org/guide"])
def test_the_links_are_web_addresses_only(opml20, field, value):
    setattr(opml20, field, value)
    with pytest.raises(ValidationError) as error:
        opml20.full_clean()
    assert "not_a_web_url" in {e.code for e in error.value.error_dict[field]}


def test_a_chat_workspace_elsewhere_is_called_a_chat_workspace(opml20):
    opml20.chat_url = "https://chat.example.org/opml"
    assert opml20.chat_label == "Chat workspace"
    opml20.chat_url = "https://usenix-opml.slack.com/"
    assert opml20.chat_label == "Slack workspace"


def test_the_admin_edits_both_links(member_client, opml20):
    html = member_client.get(f"/admin/program/conference/{opml20.pk}/change/").content.decode()
    assert 'name="chat_url"' in html
    assert 'name="guide_url"' in html


def test_every_conference_page_has_the_same_header_within_its_conference(client, opml20):
    session = Session.objects.get(conference=opml20, number=1)
    talk = Talk.objects.filter(session=session).first()
    headers = set()
    for url in (
        opml20.get_absolute_url(),
        session.get_absolute_url(),
        talk.get_absolute_url(),
        "/opml20/sessions/",
        "/opml20/speakers/",
    ):
        header = header_of(client.get(url).content.decode())
        headers.add(header)
        # "Program" leads back to this conference, not to the list of conferences.
        assert '<li><a href="/opml20/">Program</a></li>' in header
        assert 'href="/opml20/sessions/"' in header
        assert 'href="/opml20/speakers/"' in header
    assert len(headers) == 1


def test_the_search_page_has_one_search_box_and_no_stray_star(client, opml20):
    for url in ("/search/", "/search/?q=Intuit"):
        html = client.get(url).content.decode()
        assert html.count('type="search"') + html.count('type="text"') == 1
        assert "asteriskField" not in html
        assert "*" not in page_text_of(html[html.index("<main") :])
    # Searching for nothing still asks for a word.
    assert "Type a word to search for." in page_text(client.get("/search/?q=+"))


def test_other_pages_have_the_header_search_box(client, opml20):
    html = client.get(opml20.get_absolute_url()).content.decode()
    assert html.count('type="search"') == 1
    assert 'id="site-search-q"' in header_of(html)


def page_text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
