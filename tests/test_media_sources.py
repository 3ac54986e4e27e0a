"""The new-media stage end to end: the pipeline's collect → judge → score over real loopback
feed servers (RSS 2.0, Atom, JSON with a rules mapping, a CSV export, a 500, a timeout,
undated items, an empty feed), post links opened in the collect stage, and accounts found
on a site's pages. Check time 2022-09-30 (Asia/Shanghai)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from servers import Request, Response, Route, sequence, serve, slow

from workbench import pipeline, store
from workbench.extract.accounts import suspected_unregistered
from workbench.fetch.post_links import SKIP_NOT_HTTP, SKIP_PRIVATE
from workbench.rules import merge

AS_OF = date(2022, 9, 30)
SH = "+08:00"
XML = {"Content-Type": "application/rss+xml; charset=utf-8"}
ATOM_CT = {"Content-Type": "application/atom+xml; charset=utf-8"}
HTML = {"Content-Type": "text/html; charset=utf-8"}


def ago(days: int, hour: int = 10) -> datetime:
    """A naive Asia/Shanghai time ``days`` calendar days before the check time."""
    return datetime.combine(AS_OF - timedelta(days=days), datetime.min.time()).replace(hour=hour)


def rss(posts: list[tuple[datetime | None, str, str, str]]) -> str:
    items = []
    for when, title, link, summary in posts:
        stamp = ""
        if when is not None:
            aware = datetime.fromisoformat(when.isoformat() + SH)
            stamp = f"<pubDate>{format_datetime(aware)}</pubDate>"
        items.append(
            f"<item><title>{title}</title><link>{link}</link>"
            f"<description>{summary}</description>{stamp}</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
        f"<link>http://127.0.0.1/</link><description>d</description>{''.join(items)}"
        "</channel></rss>"
    )


def atom(posts: list[tuple[datetime, str, str]]) -> str:
    entries = "".join(
        f'<entry><title>{t}</title><link href="{u}"/><id>{u}</id>'
        f"<published>{w.isoformat()}{SH}</published></entry>"
        for w, t, u in posts
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>a</title><id>urn:a</id><updated>2022-09-30T06:00:00+08:00</updated>{entries}</feed>"
    )


HOMEPAGE = f"""<html><head><title>示范市人民政府</title></head><body>
<ul><li><a href="/a/1.html">示范市召开常务会议</a><span>{AS_OF - timedelta(days=2)}</span></li></ul>
<a href="https://weibo.com/u/1234567">示范发布官方微博</a>
<a href="http://service.weibo.com/share/share.php?url=x">分享到微博</a>
<a href="https://mp.weixin.qq.com/s/AbCdEf">转载的一篇文章</a>
<a href="/lwyd/">两微一端</a>
</body></html>"""
MEDIA_PAGE = """<html><body><h1>两微一端</h1>
<a href="https://www.douyin.com/user/MS4wLjABAAAAdemo"><img alt="示范文旅抖音号二维码" src="q.png"></a>
<a href="https://www.douyin.com/video/7000000000">一条视频</a>
<a href="https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=MzA5NjE2NTQ0MA==">微信公众号</a>
</body></html>"""

MEDIA_HEADER = "单位,账号名称,平台,数据源,是否备案,互动功能"


def dispatch(table: dict[str, Route]) -> Route:
    """One catch-all route answering from ``table`` (filled once the server's URL is known)."""

    def handler(request: Request) -> Response | None:
        route = table.get(request.path.split("?", 1)[0])
        if route is None:
            return (404, HTML, "未找到")
        return route(request) if callable(route) else route

    return handler


def feed_routes(base: str, hidden: str) -> dict[str, Route]:
    big = "<html><body>" + "政务" * 100_000 + "</body></html>"
    return {
        "/p/ok.html": (200, HTML, "<html><body>正文</body></html>"),
        "/p/big.html": (200, HTML, big),
        "/rss/boundary14": (
            200,
            XML,
            rss(
                [
                    (
                        ago(14),
                        "示范市召开新闻发布会",
                        base + "/p/ok.html",
                        "坚持新冠肺炎疫情防空工作",
                    ),
                    (ago(20), "国庆假期出行提示", base + "/p/missing.html", ""),
                    (ago(25), "大图页面", base + "/p/big.html", ""),
                    (ago(26), "小程序", "weixin://dl/business/?t=abc", ""),
                    (ago(27), "内网链接", hidden + "/admin", ""),
                ]
            ),
        ),
        "/atom/stale15": (200, ATOM_CT, atom([(ago(15), "政务公开日", base + "/p/ok.html")])),
        "/json/custom": (
            200,
            {"Content-Type": "application/json"},
            json.dumps(
                {
                    "result": {
                        "rows": [
                            {
                                "ts": ago(3).strftime("%Y-%m-%d %H:%M"),
                                "headline": "办事指南",
                                "href": base + "/p/ok.html",
                            },
                            {
                                "ts": ago(9).strftime("%Y-%m-%d %H:%M"),
                                "headline": "政策问答",
                                "href": base + "/p/ok.html",
                            },
                        ]
                    }
                },
                ensure_ascii=False,
            ),
        ),
        "/rss/zombie": (200, XML, rss([(ago(95), "旧闻", base + "/p/ok.html", "")])),
        "/rss/undated": (200, XML, rss([(None, "没有日期", base + "/p/ok.html", "")] * 2)),
        "/rss/empty": (200, XML, rss([])),
        "/rss/500": (500, HTML, "<h1>500</h1>"),
        "/rss/slow": slow(5.0, (200, XML, rss([(ago(1), "迟到", base + "/p/ok.html", "")]))),
        "/rss/flaky": sequence(
            [(503, HTML, "忙"), (200, XML, rss([(ago(2), "重试成功", base + "/p/ok.html", "")]))]
        ),
        "/rss/nointeraction": (200, XML, rss([(ago(1), "便民信息", base + "/p/ok.html", "")])),
    }


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("media")
    hidden_log: list[Request] = []
    feed_log: list[Request] = []
    with (
        serve({"*": (200, HTML, "内部页面")}, host="127.0.0.2", log=hidden_log) as hidden,
        serve({"/": (200, HTML, HOMEPAGE), "/lwyd/": (200, HTML, MEDIA_PAGE)}) as site,
    ):
        table: dict[str, Route] = {}
        with serve({"*": dispatch(table)}, log=feed_log) as base:
            table.update(feed_routes(base, hidden))
            yield _collect(root, base, site) | {
                "hidden_log": hidden_log,
                "base": base,
                "feed_log": feed_log,
            }


def _collect(root: Path, base: str, site: str) -> dict[str, Any]:
    inv = root / "inventory"
    (inv / "exports").mkdir(parents=True)
    (inv / "websites.csv").write_text(
        f"单位,网站名称,网址,类型\n示范市人民政府,示范市人民政府门户网站,{site}/,门户网站\n",
        encoding="utf-8",
    )
    (inv / "exports" / "shipinhao.csv").write_text(
        "发布时间,标题,链接\n"
        f"{ago(3):%Y-%m-%d %H:%M},视频：秋收,{base}/p/ok.html\n"
        f"{ago(10):%Y-%m-%d %H:%M},视频：防汛,{base}/p/ok.html\n",
        encoding="utf-8-sig",
    )
    rows = [
        ("示范发布", "微博", f"{base}/rss/boundary14", "是", "有"),
        ("示范政务", "微信公众号", f"{base}/atom/stale15", "是", "有"),
        ("示范办事", "今日头条", f"{base}/json/custom", "是", "有"),
        ("示范视频号", "视频号", "exports/shipinhao.csv", "是", ""),
        ("示范老账号", "微信公众号", f"{base}/rss/zombie", "否", "有"),
        ("示范无日期", "快手", f"{base}/rss/undated", "是", "有"),
        ("示范空号", "抖音号", f"{base}/rss/empty", "是", "有"),
        ("示范故障", "微信公众号", f"{base}/rss/500", "是", "有"),
        ("示范超时", "微信公众号", f"{base}/rss/slow", "是", "有"),
        ("示范重试", "微信公众号", f"{base}/rss/flaky", "是", "有"),
        ("示范无互动", "微信公众号", f"{base}/rss/nointeraction", "是", "无"),
    ]
    (inv / "media.csv").write_text(
        MEDIA_HEADER + "\n" + "".join(f"示范市人民政府,{','.join(r)}\n" for r in rows),
        encoding="utf-8",
    )
    (inv / "rules.yaml").write_text(
        "fetch: {timeout_seconds: 1, retries: 2}\n"
        "media:\n  link_broken: {timeout_seconds: 2}\n"
        "  json_mapping: {items: result.rows, published: ts, title: headline, url: href}\n",
        encoding="utf-8",
    )
    check = pipeline.prepare(
        inventory=inv,
        quarter="2022Q3",
        as_of=AS_OF.isoformat(),
        db=f"sqlite:///{root / 'w.db'}",
        out=root / "out",
    )
    facts = pipeline.collect(check, progress=False)
    findings = pipeline.judge(check)
    scores = pipeline.score(check)
    by_account: dict[str, list[str]] = {}
    for f in findings:
        if f.target_kind == "media":
            by_account.setdefault(f.target, []).append(f.indicator)
    with check.engine.connect() as conn:
        fetches = {r.account: r for r in conn.execute(sa.select(store.feed_fetches)).all()}
    return {
        "check": check,
        "facts": facts,
        "findings": findings,
        "by_account": {k: sorted(v) for k, v in by_account.items()},
        "scores": scores,
        "fetches": fetches,
    }


def test_each_source_gives_the_expected_findings(result: dict[str, Any]) -> None:
    assert result["by_account"] == {
        # 14 days: not stale (boundary); a 404 post link; a serious wording error (veto).
        "示范发布": ["media.link_broken", "media.security"],
        "示范政务": ["media.stale"],  # 15 days: stale
        "示范老账号": ["media.stale", "media.unregistered", "media.update_slow"],
        "示范无日期": ["check.incomplete"],
        "示范空号": ["check.incomplete"],
        "示范故障": ["check.incomplete"],
        "示范超时": ["check.incomplete"],
        "示范无互动": ["media.interaction_poor"],
    }


def test_failed_and_undated_sources_are_incomplete_never_stale(result: dict[str, Any]) -> None:
    problems = {
        f.target: f.problem for f in result["findings"] if f.indicator == "check.incomplete"
    }
    assert "HTTP 500" in problems["示范故障"]
    assert "连接超时" in problems["示范超时"]
    assert "均无发布时间" in problems["示范无日期"]
    assert "未返回任何信息" in problems["示范空号"]
    scores = result["scores"].set_index("target")
    for name in ("示范无日期", "示范空号", "示范故障", "示范超时"):
        assert scores.loc[name, "qualified"] == "incomplete", name
    for name in ("示范办事", "示范视频号", "示范重试"):
        assert scores.loc[name, "qualified"] == "true", name
    for name in ("示范发布", "示范政务", "示范老账号", "示范无互动"):
        assert scores.loc[name, "qualified"] == "false", name
    table = pipeline.pass_rate_table(result["scores"]).set_index("类别")
    assert table.loc["政务新媒体", "待人工核查"] == 4
    assert table.loc["政务新媒体", "已判定"] == 7


def test_provenance_of_each_fetch(result: dict[str, Any]) -> None:
    fetches, base = result["fetches"], result["base"]
    boundary = fetches["示范发布"]
    assert (boundary.source, boundary.kind, boundary.ok, boundary.status) == (
        f"{base}/rss/boundary14", "rss", True, 200,
    )  # fmt: skip
    assert boundary.post_count == 5 and boundary.newest == ago(14)
    assert fetches["示范政务"].kind == "atom" and fetches["示范政务"].newest == ago(15)
    assert fetches["示范办事"].kind == "json" and fetches["示范办事"].post_count == 2
    assert fetches["示范视频号"].kind == "csv" and fetches["示范视频号"].newest == ago(3)
    assert fetches["示范故障"].status == 500 and not fetches["示范故障"].ok
    assert fetches["示范超时"].status is None and "连接超时" in fetches["示范超时"].reason
    assert fetches["示范重试"].ok and fetches["示范重试"].status == 200  # retried after a 503
    # retried after the 503 (under heavy load a slow first answer may cost one more try)
    assert [r.path for r in result["feed_log"]].count("/rss/flaky") >= 2
    assert all(isinstance(r.fetched_at, datetime) for r in fetches.values())


def test_post_links_opened_in_collect(result: dict[str, Any]) -> None:
    facts, base, hidden_log = result["facts"], result["base"], result["hidden_log"]
    checks = {c.url: c for a in facts.accounts for c in a.link_checks}
    assert checks[f"{base}/p/ok.html"].opened is True
    assert checks[f"{base}/p/big.html"].opened is True  # larger than max_bytes, still opens
    missing = checks[f"{base}/p/missing.html"]
    assert (missing.opened, missing.status, missing.reason) == (False, 404, "HTTP 404")
    assert checks["weixin://dl/business/?t=abc"].reason == SKIP_NOT_HTTP
    internal = next(c for url, c in checks.items() if url.startswith("http://127.0.0.2"))
    assert (internal.opened, internal.reason) == (None, SKIP_PRIVATE)
    assert hidden_log == []  # the internal address was never contacted
    broken = [f for f in result["findings"] if f.indicator == "media.link_broken"]
    assert len(broken) == 1 and not broken[0].veto
    assert broken[0].problem == f"链接无法打开：{base}/p/missing.html（HTTP 404）"
    assert broken[0].evidence_url == f"{base}/p/missing.html"


def test_security_and_zombie_wording(result: dict[str, Any]) -> None:
    found = {(f.target, f.indicator): f for f in result["findings"]}
    security = found[("示范发布", "media.security")]
    assert security.veto and security.evidence_url == f"{result['base']}/p/ok.html"
    assert "“新冠肺炎疫情防空”应为“新冠肺炎疫情防控”" in security.problem
    assert result["base"] + "/p/ok.html" in security.problem
    zombie = found[("示范老账号", "media.update_slow")]
    assert zombie.problem == "超过3个月未更新，属“僵尸账号”，应予关停或整改"
    assert not zombie.veto and zombie.detail["days_since"] == 95
    interaction = found[("示范无互动", "media.interaction_poor")]
    assert interaction.veto and interaction.problem == "未提供有效互动功能"


def test_json_mapping_comes_from_the_rules(result: dict[str, Any]) -> None:
    check = result["check"]
    account = next(a for a in check.inventory.media if a.name == "示范办事")
    mapped = pipeline._read_account(check, account)
    assert [p.title for p in mapped.feed.posts] == ["办事指南", "政策问答"]
    assert mapped.feed.newest == ago(3)
    default_rules = merge(
        check.rules,
        {"media": {"json_mapping": {"items": "items"}, "link_broken": {"enabled": False}}},
    )
    check.rules, saved = default_rules, check.rules
    try:
        plain = pipeline._read_account(check, account)
    finally:
        check.rules = saved
    assert not plain.feed.ok and plain.feed.reason == "数据源格式无法解析"
    assert plain.link_checks == []  # link checks switched off in the rules


def test_accounts_on_the_site_not_in_the_inventory(result: dict[str, Any]) -> None:
    site = result["facts"].sites[0]
    platforms = Counter(link.platform for link in site.account_links)
    assert platforms == {"微博": 1, "抖音号": 1, "微信公众号": 1}
    frame = suspected_unregistered(result["facts"])
    # 示范发布 (微博) is in the inventory; share buttons, articles and single videos are not
    # accounts; the douyin account and the 公众号 found on the 两微一端 page are suspects.
    assert sorted(frame["平台"]) == ["微信公众号", "抖音号"]
    douyin = frame[frame["平台"] == "抖音号"].iloc[0]
    assert douyin["账号名称或网址"] == "示范文旅抖音号"
    assert douyin["发现页面"].endswith("/lwyd/")
    wechat = frame[frame["平台"] == "微信公众号"].iloc[0]
    assert wechat["账号名称或网址"].startswith("https://mp.weixin.qq.com/mp/profile_ext?__biz=")
    assert list(frame.columns) == [
        "单位",
        "网站名称",
        "平台",
        "账号名称或网址",
        "账号网址",
        "发现页面",
    ]
