"""The embed page in Chromium (issue 19): a page on a listed origin shows it in an <iframe>, a
page on another origin cannot, nor can any origin frame the program page itself; axe on it."""

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.browser.support import BROWSER_MARKS, launch_chromium

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe is not installed")

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


class HostPage(BaseHTTPRequestHandler):
    """The conference's own site: a page that frames the address in its query string."""

    def do_GET(self):
        src = html.escape(parse_qs(urlsplit(self.path).query)["src"][0])
        body = f'<!DOCTYPE html><title>Host</title><iframe src="{src}"></iframe>'.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def hosts():
    """Two host sites on other loopback origins than the live server's "localhost" (Chromium
    keeps public origins from framing local ones): the first listed, the second not."""
    servers = [ThreadingHTTPServer((ip, 0), HostPage) for ip in ("127.0.0.1", "127.0.0.2")]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield [
        f"http://{ip}:{server.server_address[1]}"
        for ip, server in zip(("127.0.0.1", "127.0.0.2"), servers, strict=True)
    ]
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(live_server, transactional_db, opml20, settings, hosts):
    settings.EMBED_ALLOWED_ORIGINS = [hosts[0]]
    return {
        "embed": f"{live_server.url}/opml20/embed/",
        "program": f"{live_server.url}/opml20/",
        "listed": hosts[0],
        "unlisted": hosts[1],
    }


@pytest.fixture
def browser(site):
    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def framed(browser, origin, src):
    """The frame's heading as a page on `origin` shows it, or None if the frame was refused
    (Chromium then shows its own error page in the frame)."""
    page = browser.new_page()
    page.goto(f"{origin}/schedule?src={quote(src)}")
    page.wait_for_timeout(1000)
    frame = page.frames[1]
    text = None if frame.url.startswith("chrome-error:") else frame.locator("h1").inner_text()
    page.close()
    return text


def test_a_listed_origin_may_frame_the_embed_page_and_no_other(browser, site):
    assert framed(browser, site["listed"], site["embed"]) == "OpML '20 Conference Program"
    assert framed(browser, site["unlisted"], site["embed"]) is None
    assert framed(browser, site["listed"], site["program"]) is None


@pytest.mark.parametrize("width", [375, 1280])
def test_the_embed_page_passes_axe(browser, site, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    violations = []
    page.on("console", lambda m: m.type == "error" and violations.append(m.text))
    page.goto(site["embed"])
    assert page.locator(".site-header").count() == 0
    results = axe.Axe().run(page, options=WCAG)
    assert results.response["violations"] == [], results.generate_report()
    assert violations == []
