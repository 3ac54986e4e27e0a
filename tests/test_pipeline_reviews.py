"""Review decisions reach the quarterly outputs: a dismissed veto no longer fails its target."""

from __future__ import annotations

import csv
from pathlib import Path

from servers import serve

from workbench import pipeline, store
from workbench.store import decisions

HTML = {"Content-Type": "text/html; charset=utf-8"}
PAGE = (
    "<html><head><title>示范网</title></head><body><ul>"
    '<li><a href="/a/1.html">示范新闻标题第一条</a><span>2022-08-01</span></li>'
    '<li><a href="/a/2.html">示范新闻标题第二条</a><span>2022-07-20</span></li>'
    "</ul></body></html>"
)


ARTICLE = (200, HTML, "<html><body><h1>新闻</h1><p>发布日期：2022-08-01</p></body></html>")
ROUTES = {"/": (200, HTML, PAGE), "/a/1.html": ARTICLE, "/a/2.html": ARTICLE}


def one_site_inventory(folder: Path, url: str) -> Path:
    """An inventory of one 部门网站 at ``url`` and no accounts, crawled without delay."""
    folder.mkdir()
    (folder / "websites.csv").write_text(
        f"单位,网站名称,网址,类型\n市水利局,示范水利网,{url}/,部门网站\n", encoding="utf-8-sig"
    )
    (folder / "media.csv").write_text("单位,账号名称,平台,数据源,是否备案\n", encoding="utf-8-sig")
    (folder / "rules.yaml").write_text("crawl:\n  delay: 0\n", encoding="utf-8")
    return folder


def _run(inv: Path, tmp: Path, db: str) -> list[dict[str, str]]:
    pipeline.run_quarter(
        inventory=inv, quarter="2022Q3", as_of="2022-09-30", db=db, out=tmp / "out"
    )
    with open(tmp / "out" / "scores.csv", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_dismissed_veto_leaves_scores_and_circular(tmp_path: Path) -> None:
    with serve(ROUTES) as url:
        inv = one_site_inventory(tmp_path / "inv", url)
        db = f"sqlite:///{tmp_path / 'w.db'}"
        first = _run(inv, tmp_path, db)
        assert first[0]["qualified"] == "false"
        engine = store.connect(db)
        with engine.connect() as conn:
            rows = conn.execute(store.findings.select().where(store.findings.c.veto)).all()
        assert {r.indicator for r in rows} == {"site.homepage_stale", "site.interaction_poor"}
        for row in rows:
            decisions.dismiss(engine, row.finding_id, "审核员甲", 0, "人工核查后排除")
        second = _run(inv, tmp_path, db)
    assert second[0]["qualified"] != "false"
    md = (tmp_path / "out" / "circular.md").read_text(encoding="utf-8")
    assert "首页超过两周未更新" not in md
