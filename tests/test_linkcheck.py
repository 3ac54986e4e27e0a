"""External link checks and soft-404 detection against loopback servers."""

from __future__ import annotations

from datetime import date

from servers import Request, Response, closed_port_url, serve

from workbench.fetch.crawl import CrawlSettings
from workbench.fetch.guard import ERR_PRIVATE
from workbench.fetch.linkcheck import check_external_links
from workbench.fetch.site_crawl import crawl_website
from workbench.fetch.soft404 import SOFT404_ERROR
from workbench.models import Website
from workbench.rules import load_rules, merge

RULES = load_rules()
HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(title: str, body: str = "") -> Response:
    return (200, HTML, f"<html><head><title>{title}</title></head><body>{body}</body></html>")


def head_refused(request: Request) -> Response:
    if request.method == "HEAD":
        return (405, {}, b"")
    return page("正常页面")


def test_external_links_checked_once_with_head_then_get() -> None:
    log: list[Request] = []
    routes = {
        "/ok.html": page("正常"),
        "/gone.html": (404, HTML, "无"),
        "/nohead.html": head_refused,
    }
    with serve(routes, log=log) as base:
        host = base.split("//")[1].split(":")[0]
        urls = [f"{base}/ok.html", f"{base}/gone.html", f"{base}/nohead.html", f"{base}/ok.html"]
        out = check_external_links(urls, RULES, allow_hosts={host})
    assert out[f"{base}/ok.html"] is not None and out[f"{base}/ok.html"].status == 200
    gone = out[f"{base}/gone.html"]
    assert gone is not None and gone.status == 404
    nohead = out[f"{base}/nohead.html"]
    assert nohead is not None and nohead.status == 200 and nohead.error is None
    assert sum(1 for r in log if r.path == "/ok.html") == 1  # once per URL per run


def test_private_targets_are_refused_without_a_connection() -> None:
    log: list[Request] = []
    with serve({"/x.html": page("内网")}, log=log) as base:
        out = check_external_links([f"{base}/x.html"], RULES, allow_hosts=set())
    assert log == []
    assert out[f"{base}/x.html"] is None  # nothing answered: offline rule, judged nothing


def test_offline_machine_judges_nothing() -> None:
    urls = [closed_port_url() + "/a.html", closed_port_url() + "/b.html"]
    out = check_external_links(urls, RULES, allow_hosts={"127.0.0.1"})
    assert out == dict.fromkeys(urls)


def test_switched_off_checks_nothing() -> None:
    rules = merge(RULES, {"links": {"check_external": False}})
    assert check_external_links(["http://127.0.0.1:9/"], rules) == {"http://127.0.0.1:9/": None}
    assert ERR_PRIVATE  # the guard's message exists for refused targets


def _crawl(routes: dict[str, object]) -> list[tuple[str, str | None]]:
    with serve(routes) as base:
        site = Website("市水利局", "水利网", f"{base}/", "部门网站")
        crawl = crawl_website(site, CrawlSettings(delay=0, max_pages=20), date(2022, 9, 30))
    return sorted((link.target.replace(base, ""), link.error) for link in crawl.facts.links)


def test_soft404_pages_are_unusable_links() -> None:
    home = page("示范水利网", '<a href="/real.html">真实页面</a><a href="/gone.html">已删除</a>')
    routes = {
        "/": home,
        "/real.html": page("示范水利网", "<p>正文</p>"),
        "*": page("页面不存在 - 404", "<p>您访问的页面不存在</p>"),
    }
    links = dict(_crawl(routes))
    assert links["/gone.html"] == SOFT404_ERROR
    assert links["/real.html"] is None


def test_same_title_everywhere_is_not_taken_for_a_soft404() -> None:
    home = page("示范水利网", '<a href="/real.html">真实页面</a>')
    routes = {"/": home, "/real.html": page("示范水利网"), "*": page("示范水利网")}
    assert dict(_crawl(routes))["/real.html"] is None


def test_redirect_to_homepage_is_a_soft404() -> None:
    home = page("示范水利网", '<a href="/old.html">旧页面</a><a href="/real.html">真实页面</a>')
    routes = {
        "/": home,
        "/real.html": page("示范水利网-正文"),
        "*": (302, {"Location": "/"}, b""),
    }
    links = dict(_crawl(routes))
    assert links["/old.html"] == SOFT404_ERROR
    assert links["/real.html"] is None


def test_offline_mode_contacts_no_outside_host(monkeypatch: object) -> None:
    """Under WORKBENCH_OFFLINE (set for the whole suite) a public host is refused unresolved."""
    import socket

    from workbench.fetch import guard

    calls: list[str] = []
    real = socket.getaddrinfo

    def spy(host: str, *args: object, **kwargs: object) -> object:
        calls.append(host)
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    socket.getaddrinfo = spy  # type: ignore[assignment]
    try:
        assert guard.offline()
        assert not guard.is_public_target("https://beian.miit.gov.cn/", allow_hosts=set())
        out = check_external_links(["https://www.gov.cn/"], RULES, allow_hosts=set())
    finally:
        socket.getaddrinfo = real  # type: ignore[assignment]
    assert out == {"https://www.gov.cn/": None}
    assert "beian.miit.gov.cn" not in calls and "www.gov.cn" not in calls


def test_the_soft404_probe_waits_its_turn_at_the_host() -> None:
    """The probe for a missing page is one more request to the site: it keeps the crawl's
    per-host interval like every other (it went out at once after the last page)."""
    import time

    from workbench.fetch.politeness import HostThrottle

    starts: list[tuple[float, str]] = []

    def recorded(response: Response) -> object:
        def answer(request: Request) -> Response:
            starts.append((time.monotonic(), request.path))
            return response

        return answer

    home = page("示范水利网", '<a href="/real.html">真实页面</a>')
    routes = {
        "/robots.txt": (404, {}, b""),
        "/": recorded(home),
        "/real.html": recorded(page("示范水利网", "<p>正文</p>")),
        "*": recorded(page("页面不存在 - 404", "<p>您访问的页面不存在</p>")),
    }
    with serve(routes) as base:
        site = Website("市水利局", "水利网", f"{base}/", "部门网站")
        settings = CrawlSettings(delay=0.4, max_pages=20)
        crawl_website(site, settings, date(2022, 9, 30), throttle=HostThrottle(0.4))
    assert "page-does-not-exist" in starts[-1][1], starts
    gaps = [later - earlier for (earlier, _), (later, _) in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= 0.35, starts
