"""The attendee's program page (issue 11): compact, scannable, parallel sessions side by side,
conference-day mode; the index pages, organisation pages and search snippets around it."""

import re
import subprocess
from datetime import UTC, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory

from program import caching
from program.caching import next_clock_change
from program.models import Conference, Session, Talk
from program.templatetags.program_tags import talk_rows
from program.validators import RESERVED_CONFERENCE_SLUGS
from program.views import parallel_groups
from tests import tools
from tests.factories import (
    AffiliationFactory,
    AuthorshipFactory,
    SpeakerFactory,
    TalkFactory,
)
from tests.program.test_views import page_text

pytestmark = pytest.mark.django_db

# Thursday, July 30, 2020, 9:45 am PDT: Session 3 (9:00–10:30 am) is on.
DURING_SESSION_3 = datetime(2020, 7, 30, 16, 45, tzinfo=UTC)


@pytest.mark.parametrize("open_abstracts", [False, True])
def test_talk_rows_print_exactly_what_the_talk_include_prints(opml20, open_abstracts):
    """The program page's rows (bylines read in bulk as values) against the talk include with
    bylines made from authorship models, as the talk and session pages print them."""
    request = RequestFactory().get("/")
    program = Conference.objects.with_program().get(pk=opml20.pk)
    rows = {s.pk: s for day in program.days.all() for s in day.sessions.all()}
    assert len(rows) == 8
    for session in Session.objects.filter(conference=opml20).with_talks():
        expected = "".join(
            "\n    "
            + render_to_string(
                "includes/talk.html",
                {
                    "talk": talk,
                    "talk_heading": "h4",
                    "compact": True,
                    "open_abstracts": open_abstracts,
                },
                request,
            )
            + "\n  "
            for talk in session.talks.all()
        )
        row_session = rows[session.pk]
        assert talk_rows(row_session, heading="h4", open_abstracts=open_abstracts) == expected


def test_program_is_compact_with_abstracts_and_descriptions_in_details(client, opml20):
    html = client.get(opml20.get_absolute_url()).content.decode()
    assert html.count('<details class="talk-abstract">') == 25  # every abstract
    assert html.count('<details class="session-about">') == 8  # every session's description
    assert " open>" not in html
    # Each abstract's fold names its talk for screen readers; it reads "Abstract" on screen.
    assert html.count("</span>Abstract</summary>") == 25
    # Every word stays in the HTML (test_views checks each paragraph of the seed).
    for talk in Talk.objects.all():
        assert talk.abstract.split("\n")[0][:80].replace("'", "&#x27;") in html
    # No control that needs JavaScript: the switch is a link until abstracts.js swaps it.
    assert '<a class="abstracts-link" href="?abstracts=all">Show all abstracts</a>' in html
    # (The filter form's submit button works without it: a plain GET form.)
    assert '<button type="button"' not in html.split("<main", 1)[1]


@pytest.mark.cache
def test_show_all_abstracts_renders_them_open_and_is_cached(
    client, opml20, django_assert_max_num_queries
):
    url = opml20.get_absolute_url() + "?abstracts=all"
    html = client.get(url).content.decode()
    assert html.count('<details class="talk-abstract" open>') == 25
    assert html.count('<details class="about-program" open>') == 1
    assert html.count('<details class="session-about" open>') == 8
    assert "Hide the abstracts" in html
    with django_assert_max_num_queries(2):  # the version, and when Live now next changes
        assert client.get(url).content.decode() == html


def test_when_reads_before_what(client, opml20):
    html = client.get(opml20.get_absolute_url()).content.decode()
    session = html[html.index('id="session-1"') :]
    assert session.index('class="session-time"') < session.index('id="session-1-title"')


def test_program_page_has_few_links(client, opml20):
    html = client.get(opml20.get_absolute_url()).content.decode()
    main = html.split("<main", 1)[1]
    links = len(re.findall(r"<a\s", main))
    summaries = main.count("<summary")
    # 8 days, 8 sessions, 25 talks, the tools and calendar links; no byline links.
    assert links + summaries <= 100, (links, summaries)


