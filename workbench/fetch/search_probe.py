"""站内搜索 (site search) tried once per website in the collect stage.

The homepage's search box is a ``<form>`` with a text input that names a search (its name,
placeholder, the form's action or its button say 搜索/检索/search/keyword …). A GET form is
submitted with the title of an item the crawl read on the site itself (the newest dated row
with a full title); the results page works when it shows that title (whitespace ignored) or
links to the item's URL.

What the workbench cannot drive gives no verdict (``scripted``): a search box outside any
form, a POST form, a form whose action is a script. A request that got no answer, robots.txt
forbidding the results page, or a target the SSRF guard refuses are ``unchecked``. Requests
are as polite as the crawl: the same per-host throttle and robots.txt rules
(:class:`workbench.fetch.politeness.PoliteFetcher`), one query per site.

The outcome is a plain dict on ``SiteFacts.search`` (``status``: ``no_box`` / ``scripted`` /
``working`` / ``no_result`` / ``failed`` / ``unchecked``), read by ``site.search``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import lxml.html

from workbench.facts import SiteFacts
from workbench.fetch.guard import inventory_hosts, is_public_target
from workbench.fetch.politeness import HostThrottle, PoliteFetcher
from workbench.fetch.site_crawl import crawl_settings
from workbench.rules.schema import Rules
from workbench.urls import normalize_url

SEARCH_WORDS = ("搜索", "检索", "search", "query", "keyword", "searchword", "关键字", "关键词")
QUERY_NAMES = frozenset(
    [
        "q",
        "query",
        "keyword",
        "keywords",
        "key",
        "kw",
        "wd",
        "word",
        "searchword",
        "searchkey",
        "sword",
        "qt",
        "text",
        "searchtext",
        "searchvalue",
    ]
)
_SPACE_RE = re.compile(r"[\s\u3000\xa0]+")
MIN_TITLE = 6
_XHR_RE = re.compile(
    r"XMLHttpRequest|\$\.(?:ajax|get|post|getJSON)\s*\(|\bfetch\s*\(|axios|jsonp", re.I
)


def _is_search_input(el: lxml.html.HtmlElement, form: lxml.html.HtmlElement | None) -> bool:
    if (el.get("type") or "text").lower() not in ("text", "search"):
        return False
    name = (el.get("name") or "").lower()
    hints = " ".join(
        [name, el.get("id") or "", el.get("placeholder") or "", el.get("value") or "",
         el.get("title") or ""]
    ).lower()  # fmt: skip
    if form is not None:
        buttons = form.xpath(".//input[@type='submit' or @type='image']/@value | .//button//text()")
        hints += " " + (form.get("action") or "").lower() + " " + " ".join(map(str, buttons))
        hints += " " + (form.get("id") or "").lower() + " " + (form.get("name") or "").lower()
    return name in QUERY_NAMES or any(w in hints for w in SEARCH_WORDS)


def find_search_form(html: str, base: str) -> dict[str, Any]:
    """The homepage's search box: ``{"found": bool, "scripted": bool, "action", "field",
    "hidden": [[name, value]], "why"}`` (see module doc)."""
    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return {"found": False}
    boxes = [el for el in root.iter("input") if _is_search_input(el, _form_of(el))]
    for el in boxes:
        form = _form_of(el)
        if form is None or not el.get("name"):
            continue
        action = (form.get("action") or "").strip()
        method = (form.get("method") or "get").lower()
        if method != "get" or action.lower().startswith("javascript:"):
            continue
        onsubmit = (form.get("onsubmit") or "").replace(" ", "").lower()
        if "returnfalse" in onsubmit:
            continue
        hidden = [
            [str(h.get("name")), str(h.get("value") or "")]
            for h in form.iter("input")
            if (h.get("type") or "").lower() == "hidden" and h.get("name")
        ]
        return {
            "found": True,
            "scripted": False,
            "action": urljoin(base, action) if action else base,
            "field": str(el.get("name")),
            "hidden": hidden,
        }
    if boxes:
        return {"found": True, "scripted": True, "why": "搜索框由脚本提交，无法自动检验"}
    return {"found": False}


def _form_of(el: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    return next((a for a in el.iterancestors() if a.tag == "form"), None)


def squeeze(text: str) -> str:
    """``text`` without any whitespace (results pages break titles with spaces and tags)."""
    return _SPACE_RE.sub("", text)


def query_item(site: SiteFacts) -> tuple[str, str] | None:
    """(title, URL) of the newest dated row the crawl read on the site's own pages, with a
    full title (not cut with …, no masked number) of at least ``MIN_TITLE`` characters."""
    best: tuple[Any, str, str] | None = None
    own = urlsplit(site.website.url).hostname
    for page in site.pages:
        for item in page.items:
            title = (item.title or "").strip()
            if item.date is None or len(title) < MIN_TITLE or title.endswith(("…", "...")):
                continue
            if "**" in title:  # a title whose personal number the crawl masked
                continue
            if urlsplit(item.url).hostname != own:
                continue
            if best is None or item.date > best[0]:
                best = (item.date, title, item.url)
    return (best[1], best[2]) if best else None


def results_show(html: str, title: str, url: str) -> bool:
    """True when a results page shows ``title`` or links to ``url``."""
    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return False
    for bad in root.xpath("//script | //style | //head"):
        bad.drop_tree()
    want, key = squeeze(title), normalize_url(url)
    for a in root.iter("a"):
        text = squeeze(a.text_content()).rstrip(".…")
        if want in text or (len(text) >= MIN_TITLE and want.startswith(text)):
            return True  # a result listed by its title (long titles are cut), not an echo
        href = a.get("href")
        if href and normalize_url(urljoin(url, href)) == key:
            return True
    return False


def scripted_results(html: str) -> bool:
    """True when a results page fills its list by script (what it shows is not the answer)."""
    return bool(_XHR_RE.search(html))


def search_url(form: dict[str, Any], query: str) -> str:
    """The GET URL the form submits for ``query`` (the form's own query string replaced)."""
    parts = urlsplit(str(form["action"]))
    fields: Iterable[tuple[str, str]] = [
        *map(tuple, form.get("hidden") or []),
        (form["field"], query),
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(list(fields)), ""))


