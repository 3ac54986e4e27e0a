"""A thin HTTP path for the crawl's requests: urllib3's pooled connections, no requests layers.

Profiling the crawl showed most of a fetch's CPU in requests' Session and adapter layers
(preparing the request, merging settings, building the Response), not in the network or
the parsing. :class:`ThinSession` offers the one call :func:`workbench.fetch.http.fetch_url`
makes of a session — ``request(method, url, timeout=…, stream=True, allow_redirects=False,
headers=…, data=…)`` — straight on a shared :class:`urllib3.PoolManager` (thread-safe,
keep-alive connections per host, certificates checked against certifi's bundle as requests
does), and answers with a :class:`ThinResponse` that has what ``fetch_url`` reads of a
response (``status_code``, ``headers``, ``raw``, ``close``). Redirects, the byte and time
caps, retries, charset decoding and the Chinese error reasons stay in ``fetch_url``: one
code path whichever session carries the request.

Not for requests through a proxy: :class:`~workbench.fetch.politeness.PoliteFetcher` uses
requests when the environment configures one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import certifi
import urllib3
from urllib3.util import make_headers

from workbench.fetch.http import make_session

__all__ = ["ThinResponse", "ThinSession"]

_ENCODINGS = make_headers(accept_encoding=True)["accept-encoding"]


class ThinResponse:
    """The part of a requests Response that ``fetch_url`` reads, over a urllib3 response."""

    def __init__(self, raw: urllib3.BaseHTTPResponse) -> None:
        self.raw = raw
        self.status_code = raw.status
        self.headers = raw.headers

    def close(self) -> None:
        """Give the connection back to the pool when the body was read to its end; else
        close it first (a cut or unread body leaves the connection unusable)."""
        if not self.raw.closed:
            self.raw.close()
        self.raw.release_conn()


class ThinSession:
    """``fetch_url``'s session on a urllib3 PoolManager (see module doc); thread-safe."""

    def __init__(self, user_agent: str | None = None, *, per_host: int = 10) -> None:
        defaults = make_session(user_agent).headers  # the same User-Agent and Accept headers
        self.headers = {str(k): str(v) for k, v in defaults.items()}
        self.headers["Accept-Encoding"] = _ENCODINGS
        self._pool = urllib3.PoolManager(
            num_pools=64, maxsize=per_host, block=False, ca_certs=certifi.where()
        )

    def request(
        self,
        method: str,
        url: str,
        *,
        timeout: tuple[float, float],
        headers: dict[str, str] | None = None,
        data: list[tuple[str, str]] | None = None,
        **_: Any,
    ) -> ThinResponse:
        """One request, no redirect followed, the body left to stream (``response.raw``)."""
        sent = {**self.headers, **(headers or {})}
        body = None
        if data is not None:
            body = urlencode(data)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        raw = self._pool.urlopen(
            method,
            url,
            body=body,
            headers=sent,
            redirect=False,
            retries=False,
            preload_content=False,
            decode_content=True,
            timeout=urllib3.Timeout(connect=timeout[0], read=timeout[1]),
        )
        return ThinResponse(raw)

    def close(self) -> None:
        self._pool.clear()
