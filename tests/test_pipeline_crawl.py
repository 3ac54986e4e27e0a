"""collect() crawls every website on loopback and records pages, links, items and columns."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from servers import serve

from workbench import pipeline, store

AS_OF = date(2022, 9, 30)
HTML = {"Content-Type": "text/html; charset=utf-8"}
TEXT = {"Content-Type": "text/plain"}


def day(n: int) -> str:
    return (AS_OF - timedelta(days=n)).isoformat()


def _prepare(inv: Path, tmp_path: Path) -> pipeline.Check:
    """The quarter's check of the inventory folder ``inv``, its store and outputs in ``tmp_path``."""
    return pipeline.prepare(
        inventory=inv,
        quarter="2022Q3",
        as_of=AS_OF.isoformat(),
        db=f"sqlite:///{tmp_path / 'w.db'}",
        out=tmp_path / "out",
    )


def html(body: str, meta: str = "") -> str:
    return (
        f"<html><head><title>示范网</title>{meta}</head><body>"
        '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/gzdt/index.html">工作动态</a></li>'
        '<li><a href="/tzgg/index.html">通知公告</a></li><li><a href="/private/x.html">内部</a></li></ul>'
        f'<div class="main">{body}</div></body></html>'
    )


def rows(prefix: str, offsets: list[int]) -> str:
    return (
        "<ul>"
        + "".join(
            f'<li><a href="{prefix}/t{o}.html">示范新闻标题第{o}条</a><span>{day(o)}</span></li>'
            for o in offsets
        )
        + "</ul>"
    )


def article(title: str) -> tuple[int, dict[str, str], str]:
    return (
        200,
        HTML,
        html(
            f"<h1>{title}</h1><p>发布日期：{day(3)}</p>", '<meta name="ArticleTitle" content="x">'
        ),
    )


def site_routes(robots: str) -> dict[str, object]:
    routes: dict[str, object] = {
        "/robots.txt": (200, TEXT, robots),
        "/": (200, HTML, html(rows("/gzdt", [16, 18]))),
        "/gzdt/index.html": (
            200,
            HTML,
            html(
                rows("/gzdt", [16, 18, 20]) + '<a href="/gzdt/index_1.html">下一页</a>',
                '<meta name="ColumnName" content="工作动态">',
            ),
        ),
        "/gzdt/index_1.html": (200, HTML, html(rows("/gzdt", [25, 30, 35]))),
        "/tzgg/index.html": (200, HTML, html("<p>暂无信息</p>")),
        "/private/x.html": (200, HTML, html("<p>内部</p>")),
    }
    for o in (16, 18, 20, 25, 30, 35):
        routes[f"/gzdt/t{o}.html"] = article(f"新闻{o}")
    return routes


def shell_routes() -> dict[str, object]:
    # A navigation shell: the homepage shows no date; its second-level pages do.
    return {
        "/robots.txt": (200, TEXT, "User-agent: *\nDisallow: /\n"),
        "/": (200, HTML, '<html><body><a href="/news.html">新闻中心入口</a></body></html>'),
        "/news.html": (200, HTML, html(rows("/n", [2, 3, 4]))),
    }


def test_collect_crawls_sites_and_records_everything(tmp_path: Path) -> None:
    with (
        serve(site_routes("User-agent: *\nDisallow: /private/\n")) as a,
        serve(shell_routes(), host="127.0.0.2") as b,
    ):
        inv = tmp_path / "inv"
        inv.mkdir()
        (inv / "websites.csv").write_text(
            f"单位,网站名称,网址,类型\n示范局,示范网,{a}/,部门网站\n示范办,壳网站,{b}/,部门网站\n",
            encoding="utf-8-sig",
        )
        (inv / "media.csv").write_text("单位,账号名称,平台,数据源,是否备案\n", encoding="utf-8-sig")
        (inv / "rules.yaml").write_text(
            "crawl:\n  delay: 0\n  ignore_robots_hosts: [127.0.0.2]\n", encoding="utf-8"
        )
        check = _prepare(inv, tmp_path)
        facts = pipeline.collect(check, progress=False)
        found = pipeline.judge(check)
    site, shell = facts.sites
    assert site.homepage.ok and site.homepage.url == f"{a}/" and site.crawl_complete
    assert [i.date for i in site.homepage.items] == [
        AS_OF - timedelta(days=16),
        AS_OF - timedelta(days=18),
    ]
    crawled = {p.url for p in site.pages}
    assert f"{a}/gzdt/index_1.html" in crawled and f"{a}/private/x.html" not in crawled
    assert all(p.signals.column_signals is not None for p in site.pages if p.status == 200)
    assert any(link.on_homepage and link.target == f"{a}/gzdt/index.html" for link in site.links)
    # robots.txt of 127.0.0.2 forbids everything, but the inspector's mandate lifts it.
    assert [p.url for p in shell.second_level] == [f"{b}/news.html"]
    assert shell.second_level[0].items and not any(i.date for i in shell.homepage.items)
    columns = {c.name: c for c in facts.columns}
    news, notice = columns["工作动态"], columns["通知公告"]
    assert news.url == f"{a}/gzdt/index.html" and news.item_count == 6 and len(news.pages) == 2
    assert news.newest == AS_OF - timedelta(days=16) and notice.blank
    accused = {(f.indicator, f.target) for f in found}
    assert ("site.column_stale", news.url) in accused
    assert ("site.column_blank", notice.url) in accused
    assert ("site.homepage_stale", f"{a}/") in accused
    mine = ("site.column_stale", "site.column_blank", "site.columns_stale", "site.survey_stale")
    assert not any(f.target.startswith(b) for f in found if f.indicator in mine)
    assert not any(f.target.startswith(b) and f.indicator == "site.homepage_stale" for f in found)
    with check.engine.connect() as conn:
        kinds = dict(
            conn.execute(
                sa.select(store.pages.c.kind, sa.func.count()).group_by(store.pages.c.kind)
            ).all()
        )
        assert kinds["homepage"] == 2 and kinds["column"] == 4 and kinds["article"] >= 6
        assert conn.execute(sa.select(sa.func.count()).select_from(store.links)).scalar_one() > 10
        items = conn.execute(sa.select(sa.func.count()).select_from(store.items)).scalar_one()
        assert items >= 9
        saved = conn.execute(sa.select(store.columns.c.name, store.columns.c.blank)).all()
        assert ("通知公告", True) in saved
        params = json.loads(conn.execute(sa.select(store.runs.c.params)).scalar_one())
    assert params["crawl"]["ignore_robots_hosts"] == ["127.0.0.2"]
    assert params["crawl"]["delay"] == 0


