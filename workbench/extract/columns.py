"""Columns (栏目) of a website, discovered from its crawl.

Two halves:

* :func:`column_signals`, a page analyzer (``Page.signals.column_signals``) run on
  every crawled HTML page: ``<meta name="ColumnName">`` / ``ColumnType``, whether the page is
  an article, its navigation links (``<nav>`` or elements whose class/id names a nav/menu),
  its breadcrumb (当前位置：首页 > A > B) and a placeholder such as 暂无信息 in its content.
* :func:`discover_columns`, run once per site after the crawl. A column is a group of list
  pages: pagination (``index_1.html``, ``?page=2``, script-named pages, jpage data groups:
  :func:`workbench.extract.cms.column_key` and ``Page.list_of``) is folded into
  page 1, whose URL names the column. A column whose list a script fills and that could not
  be read is ``unreadable`` (never blank); one whose paging a crawl limit stopped says so in
  ``truncated``. A group is a column when it is not an article and is a navigation target,
  carries a ``ColumnName`` meta, lists at least ``columns.min_list_items`` dated rows, shows
  a placeholder, or is named in ``columns.csv``. A list page that could not be read at all
  (5xx or no answer, a garbled body, the worker reading it died, an analyzer raised) shows
  none of that, so it is a column, ``unreadable`` with ``unread_page`` set, when a page that
  indexes columns (the homepage, a column's page) links it as one: a navigation link, or a
  short link (its name, or 更多) that is no dated row; never a page dated by its URL or its
  content, nor one a list lists as a dated row (check.incomplete's lead). Its level comes from the breadcrumb, else from
  the navigation (homepage nav = 1, a column's sub-nav = its level + 1); its category from
  the name (keyword table ``columns.categories``); ``columns.csv`` rows win for name,
  category and unit.

Dates are Asia/Shanghai calendar dates; ``newest`` ignores items dated after the check time.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import lxml.html
from lxml import etree

from workbench.codes import LIMITS, SkipReason
from workbench.extract.cms import SCRIPT_UNREAD, canonical_url, column_key
from workbench.extract.columns_model import ColumnFacts
from workbench.extract.dates import named_elements, text_of, url_date
from workbench.models import ColumnOverride
from workbench.pages import ColumnSignals, DatedItem, Page
from workbench.urls import join_url, normalize_url

if TYPE_CHECKING:
    from workbench.rules.schema import Rules

_NAV_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:nav\w*|\w*menu\w*|subnav\w*|daohang)(?:$|[\s_-])", re.IGNORECASE
)
_CRUMB_CLASS_RE = re.compile(r"position|location|crumb|weizhi|dqwz|curpos", re.IGNORECASE)
_CRUMB_LABEL_RE = re.compile(r"(?:当前|您的|您现在的|所在)位置")
_CRUMB_SPLIT_RE = re.compile(r"\s*(?:>|＞|›|»|→|>>)\s*")
_HOME_NAMES = frozenset({"首页", "网站首页", "主页", "返回首页"})
_PLACEHOLDER_RE = re.compile(
    r"暂无(?:相关)?(?:信息|数据|内容|记录|文章|资料)|信息正在更新中?|正在建设中|敬请期待"
)
_TITLE_SPLIT_RE = re.compile(r"\s*[-_|—–]\s*")
# A link to a column reads as its name (通知公告) or as 更多; an article's reads as its title.
_COLUMN_ANCHOR_MAX = 16
_MORE_RE = re.compile(r"^(?:查看)?更多(?:信息|内容)?\W*$|^more\W*$|^[>》+＋]+$", re.IGNORECASE)


def _attr_contains(words: tuple[str, ...]) -> str:
    """XPath test: the lower-cased class or id contains one of ``words`` (a fast pre-filter).

    The class and id as written are tested first (most are lower case already); only an
    element with an upper-case letter in them, and none of the words as written, is
    lower-cased: class and id together, one ``translate`` a word (the words hold no space,
    so none can straddle the two values). Callers test ``@class or @id`` first, so elements
    without either are never tested."""
    both = "concat(@class,' ',@id)"
    low = f"translate({both},'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')"
    upper = f"translate({both},'ABCDEFGHIJKLMNOPQRSTUVWXYZ','')!={both}"
    written = " or ".join(f"contains(@class,'{w}') or contains(@id,'{w}')" for w in words)
    lowered = " or ".join(f"contains({low},'{w}')" for w in words)
    return f"({written}) or ({upper} and ({lowered}))"


_CRUMB_TAGS = frozenset({"div", "p", "span", "td", "nav", "ol", "ul"})
# The text nodes that may hold a 当前位置 label: in the page, or before a given element.
_POSITION_TEXTS_XPATH = etree.XPath("//text()[contains(., '位置')]")
_POSITION_TEXTS_BEFORE_XPATH = etree.XPath("preceding::text()[contains(., '位置')]")


# ----------------------------------------------------------------------------- page signals


def _nav_links(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Links inside ``<nav>`` or an element whose class/id names a nav/menu, in page order."""
    seen: set[lxml.html.HtmlElement] = set()
    out: list[lxml.html.HtmlElement] = []
    for area, names in named_elements(root):
        if area.tag != "nav" and not _NAV_CLASS_RE.search(names):
            continue
        for link in area.iterfind(".//a[@href]"):
            if link not in seen:
                seen.add(link)
                out.append(link)
    return out


