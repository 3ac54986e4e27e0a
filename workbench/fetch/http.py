"""One polite, bounded HTTP GET: :func:`fetch_url` never raises, it reports.

Every failure becomes a :class:`FetchResult` whose ``error`` is a short Chinese reason an
analyst can read in a finding ("连接超时", "连接被拒绝", "域名解析失败", "连接中断",
"重定向次数过多", "响应过大（超过N字节）", "SSL证书错误", "HTTP 404", "网址无效").

Limits: ``timeout`` (seconds) bounds the connection and each socket read; the whole
attempt (redirects and body included) is also stopped at about ``2 * timeout`` seconds of
wall time, checked between body reads. Bodies are streamed and cut at ``max_bytes``.

Times: ``fetched_at`` is naive Asia/Shanghai wall-clock time; ``elapsed_ms`` is the wall
time of the final attempt in milliseconds.
"""

from __future__ import annotations

import email.utils
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions

from workbench.codes import FetchError
from workbench.fetch.charset import decode_body

if TYPE_CHECKING:
    from workbench.fetch.thin_http import ThinResponse, ThinSession

__all__ = [
    "SHANGHAI",
    "USER_AGENT",
    "FetchResult",
    "decode_body",
    "fetch_url",
    "make_session",
    "now_shanghai",
]

# HTTP header values must be Latin-1, so the Chinese purpose is spelled in ASCII.
USER_AGENT = "Mozilla/5.0 (compatible; workbench/0.1; government website inspection)"

_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_RETRY_AFTER_CAP_S = 30.0
_READ_CHUNK = 64 * 1024

# The Chinese messages of the failure kinds (display only: code compares ``FetchResult.code``).
ERR_TIMEOUT = FetchError.TIMEOUT.message
ERR_REFUSED = FetchError.REFUSED.message
ERR_DNS = FetchError.DNS.message
ERR_RESET = FetchError.RESET.message
ERR_REDIRECTS = FetchError.REDIRECTS.message
ERR_SSL = FetchError.SSL.message
ERR_INVALID_URL = FetchError.INVALID_URL.message
ERR_CONNECT = FetchError.CONNECT.message

# Failures worth another attempt (besides 5xx and 429 statuses).
_RETRYABLE = frozenset(
    {FetchError.TIMEOUT, FetchError.REFUSED, FetchError.RESET, FetchError.CONNECT}
)


def _shanghai_zone() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Shanghai")
    except Exception:  # noqa: BLE001 - no tz database: China has kept UTC+8 since 1991
        return timezone(timedelta(hours=8), "CST")


SHANGHAI: tzinfo = _shanghai_zone()


def now_shanghai() -> datetime:
    """The current naive Asia/Shanghai wall-clock time, to the second."""
    return datetime.now(SHANGHAI).replace(tzinfo=None, microsecond=0)


@dataclass
class FetchResult:
    """What one GET produced.

    ``status`` is None when no HTTP response arrived. ``content_type`` is the bare media
    type, lower-cased ("text/html"), or "" when absent. ``content`` holds at most
    ``max_bytes`` bytes; ``text`` is the decoded body for text-like types, else "".
    ``elapsed_ms`` is milliseconds of the final attempt; ``fetched_at`` is naive
    Asia/Shanghai wall-clock time at the start of the final attempt. ``error`` is the Chinese
    message shown to people; ``code`` its kind (:class:`workbench.codes.FetchError`), which
    is what code compares.
    """

    url: str
    final_url: str
    status: int | None
    content_type: str
    content: bytes
    text: str
    elapsed_ms: int
    error: str | None
    fetched_at: datetime
    retry_after: float | None = None
    code: FetchError | None = None

    @property
    def ok(self) -> bool:
        """A response arrived with status < 400 and nothing went wrong."""
        return self.error is None and self.status is not None and self.status < 400


def header_safe(value: str) -> str:
    """``value`` made sendable in an HTTP header: non-Latin-1 text goes as raw UTF-8 bytes.

    http.client encodes header values as Latin-1, so a Chinese User-Agent (as the rules
    file may configure) would otherwise fail every request.
    """
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8").decode("latin-1")
    return value


class _ManualRedirectSession(requests.Session):
    """A Session that never reads a redirect's body on its own.

    Even with ``allow_redirects=False``, requests prepares ``Response.next`` through
    ``resolve_redirects``, which reads the redirect's whole body into memory, decoded and
    uncapped: a gzip bomb or an endless body behind a 302. ``fetch_url`` follows redirects
    by hand from the Location header, so this session reports no redirect target.
    """

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        return None


