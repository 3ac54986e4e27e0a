"""The dashboard's widget classes without a browser (set values, .click()), and a real Voilà
server behind ``workbench serve``."""

from __future__ import annotations

import base64
import io
import re
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import docx
import pandas as pd
import requests
from sqlalchemy.engine import Engine

from workbench import store
from workbench.dashboard.app import TAB_TITLES, ReviewDashboard
from workbench.dashboard.drafting import DraftingPanel
from workbench.dashboard.overview import QuarterOverview
from workbench.dashboard.review import ReviewPanel
from workbench.store import decisions, drafts

MARKUP = '<img src=x onerror="alert(1)">'
SITE_A, SITE_B = "http://127.0.0.1:9/a/", "http://127.0.0.1:9/b/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _inventory(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "websites.csv").write_text(
        "单位,网站名称,网址,类型\n"
        f"市水利局,市水利局网站,{SITE_A},部门网站\n"
        f"市统计局,市统计局网站,{SITE_B},部门网站\n",
        encoding="utf-8",
    )
    (folder / "media.csv").write_text(
        "单位,账号名称,平台,数据源,是否备案\n"
        "市水利局,水利发布,微信公众号,http://127.0.0.1:9/feed1,是\n"
        "市统计局,统计发布,微博,http://127.0.0.1:9/feed2,否\n",
        encoding="utf-8",
    )
    return folder


def _finding(fid: str, unit: str, kind: str, target: str, indicator: str, veto: bool,
             problem: str, platform: str = "", detail: str = "{}") -> dict[str, object]:  # fmt: skip
    return {
        "finding_id": fid, "quarter": "2022Q3", "unit": unit, "target_kind": kind,
        "target": target, "platform": platform, "indicator": indicator, "veto": veto,
        "points": 0.0, "problem": problem, "evidence_url": target, "detail": detail,
    }  # fmt: skip


def _seeded(tmp_path: Path) -> Engine:
    engine = store.connect(f"sqlite:///{tmp_path / 'w.db'}")
    inventory = _inventory(tmp_path / "inventory")
    run = store.start_run(
        engine, quarter="2022Q3", as_of=date(2022, 9, 30), inventory=str(inventory), params={}
    )
    store.save_findings(
        engine,
        "2022Q3",
        run,
        [
            _finding("f-stale", "市水利局", "website", SITE_A, "site.homepage_stale", True,
                     f"首页超过两周未更新{MARKUP}",
                     detail=store.to_json({"newest": "2022-09-01", "snippet": f"片段{MARKUP}"})),
            _finding("f-incomplete", "市统计局", "website", SITE_B, "check.incomplete", False,
                     "首页数据获取失败（HTTP 500），待人工核查"),
            _finding("f-unreg", "市统计局", "media", "统计发布", "media.unregistered", True,
                     "未备案", platform="微博"),
        ],
    )  # fmt: skip
    store.finish_run(engine, run)
    return engine


def test_overview_computes_kpis_from_the_inventory_and_the_decisions(tmp_path: Path) -> None:
    engine = _seeded(tmp_path)
    view = QuarterOverview(engine)
    assert view.quarter.options == ("2022Q3",)
    k = view.kpis
    assert k is not None
    assert (k.sites, k.accounts, k.veto_findings, k.veto_targets) == (2, 2, 2, 2)
    assert (k.site_rate, k.account_rate, k.incomplete_targets) == ("0%", "50%", 1)
    assert "门户网站" not in view.rates.value and "部门网站" in view.rates.value
    assert bytes(view.family_chart.value).startswith(b"\x89PNG")
    assert view.trend_chart.layout.display == "none"  # one quarter: no trend
    decisions.dismiss(engine, "f-stale", "张三", 0, "监测前已更新")
    view.refresh()
    assert view.kpis is not None
    assert (view.kpis.site_rate, view.kpis.veto_findings, view.kpis.dismissed) == ("100%", 1, 1)


