"""The web page in a real browser: Playwright driving Debian's Chromium (``apt-get install
chromium``; never ``playwright install``). Skipped, saying why, where either is missing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the 'serve' extra is not installed")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = (ROOT / "examples" / "atmeh-raid.spun.txt").read_text(encoding="utf-8")
# The README's screenshot; rewritten only on request, so a test run leaves the tree clean.
SCREENSHOT = ROOT / "docs" / "img" / "serve.png"
UPDATE_SCREENSHOT = os.environ.get("UNSPIN_UPDATE_SCREENSHOT") == "1"
CHROMIUM = os.environ.get("UNSPIN_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]
EVIL = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"><b>bold?</b>'


@pytest.fixture(scope="module")
def server():
    """`unspin serve --port 0` in a child process; yields its URL."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    env.pop("UNSPIN_API_KEY", None)
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from unspin.cli import main; sys.exit(main())",
                             "serve", "--host", "127.0.0.1", "--port", "0"],
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        url = None
        for line in proc.stderr:  # the models load first; the address is printed once they have
            m = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
            if m:
                url = m.group(1)
                break
        assert url, "unspin serve did not start"
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


@pytest.fixture(scope="module")
def page():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    if not (os.path.isfile(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            pg = browser.new_page(viewport={"width": 1280, "height": 900})
            yield pg
        finally:
            browser.close()


def _check(page, url: str, text: str) -> None:
    page.goto(url)
    page.fill("#text", text)
    page.focus("#text")
    # By keyboard: Tab past the file input to the button, then Enter.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_paste_example_shows_highlights_and_restoration(page, server, tmp_path):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _check(page, server, EXAMPLE + "\n\n" + EVIL)
    marks = page.locator("#spun mark")
    assert marks.count() > 5
    assert "risk" in page.locator(".risk").inner_text().lower()
    # The likely original shows on keyboard focus, not only on hover.
    first = marks.first
    first.focus()
    tip = first.evaluate("m => getComputedStyle(m, '::after').content")
    assert "likely original" in tip
    # Pasted markup is shown as text and never run.
    assert EVIL in page.locator("#spun").inner_text()
    assert page.locator("#result script, #result img, #result b").count() == 0
    assert page.evaluate("window.__pwned === undefined") and not dialogs
    # The toggle: restored text, then side by side.
    assert not page.locator("#restored").is_visible()
    page.locator("label[for=v-restored]").click()
    restored = page.locator("#restored")
    assert restored.is_visible() and restored.locator("mark.edit").count() > 5
    assert restored.inner_text() != page.locator("#spun").inner_text()
    page.locator("label[for=v-diff]").click()
    assert page.locator("#diff").is_visible()
    page.locator("label[for=v-spun]").click()
    first.focus()
    shot = SCREENSHOT if UPDATE_SCREENSHOT else tmp_path / "serve.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
