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
