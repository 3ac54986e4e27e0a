"""The SSRF guard: never let a page we read steer a request into the office's own network.

A government page may link or redirect anywhere, including ``http://169.254.169.254/``
(a cloud metadata service), ``http://10.0.0.1/admin`` or ``http://localhost:8888/`` (the
analyst's own Jupyter). The workbench follows such URLs only when they are *public*:
:func:`is_public_target` resolves the host with :func:`socket.getaddrinfo` and refuses
private, loopback, link-local, multicast, reserved, unspecified and other non-global
addresses (:mod:`ipaddress`). Hosts listed in ``allow_hosts`` — the inventory's own sites,
which may legitimately be anywhere (an intranet portal; loopback in tests) — are trusted.

How callers use it (the lead wires it):

* **The crawler** (``fetch/crawl.py``) and **the link checker**: build the fetching session
  with :func:`guarded_session` and ``allow_hosts=inventory_hosts(inventory)`` (or, for
  ``workbench crawl URL``, the start URL's host), and pass it to
  :func:`workbench.fetch.http.fetch_url` (``session=``) or to the polite fetcher. Every hop
  of every redirect goes through the session's adapter, so a public page that redirects to
  a private address is refused *before* any connection is made; the page's result carries
  the error :data:`ERR_PRIVATE` and is not retried.
* **Before queueing an external link** for checking, call :func:`is_public_target` and
  record non-public targets as not checked instead of fetching them.

Limits: the address is resolved by the guard, then again by urllib3 when connecting; a
DNS answer that changes in between (DNS rebinding) is not caught. This guards against
pages steering the workbench, not against a hostile resolver.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Collection, Iterable
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from workbench.codes import FetchError
from workbench.fetch.http import _FetchFailure, make_session

__all__ = [
    "ERR_PRIVATE",
    "GuardedAdapter",
    "guarded_session",
    "inventory_hosts",
    "is_public_address",
    "is_public_target",
]

ERR_PRIVATE = FetchError.PRIVATE.message  # display; code compares FetchResult.code

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _host(url: str) -> str:
    """The lower-case host of an http(s) ``url``; "" when it has none or another scheme."""
    try:
        parts = urlsplit(url.strip())
    except (ValueError, AttributeError):
        return ""
    if parts.scheme.lower() not in ("http", "https"):
        return ""
    return (parts.hostname or "").lower().rstrip(".")


def _port(url: str) -> int:
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = None
    return port or (443 if parts.scheme.lower() == "https" else 80)


def is_public_address(address: IPAddress) -> bool:
    """True for a globally routable unicast address (IPv4-mapped IPv6 judged as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def _resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to; raises :class:`socket.gaierror` when none."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for info in infos:
        literal = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone id
        addresses.append(ipaddress.ip_address(literal))
    return addresses


OFFLINE_ENV = "WORKBENCH_OFFLINE"


def offline() -> bool:
    """True when ``WORKBENCH_OFFLINE`` is set (the test suite, CI, an air-gapped office):
    then no host outside ``allow_hosts`` is contacted at all, not even resolved."""
    return os.environ.get(OFFLINE_ENV, "") not in ("", "0")


def is_public_target(url: str, *, allow_hosts: Collection[str]) -> bool:
    """May the workbench request ``url``? (http/https only.)

    True when the host is in ``allow_hosts`` (compared case-insensitively, without port),
    or when every address it resolves to is public (see :func:`is_public_address`).
    False for other schemes, a missing host, a name that does not resolve, or any
    private, loopback, link-local, multicast, reserved or unspecified address.
    """
    host = _host(url)
    if not host:
        return False
    if host in {h.lower().rstrip(".") for h in allow_hosts}:
        return True
    if offline():
        return False
    try:
        addresses = _resolve(host.strip("[]"), _port(url))
    except (OSError, UnicodeError, ValueError):
        return False
    return bool(addresses) and all(is_public_address(a) for a in addresses)


def inventory_hosts(urls: Iterable[str]) -> frozenset[str]:
    """The hosts of the inventory's own site URLs: what ``allow_hosts`` should hold."""
    return frozenset(h for h in (_host(u) for u in urls) if h)


class _PrivateTargetRefused(_FetchFailure):
    """A request to a non-public address was refused before connecting.

    A :class:`workbench.fetch.http._FetchFailure`, so ``fetch_url`` reports
    :data:`ERR_PRIVATE` as the error and does not retry it.
    """

    def __init__(self) -> None:
        super().__init__(FetchError.PRIVATE)


class GuardedAdapter(HTTPAdapter):
    """An HTTP adapter that refuses every non-public target before connecting.

    A host that does not resolve is passed through, so ``fetch_url`` reports the ordinary
    DNS failure ("域名解析失败") rather than a refusal.
    """

    def __init__(self, allow_hosts: Collection[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.allow_hosts = frozenset(h.lower().rstrip(".") for h in allow_hosts)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        url = request.url or ""
        host = _host(url)
        if host and host not in self.allow_hosts:
            if offline():
                raise _PrivateTargetRefused()
            try:
                addresses = _resolve(host.strip("[]"), _port(url))
            except (OSError, UnicodeError, ValueError):
                addresses = None  # let the real connection attempt report the DNS failure
            if addresses is not None and not all(is_public_address(a) for a in addresses):
                raise _PrivateTargetRefused()
        return super().send(request, *args, **kwargs)


def guarded_session(
    allow_hosts: Collection[str], user_agent: str | None = None
) -> requests.Session:
    """:func:`workbench.fetch.http.make_session` with :class:`GuardedAdapter` mounted.

    Pass it to ``fetch_url(url, session=...)``: every request and every redirect hop to a
    host outside ``allow_hosts`` must resolve to public addresses only.
    """
    session = make_session(user_agent)
    adapter = GuardedAdapter(allow_hosts)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
