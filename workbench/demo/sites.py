"""HTML rendering of the demo city's websites, in three CMS flavours.

- ``trs``: ``/gzdt/index.html``, ``/gzdt/index_1.html`` (page 2), articles
  ``/gzdt/202209/t20220928_1234.html``; list dates ``2022-09-28``.
- ``hanweb``: ``/col/col101/index.html?page=2``, articles ``/art/2022/9/28/art_101_1234.html``;
  homepage dates ``[09-28]`` (month-day only), list dates ``2022-09-28``.
- ``table``: ``/gzdt/list.html?page=2``, articles ``/gzdt/content_1234.html``; dates in table
  cells as ``2022年9月28日``.
- ``jcms`` (大汉 JCMS, :mod:`workbench.demo.jcms`): hanweb URLs, but every column list is a
  jpage datastore whose later groups come only from the data proxy (POST); no ``<a>`` pager.

A trs site with ``script_paging`` writes its pager with ``createPageHTML`` (no ``<a href>``
to the other pages, which exist all the same).

Every link a page renders is a path of ``route_table`` (no broken links) except the dead links
planted on one site (``SiteModel.home_links`` / ``article_links``); the only external
links are the ICP / 公安备案 (``.gov.cn``) and conac (党政机关标识) links in the footer.
Times shown are naive Asia/Shanghai wall-clock times.
"""

from __future__ import annotations

import base64
import math
from datetime import datetime
from html import escape

from workbench.demo import jcms
from workbench.demo.city import Column, DemoAttachment, Item, SiteModel
from workbench.demo.issue17 import search_form
from workbench.demo.issue21 import documents_in_attachments
from workbench.demo.paths import column_path, item_path

PAGE_SIZE = {"trs": 20, "hanweb": 15, "table": 20, "jcms": jcms.PER_PAGE}
HOMEPAGE_ITEMS = 7
EMPTY_LIST = '<p class="empty">暂无信息</p>'  # what a column without items shows
# A 1×1 transparent PNG standing in for the 党政机关 badge.
BADGE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
Route = tuple[str, str, int]  # (kind, column key, page or item id)


def entries(site: SiteModel, col: Column) -> list[tuple[Column, Item]]:
    """A column's items newest first; a parent 专栏 without items of its own shows its children's."""
    if col.items:
        return [(col, it) for it in col.items]
    merged = [(c, it) for c in site.columns if c.parent == col.key for it in c.items]
    return sorted(merged, key=lambda pair: pair[1].published, reverse=True)


def page_count(site: SiteModel, col: Column) -> int:
    """List pages served per column (a jcms list is one page: its data proxy has the rest)."""
    if site.style == "jcms":
        return 1
    return max(1, math.ceil(len(entries(site, col)) / PAGE_SIZE[site.style]))


def route_table(site: SiteModel) -> dict[str, Route]:
    """Every path the site answers (query ``?page=N`` included in the key), and what it shows."""
    routes: dict[str, Route] = {
        "/": ("home", "", 0),
        "/index.html": ("home", "", 0),
        "/robots.txt": ("robots", "", 0),
        "/images/dzjg.png": ("badge", "", 0),
    }
    for col in site.columns:
        for page in range(1, page_count(site, col) + 1):
            routes[column_path(site, col, page)] = ("list", col.key, page)
        for item in col.items:
            routes[item_path(site, col, item)] = ("item", col.key, item.item_id)
    for index, att in enumerate(site.attachments):  # issue 21's files (a missing one: 404)
        if not att.missing:
            routes[att.path] = ("attachment", "", index)
    return routes


def _date_label(site: SiteModel, moment: datetime, *, homepage: bool) -> str:
    if site.style == "table":
        return f"{moment.year}年{moment.month}月{moment.day}日"
    if site.style in ("hanweb", "jcms") and homepage:
        return f"[{moment:%m-%d}]"
    return f"{moment:%Y-%m-%d}"


