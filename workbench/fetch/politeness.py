"""Politeness for crawlers: a per-host request interval shared by threads, and robots.txt.

:class:`HostThrottle` spaces the *starts* of requests to one host by at least an interval
(seconds, measured on the monotonic clock), however many worker threads ask at once: each
caller reserves the next free slot under a short per-host lock, then sleeps outside the
lock until its slot. The interval is per host name (all ports of one machine share it),
may be raised per host (robots.txt ``Crawl-delay``) and a host may be paused (``Retry-After``).

:class:`RobotsRules` fetches ``/robots.txt`` once per origin (scheme, host, port) through
the throttle and answers with protego. Policy (after RFC 9309, relaxed for inspection):
a 4xx answer or an unreachable / malformed file means "no rules" (everything allowed); a
``Crawl-delay`` larger than the crawl's own interval is honoured, capped at
:data:`MAX_CRAWL_DELAY_S` seconds so a hostile value cannot stall a quarterly run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from protego import Protego

from workbench.fetch.http import FetchResult

__all__ = ["MAX_CRAWL_DELAY_S", "HostThrottle", "RobotsRules", "host_key", "origin_of"]

MAX_CRAWL_DELAY_S = 60.0


def host_key(url: str) -> str:
    """The politeness key of ``url``: its lower-case host name (ports share one key)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-case, the scope of one robots.txt."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class HostThrottle:
    """At least ``interval`` seconds between the starts of two requests to one host.

    Thread-safe. ``interval`` 0 lets requests go as fast as the callers come.
    """

    def __init__(self, interval: float) -> None:
        self.interval = max(0.0, float(interval))
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._next_slot: dict[str, float] = {}
        self._intervals: dict[str, float] = {}

    def _host_lock(self, host: str) -> threading.Lock:
        with self._lock:
            lock = self._host_locks.get(host)
            if lock is None:
                lock = self._host_locks[host] = threading.Lock()
            return lock

    def interval_for(self, host: str) -> float:
        """Seconds between two request starts to ``host``."""
        with self._lock:
            return self._intervals.get(host, self.interval)

    def raise_interval(self, host: str, seconds: float) -> None:
        """Use ``seconds`` for ``host`` when it is larger than the current interval."""
        with self._lock:
            current = self._intervals.get(host, self.interval)
            self._intervals[host] = max(current, float(seconds))

    def pause(self, host: str, seconds: float) -> None:
        """No request to ``host`` before ``seconds`` from now (e.g. a Retry-After)."""
        with self._host_lock(host):
            until = time.monotonic() + max(0.0, seconds)
            self._next_slot[host] = max(self._next_slot.get(host, 0.0), until)

    def wait(self, host: str) -> float:
        """Block until a request to ``host`` may start; return the seconds waited."""
        interval = self.interval_for(host)
        with self._host_lock(host):
            now = time.monotonic()
            slot = max(now, self._next_slot.get(host, 0.0))
            self._next_slot[host] = slot + interval
        waited = slot - now
        if waited > 0:
            time.sleep(waited)
        return waited


class RobotsRules:
    """robots.txt of each origin, fetched once (thread-safe) with ``fetch`` and obeyed.

    ``fetch`` is a throttled GET (it must respect the same :class:`HostThrottle`).
    """

    def __init__(
        self,
        fetch: Callable[[str], FetchResult],
        user_agent: str,
        throttle: HostThrottle,
        *,
        enabled: bool = True,
    ) -> None:
        self._fetch = fetch
        self.user_agent = user_agent
        self._throttle = throttle
        self.enabled = enabled
        self._lock = threading.Lock()
        self._origin_locks: dict[str, threading.Lock] = {}
        self._parsed: dict[str, Protego | None] = {}

    def rules_for(self, url: str) -> Protego | None:
        """The parsed robots.txt of ``url``'s origin, or ``None`` when it sets no rules."""
        origin = origin_of(url)
        with self._lock:
            if origin in self._parsed:
                return self._parsed[origin]
            lock = self._origin_locks.setdefault(origin, threading.Lock())
        with lock:  # one fetch per origin, other threads wait for it
            with self._lock:
                if origin in self._parsed:
                    return self._parsed[origin]
            parsed = self._load(origin)
            with self._lock:
                self._parsed[origin] = parsed
            return parsed

    def _load(self, origin: str) -> Protego | None:
        result = self._fetch(origin + "/robots.txt")
        if not result.ok or not result.text.strip():
            return None
        try:
            parsed = Protego.parse(result.text)
        except Exception:  # noqa: BLE001 - a broken robots.txt sets no rules
            return None
        delay = parsed.crawl_delay(self.user_agent)
        if delay:
            self._throttle.raise_interval(host_key(origin), min(float(delay), MAX_CRAWL_DELAY_S))
        return parsed

    def allowed(self, url: str) -> bool:
        """True when robots.txt lets our user agent fetch ``url`` (always when disabled)."""
        if not self.enabled:
            return True
        parsed = self.rules_for(url)
        return parsed is None or parsed.can_fetch(url, self.user_agent)