def test_parallel_groups_follow_session_overlaps():
    def session(start, end):
        base = datetime(2030, 1, 1, tzinfo=UTC)
        return Session(
            start=base + timedelta(hours=start), end=base + timedelta(hours=end), order=0, number=0
        )

    a, b, c, d = session(9, 10.5), session(9.5, 11), session(10.75, 12), session(12, 13)
    # a–b overlap, b–c overlap (a chain), d starts as c ends (half-open: no overlap).
    assert parallel_groups([d, c, b, a]) == [[a, b, c], [d]]


def test_parallel_sessions_share_a_slot(client, parallel_program):
    conference = parallel_program
    first, second = Session.objects.filter(conference=conference, number__in=[1, 2])
    assert first.overlaps(second)
    html = client.get(conference.get_absolute_url()).content.decode()
    assert html.count('<div class="slot slot-parallel">') == 4
    slot = html.split('<div class="slot slot-parallel">')[1]
    assert 'id="session-1"' in slot
    assert 'id="session-2"' in slot
    assert 'id="session-3"' not in slot


def test_conference_day_opens_on_today_with_past_days_folded(client, opml20):
    Session.objects.filter(conference=opml20, number=3).update(
        slack_url="https://example.slack.com/archives/C3"
    )
    with mock.patch("django.utils.timezone.now", return_value=DURING_SESSION_3):
        html = client.get(opml20.get_absolute_url()).content.decode()
    main = html[html.index("<main") :]
    top = main[: main.index('<section class="day')]
    assert '<a class="today-link" href="#day-2020-07-30">Today</a>' in top
    assert '<a href="#day-2020-07-30" aria-current="date">Thu, Jul 30</a>' in top
    assert '<a href="#day-2020-07-28" class="is-past">Tue, Jul 28</a>' in top
    # Today first, then the days to come, then the past days, each folded to one line.
    days = re.findall(r'<section class="day( is-today| is-past)?" id="day-([\d-]+)"', main)
    assert [d for _, d in days] == [
        "2020-07-30",
        "2020-07-31",
        "2020-08-04",
        "2020-08-05",
        "2020-08-06",
        "2020-08-07",
        "2020-07-28",
        "2020-07-29",
    ]
    assert days[0][0] == " is-today"
    assert {kind for kind, _ in days[-2:]} == {" is-past"}
    assert main.count('<details class="past-day"><summary><h2') == 2
    # The live session's Slack link once, on the session itself.
    assert main.count("https://example.slack.com/archives/C3") == 1
    first_day = main[main.index('id="day-2020-07-30"') : main.index('id="day-2020-07-31"')]
    assert "Live now" in page_text_of(first_day)


def test_today_folds_the_slots_already_over(client, parallel_program):
    """On the second day of a conference, after its first slot: that slot folds to one line
    and the page opens on what is on now."""
    day = parallel_program.days.order_by("date")[1]
    first, *rest = Session.objects.filter(day=day).order_by("start", "number")
    later = [s for s in rest if s.start >= first.end]
    now = later[0].start + timedelta(minutes=5)
    with mock.patch("django.utils.timezone.now", return_value=now):
        html = client.get(parallel_program.get_absolute_url()).content.decode()
    today = html[html.index('class="day is-today"') :]
    folded = today[today.index('<details class="earlier-today">') : today.index("</details>\n")]
    assert "Earlier today: 1 slot over" in folded
    assert f'id="session-{first.number}"' in folded
    assert today.index('<details class="earlier-today">') < today.index("Live now")


def test_outside_the_conference_no_day_is_today(client, opml20):
    with mock.patch("django.utils.timezone.now", return_value=datetime(2021, 1, 1, tzinfo=UTC)):
        html = client.get(opml20.get_absolute_url()).content.decode()
    assert "aria-current" not in html
    assert "today-link" not in html
    assert "is-past" not in html


@pytest.mark.cache
def test_the_cached_program_expires_at_each_midnight_of_the_conference(opml20):
    pdt = ZoneInfo("America/Los_Angeles")
    # Saturday, August 1, noon: no session until Tuesday, but "today" changes at midnight.
    assert next_clock_change("opml20", datetime(2020, 8, 1, 12, tzinfo=pdt)) == datetime(
        2020, 8, 2, tzinfo=pdt
    )
    # After the last session (Friday, August 7), at the end of that day.
    assert next_clock_change("opml20", datetime(2020, 8, 7, 12, tzinfo=pdt)) == datetime(
        2020, 8, 8, tzinfo=pdt
    )


