"""Politeness for crawlers: a per-host request interval shared by threads, robots.txt, traps.

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

Trap rules: :func:`is_binary_url` (attachments and media by extension, not worth a crawl's
request budget) and :func:`is_calendar_trap` (a calendar-like URL whose year is before 1990
or after next year, Asia/Shanghai calendar).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import date
from urllib.parse import parse_qsl, urlsplit
from urllib.request import getproxies

import requests
from protego import Protego

from workbench.extract.dates import MIN_YEAR
from workbench.fetch.http import USER_AGENT, FetchResult, fetch_url, make_session
from workbench.fetch.thin_http import ThinSession

__all__ = [
    "MAX_CRAWL_DELAY_S",
    "HostThrottle",
    "PoliteFetcher",
    "RobotsRules",
    "host_key",
    "is_binary_url",
    "is_calendar_trap",
    "origin_of",
]

MAX_CRAWL_DELAY_S = 60.0

_BINARY_EXTENSIONS = frozenset(
    "pdf doc docx xls xlsx ppt pptx wps et dps ofd ceb rtf txt csv xml json zip rar 7z gz tgz "  # noqa: SIM905
    "tar bz2 jpg jpeg png gif bmp webp svg ico tif tiff mp3 mp4 avi wmv flv mov mkv wav swf "
    "exe msi apk dmg iso css js".split()
)
_CALENDAR_KEY_RE = re.compile(
    r"^(?:y|m|d|yr|ym|ymd|rq|nf|yf|.*(?:year|month|date|day|calendar|cal|nian|yue|riqi).*)$",
    re.IGNORECASE,
)
_LEADING_YEAR_RE = re.compile(r"^(\d{4})(?:$|[-/.]?\d{1,2})")
_YEAR_SEGMENT_RE = re.compile(r"\d{4}")
_MONTH_SEGMENT_RE = re.compile(r"\d{1,2}")


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
        self._last_start: dict[str, float] = {}

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
        """Use ``seconds`` for ``host`` when larger, from the last request already started."""
        with self._lock:
            current = self._intervals.get(host, self.interval)
            self._intervals[host] = max(current, float(seconds))
        with self._host_lock(host):
            last = self._last_start.get(host)
            if last is not None:
                self._next_slot[host] = max(self._next_slot.get(host, 0.0), last + seconds)

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
            self._last_start[host] = slot
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


class PoliteFetcher:
    """Throttled GETs for many worker threads, with robots.txt: one shared pool of
    connections (:class:`~workbench.fetch.thin_http.ThinSession`, at most ``connections``
    kept per host), or one requests session per thread when a proxy is configured.

    A 429/503 answer carrying Retry-After pauses the host for that long (at most 30 s, see
    :func:`workbench.fetch.http.fetch_url`) and is retried once; other failures are reported
    as they are (no retry: a crawl records, the link-check stage re-checks).
    """

    def __init__(
        self,
        *,
        delay: float,
        timeout: float,
        user_agent: str | None = None,
        obey_robots: bool = True,
        max_bytes: int = 5 * 1024 * 1024,
        throttle: HostThrottle | None = None,
        connections: int = 10,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.user_agent = user_agent or USER_AGENT
        # A shared throttle spaces the requests of several fetchers (crawls) to one host.
        self.throttle = throttle if throttle is not None else HostThrottle(delay)
        self.robots = RobotsRules(self.get, self.user_agent, self.throttle, enabled=obey_robots)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        # Without a proxy, every thread shares one pool of keep-alive connections per host
        # on the thin urllib3 path (requests' layers were most of a crawl's fetch CPU).
        self._thin = None if getproxies() else ThinSession(self.user_agent, per_host=connections)

    def _session(self) -> requests.Session | ThinSession:
        if self._thin is not None:
            return self._thin
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = make_session(self.user_agent)
            if not getproxies():
                # No proxy configured: skip requests' per-request scan of the environment
                # (proxies, netrc), a large share of a crawl's CPU on a fast mirror.
                session.trust_env = False
            with self._lock:
                self._sessions.append(session)
        return session

    def get(self, url: str) -> FetchResult:
        """One GET of ``url`` once the host's interval allows it (never raises)."""
        return self.request(url)

    def request(
        self,
        url: str,
        method: str = "GET",
        form: tuple[tuple[str, str], ...] = (),
        *,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """One GET (or form POST, as a list's data proxy expects) of ``url`` once the host's
        interval allows it, same throttle and retry rules for both (never raises);
        ``max_bytes`` caps this body instead of the fetcher's own cap (attachments)."""
        host = host_key(url)
        data = list(form) if method == "POST" else None
        for attempt in range(2):
            self.throttle.wait(host)
            result = fetch_url(
                url,
                timeout=self.timeout,
                session=self._session(),
                max_bytes=self.max_bytes if max_bytes is None else max_bytes,
                method=method,
                data=data,
            )
            if attempt or result.status not in (429, 503) or result.retry_after is None:
                break
            self.throttle.pause(host, result.retry_after)
        return result

    def allowed(self, url: str) -> bool:
        """True when robots.txt (fetched once per origin) lets us fetch ``url``."""
        return self.robots.allowed(url)

    def close(self) -> None:
        """Close every thread's session."""
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()
            if self._thin is not None:
                self._thin.close()


def is_binary_url(url: str) -> bool:
    """True when the path ends in an attachment or media extension (``.pdf``, ``.jpg``…)."""
    name = urlsplit(url).path.lower().rsplit("/", 1)[-1]
    return "." in name and name.rsplit(".", 1)[-1] in _BINARY_EXTENSIONS


def is_calendar_trap(url: str, today: date) -> bool:
    """A calendar-like URL (date parameter or ``/YYYY/MM/`` path) with a year far from ``today``.

    Far means before 1990 or after ``today``'s next year; ``today`` is an Asia/Shanghai date.
    """

    def far(year: int) -> bool:
        return year < MIN_YEAR or year > today.year + 1

    parts = urlsplit(url)
    if parts.query:
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            m = _LEADING_YEAR_RE.match(value.strip())
            if m and _CALENDAR_KEY_RE.match(key) and far(int(m.group(1))):
                return True
    segments = [s for s in parts.path.split("/") if s]
    return any(
        _YEAR_SEGMENT_RE.fullmatch(first)
        and _MONTH_SEGMENT_RE.fullmatch(second)
        and 1 <= int(second) <= 12
        and far(int(first))
        for first, second in zip(segments, segments[1:], strict=False)
    )
