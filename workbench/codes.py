"""Kinds of failure and of skipped links, as codes: code compares these, people read ``message``.

A fetch that failed carries its :class:`FetchError` (``FetchResult.code``) beside its Chinese
message (``FetchResult.error``, shown in findings and links.csv); a link the crawl did not
follow carries its :class:`SkipReason` (``Link.skip``) beside its note. Whether a
failure is worth a retry, whether a post link is dead, whether a limit cut a column's list:
each is decided on the code, never by matching the Chinese text, so rewording a message
changes no verdict. This module imports nothing of the workbench (the bottom of the graph).
"""

from __future__ import annotations

from enum import StrEnum


class FetchError(StrEnum):
    """Why a request produced no usable answer."""

    TIMEOUT = "timeout"
    REFUSED = "refused"
    DNS = "dns"
    RESET = "reset"
    REDIRECTS = "redirects"
    SSL = "ssl"
    INVALID_URL = "invalid_url"
    CONNECT = "connect"
    PRIVATE = "private"  # the SSRF guard refused a loopback / private target
    TOO_LARGE = "too_large"  # the body passed the size cap (the message names the cap)
    HTTP_STATUS = "http_status"  # an answer with status 400 or more ("HTTP 404")
    SOFT_404 = "soft_404"  # a 200 page that says it does not exist

    @property
    def message(self) -> str:
        """The Chinese text shown for this kind (a kind with details has its own message)."""
        return _FETCH_MESSAGES[self]


_FETCH_MESSAGES: dict[FetchError, str] = {
    FetchError.TIMEOUT: "连接超时",
    FetchError.REFUSED: "连接被拒绝",
    FetchError.DNS: "域名解析失败",
    FetchError.RESET: "连接中断",
    FetchError.REDIRECTS: "重定向次数过多",
    FetchError.SSL: "SSL证书错误",
    FetchError.INVALID_URL: "网址无效",
    FetchError.CONNECT: "连接失败",
    FetchError.PRIVATE: "目标为内网或保留地址，已拒绝访问",
    FetchError.TOO_LARGE: "响应过大",
    FetchError.HTTP_STATUS: "HTTP错误",
    FetchError.SOFT_404: "页面不存在（软404）",
}


class SkipReason(StrEnum):
    """Why the crawl kept a link without following it."""

    EXTERNAL = "external"
    BINARY = "binary"
    ROBOTS = "robots"
    MAX_DEPTH = "max_depth"
    MAX_PAGES = "max_pages"
    QUERY_TRAP = "query_trap"
    CALENDAR_TRAP = "calendar_trap"
    ATTACHMENT_LIMIT = "attachment_limit"  # an attachment past the rules' count per site

    @property
    def message(self) -> str:
        return _SKIP_MESSAGES[self]

    @classmethod
    def of(cls, code: str, note: str = "") -> SkipReason | None:
        """The reason a link records: its code, or — for a crawl stored before links carried
        codes (its pickled facts have only the note) — the reason whose note it is."""
        if code:  # by value without Enum's call machinery: asked for each of a site's links
            reason = _SKIP_BY_CODE.get(code)
            return reason if reason is not None else cls(code)
        return _SKIP_BY_NOTE.get(note)


_SKIP_BY_CODE: dict[str, SkipReason] = {reason.value: reason for reason in SkipReason}
_SKIP_MESSAGES: dict[SkipReason, str] = {
    SkipReason.EXTERNAL: "外部链接，本次未检查",
    SkipReason.BINARY: "附件或非网页文件，本次未检查",
    SkipReason.ROBOTS: "robots.txt禁止抓取",
    SkipReason.MAX_DEPTH: "超出抓取深度上限，未抓取",
    SkipReason.MAX_PAGES: "超出抓取页数上限，未抓取",
    SkipReason.QUERY_TRAP: "同一路径的查询参数变体过多，疑似爬虫陷阱，未抓取",
    SkipReason.CALENDAR_TRAP: "疑似日历类无限链接，未抓取",
    SkipReason.ATTACHMENT_LIMIT: "超出附件读取数量上限，本次未检查",
}
_SKIP_BY_NOTE = {message: reason for reason, message in _SKIP_MESSAGES.items()}

# The crawl limits that leave a site's pages unvisited (the crawl, a column's list cut short).
LIMITS = frozenset({SkipReason.MAX_DEPTH, SkipReason.MAX_PAGES})