def page_text_of(html):
    return re.sub(r"<[^>]+>", " ", html)


def test_index_pages_list_public_people_sessions_and_organisations(client, opml20):
    draft = TalkFactory(session=Session.objects.get(conference=opml20, number=1))
    draft.is_published = False
    draft.save()
    hidden = AuthorshipFactory(talk=draft, speaker__name="Hidden Person").speaker
    speakers = page_text(client.get("/speakers/"))
    assert "Mikhail Arov, Intuit" in speakers
    assert hidden.name not in speakers
    assert "Mikhail Arov" in page_text(client.get("/opml20/speakers/"))
    sessions = page_text(client.get("/opml20/sessions/"))
    assert "Tuesday, July 28, 9:00–10:30 am PDT Session 1: Deep Learning and GPU" in sessions
    organisations = page_text(client.get("/affiliations/"))
    assert "Intuit" in organisations
    assert hidden.affiliation.name not in organisations
    html = client.get("/opml20/").content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    for path in ("/opml20/sessions/", "/opml20/speakers/", "/affiliations/", 'action="/search/"'):
        assert path in header


@pytest.mark.cache
def test_new_pages_are_cached_and_their_words_reserved():
    assert caching.CONFERENCE_PAGES["program:session_list"] == "slug"
    assert caching.CONFERENCE_PAGES["program:speaker_list"] == "slug"
    assert {"speakers:speaker_list", "speakers:affiliation_list"} <= caching.SITE_PAGES
    assert {"speakers", "affiliations", "search"} <= RESERVED_CONFERENCE_SLUGS


def test_organisation_page_lists_each_talk_once_and_does_not_link_to_itself(client):
    organisation = AffiliationFactory(name="Shared Org")
    talk = TalkFactory(title="Written together")
    for _ in range(2):
        AuthorshipFactory(talk=talk, speaker=SpeakerFactory(affiliation=organisation))
    html = client.get(organisation.get_absolute_url()).content.decode()
    assert html.count("Written together</a>") == 1
    main = html.split("<main", 1)[1]
    assert f'href="{organisation.get_absolute_url()}"' not in main
    assert "Shared Org" in page_text_of(main)


def test_search_finds_word_forms_and_says_why(client, opml20):
    html = client.get("/search/", {"q": "moderating"}).content.decode()
    assert "Auto Content Moderation in C2C e-Commerce" in html
    assert re.search(r'<p class="snippet">.*<mark>moderation</mark>', html, re.IGNORECASE)
    assert '<meta name="robots" content="noindex">' in html


def test_search_snippets_are_escaped(client):
    TalkFactory(title="Escaping", abstract="Before <script>alert(1)</script> kubeflow after")
    html = client.get("/search/", {"q": "kubeflow"}).content.decode()
    assert "<mark>kubeflow</mark> after" in html
    # SQLite's snippet escapes the markup; PostgreSQL's ts_headline drops it (and is escaped too).
    assert "<script>alert(1)" not in html
    if connection.vendor == "sqlite":
        assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>kubeflow</mark>" in html


def test_text_browser_reads_the_program_in_order_without_junk(client, opml20, tmp_path):
    w3m = tools.which("w3m", "w3m is not installed (apt-get install w3m)")
    page = tmp_path / "program.html"
    page.write_bytes(client.get(opml20.get_absolute_url()).content)
    text = subprocess.run(
        [w3m, "-dump", "-cols", "100", "-T", "text/html", str(page)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    order = [
        "OpML '20 Conference Program",
        "All the times listed below are in Pacific Daylight Time",
        "Tuesday, July 28",
        "9:00–10:30 am PDT",
        "Session 1: Deep Learning and GPU Accelerated Data Science",
        "Join the discussion on the Session 1 Slack channel.",
        "DLSpec: A Deep Learning Task Exchange Specification",
        "Abdul Dakkak and Cheng Li, University of Illinois at Urbana-Champaign",
        "Wednesday, July 29",
    ]
    squashed = " ".join(text.split())
    positions = [squashed.find(" ".join(words.split())) for words in order]
    assert -1 not in positions, dict(zip(order, positions, strict=True))
    assert positions == sorted(positions)
    for junk in ("{%", "{{", "&amp;", "&#", "undefined", "pick-slot", "[ ]", "Available Media"):
        assert junk not in text, junk
