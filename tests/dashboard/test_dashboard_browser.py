"""End to end: the real dashboard server on 127.0.0.1, driven in Debian's headless chromium.

Two servers, started as `make run` starts one (no flag about usage statistics: the repository's
.streamlit/config.toml must be enough): one in an empty directory, whose missing catalog.db is built
from data/policies on first load; one on the 13-version catalog a DPO's reviewer tried (the seed, the
Alibaba.com history, the other policies). Every request to anything but loopback is blocked and
recorded, and a test fails on any attempt. Playwright (sync API) drives the system browser
(/usr/bin/chromium: no browser download); screenshots go to test-artifacts/screenshots/. With
ROPA_REQUIRE_BROWSER=1 (CI) a missing chromium fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.conftest import ROOT, stop_process, write_markup_policy

ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

#: Every wait in this test is explicit and generous: a shared, loaded CI machine (load 4-10 on two
#: cores) can take many seconds to build the demo catalog on the first page. Playwright's `expect`
#: does not follow `page.set_default_timeout`, so its own default is raised too.
WAIT_MS = 90_000

PAGES = {"": "Record of processing activities", "activities": "Processing activities", "transfers": "Transfers",
         "findings": "Findings", "data_map": "Data map", "lineage": "Lineage", "evidence": "Evidence",
         "diff": "Policy diff", "changes": "What changed", "review": "Review"}
ALIBABA_2019 = "org=alibaba-com&version=alibaba-com-2019-01-17"
SPECIAL_FILL = "#ff9e9e"

pytestmark = [pytest.mark.timeout(900), pytest.mark.browser]


def _chromium() -> str:
    for candidate in (os.environ.get("ROPA_CHROMIUM", ""), "/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    message = "Debian's chromium is not installed (apt-get install chromium)"
    if os.environ.get("ROPA_REQUIRE_BROWSER"):
        pytest.fail(f"ROPA_REQUIRE_BROWSER is set but {message}")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(base: str, proc: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise AssertionError(f"streamlit did not come up in {timeout}s:\n{log.read_text()[-3000:]}")


def _serve(directory: Path, db: str | None):
    """`make run`'s command in `directory`, on a free port: yields the base URL."""
    port = _free_port()
    log = directory / "streamlit.log"
    env = {k: v for k, v in os.environ.items()
           if k not in ("ROPA_DB", "DATABASE_URL") and not k.startswith("STREAMLIT_")}
    if db:
        env["ROPA_DB"] = db
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
            cwd=directory, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc, log)
        yield base
    finally:
        stop_process(proc, timeout=10)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory):
    """In an empty directory: the default catalog.db is missing, so the dashboard builds it from
    data/policies (the demo copy of the seed) on first load."""
    tmp = tmp_path_factory.mktemp("dashboard-demo")
    for base in _serve(tmp, None):
        yield base, tmp / "catalog.db"


@pytest.fixture(scope="module")
def catalog13_server(tmp_path_factory: pytest.TempPathFactory, catalog13_db: str):
    tmp = tmp_path_factory.mktemp("dashboard-13")
    db = tmp / "catalog.db"
    shutil.copy(catalog13_db, db)
    yield from _serve(tmp, str(db))


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    """Chromium with every request to anything but loopback blocked; the attempts are in `.outside`."""
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("ROPA_REQUIRE_BROWSER"):
            raise
        pytest.skip("the playwright package is not installed (pip install -e '.[test]')")

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=executable, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1440, "height": 900})
        outside: list[str] = []

        def block(route) -> None:
            if (urlparse(route.request.url).hostname or "") in LOOPBACK:
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        def block_socket(ws) -> None:
            if (urlparse(ws.url).hostname or "") in LOOPBACK:
                ws.connect_to_server()
            else:
                outside.append(ws.url)
                ws.close()

        context.route("**/*", block)
        context.route_web_socket("**/*", block_socket)
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.set_default_navigation_timeout(WAIT_MS)
        page.outside = outside
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.dialogs = dialogs
        try:
            yield page
        finally:
            context.close()


