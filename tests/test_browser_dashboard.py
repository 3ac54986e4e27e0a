"""The review dashboard in a real browser: Debian's Chromium driven by Playwright against a
real ``workbench serve`` (Voilà) on a store filled by a real demo run.

Checks: the findings render; a crawled title / problem text carrying markup shows as text
and never executes; confirming and dismissing through the UI persist across a reload; the
generated circular downloads (data-URI link) and opens with python-docx. Screenshots of the
three views go to the test's tmp folder and, with UPDATE_SCREENSHOTS=1, to docs/images/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from chromium import CHROMIUM, launched

from workbench import pipeline, store
from workbench.demo import serve_demo_city
from workbench.store import decisions

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
XSS = "<img src=x onerror=window.__xss=1>"

if not CHROMIUM.exists():
    pytest.skip(
        "/usr/bin/chromium is missing (.ci/run installs Debian's chromium)", allow_module_level=True
    )
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _plant_markup_finding(url: str, quarter: str) -> str:
    """A finding whose web-borne texts carry markup, and a fetched page titled with it."""
    engine = store.connect(url)
    run = pipeline_run_id(engine, quarter)
    target = "http://127.0.0.1:9/xss/"
    row = {
        "finding_id": "feedfacecafe0001",
        "quarter": quarter,
        "unit": "市测试局",
        "target_kind": "website",
        "target": target,
        "platform": "",
        "indicator": "site.homepage_stale",
        "veto": True,
        "points": 0.0,
        "problem": f"首页未更新{XSS}",
        "evidence_url": target,
        "detail": store.to_json({"snippet": f"页面片段{XSS}", "newest": "2022-09-01"}),
    }
    import sqlalchemy as sa

    with engine.begin() as conn:
        conn.execute(sa.insert(store.findings).values(**row, active=True, run_id=run,
                     first_seen=store.now(), last_seen=store.now()))  # fmt: skip
        conn.execute(
            sa.insert(store.pages).values(
                run_id=run, site_url=target, url=target, final_url=target, kind="homepage",
                status=200, title=f"测试局门户{XSS}", fetched_at=store.now(),
            )
        )  # fmt: skip
    return str(row["finding_id"])


def pipeline_run_id(engine: Any, quarter: str) -> int:
    import sqlalchemy as sa

    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.max(store.runs.c.id)).where(store.runs.c.quarter == quarter)
            ).scalar_one()
        )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    base = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{base / 'w.db'}"
    # A shallow crawl keeps the run to a few seconds; the dashboard needs findings, not all.
    shallow = base / "shallow.yaml"
    shallow.write_text("crawl:\n  max_pages: 15\n  max_depth: 1\n", encoding="utf-8")
    with serve_demo_city(base / "city") as city:
        check = pipeline.run_quarter(
            rules_files=[shallow],
            progress=False,
            inventory=city.inventory_dir,
            quarter=city.quarter,
            as_of=city.as_of.isoformat(),
            db=url,
            out=base / "out",
        )
    planted = _plant_markup_finding(url, city.quarter)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "serve", "--db", url, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{port}/api", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.3)
        yield {
            "url": f"http://127.0.0.1:{port}/",
            "db": url,
            "planted": planted,
            "quarter": city.quarter,
            "findings": [f.finding_id for f in check.findings],
            "shots": base,
        }
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched(sync_api) as chromium:
        yield chromium


def _wait_rendered(page: Any) -> None:
    page.wait_for_selector(".wb-row", state="attached", timeout=60_000)
    page.wait_for_selector(".wb-kpi", timeout=30_000)


@pytest.fixture(scope="module")
def page(served: dict[str, Any], browser: Any) -> Iterator[Any]:
    """One dashboard page (one Voilà kernel) shared by the tests, reloaded where they say."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.goto(served["url"], timeout=60_000)
    _wait_rendered(page)
    try:
        yield page
    finally:
        context.close()


def _shot(page: Any, served: dict[str, Any], name: str) -> None:
    page.locator(".wb-banner").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    path = served["shots"] / name
    page.screenshot(path=str(path), full_page=False)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        target = ROOT / "docs" / "images" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        from PIL import Image  # matplotlib's dependency; a 64-colour palette keeps it small

        with Image.open(path) as shot:
            shot.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(
                target, optimize=True
            )


def _tab(page: Any, title: str) -> None:
    page.locator(".lm-TabBar-tab", has_text=title).first.click()


def _row(page: Any, finding_id: str) -> Any:
    return page.locator(f".wb-fid-{finding_id}")


def test_findings_render_and_web_markup_never_executes(served: dict[str, Any], page: Any) -> None:
    assert page.locator(".wb-kpi").count() >= 6  # 总览 rendered its key figures
    _shot(page, served, "dashboard-overview.png")
    _tab(page, "问题审核")
    rows = page.locator(".wb-row")
    assert rows.count() == min(15, len(served["findings"]) + 1)
    page.locator(".wb-filter-text input").fill("onerror")
    planted = _row(page, served["planted"])
    expect(page.locator(".wb-row")).to_have_count(1, timeout=15_000)
    planted.locator(".wb-view").click()
    evidence = page.locator(".wb-evidence")
    evidence.wait_for(timeout=15_000)
    text = evidence.inner_text()
    assert f"测试局门户{XSS}" in text and f"页面片段{XSS}" in text  # shown as text
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("() => window.__xss") is None
    page.locator(".wb-filter-text input").fill("")
    expect(page.locator(".wb-row")).to_have_count(min(15, len(served["findings"]) + 1))


def test_decisions_persist_across_reload_and_the_docx_downloads(
    served: dict[str, Any], page: Any, tmp_path: Path
) -> None:
    _tab(page, "问题审核")
    page.locator(".wb-reviewer input").fill("李审核")
    ids = [
        cls.split("wb-fid-")[1].split()[0]
        for cls in page.locator(".wb-row").evaluate_all("rows => rows.map(r => r.className)")
    ]
    first, second = [i for i in ids if i != served["planted"]][:2]
    _row(page, first).locator(".wb-view").click()
    page.locator("button.wb-confirm").click()
    page.wait_for_selector("text=已确认该问题", timeout=15_000)
    _row(page, second).locator(".wb-view").click()
    page.locator(".wb-dismiss-reason textarea").fill("经人工核实，监测前已更新")
    page.locator("button.wb-dismiss").click()
    page.wait_for_selector("text=已排除该问题", timeout=15_000)
    _shot(page, served, "dashboard-review.png")

    engine = store.connect(served["db"])
    assert decisions.get_state(engine, first).status == "confirmed"
    dismissed = decisions.get_state(engine, second)
    assert (dismissed.status, dismissed.reviewer) == ("dismissed", "李审核")

    page.reload(timeout=60_000)  # a new kernel reading the store
    _wait_rendered(page)
    _tab(page, "问题审核")
    assert "已确认" in _row(page, first).inner_text()
    assert "已排除" in _row(page, second).inner_text()

    _tab(page, "通报起草")
    page.locator(".wb-reviewer input").fill("李审核")
    page.locator("button.wb-generate").click()
    link = page.locator(".wb-docx-link a")
    link.wait_for(timeout=30_000)
    with page.expect_download(timeout=30_000) as info:
        link.click()
    saved = tmp_path / "circular.docx"
    info.value.save_as(saved)
    _shot(page, served, "dashboard-drafting.png")

    import docx

    document = docx.Document(str(saved))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "检查情况的通报" in text
    assert info.value.suggested_filename.endswith(".docx")
