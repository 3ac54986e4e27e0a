"""Fetching: bounded HTTP GETs that never raise, and new-media post feeds.

Public API::

    fetch_url(url, ...) -> FetchResult        # error is a Chinese reason, never an exception
    decode_body(content, content_type) -> str  # header / BOM / meta / detection, GBK-aware
    make_session(user_agent=None) -> requests.Session
    read_feed(source, ...) -> FeedResult       # RSS, Atom, JSON, CSV or XLSX posts

These names are imported on first use: the page-reading processes import
``workbench.fetch.page_read`` and must not load ``requests`` and ``feedparser`` with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.fetch.feeds import FeedResult, Post, parse_post_time, read_feed
    from workbench.fetch.http import (
        SHANGHAI,
        USER_AGENT,
        FetchResult,
        decode_body,
        fetch_url,
        make_session,
        now_shanghai,
    )

_HOME = {
    "FeedResult": "feeds",
    "Post": "feeds",
    "parse_post_time": "feeds",
    "read_feed": "feeds",
    "SHANGHAI": "http",
    "USER_AGENT": "http",
    "FetchResult": "http",
    "decode_body": "http",
    "fetch_url": "http",
    "make_session": "http",
    "now_shanghai": "http",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'workbench.fetch' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"workbench.fetch.{home}"), name)


__all__ = [
    "SHANGHAI",
    "USER_AGENT",
    "FeedResult",
    "FetchResult",
    "Post",
    "decode_body",
    "fetch_url",
    "make_session",
    "now_shanghai",
    "parse_post_time",
    "read_feed",
]