def make_session(user_agent: str | None = None) -> requests.Session:
    """A :class:`requests.Session` with the workbench's User-Agent and no automatic retries.

    ``user_agent`` may contain Chinese; it is sent as UTF-8 bytes. The session does not
    follow redirects by itself (``fetch_url`` does, within its limits).
    """
    session = _ManualRedirectSession()
    session.headers["User-Agent"] = header_safe(user_agent or USER_AGENT)
    session.headers["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    session.headers["Accept-Language"] = "zh-CN,zh;q=0.9"
    return session


class _FetchFailure(Exception):
    """Internal: an attempt failed with a kind, its Chinese reason (the kind's message unless
    given) and maybe an HTTP status."""

    def __init__(self, code: FetchError, status: int | None = None, reason: str = "") -> None:
        super().__init__(reason or code.message)
        self.code = code
        self.reason = reason or code.message
        self.status = status


def _exception_chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception it wraps (causes, contexts, urllib3 reasons, args)."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(seen) < 20:
        cur = todo.pop()
        if any(cur is s for s in seen):
            continue
        seen.append(cur)
        for nxt in (cur.__cause__, cur.__context__, getattr(cur, "reason", None), *cur.args):
            if isinstance(nxt, BaseException):
                todo.append(nxt)
    return seen


def describe_error(exc: BaseException) -> str:
    """Map a requests/urllib3/socket exception to a short Chinese reason."""
    if isinstance(exc, _FetchFailure):
        return exc.reason
    return error_code(exc).message


def error_code(exc: BaseException) -> FetchError:
    """The kind of failure a requests/urllib3/socket exception is."""
    if isinstance(exc, _FetchFailure):
        return exc.code
    if isinstance(
        exc,
        requests.exceptions.InvalidURL
        | requests.exceptions.MissingSchema
        | requests.exceptions.InvalidSchema
        | requests.exceptions.URLRequired
        | urllib3.exceptions.LocationValueError,
    ):
        return FetchError.INVALID_URL
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return FetchError.REDIRECTS
    chain = _exception_chain(exc)
    for item in chain:
        if isinstance(item, urllib3.exceptions.NameResolutionError | socket.gaierror):
            return FetchError.DNS
    for item in chain:
        if isinstance(item, ssl.SSLCertVerificationError | urllib3.exceptions.SSLError):
            return FetchError.SSL
        if isinstance(item, requests.exceptions.SSLError | ssl.SSLError):
            return FetchError.SSL
    for item in chain:
        if isinstance(item, ConnectionRefusedError):
            return FetchError.REFUSED
    for item in chain:
        if isinstance(item, urllib3.exceptions.NewConnectionError):
            continue  # a subclass of ConnectTimeoutError for historical reasons only
        if isinstance(
            item,
            requests.exceptions.Timeout | urllib3.exceptions.TimeoutError | TimeoutError,
        ):
            return FetchError.TIMEOUT
    for item in chain:
        if isinstance(
            item,
            ConnectionResetError
            | BrokenPipeError
            | urllib3.exceptions.ProtocolError
            | requests.exceptions.ChunkedEncodingError,
        ):
            return FetchError.RESET
    if isinstance(exc, requests.exceptions.ContentDecodingError | urllib3.exceptions.DecodeError):
        return FetchError.RESET
    return FetchError.CONNECT


def _parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), capped at 30 s."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), _RETRY_AFTER_CAP_S)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    delay = when.timestamp() - time.time()
    return min(max(delay, 0.0), _RETRY_AFTER_CAP_S)


def _valid_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _read_body(
    response: requests.Response | ThinResponse, max_bytes: int, deadline: float
) -> bytes:
    """Stream the body up to ``max_bytes``; raise _FetchFailure past the byte or time cap."""
    limit_msg = f"响应过大（超过{max_bytes}字节）"
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise _FetchFailure(FetchError.TOO_LARGE, response.status_code, limit_msg)
    raw = response.raw
    read1 = getattr(raw, "read1", None)
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise _FetchFailure(FetchError.TIMEOUT, response.status_code)
        if read1 is not None:  # returns as soon as some bytes arrive
            chunk = read1(_READ_CHUNK, decode_content=True)
        else:
            chunk = raw.read(_READ_CHUNK, decode_content=True)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise _FetchFailure(FetchError.TOO_LARGE, response.status_code, limit_msg)
    return b"".join(chunks)


def _media_type(header: str | None) -> str:
    return (header or "").split(";", 1)[0].strip().lower()