def _idle(page) -> None:
    """Wait until the script run has finished (the status widget shows "Running..." meanwhile)."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')")
    page.wait_for_timeout(300)


def _open(page, base: str, path: str, heading: str):
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    page.goto(f"{base}/{path}")
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    _idle(page)
    assert not page.locator("[data-testid='stException']").count(), page.locator("[data-testid='stException']").first.inner_text()
    return page


def _shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(1000)  # let data grids and charts finish drawing
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 10_000
    return path


def _choose(page, label: str, option: str, within=None) -> None:
    """Pick an option of a selectbox by its label, typing it first (long option lists are virtual).

    On a loaded machine the click may land while the page is still re-running from the last choice
    (the list then holds the old options, or the typing reaches no input): the list is closed and
    opened again, up to three times, before the test fails."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = (within or page).get_by_role("combobox", name=label).first
    opt = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        _idle(page)
        box.click()
        page.keyboard.type(option)
        try:
            opt.wait_for(state="visible", timeout=WAIT_MS // 3)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        opt.click()
        _idle(page)
        return
    raise AssertionError(f"{label!r} never offered {option!r}")


def _map_nodes(page) -> list[dict]:
    """Each node of the drawn map: its text, the tag of its shape, the shape's size and fill."""
    svg = page.locator("svg:has(g.node)").first
    return svg.evaluate("""svg => [...svg.querySelectorAll('g.node')].map(g => {
        const s = g.querySelector('polygon, path, ellipse'); const b = s ? s.getBBox() : {width: 0, height: 0};
        const text = [...g.querySelectorAll('text')].map(t => t.textContent).join(' ');
        return {text: text, id: g.id, tag: s ? s.tagName : '', w: b.width, h: b.height,
                fill: s ? s.getAttribute('fill') : ''}; })""")


# ---------------------------------------------------------------- the demo, as `make run` shows it first


def test_demo_dashboard_builds_its_catalog_and_shows_policy_text_as_text(demo_server, browser, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    server, catalog_db = demo_server
    page = browser
    start = time.monotonic()
    _open(page, server, "", "Record of processing activities")
    first_page = time.monotonic() - start
    # a gross-regression guard only: the figures come from bench/bench_dashboard.py
    assert first_page < 120, f"the first page took {first_page:.1f}s"
    assert catalog_db.exists(), "the first page did not build the demo catalog"
    main = page.locator("[data-testid='stMain']").first
    expect(main.get_by_text("Top findings")).to_be_visible()
    expect(page.get_by_text("Policy version").first).to_be_visible()  # the sidebar filter

    # clicking a finding's evidence link lands on the Evidence page, on that fact
    _open(page, server, "transfers", "Transfers")
    page.get_by_role("link", name="Evidence for VKontakte (VK)").first.click()
    expect(page.get_by_role("heading", name="Evidence", level=1)).to_be_visible()
    expect(page.locator("mark.focus").first).to_contain_text("VKontakte")
    assert "fact=recipient" in page.url

    # a policy with markup in it: shown as text, nothing runs
    from catalog.pipeline.build import build
    from catalog.store.engine import make_engine

    evil = write_markup_policy(tmp_path)
    engine = make_engine(str(catalog_db))
    build([evil], engine)
    engine.dispose()
    _open(page, server, "evidence?fact=data_category:user.contact.phone_number&policy=evil-shop-2024-03-01",
          "Evidence")
    text = page.locator("div.policy-text").first
    expect(text).to_contain_text('<script>alert("pwned")</script>')
    # ingest reads "<b>phone number</b>" as its text (issue 13: quotes without markup); script and img stay, as text
    expect(text).to_contain_text("your phone number when you register")
    expect(text).to_contain_text("<img src=x onerror=alert(1)>")
    assert text.locator("script, b, img").count() == 0
    page.wait_for_timeout(500)
    assert page.dialogs == []
    _shot(page, "evidence-markup-as-text")
    assert page.outside == [], page.outside


# ---------------------------------------------------------------- the 13-version catalog


def test_no_page_sends_anything_outside(catalog13_server, browser) -> None:
    """Usage statistics, a CDN favicon or font, a chart's schema: any request to anything but loopback fails."""
    page = browser
    for query in ("", "?" + ALIBABA_2019):
        for path, heading in PAGES.items():
            _open(page, catalog13_server, path + query, heading)
    page.reload()
    _idle(page)
    assert page.outside == [], page.outside
    icon = page.evaluate("() => [...document.querySelectorAll('link[rel~=icon]')].map(l => l.href)")
    assert icon and all(urlparse(h).hostname in LOOPBACK for h in icon), icon  # served here, not from a CDN


def test_a_reload_keeps_the_scope_and_the_url_shares_it(catalog13_server, browser) -> None:
    from playwright.sync_api import expect

    page = browser
    _open(page, catalog13_server, "", "Record of processing activities")
    _choose(page, "Organisation", "Alibaba.com")
    _choose(page, "Policy version", "alibaba-com-2019-01-17")
    query = parse_qs(urlparse(page.url).query)
    assert query.get("org") == ["alibaba-com"] and query.get("version") == ["alibaba-com-2019-01-17"], page.url
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Policy versions")
    expect(metric).to_contain_text("1")
    page.reload()
    _idle(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_role("combobox", name="Organisation")).to_have_value("Alibaba.com")
    expect(sidebar.get_by_role("combobox", name="Policy version")).to_have_value("alibaba-com-2019-01-17")
    expect(metric).to_contain_text("1")
    # another page keeps the scope, in the sidebar and in its URL
    page.get_by_role("link", name="Transfers", exact=True).click()
    expect(page.get_by_role("heading", name="Transfers", level=1)).to_be_visible()
    _idle(page)
    assert "org=alibaba-com" in page.url and "version=alibaba-com-2019-01-17" in page.url, page.url
    expect(page.locator("[data-testid='stMain']").get_by_text("alibaba-com-2019-01-17").first).to_be_visible()
    assert page.outside == [], page.outside


def test_data_map_keeps_boxes_and_colours_after_a_filter_change(catalog13_server, browser) -> None:
    """The bug: after a filter change the nodes lost their shapes (an <ellipse> or <polygon> with a path's `d`),
    in the special-category view all of them, the red fill of health data too."""
    from playwright.sync_api import expect

    page = browser
    _open(page, catalog13_server, f"data_map?{ALIBABA_2019}", "Data map")
    expect(page.locator("svg:has(g.node)").first).to_be_visible()
    before = _map_nodes(page)
    assert len(before) > 20 and all(n["w"] > 0 and n["h"] > 0 for n in before)
    page.locator(".ropa-map").first.scroll_into_view_if_needed()
    _shot(page, "data-map")
    page.get_by_text("Special category data only").click()
    _idle(page)
    page.wait_for_timeout(1500)  # any transition between the two drawings is over
    after = _map_nodes(page)
    assert 3 <= len(after) < len(before)
    empty = [n["text"] for n in after if not (n["w"] > 0 and n["h"] > 0)]
    assert not empty, f"nodes drawn without a shape: {empty}"
    [health] = [n for n in after if n["text"].startswith("Health data")]
    assert health["fill"] == SPECIAL_FILL and "Art. 9 condition" in health["text"]
    assert page.outside == [], page.outside


def test_data_map_pans_zooms_and_opens_the_evidence_of_a_clicked_fact(catalog13_server, browser) -> None:
    from playwright.sync_api import expect

    page = browser
    _open(page, catalog13_server, f"data_map?{ALIBABA_2019}&map_special=true", "Data map")
    svg = page.locator(".ropa-map svg").first
    expect(svg).to_be_visible()
    view = lambda: svg.get_attribute("viewBox")  # noqa: E731
    fitted = view()
    box = page.locator(".ropa-map .view").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -600)  # zoom in
    page.wait_for_timeout(300)
    zoomed = view()
    assert float(zoomed.split()[2]) < float(fitted.split()[2]), (fitted, zoomed)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 120, box["y"] + box["height"] / 2 + 60, steps=6)
    page.mouse.up()
    panned = view()
    assert panned.split()[:2] != zoomed.split()[:2] and panned.split()[2:] == zoomed.split()[2:]
    page.get_by_role("button", name="Fit the whole map").click()
    assert view() == fitted
    # a click on a fact opens its evidence, the scope kept
    page.locator(".ropa-map g.node").filter(has_text="Health data").first.click()
    expect(page.get_by_role("heading", name="Evidence", level=1)).to_be_visible()
    _idle(page)
    assert "fact=data_category%3Auser.health_and_medical" in page.url or \
        "fact=data_category:user.health_and_medical" in page.url, page.url
    expect(page.locator("mark.focus").first).to_be_visible()
    assert "org=alibaba-com" in page.url, page.url
    assert page.outside == [], page.outside


