"""The built website in a real browser: headless Chromium (Debian's package) driven by Selenium.

Skips, saying why, where chromium, chromedriver or selenium is missing.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

pytest.importorskip("markdown_it", reason="the site needs markdown-it-py: pip install -e '.[site]'")

from tensorcts.tools.site import browser  # noqa: E402
from tensorcts.tools.site.build import build_site, spec_rules  # noqa: E402
from tensorcts.tools.site.reports import load_dir  # noqa: E402

from tests.helpers import ROOT  # noqa: E402

if browser.missing():
    pytest.skip(browser.missing(), allow_module_level=True)

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

REPORTS = load_dir(ROOT / "docs" / "results" / "reports")
RULES = spec_rules()  # in the matrix's order


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    build_site(REPORTS, out)
    return out


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module", params=["file", "http"])
def base(request, site) -> str:
    """The site's root URL, opened from the file system or served by a plain static server."""
    if request.param == "file":
        yield site.as_uri() + "/"
        return
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def driver():
    d = browser.chromium()
    yield d
    d.quit()


def _open(driver, url: str) -> None:
    driver.get(url)
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], f"console errors on {url}: {errors}"


def _visible_rows(driver) -> list[str]:
    return [row.get_attribute("id").removeprefix("row-")
            for row in driver.find_elements(By.CSS_SELECTOR, "#matrix tbody tr") if row.is_displayed()]


def test_a_matrix_cell_leads_to_the_rule_text(driver, base):
    _open(driver, base + "matrix.html")
    backend = REPORTS[0].name
    cell = driver.find_element(By.CSS_SELECTOR, f'tr[id="row-matmul.vector-matrix"] td[data-backend="{backend}"] a')
    cell.click()
    assert driver.current_url == base + "spec/matmul.html#matmul.vector-matrix"
    target = driver.execute_script("return document.querySelector(':target')")
    assert target.get_attribute("id") == "matmul.vector-matrix" and target.is_displayed()
    assert "matmul.vector-matrix" in target.text
    # the rule's own text scrolled into view, below the sticky header
    top = driver.execute_script("return arguments[0].getBoundingClientRect().top", target)
    header = driver.execute_script("return document.querySelector('header').getBoundingClientRect().bottom")
    assert header <= top < 200


def test_filters_show_exactly_the_matching_rows(driver, base):
    _open(driver, base + "matrix.html")
    assert len(_visible_rows(driver)) == len(RULES)
    report = next(r for r in REPORTS if any(e.get("status") == "xfail" for e in r.rules.values()))
    Select(driver.find_element(By.ID, "f-backend")).select_by_value(report.name)
    Select(driver.find_element(By.ID, "f-status")).select_by_value("xfail")
    Select(driver.find_element(By.ID, "f-level")).select_by_value("core")
    expected = [r for r, rule in RULES.items() if rule.level == "core" and report.status(r) == "xfail"]
    assert expected and _visible_rows(driver) == expected
    assert driver.find_element(By.ID, "shown-count").text == f"{len(expected)} of {len(RULES)} rules shown"
    shown = {c.get_attribute("data-backend") for c in driver.find_elements(By.CSS_SELECTOR, "td.cell")
             if c.is_displayed()}
    assert shown == {report.name}
    Select(driver.find_element(By.ID, "f-area")).select_by_value("matmul")
    assert _visible_rows(driver) == [r for r in expected if RULES[r].area == "matmul"]
    # the filters travel in the URL
    query = urlsplit(driver.current_url).query
    _open(driver, base + "matrix.html?" + query)
    assert _visible_rows(driver) == [r for r in expected if RULES[r].area == "matmul"]


def test_the_search_box_finds_a_rule(driver, base):
    _open(driver, base + "spec/index.html")
    box = driver.find_element(By.ID, "search")
    box.send_keys("vector matrix")
    first = driver.find_element(By.CSS_SELECTOR, "#search-results a")
    assert first.text.startswith("matmul.vector-matrix")
    box.send_keys(Keys.ENTER)
    assert driver.current_url.endswith("spec/matmul.html#matmul.vector-matrix")


def test_every_internal_link_resolves_and_no_page_logs_an_error(driver, site, base):
    ids: dict[str, set[str]] = {}
    pending, refs = [base + "index.html"], []
    while pending:  # every page reachable from the home page
        page = pending.pop()
        if page in ids:
            continue
        _open(driver, page)
        ids[page] = set(driver.execute_script("return Array.from(document.querySelectorAll('[id]'), e => e.id)"))
        hrefs = driver.execute_script(
            "return Array.from(document.querySelectorAll('a[href], link[href], script[src], img[src]'),"
            " e => e.href || e.src)")
        for href in hrefs:
            if href.startswith(base):
                refs.append((page, href))
                url, _ = urldefrag(href)
                if url.endswith(".html") and url not in ids:
                    pending.append(url)
    broken = []
    for page, href in refs:
        url, fragment = urldefrag(href)
        path = site / unquote(url.removeprefix(base))
        if not path.is_file():
            broken.append(f"{page} -> {href} (no file)")
        elif fragment and url.endswith(".html") and fragment not in ids[url]:
            broken.append(f"{page} -> {href} (no anchor)")
    assert broken == []
    pages = {(site / unquote(p.removeprefix(base))).resolve() for p in ids}
    assert pages == {p.resolve() for p in site.rglob("*.html")}, "a page no link reaches"
