"""The program in a real browser (Debian's Chromium driven by Playwright): no console errors,
the viewer's own times beside the conference's, the zone picker, phone and desktop layouts.
Screenshots go to artifacts/screenshots/ for people to look at."""

from pathlib import Path

import pytest

from program.models import Talk

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed"),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe is not installed")

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def urls(live_server, transactional_db, opml20):
    """Addresses of the pages under test, read from the database before the browser starts:
    once Playwright runs, Django refuses database access from this thread."""
    talk = Talk.objects.select_related("session__conference").get(title__startswith="SPOK")
    authorship = talk.authorships.select_related("speaker", "affiliation").first()
    paths = {
        "program": opml20.get_absolute_url(),
        "session": talk.session.get_absolute_url(),
        "talk": talk.get_absolute_url(),
        "speaker": authorship.speaker.get_absolute_url(),
        "affiliation": authorship.affiliation.get_absolute_url(),
        "search": "/search/?q=Intuit",
    }
    return {name: f"{live_server.url}{path}" for name, path in paths.items()} | {
        "host": live_server.url.split("/")[2]
    }


@pytest.fixture
def program_url(urls):
    return urls["program"]


@pytest.fixture
def browser(urls):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def open_page(browser, url, *, zone="America/Los_Angeles", viewport=DESKTOP, **options):
    """A page in a fresh context, recording console errors and every host it talks to."""
    context = browser.new_context(timezone_id=zone, locale="en-US", viewport=viewport, **options)
    page = context.new_page()
    page.errors = []
    page.hosts = set()
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("request", lambda r: page.hosts.add(r.url.split("/")[2]))
    page.goto(url)
    return page


def first_session(page):
    return page.locator("#session-1")


def test_program_loads_without_errors_or_third_party_requests(browser, urls):
    page = open_page(browser, urls["program"])
    assert page.locator("h1").inner_text() == "OpML '20 Conference Program"
    assert page.errors == []
    assert page.hosts == {urls["host"]}


def test_viewer_in_the_conference_zone_sees_one_clock(browser, program_url):
    page = open_page(browser, program_url)
    assert first_session(page).locator(".session-time").inner_text() == "9:00–10:30 am PDT"
    assert page.locator(".your-time").count() == 0


def test_berlin_sees_their_time_beside_the_conference_time(browser, program_url):
    page = open_page(browser, program_url, zone="Europe/Berlin")
    time = first_session(page).locator(".session-time")
    assert time.inner_text().splitlines() == ["9:00–10:30 am PDT", "18:00–19:30 your time, CEST"]
    page.screenshot(path=SCREENSHOTS / "program-desktop-berlin.png")


def test_tokyo_sees_the_day_change(browser, program_url):
    page = open_page(browser, program_url, zone="Asia/Tokyo")
    # Tuesday 9:00 PDT is Wednesday 1:00 in Tokyo.
    assert first_session(page).locator(".your-time").inner_text() == (
        "Wed, 01:00–02:30 your time, GMT+9"
    )


def test_zone_picker_changes_and_remembers_the_zone(browser, program_url):
    page = open_page(browser, program_url, zone="Europe/Berlin")
    picker = page.get_by_label("Also show times in")
    assert picker.is_visible()
    picker.select_option("Asia/Tokyo")
    # A zone the viewer picked says where it is, not "your time".
    assert first_session(page).locator(".your-time").inner_text() == (
        "Wed, 01:00–02:30 in Tokyo, GMT+9"
    )
    page.reload()
    assert page.get_by_label("Also show times in").input_value() == "Asia/Tokyo"
    assert first_session(page).locator(".your-time").inner_text().endswith("GMT+9")
    page.get_by_label("Also show times in").select_option("")
    assert first_session(page).locator(".your-time").inner_text().endswith("CEST")


def test_without_javascript_the_conference_times_still_show(browser, program_url):
    page = open_page(browser, program_url, zone="Asia/Tokyo", java_script_enabled=False)
    assert first_session(page).locator(".session-time").inner_text() == "9:00–10:30 am PDT"
    assert page.locator(".your-time").count() == 0
    assert not page.locator(".zone-picker").is_visible()


