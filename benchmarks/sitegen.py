"""A generated government-style static site for the crawl benchmarks.

Shape (like a TRS/Hanweb county portal): a homepage, ``COLUMNS`` columns (栏目) each with
paginated list pages of 20 dated items (``index.html``, ``index_1.html`` …, every list page
linking all pages of its column), and articles at ``/<col>/<YYYYMM>/t<YYYYMMDD>_<id>.html``.
Every page carries the site header (all columns), a 热点 sidebar of 8 articles, and a footer
with 网站标识码, ICP/公安备案 numbers and external links (conac, gov.cn: not fetched by
crawlers). Some articles link a ``.pdf`` attachment and ``/search/?q=`` (disallowed by
robots.txt). Pages are ~14 KB of UTF-8, the median of real pages in the corpus being ~24 KB.

Deterministic for a given ``pages`` and ``seed``. Dates are 2020-01-01 … 2022-09-30.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

COLUMNS = [
    ("ywdt", "要闻动态"),
    ("tzgg", "通知公告"),
    ("zcwj", "政策文件"),
    ("zcjd", "政策解读"),
    ("rsxx", "人事信息"),
    ("czzj", "财政资金"),
    ("ghjh", "规划计划"),
    ("tjxx", "统计信息"),
    ("yjgl", "应急管理"),
    ("hdjl", "互动交流"),
    ("bmdt", "部门动态"),
    ("xzdt", "乡镇动态"),
]
PER_LIST = 20
_PHRASES = [
    "为深入贯彻落实党中央、国务院决策部署",
    "进一步优化营商环境",
    "切实做好政务公开工作",
    "按照省市统一安排",
    "现将有关事项通知如下",
    "各乡镇人民政府、县直各单位",
    "请结合实际认真贯彻执行",
    "加强组织领导，压实工作责任",
    "确保各项工作落到实处",
    "本通知自印发之日起施行",
]
_FIRST = date(2020, 1, 1)
_SPAN_DAYS = (date(2022, 9, 30) - _FIRST).days


def _plan(pages: int, columns: list[tuple[str, str]]) -> int:
    """Number of articles so that 3 fixed pages + list pages + articles ≈ ``pages``."""
    articles = max(len(columns), pages - 3)
    while True:
        per_col = -(-articles // len(columns))
        lists = len(columns) * max(1, -(-per_col // PER_LIST))
        if 3 + lists + articles <= pages or articles <= len(columns):
            return articles
        articles -= max(1, (3 + lists + articles - pages) // 2)


def _list_name(index: int) -> str:
    return "index.html" if index == 0 else f"index_{index}.html"


def _header(title: str, columns: list[tuple[str, str]] = COLUMNS) -> str:
    nav = "".join(f'<li><a href="/{key}/">{name}</a></li>' for key, name in columns)
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{title}_示范县人民政府</title>"
        '<meta name="SiteName" content="示范县人民政府"><meta name="SiteIDCode" content="4303210001">'
        '<link rel="stylesheet" href="/css/main.css"></head><body>'
        '<div class="top"><a href="/">网站首页</a> <a href="/search/?q=">站内搜索</a> '
        '<a href="https://www.gov.cn/">中国政府网</a></div>'
        f'<div class="nav"><ul><li><a href="/">首页</a></li>{nav}</ul></div>'
    )


def _footer() -> str:
    return (
        '<div class="footer"><p>主办：示范县人民政府办公室 承办：示范县政务服务中心</p>'
        '<p>网站标识码：4303210001 <a href="https://beian.miit.gov.cn/">湘ICP备05001234号</a> '
        '<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=43032102000123">'
        "湘公网安备 43032102000123号</a></p>"
        '<p><a href="https://bszs.conac.cn/sitename?method=show&amp;id=1"><img alt="党政机关" '
        'src="/images/red.png"></a> <a href="/sitemap.html">网站地图</a> '
        '<a href="/lxwm.html">联系我们</a></p></div></body></html>'
    )


def _sidebar(hot: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{url}">{title}</a></li>' for url, title in hot)
    return f'<div class="side"><h3>热点关注</h3><ul>{items}</ul></div>'


def _text(rng: random.Random, sentences: int) -> str:
    return "。".join(rng.choice(_PHRASES) for _ in range(sentences)) + "。"


def generate_site(root: Path, pages: int, *, seed: int = 19, columns: int | None = None) -> int:
    """Write a site of about ``pages`` HTML pages under ``root``; return the count written.
    ``columns``: only the first N columns (a small site), all by default."""
    rng = random.Random(seed)
    cols = COLUMNS[: columns or len(COLUMNS)]
    articles = _plan(pages, cols)
    root.mkdir(parents=True, exist_ok=True)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /search/\n", encoding="utf-8")
    by_col: list[list[tuple[str, str, date]]] = [[] for _ in cols]
    for ident in range(articles):
        col = ident % len(cols)
        day = _FIRST + timedelta(days=_SPAN_DAYS - (ident * 997) % (_SPAN_DAYS + 1))
        url = f"/{cols[col][0]}/{day:%Y%m}/t{day:%Y%m%d}_{100000 + ident}.html"
        title = (
            f"关于{cols[col][1]}第{ident + 1}号事项的{rng.choice(['通知', '公告', '解读', '报告'])}"
        )
        by_col[col].append((url, title, day))
    for entries in by_col:
        entries.sort(key=lambda e: e[2], reverse=True)
    hot = [(u, t) for u, t, _ in (c[0] for c in by_col if c)][:8]
    written = 0

    def put(path: str, html: str) -> None:
        nonlocal written
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        written += 1

    blocks = []
    for (key, name), entries in zip(cols, by_col, strict=True):
        rows = "".join(
            f'<li><a href="{u}">{t}</a><span>{d:%Y-%m-%d}</span></li>' for u, t, d in entries[:8]
        )
        blocks.append(
            f'<div class="block"><h2><a href="/{key}/">{name}</a>'
            f'<a class="more" href="/{key}/">更多</a></h2><ul>{rows}</ul></div>'
        )
    put("/sitemap.html", _header("网站地图", cols) + "".join(blocks) + _footer())
    put("/lxwm.html", _header("联系我们", cols) + _text(rng, 30) + _footer())
    put(
        "/index.html",
        _header("首页", cols) + "".join(blocks) + _sidebar(hot) + _text(rng, 40) + _footer(),
    )
    for (key, name), entries in zip(cols, by_col, strict=True):
        count = max(1, -(-len(entries) // PER_LIST))
        pager = " ".join(f'<a href="/{key}/{_list_name(i)}">{i + 1}</a>' for i in range(count))
        for index in range(count):
            part = entries[index * PER_LIST : (index + 1) * PER_LIST]
            rows = "".join(
                f'<li><a href="{u}" title="{t}">{t}</a><span class="date">{d:%Y-%m-%d}</span></li>'
                for u, t, d in part
            )
            body = (
                f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; {name}</div>'
                f'<div class="list"><ul>{rows}</ul><div class="pager">共{count}页 {pager}</div></div>'
            )
            put(
                f"/{key}/{_list_name(index)}",
                _header(name, cols) + body + _sidebar(hot) + _footer(),
            )
        for position, (url, title, day) in enumerate(entries):
            neighbour = entries[(position + 1) % len(entries)]
            attachment = (
                f'<p>附件：<a href="/{key}/att/{100000 + position}.pdf">附件1.pdf</a></p>'
                if position % 5 == 0
                else ""
            )
            body = (
                f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; '
                f'<a href="/{key}/">{name}</a></div><div class="article"><h1>{title}</h1>'
                f'<div class="info">发布日期：{day:%Y-%m-%d} 来源：示范县人民政府办公室</div>'
                f'<div class="content"><p>{_text(rng, 100)}</p><p>{_text(rng, 100)}</p><p>{_text(rng, 90)}</p></div>'
                f'{attachment}<div class="next">下一篇：<a href="{neighbour[0]}">{neighbour[1]}</a>'
                "</div></div>"
            )
            put(url, _header(title, cols) + body + _sidebar(hot) + _footer())
    return written


if __name__ == "__main__":
    import sys

    count = generate_site(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3000)
    print(f"{count} pages written to {sys.argv[1]}")
