"""The compact program in Chromium (issue 11): its height at 1280 and 375 px, abstracts that open
with the keyboard and the "show all" switch, the day chips that stay at the top, parallel
sessions side by side, conference-day mode with a fixed clock, and the printed program's pages.
Screenshots go to /tmp/shots/ and artifacts/screenshots/."""

# ruff: noqa: F811 -- the fixtures of test_program_browser.py, imported, are test arguments here

import re
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import pytest

from program.models import Session
from tests import tools
from tests.browser.support import BROWSER_MARKS, DESKTOP, PHONE, SCREENSHOTS
from tests.browser.test_program_browser import (  # noqa: F401 -- fixtures
    browser,
    open_page,
    program_url,
    urls,
)

pytestmark = BROWSER_MARKS

SHOTS = Path("/tmp/shots")
# Thursday, July 30, 2020, 9:45 am PDT: Session 3 is on, on the conference's third day.
DURING_SESSION_3 = datetime(2020, 7, 30, 16, 45, tzinfo=UTC)
FOCUSABLE = "a[href], button, summary, input, select, textarea, [tabindex]:not([tabindex='-1'])"


def shoot(page, name):
    for folder in (SHOTS, SCREENSHOTS):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=folder / f"{name}.png", full_page=True)
        page.screenshot(path=folder / f"{name}-top.png")


def tab_stops(page):
    return page.locator(FOCUSABLE).evaluate_all(
        "els => els.filter(e => e.getClientRects().length"
        " && !e.closest('details:not([open]) > :not(summary)')).length"
    )


def test_program_is_compact_on_desktop_and_phone(browser, program_url):
    page = open_page(browser, program_url, viewport=DESKTOP)
    height = page.evaluate("document.documentElement.scrollHeight")
    stops = tab_stops(page)
    shoot(page, "program-1280")
    print(f"\n1280 px: height {height} px, {stops} tab stops")
    assert height < 9000
    assert stops < 130  # 188 before: bylines are text, abstracts one summary each
    assert page.errors == []

    page = open_page(browser, program_url, viewport=PHONE)
    height = page.evaluate("document.documentElement.scrollHeight")
    first_title = page.locator(".talk h4").first.bounding_box()["y"]
    shoot(page, "program-375")
    print(f"375 px: height {height} px, first talk title at {first_title:.0f} px")
    assert first_title < 700
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_keyboard_opens_an_abstract_in_place(browser, program_url):
    page = open_page(browser, program_url)
    first = page.locator("#session-1 .talk details").first
    assert not first.locator(".abstract").is_visible()
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate(
            "document.activeElement.closest('.talk') !== null "
            "&& document.activeElement.tagName === 'SUMMARY'"
        ):
            break
    else:
        pytest.fail("Tab never reached an abstract's summary")
    page.keyboard.press("Enter")
    assert first.locator(".abstract").is_visible()


def test_show_all_abstracts_switch_and_its_no_script_link(browser, program_url):
    page = open_page(browser, program_url)
    switch = page.get_by_role("button", name="Show all abstracts")
    switch.click()
    assert page.locator("main details:not([open]):not(.filters)").count() == 0
    assert (
        page.get_by_role("button", name="Hide all abstracts").get_attribute("aria-pressed")
        == "true"
    )

    page = open_page(browser, program_url, java_script_enabled=False)
    assert page.locator("main button:not([type=submit])").count() == 0
    page.get_by_role("link", name="Show all abstracts").click()
    assert page.url.endswith("?abstracts=all")
    assert page.locator("main details:not([open]):not(.filters)").count() == 0


def test_day_chips_fit_one_line_and_stay_at_the_top(browser, program_url):
    page = open_page(browser, program_url, viewport=PHONE)
    chips = page.locator(".day-index li")
    tops = {round(chips.nth(i).bounding_box()["y"]) for i in range(chips.count())}
    assert len(tops) == 1
    page.locator("#day-2020-08-07").scroll_into_view_if_needed()
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(100)
    assert page.locator(".day-index").bounding_box()["y"] == pytest.approx(0, abs=1)


def test_conference_day_opens_on_today_with_slack_one_tap_away(browser, live_server, urls):
    with mock.patch("django.utils.timezone.now", return_value=DURING_SESSION_3):
        page = open_page(browser, urls["program"], viewport=PHONE)
        today = page.locator('.day-index a[aria-current="date"]')
        assert today.inner_text() == "Thu, Jul 30"
        box = page.locator(".day-index .today-link").bounding_box()  # first, shown whole
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]
        live = page.locator(".session.is-live").first  # today comes first (issue 19)
        assert live.bounding_box()["y"] < 400
        assert "live now" in live.inner_text().lower()
        page.get_by_role("link", name="Today").click()
        day = page.locator("#day-2020-07-30").bounding_box()["y"]
        assert 0 <= day < 120
        shoot(page, "program-today-375")


@pytest.fixture
def parallel_url(live_server, transactional_db, parallel_program):
    assert Session.objects.get(conference=parallel_program, number=1).overlaps(
        Session.objects.get(conference=parallel_program, number=2)
    )
    return live_server.url + parallel_program.get_absolute_url()


def test_parallel_sessions_side_by_side_on_desktop_stacked_on_phone(parallel_url, browser):
    page = open_page(browser, parallel_url, viewport=DESKTOP)
    one, two = (page.locator(f"#session-{n}").bounding_box() for n in (1, 2))
    assert one["y"] == two["y"]
    assert one["x"] < two["x"]
    shoot(page, "parallel-1280")

    page = open_page(browser, parallel_url, viewport=PHONE)
    one, two = (page.locator(f"#session-{n}").bounding_box() for n in (1, 2))
    assert one["x"] == two["x"]
    assert two["y"] >= one["y"] + one["height"]
    shoot(page, "parallel-375")


def pdf_pages(data):
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


def test_program_prints_in_about_four_pages_with_every_abstract(browser, program_url):
    page = open_page(browser, program_url)
    data = page.pdf(format="A4", path=SHOTS / "program-print.pdf")
    pages = pdf_pages(data)
    print(f"\nprinted program: {pages} A4 pages")
    assert pages <= 4  # 10 before, 5 after issue 11
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 718, "height": 1000})  # A4 less 12 mm margins at 96 dpi
    page.screenshot(path=SHOTS / "program-print.png", full_page=True)
    assert page.locator(".print-url").is_visible()
    assert page.locator("#session-1 .talk .abstract").first.is_visible()
    assert not page.locator("summary").first.is_visible()


@pytest.mark.parametrize("path", ["/speakers/", "/affiliations/", "/opml20/sessions/"])
def test_index_pages_pass_axe_wcag_21_aa_checks(browser, live_server, urls, path):
    axe = tools.load("axe_playwright_python.sync_playwright", "axe is not installed")
    page = open_page(browser, live_server.url + path, zone="Europe/Berlin", viewport=PHONE)
    results = axe.Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        },
    )
    assert results.response["violations"] == [], results.generate_report()


def test_program_on_conference_day_passes_axe(browser, urls):
    axe = tools.load("axe_playwright_python.sync_playwright", "axe is not installed")
    with mock.patch("django.utils.timezone.now", return_value=DURING_SESSION_3):
        page = open_page(browser, urls["program"], viewport=DESKTOP)
        page.get_by_role("button", name="Show all abstracts").click()
        results = axe.Axe().run(
            page,
            options={
                "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
            },
        )
    assert results.response["violations"] == [], results.generate_report()
