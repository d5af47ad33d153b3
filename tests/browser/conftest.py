"""One Chromium per worker, shared by the browser tests; each test opens its own contexts (its
own cookies, storage and viewport), which are closed after it."""

import asyncio
import threading
import time

import pytest

from tests import tools
from tests.browser.support import CHROMIUM, launch_chromium


@pytest.fixture(scope="session")
def _chromium():
    sync_api = tools.load("playwright.sync_api", "playwright is not installed (make install-dev)")
    tools.require(
        CHROMIUM.exists(), "Debian's Chromium is not installed (apt-get install chromium)"
    )
    manager = sync_api.sync_playwright()
    playwright = manager.start()
    browser = launch_chromium(playwright)
    # Playwright marks its event loop as running in this thread between its calls, and Django
    # then refuses the ORM here (SynchronousOnlyOperation). The mark is kept only while a browser
    # test runs: after its data fixtures are made and before they are torn down.
    loop = asyncio.get_running_loop()
    asyncio._set_running_loop(None)
    yield browser, loop
    asyncio._set_running_loop(loop)
    try:
        browser.close()
        playwright.stop()
    finally:
        asyncio._set_running_loop(None)  # the test database is dropped after this


@pytest.fixture
def chromium(_chromium):
    """The worker's Chromium, for one test. Ask for it after the fixtures that read or write the
    database: once Playwright runs, Django refuses database access from this thread."""
    browser, loop = _chromium
    asyncio._set_running_loop(loop)
    try:
        yield browser
        for context in browser.contexts:
            context.close()
    finally:
        asyncio._set_running_loop(None)
    wait_for_requests_in_flight()


def wait_for_requests_in_flight(timeout=10):
    """Let the live server finish the requests the closed pages left in flight (a favicon, a
    script), while the test's database is still there: its teardown would otherwise flush the
    tables under an open request."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
        thread.name.endswith("(process_request_thread)") for thread in threading.enumerate()
    ):
        time.sleep(0.02)
