"""URL helpers shared by the inventory, the fetchers and the indicators."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_url(url: str) -> str:
    """A comparable form of ``url`` (duplicates, probes, same-page checks): lower-case scheme
    and host, no default port, no fragment, and an empty or ``/`` path written as empty."""
    return _normalized(url or "")


# A site's header and sidebar links recur on every page and stay in an LRU cache of any size;
# the rest (one article's own URLs) only churn it: 4,096 entries, not more, in each process.
@lru_cache(maxsize=4096)
def _normalized(url: str) -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and _DEFAULT_PORTS.get(scheme) != port:
        host = f"{host}:{port}"
    path = "" if parts.path in ("", "/") else parts.path
    return urlunsplit((scheme, host, path, parts.query, ""))


@lru_cache(maxsize=2048)  # keyed by the page's own base: reuse is within one page
def join_url(base: str, href: str) -> str:
    """``urljoin(base, href)``, cached: several readers of one page (its links, its rows, its
    column signals) join the same hrefs against the same base. Raises ValueError as urljoin."""
    return urljoin(base, href)


def same_host(a: str, b: str) -> bool:
    """True when both URLs point at the same host and port."""
    try:
        pa, pb = urlsplit(a), urlsplit(b)
        return (pa.hostname or "").lower() == (pb.hostname or "").lower() and (
            pa.port or _DEFAULT_PORTS.get(pa.scheme)
        ) == (pb.port or _DEFAULT_PORTS.get(pb.scheme))
    except ValueError:
        return False
