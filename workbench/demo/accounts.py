"""The demo city's 112 new-media accounts and their posts.

Platform mix (mirrors a municipal inventory): 63 微信公众号, 20 微博, 13 抖音号, 8 今日头条,
4 快手, 4 视频号. 视频号 accounts have no feed route and come as local CSV exports; the
others rotate RSS 2.0 / Atom / JSON Feed. Post datetimes are naive Asia/Shanghai.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from workbench.demo import catalog
from workbench.demo.catalog import UnitSpec
from workbench.demo.city import AccountModel, Clock, Post, offsets


@dataclass(frozen=True)
class AccountPlant:
    """A planted deviation: newest post ``newest`` days before as_of, and so on."""

    newest: int | None = None
    registered: bool = True
    broken: bool = False
    undated: bool = False
    # Issue 17 (media.mismatch): another name, another unit key in the inventory, another
    # 认证主体, and 状态 已关停.
    rename: str | None = None
    listed_unit: str | None = None
    certified_by: str | None = None
    closed: bool = False


def certified_name(spec: UnitSpec) -> str:
    """The 认证主体 a unit's accounts show: its full name (its site's name without 网站)."""
    name = spec.site_name
    for word in ("门户网站", "网站"):
        name = name.removesuffix(word)
    return name


def _account_specs(units: list[UnitSpec]) -> list[tuple[str, str, str]]:
    """(unit key, account name, platform) for all 112 accounts, in inventory order."""
    by_key = {u.key: u for u in units}
    specs: list[tuple[str, str, str]] = []
    area_units = [u for u in units if u.kind == "门户网站"]
    for i, u in enumerate(area_units):
        specs.append((u.key, f"{u.short}发布", "微信公众号"))
        specs.append((u.key, f"{u.short}政务服务", "微信公众号"))
        specs.append((u.key, f"{u.short}微博", "微博"))
        specs.append((u.key, f"{u.short}融媒", "抖音号"))
        specs.append((u.key, f"{u.short}头条号", "今日头条"))
        if i < 4:
            specs.append((u.key, f"{u.short}快手号", "快手"))
        else:
            specs.append((u.key, f"{u.short}视频号", "视频号"))
    specs.append(("fenglin", "枫林文旅", "抖音号"))
    for key, *_ in catalog.DEPARTMENTS:
        short = by_key[key].short
        specs.append((key, short, "微信公众号"))
        if key in catalog.WEIBO_DEPARTMENTS:
            specs.append((key, f"{short}发布", "微博"))
        if key in catalog.DOUYIN_DEPARTMENTS:
            specs.append((key, "食安示范" if key == "scjgj" else f"{short}抖音", "抖音号"))
    specs += [(key, name, "微信公众号") for key, name in catalog.EXTRA_WECHAT]
    specs += [(key, by_key[key].short, "微信公众号") for key, *_ in catalog.INSTITUTIONS]
    return specs


def _feed_format(index: int, platform: str) -> str:
    if platform == "视频号":
        return "csv"
    return ("rss", "rss", "rss", "atom", "json")[index % 5]


def build_accounts(
    as_of: date, seed: int, units: list[UnitSpec], plants: Mapping[str, AccountPlant]
) -> list[AccountModel]:
    """All accounts with 20 posts each; healthy ones posted 1–4 days before as_of and every
    1–4 days; ``plants`` (``planted.ACCOUNT_PLANTS``) by account name."""
    unit_name = {u.key: u.unit for u in units}
    spec_of = {u.key: u for u in units}
    out: list[AccountModel] = []
    for index, (key, name, platform) in enumerate(_account_specs(units)):
        rng = random.Random(f"{seed}:media:{name}")
        plant = plants.get(name, AccountPlant())
        clock = Clock(as_of, rng)
        newest = plant.newest if plant.newest is not None else rng.randint(1, 4)
        gap = (1, 4) if plant.newest is None else (2, 5)
        hours = (8, 21) if plant.newest is None else (10, 16)
        posts = []
        for i, off in enumerate(offsets(rng, newest, 20, gap)):
            topic = catalog.POST_TOPICS[rng.randrange(len(catalog.POST_TOPICS))]
            stamp = clock.stamp(off, hours)
            posts.append(
                Post(i + 1, f"{plant.rename or name}：{topic}", None if plant.undated else stamp)
            )
        listed = plant.listed_unit or key
        out.append(
            AccountModel(
                key=f"m{index + 1:03d}",
                unit=unit_name[listed],
                name=plant.rename or name,
                platform=platform,
                feed_format=_feed_format(index, platform),
                registered=plant.registered,
                interaction=True,
                posts=tuple(posts),
                broken=plant.broken,
                certified_by=plant.certified_by or certified_name(spec_of[listed]),
                closed=plant.closed,
            )
        )
    return out
