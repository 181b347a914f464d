"""What the browser tests share: Debian's Chromium driven by Playwright (never a
downloaded browser; `apt-get install chromium`, listed in .ci/apt-packages), one
launch per test module, a record of the script errors a page reports, and
screenshots under test-output/browser/."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import pytest

from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
OUTPUT = ROOT / "test-output" / "browser"
MARK_BACKGROUND = "rgb(255, 233, 138)"  # --mark in style.css

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} not found (apt-get install chromium; see .ci/apt-packages)"
)


@contextmanager
def launched_chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def script_errors(page, expected: Callable[[str], bool] = lambda text: False) -> list[str]:
    """The list that the page's script errors and CSP violations (console
    errors, uncaught exceptions) are added to from now on, but `expected` ones."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" and not expected(message.text) else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def save_screenshot(page, name: str, full_page: bool = True) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / name
    page.screenshot(path=str(path), full_page=full_page)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return path
