"""The fault matrix at the verdict level: a quarterly run over a misbehaving loopback city.

Every site and account of the mini-city misbehaves in one way from docs/reliability.md.
The rule under test: a faulty target's verdict is the verdict the same content gets when
served healthily (the control), or ``incomplete`` — never a violation the control does not
have. Controls: a fresh site and account (not violating) and a stale site and account
(violating: proof the run can see a real problem through the fault).

Written against ``pipeline.run_quarter`` and its outputs (scores.csv, findings.csv) only.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from faults import DNS_FAILURE_HOST, drip, gzip_bomb, truncated, unaccepting_port
from servers import Route, closed_port_url, redirect, reset_mid_body, sequence, serve, slow

from workbench import pipeline

UNIT = "湘潭市测试局"
HTML = {"Content-Type": "text/html; charset=utf-8"}
XML = {"Content-Type": "application/rss+xml; charset=utf-8"}


def homepage(title: str, day: str) -> str:
    """A homepage listing two items, the newest dated ``day`` (YYYY-MM-DD)."""
    return (
        f"<html><head><title>{title}</title></head><body><ul>"
        f'<li><a href="/a/1.html">关于开展防汛检查的通知</a><span>{day}</span></li>'
        f'<li><a href="/a/2.html">工作动态</a><span>2022-07-05</span></li>'
        "</ul></body></html>"
    )


def rss(*days: str) -> str:
    items = "".join(
        f"<item><title>推送{i}</title><link>https://mp.weixin.qq.com/s/{i}</link>"
        f"<pubDate>{day}</pubDate></item>"
        for i, day in enumerate(days)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>测试发布</title>{items}</channel></rss>"
    )


FRESH = homepage("湘潭市测试局", "2022-09-28")
STALE = homepage("湘潭市测试局", "2022-08-01")
FRESH_RSS = rss("Wed, 28 Sep 2022 02:00:00 GMT", "Wed, 01 Jun 2022 02:00:00 GMT")
STALE_RSS = rss("Wed, 03 Aug 2022 02:00:00 GMT", "Wed, 01 Jun 2022 02:00:00 GMT")
GBK_FRESH = FRESH.replace("<title>", '<meta charset="gbk"><title>').encode("gbk")
GBK_STALE = STALE.replace("<title>", '<meta charset="gbk"><title>').encode("gbk")
OLDEST_FIRST = rss("Wed, 01 Jun 2022 02:00:00 GMT", "Wed, 28 Sep 2022 02:00:00 GMT")
CUT_AT = OLDEST_FIRST.index("<pubDate>Wed, 28")
ARTICLE: Route = (200, HTML, "<html><head><title>通知</title></head><body>正文</body></html>")
PRIVATE_URL = closed_port_url("127.0.0.2") + "/admin"  # private, nothing listens
MALFORMED = FRESH.replace("</li>", "").replace("</ul>", "<table><tr><td>").replace("</body>", "")

# site name -> (homepage route, expected verdict); each site is its own loopback host.
# expected: "fresh"/"stale" = the matching control's verdict; "incomplete" = incomplete.
# A route None marks a site whose URL the fixture makes (DNS failure, connect timeout).
Case = tuple[Route | None, str]
SITES: dict[str, Case] = {
    "正常网站": ((200, HTML, FRESH), "fresh"),
    "首页陈旧网站": ((200, HTML, STALE), "stale"),
    "先报错后恢复网站": (sequence([(500, HTML, "错误"), (200, HTML, FRESH)]), "fresh"),
    "限流网站": (sequence([(429, {"Retry-After": "1"}, "请稍后"), (200, HTML, FRESH)]), "fresh"),
    "持续维护网站": ((503, HTML, "维护中"), "incomplete"),
    "读超时网站": (slow(10.0, (200, HTML, FRESH)), "incomplete"),
    "慢速滴漏网站": (drip(0.05), "incomplete"),
    "中途断开网站": (reset_mid_body(FRESH.encode()[:80], declared_length=9000), "incomplete"),
    "响应截断网站": (truncated(STALE.encode()[:150], declared_length=9000), "incomplete"),
    "超大响应网站": (
        (200, {"Transfer-Encoding": "chunked", **HTML}, b"<p>" + b"x" * (11 << 20)),
        "incomplete",
    ),
    "压缩炸弹网站": ((200, {"Content-Encoding": "gzip", **HTML}, gzip_bomb(24)), "incomplete"),
    "重定向循环网站": (redirect("/"), "incomplete"),
    "重定向到内网网站": (redirect(PRIVATE_URL), "incomplete"),
    "畸形网页网站": ((200, HTML, MALFORMED), "fresh"),
    "字符集错误网站": ((200, HTML, GBK_FRESH), "fresh"),
    "字符集错误且陈旧网站": ((200, HTML, GBK_STALE), "stale"),
    "域名无法解析网站": (None, "incomplete"),
    "连接超时网站": (None, "incomplete"),
}

# account name -> (feed route, expected verdict); all feeds on one loopback host
ACCOUNTS: dict[str, Case] = {
    "正常账号": ((200, XML, FRESH_RSS), "fresh"),
    "停更账号": ((200, XML, STALE_RSS), "stale"),
    "XML损坏账号": ((200, XML, FRESH_RSS[:120]), "incomplete"),
    "数据源报错账号": ((500, HTML, "错误"), "incomplete"),
    "数据源超时账号": (slow(10.0, (200, XML, FRESH_RSS)), "incomplete"),
    "数据源炸弹账号": ((200, {"Content-Encoding": "gzip", **XML}, gzip_bomb(16)), "incomplete"),
    "数据源域名失败账号": (None, "incomplete"),
}

# Former gaps (docs/reliability.md): these once ended as false violations.
GAP_SITES: dict[str, Case] = {
    "正常网站": SITES["正常网站"],
    "首页陈旧网站": SITES["首页陈旧网站"],
    "二进制首页网站": (
        (200, {"Content-Type": "application/octet-stream"}, bytes(range(256)) * 8),
        "incomplete",
    ),
    "乱码首页网站": ((200, HTML, bytes((i * 37) % 256 for i in range(5000))), "incomplete"),
}
GAP_ACCOUNTS: dict[str, Case] = {
    "正常账号": ACCOUNTS["正常账号"],
    "停更账号": ACCOUNTS["停更账号"],
    # complete over HTTP, but the XML stops inside the newest item (listed last, oldest
    # first): what survives is an old post and an undated one
    "XML截断账号": ((200, XML, OLDEST_FIRST[:CUT_AT]), "incomplete"),
}

RULES = """\
fetch:
  timeout_seconds: 0.5
  retries: 1
