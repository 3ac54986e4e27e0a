"""Fetching: bounded HTTP GETs that never raise, and new-media post feeds.

Public API::

    fetch_url(url, ...) -> FetchResult        # error is a Chinese reason, never an exception
    decode_body(content, content_type) -> str  # header / BOM / meta / detection, GBK-aware
    make_session(user_agent=None) -> requests.Session
    read_feed(source, ...) -> FeedResult       # RSS, Atom, JSON, CSV or XLSX posts
"""

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