def test_evidence_scrolls_to_the_selected_quote(catalog13_server, browser) -> None:
    """The bug: the policy text stayed at its top; the quote was thousands of lines down."""
    from playwright.sync_api import expect

    page = browser
    _open(page, catalog13_server, "evidence?org=alibaba-com&fact=recipient:vkontakte", "Evidence")
    mark = page.locator("div.policy-text mark.focus").first
    expect(mark).to_contain_text("VKontakte")
    page.wait_for_function("""() => { const box = document.querySelector('div.policy-text');
        const m = box && box.querySelector('mark.focus'); if (!m) return false;
        const b = box.getBoundingClientRect(), r = m.getBoundingClientRect();
        return box.scrollTop > 0 && r.top >= b.top && r.bottom <= b.bottom; }""")
    page.locator("div.policy-text").first.scroll_into_view_if_needed()
    _shot(page, "evidence")
    assert page.outside == [], page.outside


def test_diff_box_shows_the_chosen_fact_after_a_version_change(catalog13_server, browser) -> None:
    from playwright.sync_api import expect

    page = browser
    _open(page, catalog13_server, "diff?org=alibaba-com", "Policy diff")
    removed = page.locator("[data-testid='stButtonGroup']").get_by_text(re.compile(r"^Removed \(\d+\)$"))
    removed.click()
    _idle(page)
    _choose(page, "Compare one side by side", "Nationality (data category)")
    _choose(page, "New version", "alibaba-com-2020-02-27 (2020-02-27)")
    expect(page.get_by_role("combobox", name="Compare one side by side")).to_have_value("Nationality (data category)")
    expect(page.get_by_text("Nationality (data category) · removed")).to_be_visible()
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Removed facts").inner_text()
    assert f"({metric.split()[-1]})" in removed.inner_text(), (metric, removed.inner_text())  # the headline and the choice count alike
    assert page.outside == [], page.outside