crawl:
  delay: 0
  max_pages: 10
"""


def _write_inventory(folder: Path, sites: dict[str, str], feeds: dict[str, str]) -> None:
    folder.mkdir()
    rows = ["单位,网站名称,网址,类型"] + [f"{UNIT},{n},{u},部门网站" for n, u in sites.items()]
    (folder / "websites.csv").write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
    rows = ["单位,账号名称,平台,数据源,是否备案"]
    rows += [f"{UNIT},{n},微信公众号,{u},是" for n, u in feeds.items()]
    (folder / "media.csv").write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
    (folder / "rules.yaml").write_text(RULES, encoding="utf-8")


def _run_city(tmp: Path, site_table: dict[str, Case], account_table: dict[str, Case]) -> Any:
    """Serve every site on its own loopback host, run the quarter, read the outputs."""
    with ExitStack() as stack:
        port = stack.enter_context(unaccepting_port())
        sites: dict[str, str] = {}
        for index, (name, (route, _)) in enumerate(site_table.items()):
            if route is not None:
                host = f"127.0.0.{10 + index}"
                routes = {"/": route, "/a/1.html": ARTICLE, "/a/2.html": ARTICLE}
                sites[name] = stack.enter_context(serve(routes, host=host)) + "/"
        sites.setdefault("连接超时网站", f"http://127.0.0.1:{port}/")
        sites.setdefault("域名无法解析网站", f"http://{DNS_FAILURE_HOST}/")
        sites = {name: sites[name] for name in site_table}
        feed_routes = {f"/{i}.xml": r for i, (r, _) in enumerate(account_table.values()) if r}
        feed_base = stack.enter_context(serve(feed_routes, host="127.0.0.3"))
        feeds = {
            name: f"{feed_base}/{i}.xml" if route else f"http://{DNS_FAILURE_HOST}/feed.xml"
            for i, (name, (route, _)) in enumerate(account_table.items())
        }
        _write_inventory(tmp / "inventory", sites, feeds)
        check = pipeline.run_quarter(
            progress=False,
            inventory=str(tmp / "inventory"),
            quarter="2022Q3",
            as_of="2022-09-30",
            db=f"sqlite:///{tmp / 'w.db'}",
            out=str(tmp / "out"),
        )
    scores = pd.read_csv(check.out / "scores.csv", dtype=str, keep_default_na=False)
    findings = pd.read_csv(check.out / "findings.csv", dtype=str, keep_default_na=False)
    return {"scores": scores, "findings": findings, "sites": sites, "feeds": feeds}


@pytest.fixture(scope="module")
def city_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _run_city(tmp_path_factory.mktemp("faulty_city"), SITES, ACCOUNTS)


@pytest.fixture(scope="module")
def gap_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _run_city(tmp_path_factory.mktemp("known_gaps"), GAP_SITES, GAP_ACCOUNTS)


def _verdicts(run: dict[str, Any], kind: str) -> dict[str, str]:
    scores = run["scores"]
    part = scores[scores["target_kind"] == kind]
    names = part["name"] if kind == "website" else part["target"]
    return dict(zip(names, part["qualified"], strict=True))


def _indicators(run: dict[str, Any], target: str) -> list[str]:
    """The indicator IDs of ``target``'s findings (a site URL or an account name), sorted."""
    findings = run["findings"]
    return sorted(findings[findings["target"] == target]["indicator"])


def _target(run: dict[str, Any], name: str) -> str:
    return str(run["sites"].get(name, name))


