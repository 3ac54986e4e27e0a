"""URL helpers shared by the inventory, the fetchers and the indicators."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlparse, urlsplit, urlunsplit

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
    column signals) join the same hrefs against the same base. Raises ValueError as urljoin.

    A plain relative href (a path, maybe a query and fragment: no scheme, host, ``;``,
    space or control character) against an http(s) base with a host is resolved here, the
    base split once a page: the steps of ``urljoin`` for that case, without its two
    ``urlparse`` calls. A plain absolute http(s) URL (:data:`_PLAIN_ABSOLUTE_RE`) is its
    own join, against such a base: ``urljoin`` returns it, or splits and rejoins it
    unchanged. Any other href goes through ``urljoin`` itself."""
    if not base or not href or href[:2] == "//":
        return urljoin(base, href)
    parts = _base_parts(base)
    if parts is None:
        return urljoin(base, href)
    if _NOT_PLAIN_RE.search(href):
        return href if _plain_absolute(href) else urljoin(base, href)
    if href[0] in "?#":  # no path of its own: the base's path and query are kept
        return urljoin(base, href)
    scheme, netloc, bpath = parts
    if href[0] == "/":
        return _join_rooted(scheme, netloc, href)
    return _join_plain(scheme, netloc, bpath, href)


@lru_cache(maxsize=512)  # a site's header and sidebar; articles' links seldom recur
def _join_rooted(scheme: str, netloc: str, href: str) -> str:
    """The join of a rooted plain href (``/a/b.html``): the base's path plays no part, so
    one join serves every page of the host that links it (a site's header and sidebar).
    Sized to what recurs: at 4,096 entries it held ~1.5 MB in every page-reading process."""
    return _join_plain(scheme, netloc, "", href)


def _join_plain(scheme: str, netloc: str, bpath: str, href: str) -> str:
    """``urljoin``'s steps for a plain href with a path against ``scheme://netloc/bpath``."""
    fragment = query = ""
    path = href
    if "#" in path:
        path, fragment = path.split("#", 1)
    if "?" in path:
        path, query = path.split("?", 1)
    if path[:1] == "/":
        segments = path.split("/")
    else:
        base_parts = bpath.split("/")
        if base_parts[-1] != "":
            del base_parts[-1]
        segments = base_parts + path.split("/")
        segments[1:-1] = filter(None, segments[1:-1])
    resolved: list[str] = []
    for seg in segments:
        if seg == "..":
            if resolved:
                resolved.pop()
        elif seg != ".":
            resolved.append(seg)
    if segments[-1] in (".", ".."):
        resolved.append("")
    url = "/".join(resolved) or "/"
    if url[:1] != "/":
        url = "/" + url
    url = f"{scheme}://{netloc}{url}"
    if query:
        url = f"{url}?{query}"
    if fragment:
        url = f"{url}#{fragment}"
    return url


# What join_url leaves to urljoin: a scheme (or a colon anywhere), params, spaces, controls.
_NOT_PLAIN_RE = re.compile("[:;\x00-\x20]")
# An absolute http(s) URL that urlsplit + urlunsplit give back as it is: a lower-case scheme,
# a host, printable ASCII only (no space, no ";" params, no "[" of an IPv6 host that could be
# malformed) and, tested apart (_plain_absolute), no empty query or fragment, which the
# rejoining drops ("?#", a last "?" or "#").
_PLAIN_ABSOLUTE_RE = re.compile(r"https?://[^\x00-\x20\x7f-\U0010ffff/?#;\[\]][!-:<-Z\\^-~]*\Z")


def _plain_absolute(href: str) -> bool:
    return bool(_PLAIN_ABSOLUTE_RE.match(href)) and "?#" not in href and href[-1] not in "?#"


@lru_cache(maxsize=64)
def _base_parts(base: str) -> tuple[str, str, str] | None:
    """(scheme, host, path) of an http(s) base with a host, or None (left to urljoin)."""
    try:
        scheme, netloc, path, _, _, _ = urlparse(base)
    except ValueError:
        return None
    if scheme not in ("http", "https") or not netloc:
        return None
    return scheme, netloc, path


def same_host(a: str, b: str) -> bool:
    """True when both URLs point at the same host and port."""
    try:
        pa, pb = urlsplit(a), urlsplit(b)
        return (pa.hostname or "").lower() == (pb.hostname or "").lower() and (
            pa.port or _DEFAULT_PORTS.get(pa.scheme)
        ) == (pb.port or _DEFAULT_PORTS.get(pb.scheme))
    except ValueError:
        return False
