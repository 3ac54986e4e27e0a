"""The demo city's 大汉 JCMS flavour (``jcms``) and the TRS paging script, as real sites build them.

``jcms`` column pages hold their rows in a jpage datastore, not in ``<a href>`` lists:
``<script type="text/xml"><datastore><nextgroup>…</nextgroup><recordset><record><![CDATA[<li>…
</li>]]></record>…`` with the first group (``GROUP_SIZE`` pages of ``PER_PAGE`` rows); a jpage
set-up script names ``totalRecord``, ``perPage`` and the data proxy. Later groups come only
from ``POST /module/web/jpage/dataproxy.jsp?startrecord=…&endrecord=…&perpage=…`` with the
nextgroup's parameters (``columnid`` …) as the form body, as the real data proxy answers;
a GET there is refused. ``trs_paging_script`` writes a TRS ``createPageHTML`` pager: the
other pages exist (``index_1.html`` …) but no ``<a href>`` names them.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from urllib.parse import quote

from workbench.demo.city import Column, Item, SiteModel

PER_PAGE = 5
GROUP_SIZE = 3
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"

ItemPath = Callable[[SiteModel, Column, Item], str]


def _record(site: SiteModel, col: Column, item: Item, item_path: ItemPath) -> str:
    title = escape(item.title)
    return (
        f'<record><![CDATA[<li><a href="{item_path(site, col, item)}" title="{title}" '
        f'target="_blank">{title}</a><span>{item.published:%Y-%m-%d}</span></li>]]></record>'
    )


def _nextgroup(site: SiteModel, col: Column) -> str:
    query = (
        f"page=1&appid=1&webid=31&path=/&columnid={col.col_id}&unitid={7000 + col.col_id}"
        f"&webname={quote(site.name)}&permissiontype=0"
    )
    return f'<nextgroup><![CDATA[<a href="{PROXY_PATH}?{query}"></a>]]></nextgroup>'


def datastore_list(
    site: SiteModel, pairs: list[tuple[Column, Item]], col: Column, item_path: ItemPath
) -> str:
    """A column's list as a JCMS page holds it: the first group in a datastore + jpage set-up."""
    first = pairs[: PER_PAGE * GROUP_SIZE]
    records = "\n".join(_record(site, c, it, item_path) for c, it in first)
    unit = 7000 + col.col_id
    return (
        f'<div id="{unit}"><script type="text/xml"><datastore>{_nextgroup(site, col)}'
        f"<recordset>\n{records}\n</recordset></datastore></script></div>"
        '<script language="javascript" src="/module/jslib/jquery/jpage/jquery.page.min.js">'
        "</script>"
        f"<script>$(function(){{$('#{unit}').jpage({{dataStore: null, proxyUrl: '{PROXY_PATH}',"
        f" perPage: {PER_PAGE}, groupSize: {GROUP_SIZE}, totalRecord: {len(pairs)},"
        " barPosition: 'bottom', dataBefore: '<ul class=\"list\">', dataAfter: '</ul>'});});"
        "</script>"
    )


def proxy_answer(
    site: SiteModel,
    col: Column,
    pairs: list[tuple[Column, Item]],
    start: int,
    end: int,
    item_path: ItemPath,
) -> str:
    """The data proxy's answer: records ``start``…``end`` (1-based, inclusive) as a datastore."""
    chosen = pairs[max(0, start - 1) : max(0, end)]
    records = "\n".join(_record(site, c, it, item_path) for c, it in chosen)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>'
        f"{_nextgroup(site, col)}<totalrecord>{len(pairs)}</totalrecord>"
        f"<recordset>\n{records}\n</recordset></datastore>"
    )


def trs_paging_script(total: int, current: int) -> str:
    """A TRS pager written at run time: ``createPageHTML(total, current, "index", "html")``."""
    return (
        '<div class="pager"><script language="javascript">\n'
        "function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){\n"
        "  if(_nPageCount == null || _nPageCount<=1){ return; }\n"
        "  for(var i=0; i<_nPageCount; i++){\n"
        '    var name = i==0 ? _sPageName+"."+_sPageExt : _sPageName+"_"+i+"."+_sPageExt;\n'
        '    if(i==_nCurrIndex) document.write("<span>"+(i+1)+"</span> ");\n'
        '    else document.write("<a href=\\""+name+"\\">"+(i+1)+"</a> ");\n'
        "  }\n}\n"
        f'createPageHTML({total}, {current}, "index", "html");\n</script></div>'
    )