def test_overview_without_inventory_says_so_in_chinese(tmp_path: Path) -> None:
    engine = store.connect(f"sqlite:///{tmp_path / 'w.db'}")
    run = store.start_run(
        engine, quarter="2022Q3", as_of=date(2022, 9, 30), inventory="/nowhere", params={}
    )
    store.save_findings(engine, "2022Q3", run, [_finding("x", "市局", "website", SITE_A,
                        "site.homepage_stale", True, "首页未更新")])  # fmt: skip
    view = QuarterOverview(engine)
    assert "找不到本季度检查使用的名录" in view.rates.value
    assert "Traceback" not in view.rates.value + view.status.widget.value
    assert view.kpis is not None and view.kpis.findings == 1


def test_empty_store_says_what_to_do(tmp_path: Path) -> None:
    app = ReviewDashboard(store.connect(f"sqlite:///{tmp_path / 'w.db'}"))
    assert "workbench run" in app.overview.summary.value
    assert app.review.visible_ids() == []
    assert [app.tabs.get_title(i) for i in range(len(TAB_TITLES))] == list(TAB_TITLES)


def _all_html(panel: ReviewPanel) -> str:
    return "".join(
        cell.value
        for line in panel.rows.children
        for cell in getattr(line, "children", [])
        if hasattr(cell, "value") and isinstance(cell.value, str)
    )


def test_review_table_filters_sorts_and_escapes(tmp_path: Path) -> None:
    panel = ReviewPanel(_seeded(tmp_path))
    panel.set_quarter("2022Q3")
    assert len(panel.visible_ids()) == 3
    assert panel.visible_ids()[-1] == "f-incomplete"  # veto first
    html = _all_html(panel)
    assert "<img" not in html and "市水利局" in html
    panel.f_unit.value = "市统计局"
    assert set(panel.visible_ids()) == {"f-incomplete", "f-unreg"}
    panel.f_unit.value = "（全部）"
    panel.f_veto.value = "否"
    assert panel.visible_ids() == ["f-incomplete"]
    panel.f_veto.value = "（全部）"
    panel.f_text.value = "未备案"
    assert panel.visible_ids() == ["f-unreg"]
    panel.f_text.value = ""
    panel.sort_by("unit")  # ascending: 市水利局 before 市统计局
    assert panel.visible_ids()[0] == "f-stale" and panel.headers[0].description == "单位 ▲"
    panel.sort_by("unit")
    assert panel.visible_ids()[-1] == "f-stale" and panel.headers[0].description == "单位 ▼"
    panel.select("f-stale")
    assert "<img" not in panel.evidence.value
    assert "首页超过两周未更新&lt;img" in panel.evidence.value
    assert "片段&lt;img" in panel.evidence.value
    assert f'href="{SITE_A}"' in panel.evidence.value and "2022-09-01" in panel.evidence.value


def test_review_actions_by_clicking(tmp_path: Path) -> None:
    engine = _seeded(tmp_path)
    panel = ReviewPanel(engine)
    panel.set_quarter("2022Q3")
    panel.select("f-stale")
    panel.confirm_button.click()  # no reviewer yet
    assert "审核人" in panel.status.widget.value
    assert decisions.get_state(engine, "f-stale").version == 0
    panel.reviewer.value = "张三"
    panel.confirm_button.click()
    assert decisions.get_state(engine, "f-stale").status == "confirmed"
    assert "已确认" in panel.status.widget.value and "张三" in panel.history.value
    panel.dismiss_button.click()  # no reason
    assert "理由" in panel.status.widget.value
    panel.dismiss_reason.value = "属误判"
    panel.dismiss_button.click()
    assert decisions.get_state(engine, "f-stale").status == "dismissed"
    panel.edit_text.value = "市水利局网站首页长期未更新"
    panel.edit_button.click()
    state = decisions.get_state(engine, "f-stale")
    assert (state.problem_override, state.version) == ("市水利局网站首页长期未更新", 3)
    assert "原始表述" in panel.evidence.value
    # bulk: tick the two other rows, then 批量确认
    for line in panel.rows.children:
        if any(c in line._dom_classes for c in ("wb-fid-f-incomplete", "wb-fid-f-unreg")):
            line.children[0].value = True
    assert panel.checked == {"f-incomplete", "f-unreg"}
    panel.bulk_confirm_button.click()
    assert "已处理 2 条" in panel.status.widget.value
    assert {s.status for s in decisions.states(engine, ["f-incomplete", "f-unreg"]).values()} == {
        "confirmed"
    }


