"""Opening the links in an account's posts (for media.link_broken), in the collect stage.

Only http(s) links are opened, with a plain GET whose body is cut at a small size (a page
that opens but is larger than the cap still opens). Requests go through the SSRF guard
(:mod:`workbench.fetch.guard`): a link, or any redirect hop, to a loopback, private,
link-local or otherwise non-public address is refused before connecting unless its host is
the account's own feed host (a self-hosted feed server) or one of ``allow_hosts``. A post
cannot make the workbench probe the office's network.

Times: ``LinkCheck.checked_at`` is naive Asia/Shanghai wall-clock time.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from workbench.codes import FetchError
from workbench.fetch.feeds import FeedResult, Post
from workbench.fetch.guard import guarded_session
from workbench.fetch.http import fetch_url, make_session, now_shanghai

__all__ = [
    "SKIP_NOT_HTTP",
    "SKIP_PRIVATE",
    "LinkCheck",
    "check_post_links",
    "newest_post_urls",
]

SKIP_NOT_HTTP = "不是网页链接，未检查"
SKIP_PRIVATE = "链接指向内部网络地址，未检查"
# Failures that say the link itself is dead (as opposed to our network being slow).
DEAD_ERRORS = frozenset({FetchError.DNS, FetchError.INVALID_URL, FetchError.REDIRECTS})


@dataclass
class LinkCheck:
    """One post link and whether it opened.

    ``opened`` is True (a response below 400 arrived), False (the link is dead: HTTP 4xx/5xx
    after retries, unknown domain, redirect loop) or None (not judged: skipped, or a timeout
    or connection failure that may be ours). ``reason`` is the status or the Chinese error.
    """

    url: str
    post_title: str
    opened: bool | None
    status: int | None = None
    reason: str = ""
    checked_at: datetime = field(default_factory=now_shanghai)

    @property
    def responded(self) -> bool:
        """An HTTP response arrived (the network to the link worked)."""
        return self.status is not None


def newest_post_urls(posts: Sequence[Post], limit: int) -> list[tuple[str, str]]:
    """(url, title) of up to ``limit`` distinct post links: dated posts newest first, then
    undated ones in the source's order."""
    dated = sorted(
        (p for p in posts if p.published is not None),
        key=lambda p: p.published or datetime.min,
        reverse=True,
    )
    ordered = [*dated, *(p for p in posts if p.published is None)]
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for post in ordered:
        url = post.url.strip()
        if not url or url in seen:
            continue
        seen.add(url)
        out.append((url, post.title))
        if len(out) >= limit:
            break
    return out


def _check_one(
    url: str, title: str, *, timeout: float, retries: int, max_bytes: int, session: Any
) -> LinkCheck:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return LinkCheck(url, title, None, reason=SKIP_NOT_HTTP)
    fetched = fetch_url(url, timeout=timeout, session=session, retries=retries, max_bytes=max_bytes)
    too_large = fetched.code is FetchError.TOO_LARGE
    if fetched.status is not None and fetched.status < 400 and (fetched.ok or too_large):
        opened: bool | None = True
        reason = f"HTTP {fetched.status}"
    elif fetched.code is FetchError.PRIVATE:
        opened, reason = None, SKIP_PRIVATE
    elif fetched.status is not None and fetched.status >= 400:
        opened, reason = False, f"HTTP {fetched.status}"
    elif fetched.code in DEAD_ERRORS:
        opened, reason = False, str(fetched.error)
    else:
        opened, reason = None, str(fetched.error or "无响应")
    return LinkCheck(url, title, opened, fetched.status, reason, fetched.fetched_at)


def check_post_links(
    feed: FeedResult,
    *,
    limit: int = 20,
    timeout: float = 10.0,
    retries: int = 1,
    max_bytes: int = 65536,
    allow_private: bool = False,
    allow_hosts: Collection[str] = (),
    user_agent: str | None = None,
) -> list[LinkCheck]:
    """Open the ``limit`` newest post links of ``feed``; never raises.

    ``timeout`` is seconds per connection/read; ``max_bytes`` caps what is read of a page
    that opens. Non-public addresses are refused (recorded as not checked) unless the host
    is the feed's own, in ``allow_hosts``, or ``allow_private`` is set.
    """
    if not feed.ok or limit <= 0:
        return []
    targets = newest_post_urls(feed.posts, limit)
    if not targets:
        return []
    source = urlsplit(feed.source)
    trusted = {h.lower() for h in allow_hosts}
    if source.scheme in ("http", "https") and source.hostname:
        trusted.add(source.hostname.lower())
    session = make_session(user_agent) if allow_private else guarded_session(trusted, user_agent)
    try:
        return [
            _check_one(
                url,
                title,
                timeout=timeout,
                retries=retries,
                max_bytes=max_bytes,
                session=session,
            )
            for url, title in targets
        ]
    finally:
        session.close()