def test_robots_forbidding_the_homepage_is_incomplete_not_stale(tmp_path: Path) -> None:
    with serve(shell_routes(), host="127.0.0.3") as base:
        inv = tmp_path / "inv"
        inv.mkdir()
        (inv / "websites.csv").write_text(
            f"单位,网站名称,网址,类型\n示范办,壳网站,{base}/,部门网站\n", encoding="utf-8-sig"
        )
        (inv / "media.csv").write_text("单位,账号名称,平台,数据源,是否备案\n", encoding="utf-8-sig")
        (inv / "rules.yaml").write_text("crawl:\n  delay: 0\n", encoding="utf-8")
        check = _prepare(inv, tmp_path)
        facts = pipeline.collect(check, progress=False)
        found = pipeline.judge(check)
    assert not facts.sites[0].homepage.ok and "robots" in (facts.sites[0].homepage.error or "")
    assert "check.incomplete" in {f.indicator for f in found}
    assert "site.homepage_stale" not in {f.indicator for f in found}


def test_the_quarterly_check_crawls_as_many_sites_at_once_as_the_rules_say(
    tmp_path: Path,
) -> None:
    """``crawl.sites_in_parallel`` bounds how many sites the check (``gather``, as the
    quarterly notebook calls it) crawls at once: six sites on six loopback hosts whose
    homepages answer slowly are never more than two in flight with a setting of 2."""
    import threading
    import time
    from contextlib import ExitStack

    lock = threading.Lock()
    state = {"now": 0, "most": 0}

    def homepage(request: object) -> tuple[int, dict[str, str], str]:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.4)
        with lock:
            state["now"] -= 1
        return 200, HTML, html(rows("/gzdt", [16]))

    routes: dict[str, object] = {
        "/robots.txt": (200, TEXT, "User-agent: *\nAllow: /\n"),
        "/": homepage,
        "*": (404, TEXT, "无此页面"),
    }
    with ExitStack() as stack:
        bases = [stack.enter_context(serve(routes, host=f"127.0.0.{31 + i}")) for i in range(6)]
        inv = tmp_path / "inv"
        inv.mkdir()
        lines = "".join(f"示范局{i},示范网{i},{b}/,部门网站\n" for i, b in enumerate(bases))
        (inv / "websites.csv").write_text("单位,网站名称,网址,类型\n" + lines, encoding="utf-8-sig")
        (inv / "media.csv").write_text("单位,账号名称,平台,数据源,是否备案\n", encoding="utf-8-sig")
        (inv / "rules.yaml").write_text(
            "crawl:\n  delay: 0\n  sites_in_parallel: 2\n  max_pages: 3\n  processes: 0\n"
            "links:\n  check_external: false\n",
            encoding="utf-8",
        )
        check = _prepare(inv, tmp_path)
        facts = pipeline.gather(check, progress=False)
    assert len(facts.sites) == 6 and all(s.homepage.ok for s in facts.sites)
    assert 1 <= state["most"] <= 2


def test_collecting_keeps_the_earlier_heap_out_of_the_collector_and_hands_it_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While collecting, what the process held before is frozen (gc passes skip it); after,
    even when collecting fails, nothing stays frozen."""
    import gc

    from workbench import pipeline

    seen: list[int] = []

    def collect(check: object, **kwargs: object) -> object:
        seen.append(gc.get_freeze_count())
        if len(seen) == 2:
            raise RuntimeError("网站抓取失败")
        return "facts"

    monkeypatch.setattr(pipeline, "restored_facts", lambda check: None)
    monkeypatch.setattr(pipeline, "collect", collect)
    assert pipeline.gather(object()) == "facts"  # type: ignore[arg-type]
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError):
        pipeline.gather(object())  # type: ignore[arg-type]
    assert gc.get_freeze_count() == 0 and all(n > 1000 for n in seen)
