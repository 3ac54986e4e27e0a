"""Page analyzers: what the crawler extracts from each HTML page while it holds the parsed tree.

Page bodies are not kept (memory stays flat whatever the site's size), so every fact an
indicator needs from a page's content is extracted during the crawl by an analyzer listed
here. An analyzer is a pure function ``(root, url) -> value``; its value is stored in the
field of :class:`workbench.pages.PageSignals` it is registered under (``Page.signals``).
Keep analyzers cheap: they run on every page.

The analyzers are registered explicitly, in :data:`PAGE_ANALYZERS` below (no registration by
importing a module for its side effects). An analyzer that raises is never swallowed:
:func:`analyze` raises :class:`AnalyzerError` naming it, and the crawl records the page as an
incomplete read (``fetch.page_read.digest_page``: the page's list ``unread``, the site's
crawl incomplete), so what the page holds is reviewed by hand (``check.incomplete``), never
judged as absent: a message board whose analyzer crashed is not a site without messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import lxml.html

from workbench.errors import WorkbenchError
from workbench.extract.columns import column_signals
from workbench.extract.hidden_links import hidden_link_facts
from workbench.extract.page_facts import (
    channel_facts,
    guide_facts,
    identity_facts,
    message_facts,
    row_time_facts,
    wording_facts,
)
from workbench.extract.personal_info import masked_value, personal_info_facts
from workbench.extract.policy_pages import policy_page
from workbench.pages import PageSignals

Analyzer = Callable[[lxml.html.HtmlElement, str], Any]

# field of PageSignals → analyzer, in the order they run on every page: one analyzer per
# field (tests/test_analyzers.py holds the two together).
PAGE_ANALYZERS: dict[str, Analyzer] = {
    "column_signals": column_signals,
    "identity": identity_facts,
    "wording": wording_facts,
    "guide": guide_facts,
    "channels": channel_facts,
    "messages": message_facts,
    "row_times": row_time_facts,
    "policy_page": policy_page,
    "personal_info": personal_info_facts,
    "hidden_links": hidden_link_facts,
}


class AnalyzerError(WorkbenchError):
    """An analyzer raised on a page: the page is an incomplete read (module doc)."""

    def __init__(self, name: str, cause: BaseException) -> None:
        self.name = name
        self.cause = f"{type(cause).__name__}: {cause}"[:200]
        super().__init__(f"页面分析“{name}”出错（{type(cause).__name__}）")


def analyze(root: lxml.html.HtmlElement, url: str) -> PageSignals:
    """Every analyzer of :data:`PAGE_ANALYZERS` over one page, each value in its field;
    raises :class:`AnalyzerError` when one of them fails (never a silent None: see the
    module doc)."""
    out: dict[str, Any] = {}
    for name, func in PAGE_ANALYZERS.items():
        try:
            value = func(root, url)
        except Exception as exc:
            raise AnalyzerError(name, exc) from exc
        out[name] = masked_value(value)
    return PageSignals(**out)


def page_hook(root: lxml.html.HtmlElement, final_url: str, depth: int) -> tuple[PageSignals, str]:
    """The quarterly check's page hook: the page analyzers' values; the homepage's HTML is kept
    too (its account links). It lives here, with the analyzers, because a page-reading
    process imports the hook's module to unpickle it: that must not be the crawl's."""
    html = lxml.html.tostring(root, encoding="unicode") if depth == 0 else ""
    return analyze(root, final_url), html