def test_a_lead_counts_only_once_a_reviewer_confirms_it(tmp_path: Path) -> None:
    engine = store.connect(f"sqlite:///{tmp_path / 'w.db'}")
    inventory = _inventory(tmp_path / "inventory")
    run = store.start_run(
        engine, quarter="2022Q3", as_of=date(2022, 9, 30), inventory=str(inventory), params={}
    )
    lead = store.to_json({"lead": True, "lead_veto": True, "pages": [[SITE_A, "x", 12]]})
    store.save_findings(engine, "2022Q3", run, [
        _finding("f-lead", "市水利局", "website", SITE_A, "site.security", False,
                 "同一页面12条信息的发布时间均为2022-09-01 09:30，疑似批量篡改发布日期（线索，待人工核实）",
                 detail=lead),
    ])  # fmt: skip
    store.finish_run(engine, run)
    view = QuarterOverview(engine)
    assert view.kpis is not None
    assert (view.kpis.site_rate, view.kpis.veto_targets, view.kpis.pending_leads) == ("100%", 0, 1)
    assert "待核实线索（条）" in view.summary.value
    panel = ReviewPanel(engine)
    panel.set_quarter("2022Q3")
    assert "wb-tag-lead" in _all_html(panel)
    panel.f_veto.value = "线索"
    assert panel.visible_ids() == ["f-lead"]
    panel.select("f-lead")
    assert "这是一条线索" in panel.evidence.value and "确认后按单项否决计" in panel.evidence.value
    assert panel.confirm_button.description == "核实属实，确认"
    panel.reviewer.value = "张三"
    for line in panel.rows.children:
        if "wb-fid-f-lead" in line._dom_classes:
            line.children[0].value = True
    panel.bulk_confirm_button.click()  # leads are never confirmed in bulk
    assert "不能批量确认" in panel.status.widget.value
    assert decisions.get_state(engine, "f-lead").status == "pending"
    panel.confirm_button.click()
    assert decisions.get_state(engine, "f-lead").status == "confirmed"
    view.refresh()
    assert view.kpis is not None
    assert (view.kpis.site_rate, view.kpis.veto_targets, view.kpis.pending_leads) == ("50%", 1, 0)


def test_two_supervisors_do_not_overwrite_each_other(tmp_path: Path) -> None:
    engine = _seeded(tmp_path)
    a, b = ReviewPanel(engine), ReviewPanel(engine)
    for panel, name in ((a, "张三"), (b, "李四")):
        panel.set_quarter("2022Q3")
        panel.reviewer.value = name
        panel.select("f-unreg")
    a.confirm_button.click()
    b.dismiss_reason.value = "已备案"
    b.dismiss_button.click()
    assert "张三" in b.status.widget.value and "未保存" in b.status.widget.value
    state = decisions.get_state(engine, "f-unreg")
    assert (state.status, state.reviewer) == ("confirmed", "张三")
    assert "已确认" in b.evidence.value  # B now sees A's decision


