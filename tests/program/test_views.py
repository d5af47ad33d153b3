"""The public program pages: what an attendee reads, what stays hidden, and how fast."""

import re
from datetime import timedelta
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.urls import reverse

from program.models import Conference, Session, Talk
from tests.factories import AuthorshipFactory, ConferenceFactory, SessionFactory, TalkFactory

# The seed prints session times as "9:00 am–10:30 am"; the site prints "9:00–10:30 am PDT".
pytestmark = pytest.mark.django_db

SEED_TIME_RE = re.compile(r"^\d{1,2}:\d{2} [ap]m–\d{1,2}:\d{2} [ap]m$")


BLOCKS = {"p", "div", "li", "ul", "h1", "h2", "h3", "h4", "article", "section", "header", "nav"}


class TextExtractor(HTMLParser):
    """The text a reader sees in <main> (no scripts), whitespace collapsed."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.skip = 0
        self.chunks = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.chunks.append(" ")
        if tag == "main":
            self.depth += 1
        if tag in {"script", "style"}:
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.chunks.append(" ")
        if tag == "main":
            self.depth -= 1
        if tag in {"script", "style"}:
            self.skip -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.chunks.append(data)


def page_text(response):
    parser = TextExtractor()
    parser.feed(response.content.decode())
    return " ".join("".join(parser.chunks).split())


def squash(text):
    return " ".join(text.split())


def test_every_paragraph_of_the_seed_is_on_the_program_or_a_talk_page(client, opml20, seed_text):
    texts = [page_text(client.get(opml20.get_absolute_url()))]
    texts += [page_text(client.get(talk.get_absolute_url())) for talk in Talk.objects.all()]
    site = "\n".join(texts)
    paragraphs = [squash(p) for p in seed_text.split("\n\n") if p.strip()]
    # "Available Media" is a link to the media, or nothing: OpML '20 gives no media URL.
    missing = [
        p
        for p in paragraphs
        if not SEED_TIME_RE.match(p) and p not in site and p != "Available Media"
    ]
    assert missing == []


def test_program_page_shows_sessions_in_the_conference_zone_with_their_slack_lines(client, opml20):
    text = page_text(client.get(opml20.get_absolute_url()))
    assert "OpML '20 Conference Program" in text
    assert "Tuesday, July 28 9:00–10:30 am PDT Session 1: Deep Learning and GPU" in text
    assert "Join the discussion on the Session 1 Slack channel." in text
    assert "Join the discussion at the Session 2 Slack channel." in text
    assert text.count("9:00–10:30 am PDT") == 8


def test_program_page_bylines_print_the_seed_without_a_wall_of_links(client, opml20):
    response = client.get(opml20.get_absolute_url())
    text = page_text(response)
    spok = Talk.objects.get(title__startswith="SPOK")
    assert spok.author_line == "Nagaraj Janardhana and Mike Arov, Intuit"
    assert spok.author_line in text
    html = response.content.decode()
    assert '<p class="authors">Nagaraj Janardhana and Mike Arov, Intuit</p>' in html
    assert 'href="/speakers/' not in html.split("<main", 1)[1]
    # The talk page keeps the links.
    html = client.get(spok.get_absolute_url()).content.decode()
    assert '<a href="/speakers/mikhail-arov/">Mike Arov</a>' in html
    assert '<a href="/affiliations/intuit/">Intuit</a>' in html


def test_program_page_links_slack_and_media_only_when_they_have_urls(client):
    session = SessionFactory(slack_url="https://example.slack.com/archives/C1")
    TalkFactory(session=session, has_media=True, media_url="https://example.org/slides.pdf")
    TalkFactory(session=session, has_media=True, title="No URL")
    html = client.get(session.conference.get_absolute_url()).content.decode()
    assert f'<a href="https://example.slack.com/archives/C1">{session.slack_invitation}</a>' in html
    assert '<a href="https://example.org/slides.pdf">Available Media</a>' in html
    # Without a URL, no dead "Available Media" label: only the linked one is on the page.
    assert html.count("Available Media") == 1


def test_home_redirects_to_the_only_published_conference(client, opml20):
    ConferenceFactory(is_published=False)
    response = client.get(reverse("program:home"))
    assert response.status_code == 302
    assert response["Location"] == opml20.get_absolute_url()


def test_home_lists_conferences_when_several_are_published(client, opml20):
    other = ConferenceFactory(name="OpML '21")
    text = page_text(client.get(reverse("program:home")))
    assert "OpML '20 Conference Program" in text
    assert "OpML '21 Conference Program" in text
    assert other.get_absolute_url() in client.get(reverse("program:home")).content.decode()


def test_drafts_are_hidden_from_the_public_and_shown_to_staff(client, admin_client):
    session = SessionFactory(title="Published session")
    TalkFactory(session=session, title="Draft talk", is_published=False, slug="draft-talk")
    hidden = SessionFactory(day=session.day, title="Draft session", is_published=False)
    url = session.conference.get_absolute_url()
    text = page_text(client.get(url))
    assert "Published session" in text
    assert "Draft talk" not in text
    assert "Draft session" not in text
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert (
        client.get(
            reverse("program:talk_detail", args=[session.conference.slug, "draft-talk"])
        ).status_code
        == 404
    )
    assert "Draft talk" in page_text(admin_client.get(url))


def test_an_unpublished_conference_is_not_found(client):
    conference = ConferenceFactory(is_published=False)
    session = SessionFactory(day__conference=conference)
    assert client.get(conference.get_absolute_url()).status_code == 404
    assert client.get(session.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    "path", ["/nope/", "/opml20/sessions/99/", "/opml20/talks/no-such-talk/", "/speakers/nobody/"]
)
def test_missing_pages_get_the_friendly_404(client, opml20, path):
    response = client.get(path)
    assert response.status_code == 404
    text = page_text(response)
    assert "Page not found" in text
    assert "search for a talk, speaker or organisation" in text


def test_session_page_has_its_talks_and_neighbours(client, opml20):
    session = Session.objects.get(conference=opml20, number=2)
    response = client.get(session.get_absolute_url())
    text = page_text(response)
    assert "Session 2: Model Life Cycle" in text
    assert "Wednesday, July 29, 9:00–10:30 am PDT" in text
    assert "Join the discussion at the Session 2 Slack channel." in text
    assert "Eugen Cepoi and Liping Peng, Netflix" in text
    assert "Netflix’s model lifecycle management system" in text
    assert "Previous session Session 1: Deep Learning and GPU Accelerated Data Science" in text
    assert "Next session Session 3: Features, Explainability, and Analytics" in text


def test_first_and_last_sessions_have_one_neighbour(client, opml20):
    first = page_text(
        client.get(Session.objects.get(conference=opml20, number=1).get_absolute_url())
    )
    last = page_text(
        client.get(Session.objects.get(conference=opml20, number=8).get_absolute_url())
    )
    assert "Previous session" not in first
    assert "Next session Session 2" in first
    assert "Next session" not in last
    assert "Previous session Session 7" in last


def test_talk_page_has_session_time_authors_bios_and_media(client, opml20):
    talk = Talk.objects.get(title__startswith="SPOK")
    response = client.get(talk.get_absolute_url())
    text = page_text(response)
    assert "Session 7: Model Training" in text
    assert "Thursday, August 6, 9:00–10:30 am PDT" in text
    assert "Nagaraj Janardhana and Mike Arov, Intuit" in text
    assert "Mikhail Arov, Intuit" in text  # bio heading: the speaker's own name
    assert "Mike is a Staff ML Engineer at Intuit" in text
    assert "Available Media" not in text  # no media URL: no dead label
    assert "Join the discussion at the Session 7 Slack channel." in text


def test_talk_page_has_title_description_and_open_graph(client, opml20):
    talk = Talk.objects.get(title__startswith="SPOK")
    html = client.get(talk.get_absolute_url()).content.decode()
    assert f"<title>{talk.title} · OpML &#x27;20</title>" in html
    assert '<meta name="description" content="At Intuit, customer data sets' in html
    assert f'<meta property="og:title" content="{talk.title}">' in html
    assert f'<link rel="canonical" href="http://testserver{talk.get_absolute_url()}">' in html


def test_text_is_escaped(client):
    talk = TalkFactory(title="<script>alert(1)</script>", abstract="A & <b>B</b>")
    AuthorshipFactory(talk=talk, speaker__name="<i>Eve</i>")
    html = client.get(talk.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;i&gt;Eve&lt;/i&gt;" in html
    assert "<i>Eve" not in html


def test_canonical_url_drops_the_query_string(client, opml20):
    html = client.get(opml20.get_absolute_url() + "?utm_source=x").content.decode()
    assert '<link rel="canonical" href="http://testserver/opml20/">' in html


def test_times_carry_utc_instants_for_the_viewer_clock(client, opml20):
    html = client.get(opml20.get_absolute_url()).content.decode()
    # 9:00 PDT on July 28, 2020 is 16:00 UTC.
    assert (
        '<time class="when" datetime="2020-07-28T16:00Z" data-end="2020-07-28T17:30Z" '
        'data-zone="America/Los_Angeles">9:00–10:30 am PDT</time>'
    ) in html


def test_a_talk_with_its_own_times_shows_them(client):
    session = SessionFactory()
    talk = TalkFactory(
        session=session,
        start=session.start + timedelta(minutes=30),
        end=session.start + timedelta(minutes=60),
    )
    text = page_text(client.get(talk.get_absolute_url()))
    assert "9:30–10:00 am PDT" in text


# A cold render's queries, plus the public cache's on a miss: the version it checks (1), and on
# the pages that mark Live now, when that next changes (1). A hit: tests/program/test_caching.py.
# Each includes the change log's rescheduled events, for the JSON-LD's eventStatus (1).
@pytest.mark.parametrize(("name", "queries"), [("conference", 8), ("session", 7), ("talk", 4)])
def test_pages_run_constant_queries_on_a_large_program(
    client, large_program, django_assert_max_num_queries, name, queries
):
    session = Session.objects.filter(conference=large_program).order_by("number")[50]
    url = {
        "conference": large_program.get_absolute_url(),
        "session": session.get_absolute_url(),
        "talk": session.talks.first().get_absolute_url(),
    }[name]
    with django_assert_max_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200


def test_large_program_page_shows_every_talk(client, large_program):
    html = client.get(large_program.get_absolute_url()).content.decode()
    assert (
        html.count('class="talk"') == Talk.objects.filter(session__conference=large_program).count()
    )
    assert Conference.objects.count() == 1


def test_server_errors_get_the_friendly_500_page(client, opml20):
    client.raise_request_exception = False
    with mock.patch("program.views.program_clock", side_effect=RuntimeError("boom")):
        response = client.get(opml20.get_absolute_url())
    assert response.status_code == 500
    text = page_text(response)
    assert "Something went wrong" in text
    assert "boom" not in response.content.decode()
