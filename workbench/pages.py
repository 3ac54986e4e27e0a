"""The one page type and the one link type, at the bottom of the import graph.

A :class:`Page` is one fetched URL as the whole workbench sees it: the crawler makes it
(``workbench.fetch.crawl``), the quarterly check's site crawl masks and keeps it in
``SiteFacts.pages`` (``workbench.fetch.site_crawl``; the homepage and the second-level pages
of ``SiteFacts`` are pages too), the indicators, column discovery, ``workbench inspect`` and
the re-checks read it. Fields only some producers fill are optional with defaults: the
crawler's own ``content_type``/``elapsed_ms``/``unreadable`` (the pages table), ``html``
(kept for the quarterly check's homepage only, never in the facts).

:class:`PageSignals` holds what the page analyzers (``workbench.extract.analyzers``, one
declared field per analyzer) found on an HTML page; :class:`AttachmentSignals` what the page
readers found in an attachment's text. ``None`` is "the analyzer did not run, or found
nothing" (the page was not HTML, not read, or holds none of it). The values are JSON-like
(lists, dicts, strings): they are pickled back from worker processes and kept in the store.

This module imports nothing of the workbench, so every layer (fetch, extract, indicators)
can import it without an import cycle (``tests/test_import_graph.py``).

Stores written before these types existed hold pickles of the older classes
(``workbench.facts.PageFacts``/``PageAnalysis``/``LinkFacts`` with ``extras`` dicts): the
store's unpickler maps those names to these classes (``workbench.store.observations.unpickle``)
and :meth:`Page.__setstate__`, :meth:`Link.__setstate__` and
:meth:`AttachmentSignals.of` read their old state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, MISSING, dataclass, field, fields
from datetime import date, datetime
from operator import attrgetter
from typing import Any, TypedDict

__all__ = [
    "AttachmentSignals",
    "ChannelsValue",
    "ColumnSignals",
    "DatedItem",
    "DocumentTextValue",
    "GuideValue",
    "HiddenLinkValue",
    "IdentityValue",
    "Link",
    "MessageValue",
    "Page",
    "PageSignals",
    "PersonalInfoValue",
    "PolicyPageValue",
    "RowTime",
    "WordingHit",
]


@dataclass
class DatedItem:
    """One link in a list on a page, with the date shown next to it (``None`` if none).

    Read by :func:`workbench.extract.rows.listed_items`."""

    title: str
    url: str
    date: date | None


# ----------------------------------------------------------------------------- analyzer values


class ColumnSignals(TypedDict):
    """``column_signals`` (``extract.columns.column_signals``): what column discovery needs."""

    column_name: str  # meta ColumnName
    column_type: str  # meta ColumnType
    article: bool  # an article page (ArticleTitle meta, a dated URL)
    nav: list[list[str]]  # [target, anchor] of the navigation links
    breadcrumb: list[str]
    placeholder: str  # a "no content" text shown on the page


class IdentityValue(TypedDict):
    """``identity`` (``extract.identity.SiteIdentity`` as a dict)."""

    site_code: str | None
    site_code_valid: bool
    icp: str | None
    police: str | None
    conac: bool


class WordingHit(TypedDict):
    """One wrong form of the wording dictionary found (first context, how many times)."""

    wrong: str
    right: str
    category: str
    serious: bool
    context: str
    count: int


class GuideValue(TypedDict):
    """``guide``: which of a 办事指南's key elements the page shows."""

    present: list[str]
    missing: list[str]


class ChannelsValue(TypedDict):
    """``channels``: consultation links and interaction sections ([text, href], at most 5
    each), a message form, a link to 办事服务."""

    consult: list[list[str]]
    sections: list[list[str]]
    form: bool
    service: bool


class MessageValue(TypedDict):
    """One 互动交流 message shown: asked and answered dates (ISO; answered None: 未回复)."""

    asked: str
    answered: str | None
    status: str


RowTime = list[Any]
"""``[ISO datetime, shows a time]``: a publication stamp shown in a list row."""

