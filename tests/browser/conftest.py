"""Browser tests drive Debian's Chromium (/usr/bin/chromium) with Playwright.

Playwright never downloads a browser here. Without Chromium the tests skip, saying why, except
under CI, where a missing browser is a failure. Each test saves a screenshot of the page it
checks under var/screenshots/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def chromium():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs Chromium at {CHROMIUM} (apt-get install chromium)")
        pytest.skip(
            f"no Chromium at {CHROMIUM}; install Debian's chromium package to run browser tests"
        )
    # Playwright's sync API runs an event loop; Django must allow its ORM calls alongside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# Records every Content-Security-Policy violation the page reports, before any page script runs.
_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `Content Security Policy: ${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


def csp_violations(page) -> list[str]:
    """Violations the current document reported so far (its securitypolicyviolation events)."""
    return page.evaluate("window.__cspViolations || []")


@pytest.fixture
def page_factory(chromium):
    """Pages whose console is collected: a test fails on any CSP violation while it runs."""
    contexts, console = [], []

    def make(viewport=PHONE, locale=None):
        # ``locale`` sets the browser's language (Accept-Language), e.g. "es-MX".
        context = chromium.new_context(viewport=viewport, **({"locale": locale} if locale else {}))
        context.add_init_script(_CSP_LISTENER)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: console.append(message.text))
        return page

    yield make
    for context in contexts:
        for page in context.pages:
            if not page.is_closed():
                console.extend(csp_violations(page))
        context.close()
    # Chromium logs each violation to the console ("… violates the following Content Security
    # Policy directive …"); the listener's reports of the last document are added above.
    violations = [text for text in console if "Content Security Policy" in text]
    assert violations == [], violations


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