def _metas(root: lxml.html.HtmlElement) -> dict[str, str]:
    """The content (spaces collapsed) of the page's first ``<meta>`` of each name (stripped,
    lower-cased): one walk for the three names read, not one each."""
    out: dict[str, str] = {}
    for meta in root.iterfind(".//meta[@name]"):
        name = (meta.get("name") or "").strip().lower()
        if name not in out:
            out[name] = " ".join((meta.get("content") or "").split())
    return out


def _crumb_element(root: lxml.html.HtmlElement) -> tuple[lxml.html.HtmlElement | None, bool]:
    """(element, labelled): the first ``div``/``p``/``span``/``td``/``nav``/``ol``/``ul`` in
    page order whose class/id names a breadcrumb (position, location …) or whose own text
    holds a 当前位置 label (labelled: True), or (None, False).

    The first named one is found in :func:`named_elements`; then only the text before it
    can hold a label that comes first (an element's own text follows it at once)."""
    named = next(
        (
            el
            for el, names in named_elements(root)
            if el.tag in _CRUMB_TAGS and names.strip() and _CRUMB_CLASS_RE.search(names)
        ),
        None,
    )
    texts = _POSITION_TEXTS_XPATH(root) if named is None else _POSITION_TEXTS_BEFORE_XPATH(named)
    for text in texts:
        el = text.getparent()
        if text.is_text and el.tag in _CRUMB_TAGS and _CRUMB_LABEL_RE.search(el.text or ""):
            return el, True
    return named, False


def _breadcrumb(root: lxml.html.HtmlElement) -> list[str]:
    """Names after 首页 in the 当前位置 trail (the page's own column last), or []."""
    found, labelled = _crumb_element(root)
    if labelled:
        while found is not None and ">" not in found.text_content():
            found = found.getparent()
    if found is None:
        return []
    text = " ".join(found.text_content().split())
    label = _CRUMB_LABEL_RE.search(text)
    if label:
        text = text[label.end() :].lstrip("：: ")
    parts = [p.strip() for p in _CRUMB_SPLIT_RE.split(text) if p.strip()]
    if not parts or len(parts) > 8:
        return []
    return [p for p in parts if p not in _HOME_NAMES][:6]


def _placeholder(root: lxml.html.HtmlElement) -> str:
    """A placeholder such as 暂无信息 in the page's content (not in nav/header/footer)."""
    body = root.find("body")
    if body is None or not _PLACEHOLDER_RE.search(body.text_content()):
        return ""
    skip = re.compile(r"(?:^|[\s_-])(?:nav\w*|menu\w*|foot\w*|header|top)(?:$|[\s_-])", re.I)
    for node in root.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]"):
        m = _PLACEHOLDER_RE.search(str(node))
        if not m:
            continue
        parent = node.getparent()
        ancestors = [parent, *parent.iterancestors()] if parent is not None else []
        if any(
            a.tag in ("nav", "footer", "header")
            or skip.search(f"{a.get('class', '')} {a.get('id', '')}")
            for a in ancestors
        ):
            continue
        return m.group(0)
    return ""


