"""Feed rendering for the demo city's new-media accounts (an RSSHub-like route layout).

Routes: ``/wechat/mp/m001`` (RSS 2.0), ``…?format=atom`` (Atom 1.0), ``…?format=json``
(JSON Feed 1.1), and ``/posts/m001/3.html`` for each post. 视频号 accounts come as CSV
exports (发布时间,标题,链接), written into the inventory by ``records.py``.

Post times are naive Asia/Shanghai and are written with a ``+08:00`` offset. The feed-level
build time (``lastBuildDate`` / ``updated``) is as_of 06:00, not a post's time: a trap for
checks that read the feed's own date instead of its items'.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, time, timedelta, timezone
from email.utils import format_datetime
from html import escape
from xml.sax.saxutils import escape as xml_escape

from workbench.demo.city import AccountModel, CityModel

SHANGHAI = timezone(timedelta(hours=8))
PLATFORM_ROUTE = {
    "微信公众号": "wechat/mp",
    "微博": "weibo/user",
    "抖音号": "douyin/user",
    "今日头条": "toutiao/user",
    "快手": "kuaishou/user",
    "视频号": "channels/user",
    "其他": "other",
}
CSV_HEADER = ("发布时间", "标题", "链接")


def feed_path(acct: AccountModel) -> str:
    """Root-relative feed URL of an account (meaningful for rss / atom / json accounts)."""
    path = f"/{PLATFORM_ROUTE[acct.platform]}/{acct.key}"
    return path + {"atom": "?format=atom", "json": "?format=json"}.get(acct.feed_format, "")


def post_url(base: str, acct: AccountModel, post_id: int) -> str:
    return f"{base}/posts/{acct.key}/{post_id}.html"


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=SHANGHAI)


def build_time(city: CityModel) -> datetime:
    return datetime.combine(city.as_of, time(6, 0))


def render_rss(city: CityModel, acct: AccountModel, base: str) -> str:
    items = []
    for post in acct.posts:
        link = post_url(base, acct, post.post_id)
        date = (
            f"<pubDate>{format_datetime(_aware(post.published))}</pubDate>"
            if post.published
            else ""
        )
        items.append(
            f"<item><title>{xml_escape(post.title)}</title><link>{link}</link>"
            f'<guid isPermaLink="true">{link}</guid><description>{xml_escape(post.title)}</description>'
            f"{date}</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{xml_escape(acct.name)}</title><link>{base}{feed_path(acct)}</link>"
        f"<description>{xml_escape(acct.name)}的{acct.platform}内容</description><language>zh-cn</language>"
        f"<lastBuildDate>{format_datetime(_aware(build_time(city)))}</lastBuildDate>"
        f"{''.join(items)}</channel></rss>\n"
    )


def render_atom(city: CityModel, acct: AccountModel, base: str) -> str:
    entries = []
    for post in acct.posts:
        link = post_url(base, acct, post.post_id)
        date = ""
        if post.published:
            stamp = _aware(post.published).isoformat()
            date = f"<published>{stamp}</published><updated>{stamp}</updated>"
        entries.append(
            f'<entry><title>{xml_escape(post.title)}</title><link href="{link}"/><id>{link}</id>{date}'
            f"<summary>{xml_escape(post.title)}</summary></entry>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f'<title>{xml_escape(acct.name)}</title><link href="{base}{feed_path(acct)}" rel="self"/>'
        f"<id>{base}{feed_path(acct)}</id><updated>{_aware(build_time(city)).isoformat()}</updated>"
        f"<author><name>{xml_escape(acct.unit)}</name></author>{''.join(entries)}</feed>\n"
    )


def render_json(city: CityModel, acct: AccountModel, base: str) -> str:
    items = []
    for post in acct.posts:
        link = post_url(base, acct, post.post_id)
        item: dict[str, str] = {
            "id": link,
            "url": link,
            "title": post.title,
            "content_text": post.title,
        }
        if post.published:
            item["date_published"] = _aware(post.published).isoformat()
        items.append(item)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": acct.name,
        "home_page_url": base,
        "feed_url": f"{base}{feed_path(acct)}",
        "description": f"{acct.name}的{acct.platform}内容",
        "items": items,
    }
    return json.dumps(feed, ensure_ascii=False, indent=1) + "\n"


def render_csv(acct: AccountModel, base: str) -> str:
    """The CSV export of an account's posts (without BOM; ``records.py`` writes it with one)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for post in acct.posts:
        when = f"{post.published:%Y-%m-%d %H:%M:%S}" if post.published else ""
        writer.writerow((when, post.title, post_url(base, acct, post.post_id)))
    return buf.getvalue()


def render_post(acct: AccountModel, post_id: int) -> str | None:
    """The page a post's link opens, or None if there is no such post."""
    post = next((p for p in acct.posts if p.post_id == post_id), None)
    if post is None:
        return None
    when = f'<p class="time">{post.published:%Y-%m-%d %H:%M}</p>' if post.published else ""
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(post.title)}</title>'
        f"</head><body><h1>{escape(post.title)}</h1><p>{escape(acct.name)}（{escape(acct.platform)}）</p>"
        f"{when}<div><p>{escape(post.title)}。欢迎关注{escape(acct.name)}。</p></div></body></html>\n"
    )


def render_index(city: CityModel) -> str:
    """The feed server's front page: every account with a feed route."""
    rows = "".join(
        f'<li><a href="{feed_path(a)}">{escape(a.name)}</a>（{escape(a.platform)}，{escape(a.unit)}）</li>'
        for a in city.accounts
        if a.feed_format != "csv"
    )
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>政务新媒体数据源</title>'
        f"</head><body><h1>{escape(city.name)}政务新媒体数据源</h1><ul>{rows}</ul></body></html>\n"
    )


def render_feed(city: CityModel, acct: AccountModel, fmt: str, base: str) -> tuple[str, str]:
    """(content type, body) of an account's feed in ``fmt`` (rss / atom / json / csv)."""
    if fmt == "atom":
        return "application/atom+xml; charset=utf-8", render_atom(city, acct, base)
    if fmt == "json":
        return "application/feed+json; charset=utf-8", render_json(city, acct, base)
    if fmt == "csv":
        return "text/csv; charset=utf-8", render_csv(acct, base)
    return "application/rss+xml; charset=utf-8", render_rss(city, acct, base)
