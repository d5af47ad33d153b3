"""The attendee's conference day in Chromium (issue 19): a three-day conference with parallel
sessions whose middle day is "today" (the clock is set by patching the instant the views read,
as the clock's tests do), and the OpML '20 program on an ordinary day, at 375 x 812 and
1280 x 800; one header on every page; picking that answers in place. axe on every page."""

import io
import shutil
import subprocess
from datetime import UTC, date, datetime
from unittest import mock

import pytest
from django.core.management import call_command

from program.models import Conference, Session, Talk
from tests.browser.support import BROWSER_MARKS, SCREENSHOTS, launch_chromium

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe is not installed")

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
# Tuesday, July 2, 2030, 11:15 am PDT: the second of three days; its 9:00 slot is over and the
# 11:00 slot (two sessions in parallel) is on.
MIDDLE_DAY_LATE_MORNING = datetime(2030, 7, 2, 18, 15, tzinfo=UTC)


@pytest.fixture
def site(live_server, transactional_db, opml20):
    """Addresses read before the browser starts (Django refuses database access from
    Playwright's thread afterwards)."""
    call_command(
        "generate_program",
        slug="threeday",
        days=3,
        sessions_per_day=6,
        talks_per_session=3,
        parallel=2,
        start_date=date(2030, 7, 1),
        stdout=io.StringIO(),
    )
    threeday = Conference.objects.get(slug="threeday")
    for session in Session.objects.filter(conference=threeday):
        session.slack_url = f"https://example.slack.com/archives/C{session.number:03d}"
        session.save()
    talk = Talk.objects.select_related("session__conference").get(title__startswith="SPOK")
    authorship = talk.authorships.select_related("speaker", "affiliation").first()
    base = live_server.url
    return {
        "base": base,
        "threeday": base + threeday.get_absolute_url(),
        "program": base + opml20.get_absolute_url(),
        "pages": [
            base + path
            for path in (
                opml20.get_absolute_url(),
                talk.session.get_absolute_url(),
                talk.get_absolute_url(),
                authorship.speaker.get_absolute_url(),
                authorship.affiliation.get_absolute_url(),
                "/opml20/sessions/",
                "/opml20/speakers/",
                "/speakers/",
                "/affiliations/",
                "/search/?q=Intuit",
                "/picks/",
            )
        ],
    }


@pytest.fixture
def browser(site):
    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def open_page(browser, url, viewport):
    context = browser.new_context(
        viewport=viewport, locale="en-US", timezone_id="America/Los_Angeles"
    )
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(url)
    return page


def no_violations(page):
    results = axe.Axe().run(page, options=WCAG)
    assert results.response["violations"] == [], results.generate_report()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_conference_day_opens_on_today_with_the_live_sessions_first(browser, site, viewport):
    with mock.patch("django.utils.timezone.now", return_value=MIDDLE_DAY_LATE_MORNING):
        page = open_page(browser, site["threeday"], viewport)
        no_violations(page)
    # Today's live session in the first screen (the clock marks one of the two parallel
    # sessions, or both: either way the first starts there).
    live = page.locator(".session.is-live")
    assert live.count() >= 1
    assert live.first.bounding_box()["y"] + 120 < viewport["height"]
    # The day's first slot, over, is one line; yesterday too, after the days to come.
    assert not page.locator(".earlier-today .session").first.is_visible()
    sections = page.locator("section.day").evaluate_all("els => els.map(e => e.id)")
    assert sections == ["day-2030-07-02", "day-2030-07-03", "day-2030-07-01"]
    assert not page.locator("#day-2030-07-01 .session").first.is_visible()
    assert page.locator("#day-2030-07-01").bounding_box()["height"] < 60
    # The "Today" chip is shown whole, inside the chips' own scrolling strip.
    chip = page.locator(".day-index .today-link").bounding_box()
    strip = page.locator(".day-index ul").bounding_box()
    assert chip["x"] >= strip["x"]
    assert chip["x"] + chip["width"] <= min(strip["x"] + strip["width"], viewport["width"])
    # Each session's Slack link once.
    hrefs = page.locator("main a[href^='https://example.slack.com/']").evaluate_all(
        "els => els.map(e => e.href)"
    )
    assert len(hrefs) == 18
    assert len(set(hrefs)) == len(hrefs)
    assert page.errors == []
    page.screenshot(path=SCREENSHOTS / f"conference-day-{viewport['width']}.png")