def test_a_click_on_a_row_opens_it_in_full(catalog13_server, browser) -> None:
    from playwright.sync_api import expect

    page = browser
    _open(page, catalog13_server, "transfers?org=alibaba-com", "Transfers")
    picker = page.get_by_role("combobox", name="Transfer")
    expect(picker).to_have_value(re.compile(r"→ China \(CN\)$"))
    grid = page.locator("[data-testid='stDataFrame']").first.bounding_box()
    row_height = 35  # the grid's header and rows; the row marker sits at the left edge
    # the rows: China, Singapore, the United States, Google's United States (Germany is storage in the EEA,
    # no transfer): the second row is Singapore's
    page.mouse.move(grid["x"] + 12, grid["y"] + row_height * 2 + row_height / 2)
    page.mouse.click(grid["x"] + 12, grid["y"] + row_height * 2 + row_height / 2)
    _idle(page)
    expect(picker).to_have_value(re.compile(r"→ Singapore \(SG\)$"))
    expect(page.get_by_text("not applicable here: Adequacy decision").first).to_be_visible()
    assert "tr_pick=" in page.url and "country%3ASG" in page.url, page.url
    assert page.outside == [], page.outside


def test_screenshots_of_the_pages_a_dpo_works_in(catalog13_server, browser) -> None:
    from playwright.sync_api import expect

    page = browser
    _open(page, catalog13_server, "?org=alibaba-com", "Record of processing activities")
    expect(page.get_by_text("Alibaba.com over its 8 versions")).to_be_visible()
    _shot(page, "overview")
    _open(page, catalog13_server, "lineage?org=alibaba-com&version=alibaba-com-2019-01-17"
          "&node=data_category:user.financial.credit_card", "Lineage")
    svg = page.locator("[data-testid='stGraphVizChart'] svg").first
    expect(svg.get_by_text("Payment service providers").first).to_be_attached()
    _shot(page, "lineage")
    _open(page, catalog13_server, "transfers?org=alibaba-com", "Transfers")
    _shot(page, "transfers")
    _open(page, catalog13_server, "review?" + ALIBABA_2019, "Review")
    save = page.get_by_role("button", name="Save decision")
    save.scroll_into_view_if_needed()
    expect(save).to_be_visible()
    page.mouse.wheel(0, 250)
    _shot(page, "review")
    _open(page, catalog13_server, "activities?org=alibaba-com", "Processing activities")
    _shot(page, "activities")
    assert page.outside == [], page.outside
