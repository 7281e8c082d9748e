"""The pages in a real browser (headless Chromium through Selenium, Debian's
chromium, chromium-driver and python3-selenium): at 1 366 px no table needs
sideways scrolling and the page itself does not either, and sortable tables
sort when a header is clicked."""
import json
import os

import pytest

from conftest import ROOT, cli, simulate


@pytest.fixture(scope="module")
def browser():
    try:
        from selenium import webdriver
    except ImportError:
        pytest.skip("python3-selenium is not installed (make deps installs it)")
    opts = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,900"):
        opts.add_argument(a)
    try:
        d = webdriver.Chrome(options=opts)
    except Exception as e:  # noqa: BLE001 - no chromium / chromium-driver
        pytest.skip(f"headless Chromium could not start ({type(e).__name__}); make deps installs it")
    yield d
    d.quit()


def layout(browser, page):
    browser.get("file://" + os.path.abspath(page))
    return browser.execute_script("""
      var de = document.documentElement;
      return {page: [de.scrollWidth, de.clientWidth],
              wide: Array.from(document.querySelectorAll('.tw')).filter(e => e.scrollWidth > e.clientWidth + 1)
                         .map(e => e.querySelector('tr').textContent.slice(0, 80)),
              images: Array.from(document.images).filter(i => !i.complete || i.naturalWidth == 0).length};""")


def assert_fits(browser, page):
    got = layout(browser, page)
    assert got["page"][0] <= got["page"][1], f"{page}: the page scrolls sideways: {got['page']}"
    assert got["wide"] == [], f"{page}: tables wider than the page: {got['wide']}"
    assert got["images"] == 0, f"{page}: figures that do not load"


def column_sort_values(browser, table_index, col):
    return browser.execute_script(
        "var t = document.querySelectorAll('table.sortable')[arguments[0]];"
        "return Array.from(t.tBodies[0].rows).map(r => r.cells[arguments[1]].getAttribute('data-sort'));",
        table_index, col)


def click_header(browser, table_index, col):
    browser.execute_script(
        "document.querySelectorAll('table.sortable')[arguments[0]].tHead.rows[0].cells[arguments[1]].click();",
        table_index, col)


def numbers(values):
    return [float(v) for v in values if v not in (None, "")]


def test_compare_page_of_a_study_fits_and_sorts(browser, tiny_study, tmp_path):
    out = tmp_path / "cmp"
    r = cli("compare", str(tiny_study), "-o", str(out), "-q")
    assert r.returncode == 0, r.stderr
    assert_fits(browser, out / "index.html")
    n_tables = browser.execute_script("return document.querySelectorAll('table.sortable').length")
    assert n_tables >= 3  # scenarios + metric tables
    metrics = json.loads((out / "compare.json").read_text())["metrics"]
    wait_assigned = {n: v["mean"] for n, v in metrics["wait_days_assigned"]["scenarios"].items()}  # the first metric
    click_header(browser, 1, 1)  # first metric table, first metric (wait)
    up = numbers(column_sort_values(browser, 1, 1))
    assert up == sorted(up) and len(up) == 8
    assert sorted(up) == sorted(wait_assigned.values())
    click_header(browser, 1, 1)
    down = numbers(column_sort_values(browser, 1, 1))
    assert down == sorted(up, reverse=True)


def test_report_pages_fit(browser, tiny_report, workdir):
    assert_fits(browser, tiny_report / "index.html")
    money = workdir / "browser_money.h5"
    simulate([os.path.join(ROOT, "configs", "money_jobbstudion.cfg"), "-o", str(money), "--reps", "3"], workdir)
    out = workdir / "browser_money_report"
    r = cli("report", str(money), "-o", str(out), "-q")
    assert r.returncode == 0, r.stderr
    assert_fits(browser, out / "index.html")
    prog = workdir / "browser_programme.h5"
    simulate([os.path.join(ROOT, "configs", "programme_all.cfg"), "-o", str(prog), "--reps", "3"], workdir)
    out = workdir / "browser_programme_report"
    r = cli("report", str(prog), "-o", str(out), "-q")
    assert r.returncode == 0, r.stderr
    assert_fits(browser, out / "index.html")


def test_study_report_table_fits_and_sorts(browser, sweep_study, tmp_path):
    out = tmp_path / "rep"
    r = cli("report", str(sweep_study), "-o", str(out), "-q")
    assert r.returncode == 0, r.stderr
    assert_fits(browser, out / "index.html")
    s = json.loads((out / "summary.json").read_text())["study"]
    col = 2 + len(s["parameters"]) + s["metrics"].index("waiting_list")
    idx = browser.execute_script("return Array.from(document.querySelectorAll('table.sortable'))"
                                 ".findIndex(t => t.id == 'all-scenarios-table')")
    assert idx >= 0
    click_header(browser, idx, col)
    up = numbers(column_sort_values(browser, idx, col))
    assert len(up) == 13 and up == sorted(up)
    assert sorted(up) == sorted(r["metrics"]["waiting_list"]["mean"] for r in s["scenarios"])
    click_header(browser, idx, 0)  # back to the study's order by '#'
    assert numbers(column_sort_values(browser, idx, 0)) == list(range(13))


def test_sweep_pages_fit(browser, sweep_study, tiny_study, tmp_path):
    for name, path in (("sweep", sweep_study), ("tiny", tiny_study)):
        out = tmp_path / name
        r = cli("sweep", str(path), "-o", str(out), "-q")
        assert r.returncode == 0, r.stderr
        assert_fits(browser, out / "index.html")
