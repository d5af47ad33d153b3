"""The API's doc page (/api/docs/, Swagger UI) in Debian's Chromium, under the strict Content
Security Policy it is meant to live with: everything from this site, no inline code, images
also as data: URIs (Swagger UI's stylesheet draws its icons so). The header is added here, in the
browser, so the test needs nothing of the site's own CSP setup."""

import pytest

from tests.browser.support import BROWSER_MARKS, SCREENSHOTS

pytestmark = BROWSER_MARKS


# What the doc page needs, and no more (docs/integrators/api.md).
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


@pytest.fixture
def docs_url(live_server, transactional_db, opml20):
    return f"{live_server.url}/api/docs/"


@pytest.fixture
def page(docs_url, chromium):
    page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.errors, page.hosts = [], set()
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("request", lambda r: page.hosts.add(r.url.split("/")[2]))

    def with_csp(route):
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": DOCS_CSP}
        route.fulfill(response=response, headers=headers)

    page.route(docs_url, with_csp)
    return page


def test_the_doc_page_shows_every_endpoint_under_a_strict_csp(page, docs_url):
    page.goto(docs_url)
    page.locator(".opblock").first.wait_for()
    assert "OpML program API" in page.locator(".info .title").inner_text()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    for endpoint in ["conferences", "days", "sessions", "talks", "speakers", "organisations"]:
        assert f"/api/{endpoint}/" in [p.strip().replace("\u200b", "") for p in paths]
    assert page.errors == []
    assert page.hosts == {docs_url.split("/")[2]}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "api-docs.png")


def test_the_doc_page_can_try_an_endpoint(page, docs_url):
    page.goto(docs_url)
    operation = page.locator("#operations-conferences-conferences_list")
    operation.locator(".opblock-summary").click()
    operation.locator(".try-out__btn").click()
    operation.locator(".execute").click()
    body = operation.locator(".responses-wrapper .live-responses-table .microlight").first
    body.wait_for()
    assert '"id": "opml20"' in body.inner_text()
    assert page.errors == []
