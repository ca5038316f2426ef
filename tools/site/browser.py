"""A headless Chromium driven by Selenium: the browser test's driver and the README's screenshot.

Uses the system's chromium and chromedriver (Debian: ``apt-get install chromium
chromium-driver``); Selenium is never allowed to download a browser.

    python -m tensorcts.tools.site.browser --site site --screenshot docs/img/matrix.png
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("chromedriver",)


def missing() -> str | None:
    """Why no browser can run here (None when one can): the browser test skips with this reason."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: pip install -e '.[site]'"
    if not _which(BROWSERS):
        return "no chromium on PATH: apt-get install -y chromium chromium-driver"
    if not _which(DRIVERS):
        return "no chromedriver on PATH: apt-get install -y chromium-driver"
    return None


def _which(names: Sequence[str]) -> str | None:
    return next((p for p in map(shutil.which, names) if p), None)


def chromium(width: int = 1400, height: int = 900):
    """A headless Chromium (selenium WebDriver) that records the console."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    reason = missing()
    if reason:
        raise RuntimeError(reason)
    options = webdriver.ChromeOptions()
    options.binary_location = _which(BROWSERS)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={width},{height}", "--allow-file-access-from-files"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    os.environ.setdefault("SE_AVOID_STATS", "true")
    return webdriver.Chrome(options=options, service=Service(executable_path=_which(DRIVERS)))


def screenshot(site: Path, out: Path, width: int = 1400, height: int = 900) -> Path:
    """A PNG of the matrix page of a built site."""
    driver = chromium(width, height)
    try:
        driver.get((site.resolve() / "matrix.html").as_uri())
        # open one cell's "why", so the picture shows what a cell holds
        driver.execute_script("const d = document.querySelector('#matrix details'); if (d) d.open = true;")
        out.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(out))
    finally:
        driver.quit()
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="screenshot the matrix page of a built site")
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--screenshot", type=Path, required=True, help="the PNG to write")
    args = parser.parse_args(argv)
    reason = missing()
    if reason:
        print(f"no browser: {reason}", file=sys.stderr)
        return 1
    print(screenshot(args.site, args.screenshot))
    return 0


if __name__ == "__main__":
    sys.exit(main())