def test_phone_layout_fits_375_pixels(browser, urls):
    page = open_page(browser, urls["program"], zone="Europe/Berlin", viewport=PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=SCREENSHOTS / "program-phone-berlin.png")
    page.screenshot(path=SCREENSHOTS / "program-phone-berlin-full.png", full_page=True)
    page.goto(urls["talk"])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=SCREENSHOTS / "talk-phone.png", full_page=True)
    assert page.errors == []


def test_keyboard_user_can_skip_to_the_content(browser, program_url):
    page = open_page(browser, program_url)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("element => element === document.activeElement")
    page.screenshot(path=SCREENSHOTS / "skip-link-focused.png")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"


def test_attendee_finds_a_talk_by_searching(browser, urls):
    page = open_page(browser, urls["program"], viewport=PHONE)
    # The header's search box, on every page.
    page.get_by_label("Search the program").fill("Kubernetes")
    page.get_by_label("Search the program").press("Enter")
    assert page.get_by_label("Search talks, speakers and organisations").input_value() == (
        "Kubernetes"
    )
    page.screenshot(path=SCREENSHOTS / "search-phone.png", full_page=True)
    page.get_by_role("link", name="SPOK - Managing ML/Big Data Spark Workloads").click()
    assert page.url == urls["talk"]
    assert page.get_by_role("heading", level=1).inner_text().startswith("SPOK")
    assert page.errors == []


def test_print_shows_the_program_without_controls(browser, urls):
    page = open_page(browser, urls["program"], zone="Europe/Berlin")
    page.emulate_media(media="print")
    assert not page.get_by_label("Also show times in").is_visible()
    assert not page.locator(".your-time").first.is_visible()
    assert page.locator("#session-1 .session-time").inner_text() == "9:00–10:30 am PDT"
    page.pdf(path=SCREENSHOTS / "program-print.pdf")
    page.screenshot(path=SCREENSHOTS / "program-print.png")


@pytest.mark.parametrize("name", ["program", "session", "talk", "speaker", "affiliation", "search"])
def test_pages_pass_axe_wcag_21_aa_checks(browser, urls, name):
    page = open_page(browser, urls[name], zone="Europe/Berlin", viewport=PHONE)
    results = axe.Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        },
    )
    assert results.response["violations"] == [], results.generate_report()


def test_zone_picker_only_shows_where_there_are_times(browser, live_server, urls):
    page = open_page(browser, f"{live_server.url}/search/", zone="Europe/Berlin")
    assert not page.locator(".zone-picker").is_visible()
    page.goto(urls["search"])
    assert page.get_by_label("Also show times in").is_visible()


def test_zone_picker_offers_common_zones_first_and_finds_one_by_name(browser, program_url):
    page = open_page(browser, program_url, zone="Europe/Berlin")
    groups = page.locator("#viewer-zone optgroup")
    assert groups.evaluate_all("gs => gs.map(g => g.label)") == [
        "Common time zones",
        "All time zones",
    ]
    common = groups.first.locator("option").evaluate_all("os => os.map(o => o.value)")
    assert common[:4] == [
        "America/Los_Angeles",
        "America/Denver",
        "America/Chicago",
        "America/New_York",
    ]
    assert (
        "Berlin (CET)" in groups.first.inner_text() or "Berlin (CEST)" in groups.first.inner_text()
    )
    values = page.locator("#viewer-zone option").evaluate_all("os => os.map(o => o.value)")
    assert "US/Pacific" not in values
    assert not [v for v in values if v.startswith("Etc/")]
    page.get_by_label("Find a zone").fill("kathm")
    assert page.locator("#viewer-zone option").evaluate_all("os => os.map(o => o.value)") == [
        "",
        "Asia/Kathmandu",
    ]
    page.get_by_label("Also show times in").select_option("Asia/Kathmandu")
    assert " in Kathmandu, " in first_session(page).locator(".your-time").inner_text()
    assert page.errors == []
