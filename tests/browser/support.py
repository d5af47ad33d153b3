"""What every browser test shares: Debian's Chromium, launched the one way that works here
(Playwright's own browser download does not), the page sizes we check, and where screenshots go.
The browser itself is the `chromium` fixture (tests/browser/conftest.py): one per worker."""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}

# `pytestmark` of every browser test module (a missing Chromium: the `chromium` fixture says so).
BROWSER_MARKS = [pytest.mark.browser]


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
