"""Paging through a list during a crawl, as an inspector pages through it in a browser.

A list page may name many other pages at once (a TRS ``createPageHTML(120, …)`` script, a
``1/1367`` page select, the data-proxy groups of a 大汉 jpage list, the pages of a JSON
list). Fetching them all would spend a site's page budget on one column, so with a
``horizon`` (the first day of the quarter under check) the crawl turns the pages one at a
time and stops when the list's rows are older than the horizon: page 2 is read when page 1
shows a row on or after it; page *k+1* when page *k*'s own rows (those not also on page 1,
such as a sidebar) all are. Without a horizon (``workbench crawl``) every named page is
read. Either way at most ``max_pages`` pages of one list are read.

The list's other pages count as the same depth as its first page, never as a chain.
:class:`ListOutcome` tells afterwards whether a limit stopped a list while it was still
needed (``stopped``, Chinese): the column it belongs to is then not fully read.
Dates are Asia/Shanghai calendar dates.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import date

from workbench.extract.cms import ListRequest, PageReading

__all__ = ["ListFollower", "ListOutcome"]


@dataclass
class ListOutcome:
    """How far one list was read: pages named besides the first, pages read, the oldest
    row read, and why pages still needed were not read ("" when nothing was cut)."""

    url: str
    named: int
    read: int = 0
    oldest: date | None = None
    stopped: str = ""


@dataclass
class _State:
    outcome: ListOutcome
    depth: int
    first_rows: frozenset[str]
    queue: deque[ListRequest] = field(default_factory=deque)
    admitted: int = 0
    fetched: int = 0
    done: bool = False


def _dated(reading: PageReading, exclude: frozenset[str] = frozenset()) -> list[date]:
    return [i.date for i in reading.items if i.date is not None and i.url not in exclude]


class ListFollower:
    """The state of every list of one crawl (thread-safe; see module doc)."""

    def __init__(self, horizon: date | None, max_pages: int) -> None:
        self.horizon = horizon
        self.max_pages = max(1, max_pages)
        self._lists: dict[str, _State] = {}
        self._lock = threading.Lock()

    def depth_of(self, list_url: str) -> int:
        return self._lists[list_url].depth

    def start(self, list_url: str, reading: PageReading, depth: int) -> list[ListRequest]:
        """The requests to make now for the list whose first page ``reading`` is."""
        with self._lock:
            if list_url in self._lists or not reading.list_pages:
                return []
            first = frozenset(i.url for i in reading.items)
            state = _State(ListOutcome(list_url, len(reading.list_pages)), depth, first)
            state.queue.extend(reading.list_pages)
            dates = _dated(reading)
            state.outcome.oldest = min(dates, default=None)
            self._lists[list_url] = state
            needed = self.horizon is None or any(d >= self.horizon for d in dates)
            return self._next(state, needed)

    def after(
        self,
        list_url: str,
        reading: PageReading | None,
        error: str | None,
        more: list[ListRequest],
    ) -> list[ListRequest]:
        """The requests to make after one more page of the list was fetched."""
        with self._lock:
            state = self._lists.get(list_url)
            if state is None:
                return []
            state.fetched += 1
            if error is not None or reading is None:
                self._stop(state, f"第{state.fetched + 1}页无法读取（{error or '内容无法识别'}）")
                return []
            state.outcome.read += 1
            state.queue.extend(more)
            state.outcome.named += len(more)
            dates = _dated(reading, state.first_rows)
            if dates:
                oldest = min(dates)
                known = state.outcome.oldest
                state.outcome.oldest = oldest if known is None else min(known, oldest)
            needed = self.horizon is None or (bool(dates) and min(dates) >= self.horizon)
            return self._next(state, needed)

    def blocked(self, list_url: str, why: str) -> None:
        """A request of the list was refused (robots.txt, a trap rule): the list stops."""
        with self._lock:
            state = self._lists.get(list_url)
            if state is not None:
                state.admitted -= 1
                self._stop(state, why)

    def seen_elsewhere(self, list_url: str) -> list[ListRequest]:
        """A request the crawl had already taken as a link: go on with the next one."""
        with self._lock:
            state = self._lists.get(list_url)
            if state is None:
                return []
            state.admitted -= 1
            return self._next(state, True)

    def _next(self, state: _State, needed: bool) -> list[ListRequest]:
        if state.done:
            return []
        if not needed or not state.queue:
            state.done = True
            return []
        room = self.max_pages - 1 - state.admitted
        if room <= 0:
            self._stop(state, f"列表翻页上限（每个列表最多读取{self.max_pages}页）")
            return []
        take = room if self.horizon is None else 1
        out = [state.queue.popleft() for _ in range(min(take, len(state.queue)))]
        state.admitted += len(out)
        return out

    def _stop(self, state: _State, why: str) -> None:
        if not state.done:
            state.done = True
            state.outcome.stopped = why

    def outcomes(self, unfetched_reason: str) -> dict[str, ListOutcome]:
        """Every list's outcome; a list with requests admitted but never fetched (the crawl's
        page limit ended first) is stopped by ``unfetched_reason``."""
        with self._lock:
            for state in self._lists.values():
                if state.admitted > state.fetched and not state.outcome.stopped:
                    state.done = False
                    self._stop(state, unfetched_reason)
            return {url: s.outcome for url, s in self._lists.items()}
