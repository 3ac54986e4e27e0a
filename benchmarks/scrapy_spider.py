"""The Scrapy peer: a plain spider following every same-host link (robots.txt obeyed).

Run by the benchmarks as ``scrapy runspider benchmarks/scrapy_spider.py -a start=URL[,URL…]``
with ``-s CONCURRENT_REQUESTS=16`` etc. One item (url, status, title) per page, so the
page count can be compared with ``workbench crawl``'s pages.csv.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor


class SameHostSpider(scrapy.Spider):
    name = "same_host"
    custom_settings = {
        "ROBOTSTXT_OBEY": True,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "COOKIES_ENABLED": False,
        "RETRY_ENABLED": False,
        "HTTPERROR_ALLOW_ALL": True,
    }

    def __init__(self, start: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [u for u in start.split(",") if u]
        self.allowed_domains = sorted({urlsplit(u).hostname or "" for u in self.start_urls})
        # LinkExtractor compares the netloc (with the port); OffsiteMiddleware the host name.
        self.links = LinkExtractor(
            allow_domains=sorted({urlsplit(u).netloc for u in self.start_urls})
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        is_text = isinstance(response, TextResponse)
        title = response.css("title::text").get(default="") if is_text else ""
        yield {"url": response.url, "status": response.status, "title": title.strip()}
        if response.status != 200 or not isinstance(response, TextResponse):
            return
        for link in self.links.extract_links(response):
            yield response.follow(link, callback=self.parse)
