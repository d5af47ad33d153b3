"""The program in a real browser (Debian's Chromium driven by Playwright): no console errors,
the viewer's own times beside the conference's, the zone picker, phone and desktop layouts.
Screenshots go to artifacts/screenshots/ for people to look at."""

import pytest
from django.urls import reverse

from program.models import Talk
from tests import tools
from tests.browser.support import BROWSER_MARKS, DESKTOP, PHONE, SCREENSHOTS

pytestmark = BROWSER_MARKS

axe = tools.load("axe_playwright_python.sync_playwright", "axe is not installed (make install-dev)")


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
def browser(urls, chromium):
    return chromium


def open_page(browser, url, *, zone="America/Los_Angeles", viewport=DESKTOP, **options):
    """A page in a fresh context, recording console errors and every host it talks to."""
    context = browser.new_context(timezone_id=zone, locale="en-US", viewport=viewport, **options)
    page = context.new_page()
    page.errors = []
    page.hosts = set()
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("request", lambda r: page.hosts.add(r.url.split("/")[2]))
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page.goto(url)
    return page


# Every Content-Security-Policy violation the page meets, from its first byte on.
RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}`);
});
"""


def csp_violations(page):
    return page.evaluate("window.cspViolations")


def first_session(page):
    return page.locator("#session-1")


def test_program_loads_without_errors_or_third_party_requests(browser, urls):
    page = open_page(browser, urls["program"])
    assert page.locator("h1").inner_text() == "OpML '20 Conference Program"
    assert page.errors == []
    assert page.hosts == {urls["host"]}


@pytest.mark.parametrize("name", ["program", "talk", "search"])
def test_pages_meet_their_content_security_policy(browser, urls, name):
    page = open_page(browser, urls[name], zone="Europe/Berlin")
    assert "default-src 'self'" in page.evaluate(
        "fetch(location.href).then(r => r.headers.get('content-security-policy'))"
    )
    # Our scripts ran (they are files, which the policy allows): the viewer's time is shown.
    if name != "search":
        assert page.locator(".your-time").count() > 0
    page.locator("button.pick").first.click()  # picks.js, under the policy too
    assert page.locator("button.pick[aria-pressed=true]").count() == 1
    assert csp_violations(page) == []
    assert page.errors == []


def test_admin_works_under_the_content_security_policy(admin_pages, browser, live_server):
    """Sign in through the form, then the change pages: drag handles (our script), the
    speaker autocomplete (the admin's select2) and the date widgets all run under the policy."""
    page = open_page(browser, f"{live_server.url}/admin/login/")
    failed = []
    page.on("response", lambda r: r.status >= 400 and failed.append(r.url))
    violations = csp_violations(page)
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill("not-used")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    violations += csp_violations(page)
    page.goto(f"{live_server.url}{admin_pages['session']}")
    assert page.locator(".drag-handle").count() > 0
    assert not page.locator(".timezonewarning").first.is_visible()
    violations += csp_violations(page)
    page.goto(f"{live_server.url}{admin_pages['talk']}")
    page.locator(".select2-selection").first.click()
    page.locator(".select2-search__field").fill("Ar")
    page.locator(".select2-results__option").first.wait_for()
    violations += csp_violations(page)
    for name in ["readiness", "import"]:
        page.goto(f"{live_server.url}{admin_pages[name]}")
        violations += csp_violations(page)
    assert violations == []
    # The admin's pages name no icon, so the browser asks for /favicon.ico: the only failure.
    assert {url.removeprefix(live_server.url) for url in failed} <= {"/favicon.ico"}
    assert [e for e in page.errors if "404 (Not Found)" not in e] == []


def test_api_doc_page_meets_the_site_policy(browser, live_server, urls):
    """Swagger UI under the site's own header (data: images added for that page only)."""
    page = open_page(browser, f"{live_server.url}/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert csp_violations(page) == []
    assert page.errors == []


@pytest.fixture
def admin_pages(urls, django_user_model):
    """Admin addresses, read (like `urls`) before the browser starts, and a superuser (a live
    server's database is flushed between tests, taking the committee group with it)."""
    django_user_model.objects.create_superuser("curator", password="not-used")
    talk = Talk.objects.select_related("session__conference").get(title__startswith="SPOK")
    return {
        "session": reverse("admin:program_session_change", args=[talk.session_id]),
        "talk": reverse("admin:program_talk_change", args=[talk.pk]),
        "readiness": reverse(
            "admin:program_conference_readiness", args=[talk.session.conference_id]
        ),
        "import": reverse("admin:program_conference_import"),
    }


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
    page.locator(".zone-picker > summary").click()  # one short line until opened (issue 19)
    picker = page.get_by_label("Also show times in")
    assert picker.is_visible()
    picker.select_option("Asia/Tokyo")
    # A zone the viewer picked says where it is, not "your time".
    assert first_session(page).locator(".your-time").inner_text() == (
        "Wed, 01:00–02:30 in Tokyo, GMT+9"
    )
    page.reload()
    page.locator(".zone-picker > summary").click()
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
    # On a phone the header's search is a link to the search page and its one box (issue 19).
    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_label("Search talks, speakers and organisations").fill("Kubernetes")
    page.get_by_label("Search talks, speakers and organisations").press("Enter")
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
    page.locator(".zone-picker > summary").click()
    assert page.get_by_label("Also show times in").is_visible()


def test_zone_picker_offers_common_zones_first_and_finds_one_by_name(browser, program_url):
    page = open_page(browser, program_url, zone="Europe/Berlin")
    page.locator(".zone-picker > summary").click()
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