def test_drafting_prefills_previews_saves_and_generates_a_docx(tmp_path: Path) -> None:
    engine = _seeded(tmp_path)
    drafts.save_section(engine, "2022Q2", "requirements", "上季度的工作要求。", "王五", 0)
    decisions.dismiss(engine, "f-unreg", "张三", 0, "已备案")
    panel = DraftingPanel(engine)
    panel.set_quarter("2022Q3")
    assert panel.overrides() == {}
    assert "2022年第三季度" in panel.editors["basis"].value
    assert "统计发布" not in panel.preview.value  # the dismissed finding is left out
    assert not panel.previous_buttons["requirements"].disabled
    assert panel.previous_buttons["basis"].disabled
    panel.previous_buttons["requirements"].click()
    assert panel.editors["requirements"].value == "上季度的工作要求。"
    panel.editors["requirements"].value = "各单位要<b>立即</b>整改。"
    assert "各单位要&lt;b&gt;立即&lt;/b&gt;整改。" in panel.preview.value
    panel.generate_button.click()  # no reviewer
    assert "审核人" in panel.status.widget.value
    panel.reviewer.value = "张三"
    panel.generate_button.click()
    assert "第1版" in panel.status.widget.value
    texts = drafts.section_texts(engine, "2022Q3")
    assert set(texts) == {"requirements"} and texts["requirements"].editor == "张三"
    match = re.search(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', panel.download.value)
    assert match and match.group(1).endswith(".docx")
    document = docx.Document(io.BytesIO(base64.b64decode(match.group(2))))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "各单位要<b>立即</b>整改。" in body and "统计发布" not in body
    panel.template_buttons["requirements"].click()
    panel.save_button.click()
    assert drafts.section_texts(engine, "2022Q3") == {}
    assert len(drafts.versions(engine, "2022Q3")) == 1
    assert "第1版" in panel.versions_html.value


def test_app_wires_the_quarter_and_reviewer_to_every_view(tmp_path: Path) -> None:
    app = ReviewDashboard(_seeded(tmp_path))
    assert app.review.quarter == app.drafting.quarter == "2022Q3"
    assert app.review.reviewer is app.reviewer is app.drafting.reviewer
    app.refresh_button.click()
    assert "已刷新" in app.status.widget.value


def test_workbench_serve_answers_on_loopback(tmp_path: Path) -> None:
    engine = _seeded(tmp_path)
    url = str(engine.url)
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
        assert "import ReviewDashboard" not in page.text  # sources stripped
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


def test_the_review_table_names_columns_documents_and_sites_as_a_supervisor_knows_them(
    tmp_path: Path,
) -> None:
    from workbench.models import Website
    from workbench.store.judging import Judgement, save_judgement

    engine = store.connect(f"sqlite:///{tmp_path / 'w.db'}")
    run = store.start_run(
        engine, quarter="2022Q3", as_of=date(2022, 9, 30), inventory="/gone", params={}
    )
    column = SITE_A + "gzdt/index.html"
    store.save_findings(engine, "2022Q3", run, [
        _finding("f-col", "市住建局", "column", column, "site.column_stale", False,
                 "栏目超过6个月未更新",
                 detail=store.to_json({"site_url": SITE_A, "column": "工作动态"})),
        _finding("f-doc", "市住建局", "document", "湘建发〔2022〕3号",
                 "policy.interpretation_missing", False, "缺问答等其中1种形式的政策解读",
                 detail=store.to_json({"title": "关于印发《物业管理办法》的通知"})),
        _finding("f-site", "市住建局", "website", SITE_A, "site.homepage_stale", True,
                 "首页超过两周未更新"),
        _finding("f-open", "市住建局", "column", SITE_A + "zdly/", "openness.column_sparse",
                 False, "仅公开1条信息"),  # its detail names no column: the crawl's record does
    ])  # fmt: skip
    with engine.begin() as conn:
        store.insert_many(conn, store.columns, [
            {"run_id": run, "site_url": SITE_A, "url": SITE_A + "zdly/", "name": "重点领域信息公开"}
        ])  # fmt: skip
    site = Website(unit="市住建局", name="湘潭市住建局网站", url=SITE_A, kind="部门网站")
    save_judgement(engine, run, Judgement([site], [], frozenset({SITE_A})), [])
    store.finish_run(engine, run)  # the inventory is gone: the names come from the store
    panel = ReviewPanel(engine)
    panel.set_quarter("2022Q3")
    rows = "".join(cell.value for line in panel.rows.children for cell in line.children[1:3])
    assert "工作动态（湘潭市住建局网站）" in rows and "重点领域信息公开（湘潭市住建局网站）" in rows
    assert "《关于印发〈物业管理办法〉的通知》" in rows and "湘潭市住建局网站" in rows
    assert column not in rows and SITE_A not in rows
    panel.select("f-col")
    assert "工作动态（湘潭市住建局网站）" in panel.evidence.value
    assert f'href="{column}"' in panel.evidence.value  # the URL stays in the evidence
    panel.f_text.value = "工作动态"  # the keyword filter finds the name too
    assert panel.visible_ids() == ["f-col"]
