"""End to end in a real browser: headless Chromium driven by Selenium
(Debian's chromium, chromium-driver, python3-selenium; `make deps`).

What a planner does: open the page, load configs/default.cfg, change the
number of workers, run, wait for the answer, read the wait from the page
(the median when the simulator reports it, else the mean among those
assigned) and check it is the HDF5 file's number; run a second option and
compare the two. On failure every page visited is saved as a screenshot
under results/web-e2e-failure/.
"""
import os
import re
import shutil

import h5py
import pytest

from conftest import ROOT, start_server, stop_server

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SHOTS = os.path.join(ROOT, "results", "web-e2e-failure")
WAIT = 60   # seconds for any one page state; the whole test takes about 15 s


@pytest.fixture
def server(tmp_path, real_bin):
    p, url = start_server(tmp_path / "results", real_bin)
    yield url, tmp_path / "results"
    stop_server(p)


@pytest.fixture
def browser():
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            pytest.fail(f"{path} is missing: `make deps` installs chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900",
              "--disable-gpu", "--no-first-run", "--disable-extensions"):
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    d.set_page_load_timeout(WAIT)
    yield d
    d.quit()


class Pages:
    """Remembers a full-height screenshot of each page visited, written out
    only if the test fails."""

    def __init__(self, driver):
        self.d = driver
        self.shots = []

    def shot(self, name):
        try:
            h = self.d.execute_script("return document.documentElement.scrollHeight")
            self.d.set_window_size(1366, max(900, min(int(h), 6000)))
            self.shots.append((name, self.d.get_screenshot_as_png()))
            self.d.set_window_size(1366, 900)
        except Exception as e:  # noqa: BLE001 - a screenshot must not hide the real failure
            self.shots.append((f"{name}-no-screenshot", str(e).encode()))

    def save(self):
        shutil.rmtree(SHOTS, ignore_errors=True)
        os.makedirs(SHOTS, exist_ok=True)
        self.shot("at-failure")
        for i, (name, data) in enumerate(self.shots):
            ext = "png" if data[:4] == b"\x89PNG" else "txt"
            with open(os.path.join(SHOTS, f"{i:02d}-{name}.{ext}"), "wb") as fh:
                fh.write(data)


def file_value(h5, metric):
    with h5py.File(h5, "r") as f:
        for r in f["summary"][...]:
            if r["metric"].decode() == metric and int(r["scenario"]) == 0:
                return float(r["mean"])
    raise KeyError(metric)


def test_planner_changes_staffing_runs_reads_and_compares(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait

    url, results = server
    d = browser
    pages = Pages(d)
    wait = WebDriverWait(d, WAIT)

    def run_option(workers, label):
        d.get(url + "/")
        Select(d.find_element(By.ID, "start-select")).select_by_value("default.cfg")
        d.find_element(By.ID, "load-button").click()
        wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "from configs/default.cfg"))
        pages.shot("scenario")
        field = d.find_element(By.NAME, "staff.workers")
        assert field.get_attribute("value") == "12"
        field.clear()
        field.send_keys(str(workers))
        name = d.find_element(By.ID, "run-label")
        name.clear()
        name.send_keys(label)
        d.find_element(By.ID, "run-button").click()
        wait.until(EC.presence_of_element_located((By.ID, "run-head")))
        pages.shot(f"run-{workers}-started")
        wait.until(EC.presence_of_element_located((By.ID, "answer")))
        pages.shot(f"run-{workers}-answer")
        rid = d.find_element(By.ID, "run-head").get_attribute("data-run")
        shown = d.find_element(By.ID, "answer-wait")
        metric = shown.get_attribute("data-metric")
        link = [a for a in d.find_elements(By.CSS_SELECTOR, ".downloads a") if a.text.endswith(".h5")][0]
        h5 = results / "runs" / rid / link.text
        want = file_value(h5, metric)
        assert metric in ("wait_median_days", "wait_days")
        assert shown.text == f"{want:.1f}"
        assert float(shown.get_attribute("data-value")) == want
        label_text = d.find_element(By.ID, "answer-wait-label").text
        assert label_text == ("median wait" if metric == "wait_median_days" else "mean wait (among those assigned)")
        for card in d.find_elements(By.CSS_SELECTOR, ".card.service"):   # P(wait <= X) when the file has it
            m = card.get_attribute("data-metric")
            big = card.find_element(By.CSS_SELECTOR, ".big")
            assert float(big.get_attribute("data-value")) == file_value(h5, m)
        with h5py.File(h5, "r") as f:
            assert f"workers = {workers};" in f.attrs["config_text"].decode()
        return rid, want

    try:
        a, wait_a = run_option(11, "eleven coaches")
        b, wait_b = run_option(12, "twelve coaches")
        d.get(url + "/runs")
        wait.until(EC.presence_of_element_located((By.ID, "runs-table")))
        pages.shot("runs")
        for rid in (a, b):
            d.find_element(By.CSS_SELECTOR, f'input[type=checkbox][value="{rid}"]').click()
        d.find_element(By.ID, "compare-button").click()
        wait.until(EC.presence_of_element_located((By.ID, "compare-table")))
        pages.shot("compare")
        head = d.find_element(By.CSS_SELECTOR, "#compare-table thead").text
        assert head.index("eleven coaches") < head.index("twelve coaches")
        vals = [float(e.get_attribute("data-value")) for e in d.find_elements(By.CSS_SELECTOR, ".compare-wait")]
        assert vals == [wait_a, wait_b]
        assert wait_a > wait_b          # fewer coaches, longer waits (same referrals: common random numbers)
        d.switch_to.frame(d.find_element(By.ID, "compare-frame"))
        assert "comparison" in d.find_element(By.TAG_NAME, "h1").text
        body = d.find_element(By.TAG_NAME, "body").text
        assert re.search(r"paired", body)
        d.switch_to.default_content()
    except BaseException:
        pages.save()
        raise
