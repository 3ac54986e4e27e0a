"""New-media account links on government pages, and 疑似未备案账号 against the inventory."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from workbench.extract.accounts import (
    AccountLink,
    find_account_links,
    media_page_urls,
    suspected_unregistered,
)
from workbench.extract.evaluate import DEFAULT_CORPUS
from workbench.facts import Facts, SiteFacts
from workbench.fetch import decode_body
from workbench.models import Inventory, MediaAccount, Website
from workbench.pages import Page

PAGE = "http://127.0.0.1:8001/"
FOOTER = """<html><body>
<div class="footer">
 <a href="https://weibo.com/u/2803301701">官方微博</a>
 <a href="https://m.weibo.cn/u/1000000001"><img alt="示范市卫健委官方微博"></a>
 <a href="https://weibo.com/2803301701/MxYzAbCd">一条微博</a>
 <a href="https://service.weibo.com/share/share.php?url=http://x">分享到微博</a>
 <a href="https://mp.weixin.qq.com/s/Q2AbCdEf">一篇转载文章</a>
 <a href="https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=MzI4NTAwMDAwMA==#wechat_redirect">
   示范发布</a>
 <a href="https://v.douyin.com/iRNBho6u/">示范文旅</a>
 <a href="https://www.douyin.com/video/7100000000000000000">精彩视频</a>
 <a href="https://www.toutiao.com/c/user/token/MS4wLjABAAAAtoken/">示范头条号</a>
 <a href="https://www.toutiao.com/article/7100000000000000000/">一篇头条文章</a>
 <a href="https://www.kuaishou.com/profile/3xdemo">示范快手</a>
 <a href="https://www.kuaishou.com/short-video/3xvideo">快手视频</a>
 <a href="https://channels.weixin.qq.com/platform">视频号助手</a>
 <a href="/lwyd/index.html">政务新媒体矩阵</a>
 <a href="http://other.example.gov.cn/lwyd/">两微一端（外站）</a>
 <a href="/xwzx/">新闻中心</a>
</div></body></html>"""


def test_profile_links_are_found_and_posts_and_shares_are_not() -> None:
    links = find_account_links(FOOTER, PAGE)
    assert [(a.platform, a.name, a.url) for a in links] == [
        ("微博", "", "https://weibo.com/u/2803301701"),
        ("微博", "示范市卫健委官方微博", "https://m.weibo.cn/u/1000000001"),
        (
            "微信公众号",
            "示范发布",
            "https://mp.weixin.qq.com/mp/profile_ext?__biz=MzI4NTAwMDAwMA==",
        ),
        ("抖音号", "示范文旅", "https://v.douyin.com/iRNBho6u/"),
        ("今日头条", "示范头条号", "https://www.toutiao.com/c/user/token/MS4wLjABAAAAtoken/"),
        ("快手", "示范快手", "https://www.kuaishou.com/profile/3xdemo"),
    ]
    assert links[0].label == "https://weibo.com/u/2803301701"  # “官方微博” names no account
    assert all(a.page_url == PAGE for a in links)


def test_media_pages_are_same_site_links_named_for_new_media() -> None:
    assert media_page_urls(FOOTER, PAGE) == ["http://127.0.0.1:8001/lwyd/index.html"]
    assert media_page_urls("<html><body><a href='/a'>新闻</a></body></html>", PAGE) == []
    assert find_account_links("", PAGE) == [] and media_page_urls("  ", PAGE) == []


@pytest.mark.skipif(
    not (DEFAULT_CORPUS / "MANIFEST.tsv").is_file(), reason="govpages corpus not available"
)
def test_real_government_pages() -> None:
    """Across the real pages only gov.cn's footer and kaili's page link an account (微博)."""
    found = []
    for path in sorted((DEFAULT_CORPUS / "html").glob("*.html")):
        text = decode_body(path.read_bytes(), "text/html")
        found += [(path.name, a.platform, a.url) for a in find_account_links(text, PAGE)]
    assert found == [
        (
            "gerapy__www.kaili.gov.cn__article__2024-06-27.html",
            "微博",
            "https://weibo.com/u/3879468128",
        ),
        ("gne__www.gov.cn__gongbao-article__2007.html", "微博", "https://weibo.com/zhengfu"),
    ]


def site_with(links: list[AccountLink]) -> SiteFacts:
    website = Website("示范市卫健委", "示范市卫健委网站", PAGE, "部门网站")
    return SiteFacts(website, Page(PAGE, PAGE, 200, None), account_links=links)


def test_suspected_unregistered_matches_by_platform_and_name_or_id() -> None:
    links = find_account_links(FOOTER, PAGE)
    inventory = Inventory(
        Path("."),
        [],
        [
            # by account ID inside the feed route
            MediaAccount(
                "示范市卫健委", "健康示范", "微博", "http://rss/weibo/user/2803301701", True
            ),
            # by name (the page's name contains it)
            MediaAccount("示范市卫健委", "示范市卫健委", "微博", "exports/wb.csv", True),
            # same name on another platform does not match
            MediaAccount("示范市文旅局", "示范文旅", "微信公众号", "exports/wx.csv", True),
            # platform 其他 matches any platform
            MediaAccount("示范市", "示范快手", "其他", "exports/ks.csv", True),
        ],
    )
    facts = Facts("2022Q3", date(2022, 9, 30), inventory)
    facts.sites = [site_with(links), site_with(links[:1])]
    frame = suspected_unregistered(facts)
    assert list(zip(frame["平台"], frame["账号名称或网址"], strict=True)) == [
        ("微信公众号", "示范发布"),
        ("抖音号", "示范文旅"),
        ("今日头条", "示范头条号"),
    ]
    assert set(frame["单位"]) == {"示范市卫健委"} and set(frame["发现页面"]) == {PAGE}
    facts.sites = []
    assert suspected_unregistered(facts).empty