def column_signals(root: lxml.html.HtmlElement, url: str) -> ColumnSignals:
    """What column discovery needs from one page (JSON-friendly; see module doc)."""
    nav: dict[str, str] = {}
    for link in _nav_links(root):
        href = (link.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        try:
            target = normalize_url(join_url(url, href).split("#")[0])
        except ValueError:
            continue
        nav.setdefault(target, " ".join(text_of(link).split())[:60])
    metas = _metas(root)
    article = bool(metas.get("articletitle")) or url_date(url) is not None
    return {
        "column_name": metas.get("columnname", ""),
        "column_type": metas.get("columntype", ""),
        "article": article,
        "nav": [[t, a] for t, a in nav.items()],
        "breadcrumb": _breadcrumb(root),
        "placeholder": _placeholder(root),
    }


# ----------------------------------------------------------------------------- discovery


def information_column(category: str, rules: Rules) -> bool:
    """False for interaction columns (``columns.interaction_categories``: 互动交流, 在线访谈),
    which only 互动回应差 judges; True for every other category."""
    return category not in rules.columns.interaction_categories


def classify(name: str, categories: Mapping[str, Sequence[str]]) -> str:
    """The category of a column name: the first category with a keyword in it, else 其他."""
    for category, words in categories.items():
        if any(w and w in name for w in words):
            return str(category)
    return "其他"


@dataclass
class _Group:
    key: str
    pages: list[Page]  # crawl order
    signals: list[dict[str, Any]]

    @property
    def article(self) -> bool:
        return all(s.get("article") for s in self.signals) if self.signals else False


def _signals(page: Page) -> dict[str, Any]:
    value = page.signals.column_signals
    return dict(value) if value else {}


def _ok(page: Any) -> bool:
    return page.error is None and page.status is not None and page.status < 400


def _name_of(group: _Group, nav_names: dict[str, str], site_name: str) -> tuple[str, str]:
    """(name, source) of a column from its pages' signals."""
    metas = Counter(
        s["column_name"]
        for s in group.signals
        if s.get("column_name") and not s.get("article")
        if s["column_name"] not in _HOME_NAMES and s["column_name"] != site_name
    )
    if metas:
        return metas.most_common(1)[0][0], "ColumnName"
    for s in group.signals:
        if s.get("breadcrumb"):
            return str(s["breadcrumb"][-1]), "面包屑"
    if nav_names.get(group.key):
        return nav_names[group.key], "导航"
    title = _TITLE_SPLIT_RE.split(group.pages[0].title or "")[0]
    return title.strip() or group.key, "列表页"


def _level(
    group: _Group, bfs: dict[str, tuple[int, str]], names: dict[str, str], home_links: set[str]
) -> tuple[int, str]:
    """(level, parent name): breadcrumb first, then navigation depth, then homepage links."""
    crumbs: list[str] = next((s["breadcrumb"] for s in group.signals if s.get("breadcrumb")), [])
    if crumbs:
        return len(crumbs), str(crumbs[-2]) if len(crumbs) > 1 else ""
    if group.key in bfs:
        level, parent = bfs[group.key]
        return level, names.get(parent, "") if parent else ""
    return (1 if group.key in home_links else 2), ""


def _merge_items(groups: list[_Group], not_items: set[str]) -> list[DatedItem]:
    merged: dict[str, DatedItem] = {}
    for group in groups:
        for page in group.pages:
            for item in page.items:
                try:
                    key = column_key(item.url)
                except ValueError:
                    continue
                if key in not_items:
                    continue
                known = merged.get(normalize_url(item.url))
                if known is None or known.date is None and item.date is not None:
                    merged[normalize_url(item.url)] = item
    return list(merged.values())


def discover_columns(
    site: Any,
    overrides: Sequence[ColumnOverride],
    rules: Rules,
    as_of: date,
) -> list[ColumnFacts]:
    """The columns of one crawled site (``SiteFacts``), in crawl order (see module doc).

    ``overrides`` are the inventory's ``columns.csv`` rows (those of other sites are ignored);
    an override naming a page the crawl did not reach yields a column with no ``pages``
    (not observed: the indicators leave it alone).
    """
    settings = rules.columns
    categories = settings.categories
    updating = set(settings.updating_categories)
    placeholders = list(settings.placeholders)
    min_list = settings.min_list_items
    website = site.website
    groups: dict[str, _Group] = {}
    alias: dict[str, str] = {}
    for page in site.pages:
        if not _ok(page):
            continue
        key = column_key(getattr(page, "list_of", "") or page.final_url or page.url)
        group = groups.setdefault(key, _Group(key, [], []))
        group.pages.append(page)
        group.signals.append(_signals(page))
        alias[column_key(page.url)] = key
    home_keys = {column_key(website.url)}
    if site.pages:
        home_keys |= {column_key(site.pages[0].url), column_key(site.pages[0].final_url or "")}
    mine = {}
    for o in overrides:
        try:
            if column_key(o.url) in groups or _same_site(o.url, website.url, site):
                mine[alias.get(column_key(o.url), column_key(o.url))] = o
        except ValueError:
            continue
    limited = _limited_links(site)
    nav_edges: dict[str, list[str]] = {}
    nav_names: dict[str, str] = {}
    for group in groups.values():
        for s in group.signals:
            if s.get("article"):
                continue
            for target, anchor in s.get("nav", []):
                tkey = alias.get(column_key(target), column_key(target))
                nav_edges.setdefault(group.key, []).append(tkey)
                if anchor and tkey not in nav_names:
                    nav_names[tkey] = anchor
    nav_targets = {t for targets in nav_edges.values() for t in targets}
    candidates: list[_Group] = []
    for group in groups.values():
        if group.key in home_keys or (group.article and group.key not in mine):
            continue
        s_any = group.signals
        dated = sum(1 for p in group.pages for i in p.items if i.date is not None)
        if (
            group.key in mine
            or group.key in nav_targets
            or any(s.get("column_name") and not s.get("article") for s in s_any)
            or dated >= min_list
            or any(s.get("placeholder") for s in s_any)
        ):
            candidates.append(group)
    cand_keys = {g.key for g in candidates}
    names = {g.key: _name_of(g, nav_names, website.name) for g in candidates}
    # Navigation depth: homepage nav → 1; a column's own nav links → its level + 1.
    bfs: dict[str, tuple[int, str]] = {}
    queue: deque[tuple[str, int]] = deque()
    for home in home_keys:
        for target in nav_edges.get(home, []):
            if target in cand_keys and target not in bfs:
                bfs[target] = (1, "")
                queue.append((target, 1))
    while queue:
        key, level = queue.popleft()
        for target in nav_edges.get(key, []):
            if target in cand_keys and target not in bfs:
                bfs[target] = (level + 1, key)
                queue.append((target, level + 1))
    home_links = {column_key(link.target) for link in site.links if link.on_homepage}
    not_items = cand_keys | home_keys
    out: list[ColumnFacts] = []
    flat_names = {k: v[0] for k, v in names.items()}
    for group in candidates:
        override = mine.get(group.key)
        name, source = names[group.key]
        level, parent = _level(group, bfs, flat_names, home_links)
        items = _merge_items([group], not_items)
        ctype = next((s["column_type"] for s in group.signals if s.get("column_type")), "")
        category = classify(ctype, categories) if ctype else "其他"
        if category == "其他":
            category = classify(name, categories)
        parent_category = classify(parent, categories) if parent else "其他"
        if category == "其他" and (
            parent_category == "专栏" or not information_column(parent_category, rules)
        ):
            category = parent_category  # a sub-column of a 专题/专栏 or 互动交流 is one too
        if override is not None:
            name, category, source = override.name or name, override.category or category, "名录"
        dates = [i.date for i in items if i.date is not None]
        newest = max((d for d in dates if d <= as_of), default=None)
        seen = next((s["placeholder"] for s in group.signals if s.get("placeholder")), "")
        placeholder = seen if any(p in seen for p in placeholders) else ""
        children = len(
            {k for k, (_, p) in bfs.items() if p == group.key}
            | {g.key for g in candidates if g is not group and _crumb_parent(g) == name}
        )
        list_type = information_column(category, rules) and (
            bool(dates) or bool(placeholder) or category in updating
        )
        unread_pages = [p for p in group.pages if p.script_list == SCRIPT_UNREAD]
        unread = next((str(p.script_note) for p in unread_pages), "")
        blank = list_type and not children and (not items or (bool(placeholder) and not dates))
        blank = blank and not unread
        urls = [p.final_url or p.url for p in group.pages]
        page_one = next((u for u in urls if canonical_url(u) == normalize_url(u)), None)
        out.append(
            ColumnFacts(
                url=override.url if override else (page_one or canonical_url(urls[0])),
                site_url=website.url,
                name=name,
                category=category,
                unit=(override.unit if override and override.unit else website.unit),
                items=items,
                parent_name=parent,
                nav_level=level,
                newest=newest,
                item_count=len(items),
                blank=blank,
                placeholder=placeholder,
                list_type=list_type,
                pages=urls,
                source=source,
                children=children,
                unreadable=unread,
                unread_page=bool(unread_pages) and not _signals(unread_pages[0]),
                truncated=_truncated(group, site, limited),
            )
        )
    listed = {key for key in mine if key not in cand_keys}
    unread_lists = _unread_lists(site, groups, cand_keys | home_keys, alias, nav_targets, listed)
    for key, override in mine.items():
        if key not in cand_keys:
            found = unread_lists.pop(key, None)
            out.append(
                ColumnFacts(
                    url=override.url,
                    site_url=website.url,
                    name=override.name,
                    category=override.category,
                    unit=override.unit or website.unit,
                    source="名录",
                    pages=[found.url] if found else [],
                    unreadable=found.reason if found else "",
                    unread_page=found is not None,
                )
            )
    for key, found in unread_lists.items():
        out.append(_unread_column(key, found, site, names, nav_names, home_keys, categories))
    return out


# ----------------------------------------------------------------------------- unread lists


@dataclass
class _Unread:
    """A list page that could not be read, and the links that index it as a column."""

    page: Any
    reason: str
    sources: list[tuple[str, str]]  # (key of the indexing page, anchor text)

    @property
    def url(self) -> str:
        return str(self.page.final_url or self.page.url)


def _page_unread(page: Any) -> str:
    """Why ``page`` itself could not be read (Chinese), or "": it answered 5xx or not at
    all, or it answered and its reading failed (the worker died, an analyzer raised: it has
    no column signals then). A 4xx answer is the site's broken link, not our failure."""
    if not _ok(page):
        if page.status is None or page.status >= 500:
            return str(page.error or f"HTTP {page.status}")
        return ""
    if page.script_list == SCRIPT_UNREAD and not _signals(page):
        return str(page.script_note or "")
    return ""


def _index_links(
    site: Any, groups: dict[str, _Group], index_keys: set[str], alias: dict[str, str]
) -> dict[str, list[tuple[str, str]]]:
    """Target URL → (source key, anchor) of every internal link from a page that indexes
    columns (the homepage, a column's list page) that is not a dated list row of any page
    (an undated row's link reads as the article's title, too long for a column's name)."""
    rows = {
        normalize_url(i.url)
        for g in groups.values()
        for p in g.pages
        for i in p.items
        if i.date is not None
    }
    out: dict[str, list[tuple[str, str]]] = {}
    for link in site.links:
        if not link.internal:
            continue
        try:
            source = alias.get(column_key(link.source), column_key(link.source))
            target = normalize_url(link.target)
        except ValueError:
            continue
        if source in index_keys and target not in rows:
            out.setdefault(target, []).append((source, " ".join((link.anchor or "").split())))
    return out


def _column_anchor(anchor: str) -> bool:
    """An anchor a link to a column shows: short (its name) or 更多; an article's is long."""
    return bool(anchor) and (len(anchor) <= _COLUMN_ANCHOR_MAX or bool(_MORE_RE.match(anchor)))


def _unread_lists(
    site: Any,
    groups: dict[str, _Group],
    index_keys: set[str],
    alias: dict[str, str],
    nav_targets: set[str],
    listed: set[str],
) -> dict[str, _Unread]:
    """Column key → the list page that could not be read, of the pages no column found above
    holds that are linked as a column (module doc) or ``listed`` in columns.csv; never a
    page its URL or its date names an article."""
    failed = [(page, reason) for page in site.pages[1:] if (reason := _page_unread(page))]
    if not failed:
        return {}
    links = _index_links(site, groups, index_keys, alias)
    out: dict[str, _Unread] = {}
    for page, reason in failed:
        try:
            urls = list(dict.fromkeys(normalize_url(u) for u in (page.url, page.final_url) if u))
            key = alias.get(column_key(page.url), column_key(page.url))
        except ValueError:
            continue
        if key in index_keys or key in out:
            continue
        sources = [found for u in urls for found in links.get(u, [])]
        if key not in listed:
            if page.published is not None or any(url_date(u) is not None for u in urls):
                continue  # an article by its date or its URL (t20220901_123.html)
            if key not in nav_targets and not any(_column_anchor(a) for _, a in sources):
                continue
        out[key] = _Unread(page, reason, sources)
    return out


def _unread_column(
    key: str,
    found: _Unread,
    site: Any,
    names: dict[str, tuple[str, str]],
    nav_names: dict[str, str],
    home_keys: set[str],
    categories: Mapping[str, Sequence[str]],
) -> ColumnFacts:
    """An unread list page as a column, named by the navigation or the link that led to it,
    else by its title when it answered (an error page's title names nothing), "" when
    nothing names it; judged by no column indicator (``unreadable``: check.incomplete's
    lead). Its own reading failed, so it has no signals (ColumnName, breadcrumb)."""
    anchor = next((a for _, a in found.sources if _column_anchor(a) and not _MORE_RE.match(a)), "")
    title = _TITLE_SPLIT_RE.split(found.page.title or "")[0].strip() if _ok(found.page) else ""
    named = [(nav_names.get(key, ""), "导航"), (anchor, "链接"), (title, "列表页")]
    name, source = next(((n, how) for n, how in named if n), ("", "链接"))
    parent = next((names[src][0] for src, _ in found.sources if src in names), "")
    top = not parent or any(src in home_keys for src, _ in found.sources)
    return ColumnFacts(
        url=canonical_url(found.url),
        site_url=site.website.url,
        name=name,
        category=classify(name, categories) if name else "其他",
        unit=site.website.unit,
        parent_name="" if top else parent,
        nav_level=1 if top else 2,
        pages=[found.url],
        source=source,
        unreadable=found.reason,
        unread_page=True,
    )


def _limited_links(site: Any) -> dict[str, list[tuple[int, Any]]]:
    """The site's links that a crawl limit left unfetched, by the page they are on, each
    with its place among the site's links (read once per site, not once per column)."""
    out: dict[str, list[tuple[int, Any]]] = {}
    for n, link in enumerate(site.links):
        if (link.skip or link.note) and SkipReason.of(link.skip, link.note) in LIMITS:
            out.setdefault(link.source, []).append((n, link))
    return out


def _truncated(
    group: _Group, site: Any, limited: dict[str, list[tuple[int, Any]]] | None = None
) -> str:
    """Why the column's list was not read to its end while still needed (Chinese), or "".
    ``limited``: :func:`_limited_links` of ``site`` (read here when not given)."""
    if limited is None:
        limited = _limited_links(site)
    for url, outcome in (getattr(site, "lists", None) or {}).items():
        if outcome.stopped and column_key(url) == group.key:
            return (
                f"{outcome.stopped}；该列表另有{outcome.named}页（组），"
                f"已读取{outcome.read}页（组）"
            )
    urls = {u for p in group.pages for u in (p.url, p.final_url)}
    # the first such link in the site's order, as a walk over all its links would find
    for _, link in sorted(found for u in urls for found in limited.get(u, ())):
        try:
            same = column_key(link.target) == group.key
        except ValueError:
            continue
        if same:
            return f"{link.note}：{link.target}"
    return ""


def _crumb_parent(group: _Group) -> str:
    crumbs: list[str] = next((s["breadcrumb"] for s in group.signals if s.get("breadcrumb")), [])
    return str(crumbs[-2]) if len(crumbs) > 1 else ""


def _same_site(url: str, site_url: str, site: Any) -> bool:
    """True when ``url`` is on the site's host (the start URL or where it redirected)."""
    from workbench.urls import same_host

    roots = [site_url] + ([site.pages[0].final_url] if site.pages else [])
    return any(same_host(url, r) for r in roots if r)
