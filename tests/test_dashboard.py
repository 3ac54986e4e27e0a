"""The dashboard placeholder: widget classes without a browser, and a real Voilà server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd
import requests

from workbench import store
from workbench.dashboard.overview import QuarterOverview, findings_table_html


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed_store(url: str) -> None:
    engine = store.connect(url)
    run = store.start_run(
        engine, quarter="2022Q3", as_of=date(2022, 9, 30), inventory="x", params={}
    )
    row = {
        "finding_id": "f1",
        "quarter": "2022Q3",
        "unit": "市水利局",
        "target_kind": "website",
        "target": "http://127.0.0.1:9/",
        "platform": "",
        "indicator": "site.homepage_stale",
        "veto": True,
        "points": 0.0,
        "problem": '<img src=x onerror="alert(1)">首页未更新',
        "evidence_url": 'http://127.0.0.1:9/"><script>x</script>',
        "detail": "{}",
    }
    store.save_findings(engine, "2022Q3", run, [row])


def test_overview_widget_reads_the_store_and_escapes_web_text(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    _seed_store(url)
    view = QuarterOverview(store.connect(url))
    assert view.quarter.options == ("2022Q3",)
    assert "单项否决 <b>1</b>" in view.summary.value
    assert "<img" not in view.table.value and "&lt;img" in view.table.value
    assert "<script>" not in view.table.value


def test_empty_store_says_what_to_do(tmp_path: Path) -> None:
    view = QuarterOverview(store.connect(f"sqlite:///{tmp_path / 'w.db'}"))
    assert "workbench run" in view.summary.value
    assert findings_table_html(pd.DataFrame()) == "<p>本季度暂无问题记录。</p>"


def test_workbench_serve_answers_on_loopback(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    _seed_store(url)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "serve", "--db", url, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        page = None
        while time.monotonic() < deadline:
            try:
                page = requests.get(f"http://127.0.0.1:{port}/", timeout=60)
                break
            except requests.ConnectionError:
                time.sleep(0.5)
        assert page is not None and page.status_code == 200
        assert "widget-view+json" in page.text  # the cell ran and produced the widget
        assert '"output_type": "error"' not in page.text
        assert "import QuarterOverview" not in page.text  # sources stripped
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    # SIGTERM to `workbench serve` stops its Voilà child too: the port is free again.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                break
        time.sleep(0.2)
    else:
        raise AssertionError("Voilà still listens after workbench serve was stopped")


def test_chart_labels_are_drawn_in_a_cjk_font() -> None:
    import warnings

    import pytest
    from matplotlib import font_manager

    from workbench.dashboard.charts import cjk_font_available, findings_by_indicator_chart

    if not cjk_font_available():
        pytest.skip("no CJK font on this machine (.ci/run installs fonts-noto-cjk)")
    frame = pd.DataFrame({"indicator": ["media.stale", "media.stale", "check.incomplete"]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = findings_by_indicator_chart(frame)
        fig.canvas.draw()
    assert not [w for w in caught if "missing from font" in str(w.message)]
    label = fig.axes[0].get_yticklabels()[0]
    assert "CJK" in font_manager.findfont(
        label.get_fontproperties()
    ) or "wqy" in font_manager.findfont(label.get_fontproperties())
