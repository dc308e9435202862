"""The console in a real headless browser (Debian's chromium driven by Playwright) against a live server.

Every request the page makes goes through `page.route`: one to anything but this machine fails
the test (the console must work offline: no CDN, no web font). Screenshots of each page are
written to tests/output/ for people to look at.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.optserve.conftest import server_url  # noqa: F401  (the live-server fixture)

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUTPUT = Path(__file__).parents[1] / "output"
LOCAL = frozenset({"127.0.0.1", "localhost"})
TSP = {"kind": "tsp", "metric": "euclidean",
       "coordinates": [[(i * 37) % 101, (i * 59) % 97] for i in range(60)]}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    outside: list[str] = []

    def local_only(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOCAL or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.route("**/*", local_only)
    yield page
    context.close()
    assert outside == [], f"the console requested outside this machine: {outside}"


def shot(page: Page, name: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"console-{name}.png"), full_page=True)


def drawn(page: Page, plot: str) -> None:
    """The job page shows the picture `plot`, loaded: waits as long as the server may take to draw it
    beside other tests, and says what the page showed instead when it never comes."""
    image = f"figure[data-plot={plot}] img"
    try:
        page.wait_for_function(f"(document.querySelector('{image}') || {{}}).naturalWidth > 0", timeout=20_000)
    except PlaywrightTimeout:
        pictures = page.locator("#content").inner_html()
        raise AssertionError(f"no {plot} picture drawn within 20 s; the page held:\n{pictures}") from None
    expect(page.locator(image)).to_be_visible()


def submit(base: str, problem: dict[str, Any], solver: str, time_limit: float) -> str:
    body = {"problem": problem, "solver": solver, "options": {"time_limit": time_limit}}
    response = httpx.post(f"{base}/jobs", json=body, timeout=10)
    assert response.status_code == 202, response.text
    job_id: str = response.json()["id"]
    return job_id


def test_a_job_shows_in_the_list_and_its_page_goes_live_to_succeeded(page: Page, server_url: str) -> None:  # noqa: F811
    job_id = submit(server_url, TSP, "tsp_ls", 3)
    page.goto(f"{server_url}/ui")
    expect(page.locator(f"tr[data-job='{job_id}']")).to_contain_text("tsp")
    shot(page, "jobs")
    page.goto(f"{server_url}/ui/jobs/{job_id}")
    page.evaluate("window.notReloaded = true")
    expect(page.locator("#status")).to_have_text("succeeded", timeout=20_000)
    assert page.evaluate("window.notReloaded") is True  # updated in place from the event stream
    for plot in ("tour", "convergence"):
        drawn(page, plot)
    expect(page.locator("#download")).to_be_visible()
    shot(page, "job")


def test_the_cancel_button_cancels_a_long_job(page: Page, server_url: str) -> None:  # noqa: F811
    knapsack = httpx.get(f"{server_url}/problems/knapsack").json()["example"]["problem"]
    job_id = submit(server_url, knapsack, "stubborn", 30)
    page.goto(f"{server_url}/ui/jobs/{job_id}")
    expect(page.locator("#status")).to_have_text("running", timeout=10_000)
    page.locator("#cancel").click()
    expect(page.locator("#status")).to_have_text("cancelled", timeout=10_000)
    assert httpx.get(f"{server_url}/jobs/{job_id}").json()["status"] == "cancelled"


def test_new_job_from_an_example_and_the_solvers_page(page: Page, server_url: str) -> None:  # noqa: F811
    page.goto(f"{server_url}/ui/new")
    page.select_option("#family", "scheduling")
    page.click("#from-example button")
    expect(page.locator("#request")).to_have_value(re.compile(r'"kind": "scheduling"'))
    shot(page, "new")
    page.click("#submit-form button.primary")
    page.wait_for_url("**/ui/jobs/*")
    expect(page.locator("#status")).to_have_text("succeeded", timeout=20_000)
    expect(page.locator("figure[data-plot=gantt] img")).to_be_visible()
    shot(page, "job-gantt")
    page.goto(f"{server_url}/ui/solvers")
    expect(page.locator("table.grid")).to_contain_text("tsp_ls")
    shot(page, "solvers")