PolicyPageValue = dict[str, Any]
"""``policy_page``: ``{"kind": "document" | "interpretation", **facts}`` (the fields of
``DocumentFacts``/``InterpretationFacts``, JSON-like); read back by
``extract.policy_pages.from_policy_page``."""


class PersonalInfoValue(TypedDict):
    """``personal_info``: counts of distinct unmasked numbers per kind, masked samples."""

    counts: dict[str, int]
    samples: dict[str, list[str]]


class HiddenLinkValue(TypedDict):
    """One link to another host hidden by CSS or written by a script."""

    href: str
    anchor: str
    how: str


DocumentTextValue = dict[str, Any]
"""``document``: what an attachment's text says of it (文号, 统一登记号, title, 成文日期 …;
``extract.attachments.document_text_facts``)."""


@dataclass
class PageSignals:
    """What the page analyzers found on one HTML page: one field per analyzer of
    ``workbench.extract.analyzers.PAGE_ANALYZERS`` (``None``: not run, or nothing found)."""

    column_signals: ColumnSignals | None = None
    identity: IdentityValue | None = None
    wording: list[WordingHit] | None = None
    guide: GuideValue | None = None
    channels: ChannelsValue | None = None
    messages: list[MessageValue] | None = None
    row_times: list[RowTime] | None = None
    policy_page: PolicyPageValue | None = None
    personal_info: PersonalInfoValue | None = None
    hidden_links: list[HiddenLinkValue] | None = None

    @classmethod
    def of(cls, values: dict[str, Any] | None) -> PageSignals:
        """The signals of an ``extras`` dict (a page stored before this type existed)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (values or {}).items() if k in names})


@dataclass
class AttachmentSignals:
    """What the page readers found in an attachment's text (``None``: not read)."""

    wording: list[WordingHit] | None = None
    personal_info: PersonalInfoValue | None = None
    document: DocumentTextValue | None = None

    @classmethod
    def of(cls, values: dict[str, Any] | None) -> AttachmentSignals:
        """The signals of an ``extras`` dict (an attachment stored before this type)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (values or {}).items() if k in names})


# ----------------------------------------------------------------------------- pages and links


_STATE_GETTERS: dict[type, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}


def _state_getter(cls: type) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    """The field names of ``cls`` and a getter of their values, once per class."""
    got = _STATE_GETTERS.get(cls)
    if got is None:
        names = tuple(f.name for f in fields(cls))
        got = _STATE_GETTERS[cls] = (names, attrgetter(*names))
    return got


def _restored(cls: type[_Record], names: tuple[str, ...], values: tuple[Any, ...]) -> _Record:
    """A record unpickled from its field names and values (``_Record.__reduce__``)."""
    record = cls.__new__(cls)
    record.__setstate__(dict(zip(names, values, strict=True)))
    return record


class _Record:
    """Pickling by field name for the slotted records below: what an older workbench
    pickled (another class's ``__dict__``, without the fields added since) loads too.

    A record pickles as its class's field names (one tuple per class, which the pickler
    writes once and refers back to) and its values: a site's payload pickles every page and
    link of it, and a dict of state per record (``dataclasses.fields`` each time) was most of
    that. Loading goes through ``__setstate__`` by name, as for the older pickles."""

    __slots__ = ()

    def __getstate__(self) -> dict[str, Any]:
        names, values = _state_getter(type(self))
        return dict(zip(names, values(self), strict=True))

    def __reduce__(self) -> tuple[Any, ...]:
        names, values = _state_getter(type(self))
        return _restored, (type(self), names, values(self))

    def __setstate__(self, state: Any) -> None:
        if isinstance(state, tuple):  # (dict state, slots state) of a slotted class
            state = {**(state[0] or {}), **(state[1] or {})}
        for f in fields(self):  # type: ignore[arg-type]
            if f.name in state:
                value = state[f.name]
            elif f.default is not MISSING:
                value = f.default
            elif f.default_factory is not MISSING:
                value = f.default_factory()
            else:
                raise TypeError(f"{type(self).__name__}: no {f.name} in the pickled state")
            setattr(self, f.name, value)


class LinkTable:
    """A site's links, pickled column by column: one tuple of each field's values rather
    than one record each (a site's 93,000 links were half the time of pickling its whole
    result, ``store.observations.site_payload``). Loads as the plain ``list[Link]``."""

    __slots__ = ("links",)

    def __init__(self, links: list[Link]) -> None:
        self.links = links

    def __reduce__(self) -> tuple[Any, ...]:
        names, values = _state_getter(Link)
        return _links_from_columns, (names, tuple(zip(*map(values, self.links), strict=True)))


def _links_from_columns(names: tuple[str, ...], columns: tuple[tuple[Any, ...], ...]) -> list[Link]:
    """The links a :class:`LinkTable` pickled (fields missing from ``names``: defaults)."""
    if names != _state_getter(Link)[0]:  # pickled when Link had other fields
        return [_restored(Link, names, row) for row in zip(*columns, strict=True)]  # type: ignore[misc]
    new = Link.__new__
    links = []
    for row in zip(*columns, strict=True):
        link = new(Link)
        for name, value in zip(names, row, strict=True):
            setattr(link, name, value)
        links.append(link)
    return links


@dataclass(slots=True)
class Page(_Record):
    """One fetched URL and what reading it yielded (module doc).

    ``items`` are the dated list rows shown on the page (its list as the CMS builds it,
    ``extract.cms``); ``signals`` the page analyzers' values; ``list_of`` the first page of
    the list this page (or data group) is another page of; ``script_list`` none / read /
    unread: a script fills the page's list (``script_note``: what fills it, or why it could
    not be read, Chinese); ``list_pages`` the list's other pages (first 20), ``total_pages``
    the pages it says it has; ``frames`` the frames of a frameset page.
    """

    url: str
    final_url: str
    status: int | None
    error: str | None
    title: str = ""
    _: KW_ONLY  # the older page types differed after here: no positional mix-up
    published: date | None = None
    depth: int = 0
    items: list[DatedItem] = field(default_factory=list)
    signals: PageSignals = field(default_factory=PageSignals)
    fetched_at: datetime | None = None  # naive Asia/Shanghai wall-clock, start of the request
    list_of: str = ""
    script_list: str = "none"
    script_note: str = ""
    list_pages: list[str] = field(default_factory=list)
    total_pages: int | None = None
    frames: list[str] = field(default_factory=list)
    # Filled by the crawler only (the store's pages table):
    content_type: str = ""
    elapsed_ms: int = 0
    unreadable: str | None = None  # why a page that answered could not be read as a web page
    # The HTML a page hook chose to keep (the quarterly check's homepage, for its account
    # links); emptied before the page joins the facts.
    html: str = field(default="", repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and self.status < 400

    def __setstate__(self, state: Any) -> None:
        """A page pickled by an older workbench (``PageFacts``, ``PageAnalysis``: analyzer
        values in an ``extras`` dict) loads with its values as :class:`PageSignals`."""
        if isinstance(state, dict) and "extras" in state:
            state = {**state, "signals": PageSignals.of(state["extras"])}
        _Record.__setstate__(self, state)


@dataclass(slots=True)
class Link(_Record):
    """One link found on a page (one row per source and normalised target).

    ``status``/``error`` come from the fetched target page (internal links only; external
    links are opened by the link check, ``fetch.linkcheck``); a link not followed keeps
    ``status`` None and says why in ``note`` (Chinese, shown), whose kind is ``skip`` (the
    same as a ``workbench.codes.SkipReason`` code: compare this, never the note).
    """

    source: str
    target: str
    anchor: str
    internal: bool
    status: int | None = None
    error: str | None = None
    note: str = ""
    _: KW_ONLY  # the older link types differed after here: no positional mix-up
    skip: str = ""
    on_homepage: bool = False  # its source is the site's homepage (the quarterly check)
