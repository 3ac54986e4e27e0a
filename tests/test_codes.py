"""Failure kinds are codes: verdicts and retries follow ``FetchResult.code`` and
``Link.skip``, never the Chinese text shown beside them."""

from __future__ import annotations

from types import SimpleNamespace

from servers import closed_port_url, serve

from workbench.codes import LIMITS, FetchError, SkipReason
from workbench.extract.cms import column_key
from workbench.extract.columns import _Group, _truncated
from workbench.fetch.guard import guarded_session
from workbench.fetch.http import ERR_REFUSED, FetchResult, _should_retry, fetch_url, now_shanghai
from workbench.fetch.post_links import _check_one
from workbench.fetch.soft404 import SOFT404_ERROR
from workbench.pages import Link


def result(error: str | None, code: FetchError | None) -> FetchResult:
    return FetchResult("http://x/", "http://x/", None, "", b"", "", 0, error, now_shanghai(),
                       code=code)  # fmt: skip


def test_a_fetch_failure_carries_its_kind_and_its_message() -> None:
    refused = fetch_url(closed_port_url() + "/", timeout=2)
    assert refused.code is FetchError.REFUSED and refused.error == ERR_REFUSED
    routes = {"/big": (200, {"Content-Type": "text/html"}, b"x" * 5000)}
    with serve(routes) as base:
        big = fetch_url(base + "/big", max_bytes=1000)
        missing = fetch_url(base + "/none")
        private = fetch_url(base + "/big", session=guarded_session(frozenset()))
    assert big.code is FetchError.TOO_LARGE and "1000" in (big.error or "")
    assert missing.code is FetchError.HTTP_STATUS and missing.error == "HTTP 404"
    assert private.code is FetchError.PRIVATE and private.error == FetchError.PRIVATE.message
    assert FetchError.SOFT_404.message == SOFT404_ERROR


def test_retry_and_dead_links_follow_the_code_not_the_words() -> None:
    assert _should_retry(result("另一种说法", FetchError.TIMEOUT))
    assert not _should_retry(result(FetchError.TIMEOUT.message, None))
    assert not _should_retry(result("连接超时", FetchError.DNS))


def test_a_large_post_page_opened_whatever_its_message_says() -> None:
    routes = {"/post": (200, {"Content-Type": "text/html"}, b"y" * 5000)}
    with serve(routes) as base:
        check = _check_one(
            base + "/post", "标题", timeout=5, retries=0, max_bytes=1000, session=None
        )
    assert check.opened is True


def _column(link: Link) -> str:
    page = SimpleNamespace(url="http://s/zcwj/", final_url="http://s/zcwj/")
    site = SimpleNamespace(lists={}, links=[link])
    return _truncated(_Group(column_key("http://s/zcwj/"), [page], []), site)


def test_a_limit_is_read_from_the_links_code() -> None:
    target = "http://s/zcwj/index_5.html"
    cut = Link("http://s/zcwj/", target, "5", True, note="（改写后的说明）", skip="max_depth")
    assert _column(cut).endswith(target)
    robots = Link("http://s/zcwj/", target, "5", True, note="（改写后的说明）", skip="robots")
    assert _column(robots) == ""
    # a crawl stored before links carried codes: its note is all there is
    legacy = Link("http://s/zcwj/", target, "5", True, note=SkipReason.MAX_PAGES.message)
    assert _column(legacy).startswith(SkipReason.MAX_PAGES.message)
    assert SkipReason.of("", "别的说明") is None and {"max_depth", "max_pages"} == LIMITS
