"""Serving the demo city on loopback: one ThreadingHTTPServer per website plus one for feeds.

Addressing: by default every server listens on ``host`` (127.0.0.1) with its own free port
(port 0), so homepages look like ``http://127.0.0.1:41234/``. With ``distinct_hosts=True``
site *i* listens on ``127.0.0.(i+2)`` instead (Linux routes all of 127.0.0.0/8 to loopback),
which gives per-host politeness one host per site; the feed server stays on ``host``.
Nothing ever binds outside loopback.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from workbench.demo.build import build_city_model
from workbench.demo.city import DEFAULT_SEED, AccountModel, CityModel, SiteModel
from workbench.demo.feeds import PLATFORM_ROUTE, render_feed, render_index, render_post
from workbench.demo.issue17 import render_search
from workbench.demo.issue21 import DOWNLOAD, attachment_files
from workbench.demo.jcms import PROXY_PATH
from workbench.demo.records import CityUrls, write_inventory, write_truth
from workbench.demo.sites import Route, item_path, render, render_proxy, route_table

POLL_SECONDS = 0.05
DOWNLOAD_PATH = DOWNLOAD.split("?", 1)[0]


@dataclass
class DemoCity:
    """A running demo city. URLs are the ones actually served (and written in the inventory)."""

    inventory_dir: Path
    truth_path: Path
    quarter: str
    as_of: date
    site_urls: dict[str, str]  # site key → homepage URL
    feed_base_url: str = ""
    media_sources: dict[str, str] = field(default_factory=dict)  # 账号名称 → 数据源 as in media.csv
    model: CityModel | None = None
    site_servers: dict[str, SiteServer] = field(default_factory=dict, repr=False)

    def serve_site(self, site: SiteModel) -> None:
        """Serve ``site`` from now on in place of the site of the same key, at the same
        address: a unit that changed its website (rectified a problem, ``demo.rectified``)."""
        server = self.site_servers[site.key]
        server.routes, server.site = route_table(site), site


class _Handler(BaseHTTPRequestHandler):
    """Shared plumbing: quiet logs, one response per connection (HTTP/1.0)."""

    server_version = "DemoCMS/1.0"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        return

    def send_body(self, status: int, content_type: str, body: bytes, head: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def not_found(self, head: bool = False) -> None:
        body = "<html><body><h1>404</h1><p>您访问的页面不存在。</p></body></html>".encode()
        self.send_body(404, "text/html; charset=utf-8", body, head)

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self.answer(head=True)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self.answer(head=False)

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        self.not_found()

    def answer(self, head: bool) -> None:
        raise NotImplementedError


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # crawlers and link checkers open many connections at once

    def __init__(self, address: tuple[str, int], site: SiteModel) -> None:
        self.site = site
        self.routes: dict[str, Route] = route_table(site)
        super().__init__(address, _SiteHandler)


class _SiteHandler(_Handler):
    server: SiteServer

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        """The jcms data proxy: records of one column, asked as the real jpage asks."""
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(min(length, 65536)).decode("utf-8", "replace"))
        query = parse_qs(parts.query)
        site = self.server.site
        body = None
        if parts.path == PROXY_PATH and site.style == "jcms" and not site.broken:
            try:
                start, end = int(query["startrecord"][0]), int(query["endrecord"][0])
                body = render_proxy(site, form.get("columnid", [""])[0], start, end)
            except (KeyError, ValueError):
                body = None
        if body is None:
            self.not_found()
        else:
            self.send_body(200, "text/xml; charset=utf-8", body)

    def answer(self, head: bool) -> None:
        site = self.server.site
        if site.broken:
            body = b"<html><body><h1>500 Internal Server Error</h1></body></html>"
            self.send_body(500, "text/html; charset=utf-8", body, head)
            return
        parts = urlsplit(self.path)
        key = parts.path
        if key == DOWNLOAD_PATH:  # a Hanweb download link names its file in the query
            key = f"{key}?{parts.query}"
        if key == PROXY_PATH and site.style == "jcms":
            body = "<html><body><p>请求方式不被支持。</p></body></html>".encode()
            self.send_body(405, "text/html; charset=utf-8", body, head)
            return
        if key == "/search":  # 站内搜索 (issue 17)
            query = parse_qs(parts.query).get("q", [""])[0]
            html = render_search(site, query, item_path)
            self.send_body(200, "text/html; charset=utf-8", html.encode(), head)
            return
        page = parse_qs(parts.query).get("page")
        if page and page[0] != "1":
            key += f"?page={page[0]}"
        route = self.server.routes.get(key)
        if route is None:
            self.not_found(head)
            return
        content_type, body = render(site, route)
        self.send_body(200, content_type, body, head)


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], city: CityModel) -> None:
        self.city = city
        self.accounts: dict[str, AccountModel] = {a.key: a for a in city.accounts}
        super().__init__(address, _FeedHandler)
        bound_host, port = self.server_address[:2]
        self.base_url = f"http://{bound_host!s}:{port}"


class _FeedHandler(_Handler):
    server: FeedServer

    def answer(self, head: bool) -> None:
        parts = urlsplit(self.path)
        segments = [s for s in parts.path.split("/") if s]
        accounts = self.server.accounts
        if parts.path in ("/", "/index.html"):
            self.send_body(
                200, "text/html; charset=utf-8", render_index(self.server.city).encode(), head
            )
        elif parts.path == "/robots.txt":
            self.send_body(200, "text/plain; charset=utf-8", b"User-agent: *\nAllow: /\n", head)
        elif len(segments) == 3 and segments[0] == "posts" and segments[1] in accounts:
            html = None
            number = segments[2].removesuffix(".html")
            if number.isdigit():
                html = render_post(accounts[segments[1]], int(number))
            if html is None:
                self.not_found(head)
            else:
                self.send_body(200, "text/html; charset=utf-8", html.encode(), head)
        elif segments and segments[-1] in accounts:
            acct = accounts[segments[-1]]
            if "/".join(segments[:-1]) != PLATFORM_ROUTE[acct.platform]:
                self.not_found(head)
            elif acct.broken:
                body = b"<html><body><h1>500 Internal Server Error</h1></body></html>"
                self.send_body(500, "text/html; charset=utf-8", body, head)
            else:
                fmt = parse_qs(parts.query).get("format", ["rss"])[0]
                content_type, text = render_feed(self.server.city, acct, fmt, self.server.base_url)
                self.send_body(200, content_type, text.encode(), head)
        else:
            self.not_found(head)


def _check_loopback(host: str) -> None:
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"演示环境只能监听本机回环地址，不能使用“{host}”")


def _stop(servers: list[ThreadingHTTPServer], threads: list[threading.Thread]) -> None:
    """Stop every serve_forever loop in parallel, then close the listening sockets.

    ``threads[i]`` runs ``servers[i]``; servers bound but not yet started are only closed.
    """
    started = servers[: len(threads)]
    if started:
        with ThreadPoolExecutor(max_workers=len(started)) as pool:
            list(pool.map(lambda s: s.shutdown(), started))
    for srv in servers:
        srv.server_close()
    for thread in threads:
        thread.join(timeout=5)


@contextmanager
def serve_demo_city(
    out_dir: Path,
    *,
    as_of: date = date(2022, 9, 30),
    host: str = "127.0.0.1",
    distinct_hosts: bool = False,
    seed: int = DEFAULT_SEED,
    base_port: int = 0,
) -> Iterator[DemoCity]:
    """Serve the demo city; write ``out_dir/inventory`` and ``out_dir/truth.json``.

    All servers are bound (port 0 → free ports) before the inventory is written, so the
    inventory names the URLs actually served. On exit every server stops and its socket closes.

    ``base_port`` fixes the addresses so that they (and so the findings' IDs, which name the
    homepage URL) stay the same from one run to the next: the feed server listens on
    ``base_port``; sites on ``base_port`` of 127.0.0.2, .3, … with ``distinct_hosts``, else on
    ``base_port + 1 + i``. ``0`` picks free ports.
    """
    _check_loopback(host)
    city = build_city_model(as_of=as_of, seed=seed)
    attachment_files(city.sites)  # made (or reused) before anything is served
    out_dir = Path(out_dir)
    servers: list[ThreadingHTTPServer] = []
    threads: list[threading.Thread] = []
    try:
        site_urls: dict[str, str] = {}
        site_servers: dict[str, SiteServer] = {}
        for index, site in enumerate(city.sites):
            address = f"127.0.0.{index + 2}" if distinct_hosts else host
            site_port = (
                0 if not base_port else base_port if distinct_hosts else base_port + 1 + index
            )
            site_server = SiteServer((address, site_port), site)
            servers.append(site_server)
            site_servers[site.key] = site_server
            bound_host, port = site_server.server_address[:2]
            site_urls[site.key] = f"http://{bound_host!s}:{port}/"
        feed_server = FeedServer((host, base_port), city)
        servers.append(feed_server)
        for srv in servers:
            thread = threading.Thread(
                target=srv.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
            )
            thread.start()
            threads.append(thread)
        urls = CityUrls(sites=site_urls, feed_base=feed_server.base_url)
        inventory_dir = out_dir / "inventory"
        write_inventory(city, urls, inventory_dir)
        truth_path = out_dir / "truth.json"
        write_truth(city, urls, truth_path)
        yield DemoCity(
            inventory_dir=inventory_dir,
            truth_path=truth_path,
            quarter=city.quarter,
            as_of=city.as_of,
            site_urls=site_urls,
            feed_base_url=feed_server.base_url,
            media_sources={a.name: urls.feed_source(city, a.name) for a in city.accounts},
            model=city,
            site_servers=site_servers,
        )
    finally:
        _stop(servers, threads)