def probe_search(
    site: SiteFacts, homepage_html: str, fetcher: PoliteFetcher, allow_hosts: Iterable[str]
) -> dict[str, Any]:
    """Try the site's search once (see module doc); the outcome for ``SiteFacts.search``."""
    base = site.homepage.final_url or site.website.url
    form = find_search_form(homepage_html, base)
    if not form.get("found"):
        return {"status": "no_box", "page": base}
    if form.get("scripted"):
        return {"status": "scripted", "page": base, "why": form.get("why", "")}
    picked = query_item(site)
    if picked is None:
        return {"status": "unchecked", "page": base, "why": "本次抓取未读到可用于检索的信息标题"}
    title, item_url = picked
    url = search_url(form, title)
    outcome = {"page": base, "query": title, "item_url": item_url, "url": url}
    if not is_public_target(url, allow_hosts=frozenset(allow_hosts)):
        return {**outcome, "status": "unchecked", "why": "搜索地址不在检查范围内"}
    if not fetcher.allowed(url):
        return {**outcome, "status": "unchecked", "why": "robots.txt不允许访问搜索结果页"}
    result = fetcher.get(url)
    if result.status is None:
        return {**outcome, "status": "unchecked", "why": result.error or "无响应"}
    if result.status >= 400:
        return {**outcome, "status": "failed", "http_status": result.status}
    if results_show(result.text, title, item_url):
        return {**outcome, "status": "working"}
    if scripted_results(result.text):
        return {**outcome, "status": "scripted", "why": "搜索结果由脚本加载，无法自动检验"}
    return {**outcome, "status": "no_result", "http_status": result.status}


def search_site(
    site: SiteFacts,
    homepage_html: str,
    rules: Rules,
    throttle: HostThrottle | None = None,
    also_hosts: Iterable[str] = (),
) -> dict[str, Any]:
    """:func:`probe_search` with a polite fetcher built from the rules' ``crawl:`` settings
    (sharing the crawl's per-host ``throttle``); ``{}`` when the switch
    ``website.search.enabled`` is off or the homepage was not read."""
    if not rules.website.search.enabled or not site.homepage.ok or not homepage_html:
        return {}
    settings = crawl_settings(rules, site.website.url, also_hosts)
    fetcher = PoliteFetcher(
        delay=settings.delay,
        timeout=settings.timeout,
        user_agent=settings.user_agent,
        obey_robots=settings.obey_robots,
        throttle=throttle,
    )
    hosts = inventory_hosts([site.website.url, *(f"http://{h}/" for h in also_hosts)])
    try:
        return probe_search(site, homepage_html, fetcher, hosts)
    finally:
        fetcher.close()