def _attempt(
    url: str,
    session: requests.Session | ThinSession,
    timeout: float,
    max_bytes: int,
    max_redirects: int,
    headers: dict[str, str],
    method: str = "GET",
    data: list[tuple[str, str]] | None = None,
) -> FetchResult:
    """One request (GET, HEAD for link checks, or a form POST as a list's data proxy
    expects), following redirects by hand so the deadline covers every hop; a POST
    redirected with 301/302/303 goes on as a GET, as browsers do."""
    fetched_at = now_shanghai()
    start = time.monotonic()
    deadline = start + 2 * timeout
    current = url
    status: int | None = None
    retry_after: float | None = None
    response: requests.Response | ThinResponse | None = None
    try:
        hops = 0
        while True:
            status, response = None, None
            response = session.request(
                method,
                current,
                timeout=(timeout, timeout),
                stream=True,
                allow_redirects=False,
                headers=headers,
                data=data if method == "POST" else None,
            )
            status = response.status_code
            location = response.headers.get("Location")
            if status in _REDIRECT_CODES and location:
                response.close()
                if method == "POST" and status in (301, 302, 303):
                    method, data = "GET", None
                hops += 1
                if hops > max_redirects:
                    raise _FetchFailure(FetchError.REDIRECTS, status)
                if time.monotonic() > deadline:
                    raise _FetchFailure(FetchError.TIMEOUT, status)
                current = urljoin(current, location.strip())
                if not _valid_url(current):
                    raise _FetchFailure(FetchError.INVALID_URL, status)
                continue
            break
        retry_after = _parse_retry_after(response.headers.get("Retry-After"))
        content_type = _media_type(response.headers.get("Content-Type"))
        content = _read_body(response, max_bytes, deadline)
        text = decode_body(content, response.headers.get("Content-Type")) if content else ""
        error = f"HTTP {status}" if status >= 400 else None
        return FetchResult(
            url=url,
            final_url=current,
            status=status,
            content_type=content_type,
            content=content,
            text=text,
            elapsed_ms=int((time.monotonic() - start) * 1000),
            error=error,
            fetched_at=fetched_at,
            retry_after=retry_after,
            code=FetchError.HTTP_STATUS if error else None,
        )
    except Exception as exc:  # noqa: BLE001 - fetch_url reports, never raises
        reason, code = describe_error(exc), error_code(exc)
        if isinstance(exc, _FetchFailure):
            status = exc.status
        return FetchResult(
            url=url,
            final_url=current,
            status=status,
            content_type=(
                _media_type(response.headers.get("Content-Type")) if response is not None else ""
            ),
            content=b"",
            text="",
            elapsed_ms=int((time.monotonic() - start) * 1000),
            error=reason,
            fetched_at=fetched_at,
            retry_after=retry_after,
            code=code,
        )
    finally:
        if response is not None:
            response.close()


def _should_retry(result: FetchResult) -> bool:
    if result.status is not None and result.status in _RETRY_STATUSES:
        return True
    return result.code in _RETRYABLE


def fetch_url(
    url: str,
    *,
    timeout: float = 15.0,
    session: requests.Session | ThinSession | None = None,
    max_bytes: int = 10 * 1024 * 1024,
    max_redirects: int = 10,
    retries: int = 0,
    backoff: float = 0.5,
    user_agent: str | None = None,
    method: str = "GET",
    data: list[tuple[str, str]] | None = None,
) -> FetchResult:
    """GET (or ``method="HEAD"``, or ``"POST"`` with the form ``data``) ``url`` and report
    what happened; never raises.

    ``session``: a requests Session, or the crawl's :class:`~workbench.fetch.thin_http.
    ThinSession` (the same request on urllib3's pool, without requests' layers).
    ``timeout`` is seconds per connection/read (whole attempt capped at about twice that);
    ``max_bytes`` caps the body; ``retries`` extra attempts are made after connection
    errors, 5xx and 429, waiting ``backoff * 2**n`` seconds, or the server's Retry-After
    (for 429/503, capped at 30 s).
    """
    if not isinstance(url, str) or not _valid_url(url.strip()):
        return FetchResult(
            url=str(url),
            final_url=str(url),
            status=None,
            content_type="",
            content=b"",
            text="",
            elapsed_ms=0,
            error=ERR_INVALID_URL,
            fetched_at=now_shanghai(),
            code=FetchError.INVALID_URL,
        )
    url = url.strip()
    own_session = session is None
    sess = session if session is not None else make_session(user_agent)
    headers = {"User-Agent": header_safe(user_agent)} if user_agent else {}
    try:
        attempt = 0
        while True:
            result = _attempt(url, sess, timeout, max_bytes, max_redirects, headers, method, data)
            if attempt >= retries or not _should_retry(result):
                return result
            delay = backoff * (2**attempt)
            if result.status in (429, 503) and result.retry_after is not None:
                delay = result.retry_after
            time.sleep(min(max(delay, 0.0), _RETRY_AFTER_CAP_S))
            attempt += 1
    finally:
        if own_session:
            sess.close()
