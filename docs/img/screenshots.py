"""Retake the program page's screenshots in the README and docs (docs/contributors/docs.md).

Usage: .venv/bin/python docs/img/screenshots.py [PROGRAM_URL]

Debian's Chromium, driven by Playwright (the dev extra), against a site that is already running,
e.g. under `make serve`. The viewer is in Berlin, so each time shows the reader's own beside the
conference's.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWER = {"timezone_id": "Europe/Berlin", "locale": "en-GB"}


def main(url="http://127.0.0.1:8000/opml20/"):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        # A phone: 375 CSS px wide at twice the density, the first screen and a half.
        phone = browser.new_page(
            viewport={"width": 375, "height": 812}, device_scale_factor=2, **VIEWER
        )
        phone.goto(url)
        phone.screenshot(
            path=HERE / "program-phone.png",
            clip={"x": 0, "y": 0, "width": 375, "height": 1200},
            full_page=True,
        )
        # A desktop: 1280 px, the first screen.
        desktop = browser.new_page(viewport={"width": 1280, "height": 860}, **VIEWER)
        desktop.goto(url)
        desktop.screenshot(path=HERE / "program-desktop.png")
        browser.close()
    for name in ("program-phone.png", "program-desktop.png"):
        print(f"{HERE / name}: {(HERE / name).stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(*sys.argv[1:2])
