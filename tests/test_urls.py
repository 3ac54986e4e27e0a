"""workbench.urls.join_url: its own resolution of plain relative hrefs is urljoin's."""

from __future__ import annotations

import itertools
from urllib.parse import urljoin

import pytest

from workbench.urls import join_url

BASES = [
    "http://a.gov.cn/b/c/d.html",
    "http://a.gov.cn",
    "https://a.gov.cn/x/",
    "http://a.gov.cn/b/c/d.html?x=1#f",
    "http://a.gov.cn/b;p/c;q?y",
    "http://a.gov.cn:8080/a/b/",
    "http://[::1]/a/b",
    "http:///a/b",
    "ftp://x/a/b",
    "/relative/only",
    "",
]
PARTS = ["a", "b.html", "..", ".", "", "/", "?q=1", "#f", ";p", ":", "//", "中文", " ", "\t"]


@pytest.mark.parametrize("base", BASES)
def test_join_url_is_urljoin(base: str) -> None:
    for n in range(4):
        for parts in itertools.product(PARTS, repeat=n):
            href = "".join(parts)
            join_url.cache_clear()
            assert join_url(base, href) == urljoin(base, href), (base, href)


ABSOLUTE_PARTS = ["a.cn", "/", "?", "#", "x", ";p", ":80", "[", "]", "::1", " ", "中文", "%20"]


def _joined(base: str, href: str) -> str:
    try:
        return join_url(base, href)
    except ValueError:
        return "ValueError"


def _urljoined(base: str, href: str) -> str:
    try:
        return urljoin(base, href)
    except ValueError:
        return "ValueError"


@pytest.mark.parametrize("base", BASES)
def test_join_url_absolute_is_urljoin(base: str) -> None:
    """An absolute href given back as it is (join_url's shortcut) is what urljoin gives,
    empty queries and fragments, params, IPv6 brackets and non-ASCII hosts included."""
    for scheme in ("http://", "https://", "HTTP://"):
        for n in range(4):
            for parts in itertools.product(ABSOLUTE_PARTS, repeat=n):
                href = scheme + "".join(parts)
                join_url.cache_clear()
                assert _joined(base, href) == _urljoined(base, href), (base, href)