def _row_label(site: SiteModel, col: Column, item: Item, *, homepage: bool) -> str:
    """What a list row shows beside its title: the date, or a message board's 回复状态."""
    if col.status_list:
        return "已回复" if item.answered else "未回复"
    return _date_label(site, item.published, homepage=homepage)


def _entry_list(site: SiteModel, pairs: list[tuple[Column, Item]], *, homepage: bool) -> str:
    if site.style == "table":
        rows = "".join(
            f'<tr><td class="title"><a href="{item_path(site, c, it)}" target="_blank">{escape(it.title)}</a></td>'
            f'<td class="date">{_row_label(site, c, it, homepage=homepage)}</td></tr>'
            for c, it in pairs
        )
        return f'<table class="list" width="100%">{rows}</table>'
    lis = "".join(
        f'<li><a href="{item_path(site, c, it)}" title="{escape(it.title)}" target="_blank">'
        f"{escape(it.title)}</a><span>{_row_label(site, c, it, homepage=homepage)}</span></li>"
        for c, it in pairs
    )
    return f'<ul class="{"news_list" if homepage else "list"}">{lis}</ul>'


def _page(
    site: SiteModel, title: str, body: str, meta: dict[str, str], stamp: datetime | None
) -> str:
    metas = "".join(f'<meta name="{k}" content="{escape(v)}">\n' for k, v in meta.items())
    nav = "".join(
        f'<li><a href="{column_path(site, c)}">{escape(c.name)}</a></li>'
        for c in site.columns
        if not c.parent
    )
    generated = f"<p>页面生成时间：{stamp:%Y-%m-%d %H:%M:%S}</p>" if stamp else ""
    psb = site.psb
    police = (
        f'　<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode={psb}" '
        f'target="_blank">{site.icp[0]}公网安备 {psb}号</a>'
        if site.show_psb
        else ""
    )
    badge_alt = "党政机关" if site.kind != "事业单位网站" else "事业单位"
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{escape(title)}</title>
<meta name="SiteName" content="{escape(site.name)}">
<meta name="SiteIDCode" content="{site.site_code}">
{metas}</head>
<body>
<div class="header"><div class="logo"><a href="/">{escape(site.name)}</a></div>{search_form(site)}</div>
<div class="nav"><ul><li><a href="/">首页</a></li>{nav}</ul></div>
<div class="main">
{body}
</div>
<div class="footer">
<p>主办单位：{escape(site.unit)}　网站标识码：{site.site_code}</p>
<p><a href="https://beian.miit.gov.cn/" target="_blank">{site.icp}</a>{police}</p>
<p><a href="https://bszs.conac.cn/sitename?method=show&amp;id={site.conac_id}" target="_blank"><img src="/images/dzjg.png" alt="{badge_alt}" width="55" height="65"></a></p>
{generated}
</div>
</body>
</html>
"""


def render_home(site: SiteModel) -> str:
    blocks = []
    for col in site.columns:
        if col.parent or not col.on_homepage:
            continue
        pairs = entries(site, col)[:HOMEPAGE_ITEMS]
        blocks.append(
            f'<div class="block"><div class="block_title"><h3>{escape(col.name)}</h3>'
            f'<a class="more" href="{column_path(site, col)}">更多&gt;&gt;</a></div>'
            f"{_entry_list(site, pairs, homepage=True)}</div>"
        )
    if site.home_links:
        lis = "".join(f'<li><a href="{p}">{escape(a)}</a></li>' for a, p in site.home_links)
        blocks.append(f'<div class="block links"><ul>{lis}</ul></div>')
    if site.extra_home_html:
        blocks.append(site.extra_home_html)
    meta = {"ColumnName": "首页"}
    if site.regenerated:
        meta["PubDate"] = f"{site.regenerated:%Y-%m-%d %H:%M}"
    return _page(site, site.name, "\n".join(blocks), meta, site.regenerated)


def _file_rows(site: SiteModel, col: Column) -> str:
    """Rows of the files a list links directly (dated like its other rows)."""
    files = [a for a in site.attachments if a.column == col.key and a.published is not None]
    if not files:
        return ""
    cells = [
        (escape(a.path), escape(a.anchor), _date_label(site, a.published, homepage=False))
        for a in files
        if a.published is not None
    ]
    if site.style == "table":
        rows = "".join(
            f'<tr><td class="title"><a href="{p}" target="_blank">{t}</a></td>'
            f'<td class="date">{d}</td></tr>'
            for p, t, d in cells
        )
        return f'<table class="list" width="100%">{rows}</table>'
    lis = "".join(
        f'<li><a href="{p}" target="_blank">{t}</a><span>{d}</span></li>' for p, t, d in cells
    )
    return f'<ul class="list">{lis}</ul>'


def _attached(site: SiteModel, item: Item) -> str:
    """The 附件 block of an article: links to the files attached to it."""
    files: list[DemoAttachment] = [a for a in site.attachments if a.item_id == item.item_id]
    if not files:
        return ""
    links = "".join(f'<p><a href="{escape(a.path)}">{escape(a.anchor)}</a></p>' for a in files)
    return f'<div class="fj"><p>附件：</p>{links}</div>'


def _pager(site: SiteModel, col: Column, page: int, total: int, count: int) -> str:
    links = [f"<span>共{count}条　第{page}/{total}页</span>"]
    if page > 1:
        links.append(f'<a href="{column_path(site, col)}">首页</a>')
        links.append(f'<a href="{column_path(site, col, page - 1)}">上一页</a>')
    if page < total:
        links.append(f'<a href="{column_path(site, col, page + 1)}">下一页</a>')
        links.append(f'<a href="{column_path(site, col, total)}">尾页</a>')
    return f'<div class="pager">{"".join(links)}</div>'


def render_list(site: SiteModel, col: Column, page: int) -> str:
    size = PAGE_SIZE[site.style]
    pairs = entries(site, col)
    total = page_count(site, col)
    if site.style == "jcms":
        listing = jcms.datastore_list(site, pairs, col, item_path) if pairs else ""
        pager = ""
    else:
        listing = _entry_list(site, pairs[(page - 1) * size : page * size], homepage=False)
        if page == 1:  # files the list shows as rows of their own (issue 21)
            listing = _file_rows(site, col) + listing
        pager = _pager(site, col, page, total, len(pairs))
        if site.script_paging:
            pager = jcms.trs_paging_script(total, page - 1)
    children = [c for c in site.columns if c.parent == col.key]
    sub_nav = ""
    if children:
        lis = "".join(
            f'<li><a href="{column_path(site, c)}">{escape(c.name)}</a></li>' for c in children
        )
        sub_nav = f'<div class="sub_nav"><ul>{lis}</ul></div>'
    crumb = '<a href="/">首页</a> &gt; '
    if col.parent:
        parent = site.column(col.parent)
        crumb += f'<a href="{column_path(site, parent)}">{escape(parent.name)}</a> &gt; '
    body = (
        f'<div class="position">当前位置：{crumb}{escape(col.name)}</div>{sub_nav}'
        f"{listing}{'' if pairs else EMPTY_LIST}{pager}"
    )
    return _page(site, f"{col.name}-{site.name}", body, {"ColumnName": col.name}, site.regenerated)


def _info_line(site: SiteModel, item: Item) -> str:
    p = item.published
    if site.style in ("hanweb", "jcms"):
        when = f"发布时间：{p:%Y-%m-%d %H:%M:%S}"
    elif site.style == "table":
        when = f"发布日期：{p:%Y年%m月%d日 %H:%M}"
    else:
        when = f"发布日期：{p:%Y-%m-%d %H:%M}"
    return f'<div class="info"><span>{when}</span>　<span>来源：{escape(site.unit)}</span></div>'


def _body(site: SiteModel, item: Item) -> str:
    p = item.published
    if item.kind == "document" and item.item_id in documents_in_attachments(site):
        rows = [  # 文号, 统一登记号 and 有效性 only in the attached PDF (issue 21)
            ("索引号", f"{site.site_code}/{p.year}-{item.item_id:05d}"),
            ("发布机构", site.unit),
            ("发布日期", f"{p:%Y-%m-%d}"),
        ]
        table = "".join(f"<tr><th>{k}</th><td>{escape(v)}</td></tr>" for k, v in rows)
        return f'<table class="xxgk">{table}</table><div class="content"><p>详见附件。</p></div>'
    if item.kind == "document":
        rows = [
            ("索引号", f"{site.site_code}/{p.year}-{item.item_id:05d}"),
            ("发布机构", site.unit),
            ("文号", item.doc_number or "无"),
            ("发布日期", f"{p:%Y-%m-%d}"),
        ]
        if item.normative:
            rows += [("统一登记号", item.reg_no or ""), ("有效性", "有效")]
        table = "".join(f"<tr><th>{k}</th><td>{escape(v)}</td></tr>" for k, v in rows)
        if item.normative:
            text: tuple[str, ...] = (
                "第一条　为规范相关工作，根据有关法律法规，结合本市实际，制定本办法。",
                "第二条　本办法适用于本市行政区域内的相关管理活动。",
                "第三条　本办法自发布之日起施行，有效期5年。",
            )
        else:
            text = ("各有关单位：", "现将有关事项通知如下，请认真贯彻落实。")
        paras = "".join(f"<p>{t}</p>" for t in text)
        return f'<table class="xxgk">{table}</table><div class="content">{paras}</div>'
    if item.kind == "consultation" and item.asked and not item.answered:
        return (
            f'<table class="hdjl"><tr><th>留言标题</th><td>{escape(item.title)}</td></tr>'
            f"<tr><th>留言时间</th><td>{item.asked:%Y-%m-%d %H:%M}</td></tr>"
            "<tr><th>留言内容</th><td>您好，想咨询一下相关事项的办理要求，谢谢。</td></tr>"
            "<tr><th>办理状态</th><td>未回复</td></tr></table>"
        )
    if item.kind == "consultation" and item.asked:
        return (
            f'<table class="hdjl"><tr><th>留言标题</th><td>{escape(item.title)}</td></tr>'
            f"<tr><th>留言时间</th><td>{item.asked:%Y-%m-%d %H:%M}</td></tr>"
            "<tr><th>留言内容</th><td>您好，想咨询一下相关事项的办理要求，谢谢。</td></tr>"
            f"<tr><th>答复单位</th><td>{escape(site.unit)}</td></tr>"
            f"<tr><th>答复时间</th><td>{p:%Y-%m-%d %H:%M}</td></tr>"
            "<tr><th>答复内容</th><td>您好，您咨询的事项可通过政务服务网在线办理，"
            "也可到政务服务中心窗口咨询。感谢您的关注。</td></tr></table>"
        )
    if item.kind == "guide":
        fields = (
            "事项名称",
            "设定依据",
            "申请条件",
            "办理材料",
            "办理地点",
            "办理时间",
            "联系电话",
            "办理流程",
        )
        values = (
            item.title.removesuffix("办事指南"),
            "相关法律法规",
            "符合条件的申请人",
            "申请表、身份证明",
            "市政务服务中心",
            "工作日9:00-17:00",
            "0000-12345678",
            "申请、受理、审核、办结",
        )
        shown = len(fields) - item.missing  # a poor guide lacks its last categories
        return (
            '<table class="bszn">'
            + "".join(
                f"<tr><th>{k}</th><td>{escape(v)}</td></tr>"
                for k, v in list(zip(fields, values, strict=True))[:shown]
            )
            + "</table>"
        )
    if item.kind == "interpretation":
        if item.form == "问答":
            lines = [
                "一、问：制定的背景是什么？",
                "答：为进一步规范相关工作，结合本市实际制定。",
                "二、问：主要内容有哪些？",
                "答：主要包括适用范围、职责分工和保障措施等内容。",
            ]
        elif item.form == "图解":
            lines = ["一图读懂：", "【制定背景】【主要内容】【工作要求】"]
        else:
            lines = [
                "为便于社会公众理解，现就有关内容解读如下。",
                "一、制定背景。二、主要内容。三、工作要求。",
            ]
        return '<div class="content">' + "".join(f"<p>{t}</p>" for t in lines) + "</div>"
    notes = "".join(f"<p>{escape(t)}</p>" for i, t in site.article_notes if i == item.item_id)
    notes += "".join(
        f'<p><a href="{path}">{escape(a)}</a></p>'
        for i, a, path in site.article_links
        if i == item.item_id
    )
    return (
        f'<div class="content"><p>{p.month}月{p.day}日，{escape(item.title)}。</p>{notes}'
        f"<p>下一步，{escape(site.unit)}将坚持以人民为中心的发展思想，扎实做好各项工作，确保取得实效。</p></div>"
    )


def render_item(site: SiteModel, col: Column, item: Item) -> str:
    related = ""
    if item.related:
        links = []
        for other_col in site.columns:
            for other in other_col.items:
                if other.item_id in item.related:
                    links.append(
                        f'<li><a href="{item_path(site, other_col, other)}">{escape(other.title)}</a></li>'
                    )
        label = "相关解读" if item.kind == "document" else "相关文件"
        related = f'<div class="related"><h4>{label}</h4><ul>{"".join(links)}</ul></div>'
    body = (
        f'<div class="position">当前位置：<a href="/">首页</a> &gt; '
        f'<a href="{column_path(site, col)}">{escape(col.name)}</a></div>'
        f'<div class="article"><h2 class="title">{escape(item.title)}</h2>{_info_line(site, item)}'
        f"{_body(site, item)}{_attached(site, item)}{related}</div>"
    )
    meta = {
        "ArticleTitle": item.title,
        "PubDate": f"{item.published:%Y-%m-%d %H:%M}",
        "ContentSource": site.unit,
        "ColumnName": col.name,
    }
    if site.regenerated:
        meta["Maketime"] = f"{site.regenerated:%Y-%m-%d %H:%M:%S}"
    return _page(site, f"{item.title}-{site.name}", body, meta, site.regenerated)


def render_proxy(site: SiteModel, column_id: str, start: int, end: int) -> bytes | None:
    """The jcms data proxy's answer for one column's records ``start``…``end``, or None."""
    for col in site.columns:
        if str(col.col_id) == column_id:
            pairs = entries(site, col)
            return jcms.proxy_answer(site, col, pairs, start, end, item_path).encode("utf-8")
    return None


def render(site: SiteModel, route: Route) -> tuple[str, bytes]:
    """(content type, body) for a route of ``route_table``."""
    kind, key, number = route
    if kind == "attachment":
        from workbench.demo.attachment_files import CONTENT_TYPES
        from workbench.demo.issue21 import attachment_files

        att = site.attachments[number]
        data = attachment_files((site,))[(site.key, att.path)]
        return CONTENT_TYPES.get(att.extension, "application/octet-stream"), data
    if kind == "robots":
        return "text/plain; charset=utf-8", b"User-agent: *\nAllow: /\n"
    if kind == "badge":
        return "image/png", BADGE_PNG
    if kind == "home":
        html = render_home(site)
    elif kind == "list":
        html = render_list(site, site.column(key), number)
    else:
        col = site.column(key)
        html = render_item(site, col, next(it for it in col.items if it.item_id == number))
    return "text/html; charset=utf-8", html.encode("utf-8")