def test_opml20_on_an_ordinary_day_is_short_and_readable(browser, site):
    page = open_page(browser, site["program"], PHONE)
    first_title = page.locator(".talk h4").first.bounding_box()["y"]
    height = page.evaluate("document.documentElement.scrollHeight")
    smallest = page.evaluate(
        """() => {
          let smallest = 100;
          for (const e of document.querySelectorAll('body *')) {
            if (!e.getClientRects().length) continue;
            const text = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
            if (text) smallest = Math.min(smallest, parseFloat(getComputedStyle(e).fontSize));
          }
          return smallest;
        }"""
    )
    print(f"\n375 px: first talk title at {first_title} px, height {height} px")
    assert first_title <= 500
    assert height <= 5000
    assert smallest >= 14
    # Every word is still in the page: the abstracts are folded, not cut.
    assert page.locator(".talk-abstract").count() == 25
    no_violations(page)

    page = open_page(browser, site["program"], DESKTOP)
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"1280 px: height {height} px")
    assert height <= 4000
    # The pick and abstract controls sit on the talk's title row.
    talk = page.locator(".talk").first
    title = talk.locator("h4").bounding_box()
    for control in (talk.locator("button.pick"), talk.locator("summary")):
        box = control.bounding_box()
        assert box["y"] < title["y"] + title["height"]
        assert box["y"] + box["height"] > title["y"]
    page.get_by_role("button", name="Show all abstracts").click()
    no_violations(page)


def header_rows(page):
    tops = page.locator(
        ".site-header .site-name, .site-header .site-search, .site-header li, "
        ".site-header .zone-picker"
    ).evaluate_all(
        "els => els.filter(e => e.getClientRects().length)"
        ".map(e => Math.round(e.getBoundingClientRect().top))"
    )
    rows = []
    for top in sorted(tops):
        if not rows or top - rows[-1] > 12:
            rows.append(top)
    return len(rows)


def test_one_header_on_every_page(browser, site):
    for url in site["pages"]:
        page = open_page(browser, url, DESKTOP)
        assert header_rows(page) <= 2, url
        assert page.locator("input[name=q]").count() == 1, url
        assert "*" not in page.locator("main").inner_text(), url
        no_violations(page)
        page = open_page(browser, url, PHONE)
        assert header_rows(page) <= 3, url  # the links in two, and the time zone picker
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], url


def test_picking_answers_in_place(browser, site):
    page = open_page(browser, site["program"], PHONE)
    star = page.locator(".talk button.pick").nth(3)
    star.scroll_into_view_if_needed()
    with page.expect_response(lambda r: r.url.endswith("/picks/lists/") and r.status == 201):
        star.click()
    assert star.get_attribute("aria-pressed") == "true"
    assert star.inner_text().strip() == "★"
    assert "Picked “" in page.locator("[aria-live]").inner_text()
    assert page.locator("[data-picks-link]").inner_text() == "My picks (1)"
    no_violations(page)
    page.reload()
    assert page.locator("[data-picks-link]").inner_text() == "My picks (1)"
    assert page.errors == []


def test_filters_take_one_line_and_work_without_javascript(browser, site):
    page = open_page(browser, site["program"], PHONE)
    summary = page.locator(".filters > summary")
    assert summary.bounding_box()["height"] < 30  # one line, closed
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(site["program"])
    page.locator(".filters > summary").click()
    page.locator("#filter-day").select_option(label="Thu, Jul 30")
    page.locator("#filter-kind").select_option(label="Talks only")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/opml20/?day=2020-07-30&kind=talk")
    assert page.locator("section.day").count() == 1
    assert page.locator(".talk").count() == 4
    assert "Subscribe to this selection" in page.locator(".filter-status").inner_text()
    filtered = page.url
    context.close()
    no_violations(open_page(browser, filtered, PHONE))  # axe itself needs JavaScript


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_opml20_prints_on_four_numbered_pages_named_on_each(browser, site, tmp_path):
    page = open_page(browser, site["program"], DESKTOP)
    pdf = tmp_path / "program.pdf"
    page.pdf(format="A4", path=pdf)
    pages = []
    n = 1
    while True:
        text = subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=False,
        )
        if text.returncode or not text.stdout.strip():
            break
        pages.append(text.stdout)
        n += 1
    assert 1 <= len(pages) <= 4
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "OpML '20 Conference Program" in text
    # No near-empty last page: it holds at least a third of a full page's lines.
    lines = [len([line for line in text.splitlines() if line.strip()]) for text in pages]
    assert lines[-1] >= max(lines) / 3, lines