def test_controls_tell_a_violation_from_a_pass(city_run: dict[str, Any]) -> None:
    assert "site.homepage_stale" in _indicators(city_run, _target(city_run, "首页陈旧网站"))
    assert "site.homepage_stale" not in _indicators(city_run, _target(city_run, "正常网站"))
    assert "media.stale" in _indicators(city_run, "停更账号")
    assert "media.stale" not in _indicators(city_run, "正常账号")
    assert _verdicts(city_run, "website")["首页陈旧网站"] == "false"
    assert _verdicts(city_run, "media")["停更账号"] == "false"


@pytest.mark.parametrize("table", ["sites", "accounts"])
def test_faulty_targets_are_judged_right_or_incomplete(
    city_run: dict[str, Any], table: str
) -> None:
    """Content that got through is judged exactly like its control; the rest is incomplete."""
    cases = SITES if table == "sites" else ACCOUNTS
    kind = "website" if table == "sites" else "media"
    controls = (
        {"fresh": "正常网站", "stale": "首页陈旧网站"}
        if table == "sites"
        else {"fresh": "正常账号", "stale": "停更账号"}
    )
    verdicts = _verdicts(city_run, kind)
    for name, (_, want) in cases.items():
        if want == "incomplete":
            assert verdicts[name] == "incomplete", (
                name,
                _indicators(city_run, _target(city_run, name)),
            )
            continue
        control = controls[want]
        assert verdicts[name] == verdicts[control], name
        assert _indicators(city_run, _target(city_run, name)) == _indicators(
            city_run, _target(city_run, control)
        ), name


def test_incomplete_targets_carry_a_chinese_reason_and_no_violation(
    city_run: dict[str, Any],
) -> None:
    findings = city_run["findings"]
    incomplete = [n for n, (_, want) in [*SITES.items(), *ACCOUNTS.items()] if want == "incomplete"]
    urls = {**city_run["sites"], **{n: n for n in ACCOUNTS}}
    for name in incomplete:
        rows = findings[findings["target"] == urls[name]]
        gaps = rows[rows["indicator"] == "check.incomplete"]
        assert len(gaps) >= 1, (name, rows.to_dict("records"))
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in gaps["problem"])
        # nothing held against the target: no veto, no deduction
        assert set(rows["veto"]) == {"false"}, (name, rows.to_dict("records"))
        assert all(float(p or 0) == 0 for p in rows["points"]), (name, rows.to_dict("records"))


def test_binary_homepage_is_incomplete(gap_run: dict[str, Any]) -> None:
    assert _verdicts(gap_run, "website")["二进制首页网站"] == "incomplete"


def test_garbage_declared_as_html_is_incomplete(gap_run: dict[str, Any]) -> None:
    assert _verdicts(gap_run, "website")["乱码首页网站"] == "incomplete"


def test_feed_cut_mid_xml_is_incomplete(gap_run: dict[str, Any]) -> None:
    assert _verdicts(gap_run, "media")["XML截断账号"] == "incomplete"


def test_gap_cases_are_what_the_docs_say(gap_run: dict[str, Any]) -> None:
    """Today's behaviour of the known gaps, as docs/reliability.md records it."""
    sites, accounts = _verdicts(gap_run, "website"), _verdicts(gap_run, "media")
    for name in ("二进制首页网站", "乱码首页网站"):
        found = _indicators(gap_run, _target(gap_run, name))
        assert "site.homepage_stale" not in found and "check.incomplete" in found
        assert sites[name] == "incomplete"
    assert accounts["XML截断账号"] == "incomplete"
    assert "media.stale" not in _indicators(gap_run, "XML截断账号")


def test_gap_controls(gap_run: dict[str, Any]) -> None:
    """The known-gap run itself works: its controls pass and fail as they should."""
    assert "site.homepage_stale" in _indicators(gap_run, _target(gap_run, "首页陈旧网站"))
    assert "site.homepage_stale" not in _indicators(gap_run, _target(gap_run, "正常网站"))
    assert "media.stale" in _indicators(gap_run, "停更账号")
    assert "media.stale" not in _indicators(gap_run, "正常账号")


def test_two_sites_on_one_host_are_both_judged(tmp_path: Path) -> None:
    routes: dict[str, Route] = {"/a/": (200, HTML, FRESH), "/b/": (200, HTML, STALE)}
    routes |= {"/a/1.html": ARTICLE, "/a/2.html": ARTICLE}
    with serve(routes, host="127.0.0.4") as base:
        _write_inventory(tmp_path / "inventory", {"甲": base + "/a/", "乙": base + "/b/"}, {})
        check = pipeline.run_quarter(
            progress=False,
            inventory=str(tmp_path / "inventory"),
            quarter="2022Q3",
            as_of="2022-09-30",
            db=f"sqlite:///{tmp_path / 'w.db'}",
            out=str(tmp_path / "out"),
        )
    stale = {f.target for f in check.findings if f.indicator == "site.homepage_stale"}
    assert stale == {base + "/b/"}
