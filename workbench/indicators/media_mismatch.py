"""media.mismatch: new-media 关停整合 signals (国办发〔2018〕123号).

Three signals, each its own finding on the account (not a veto):

- **认证主体 does not match the unit.** The inventory's optional 认证主体 is compared with
  the unit and the names of the unit's websites by their *core*: the name without its
  trailing kind words (局, 委员会, 人民政府, 区 … ``unit_suffixes``) and without everything up
  to its first 市 or 县 (示范市水利局, 市水利局 and 水利局 all read 水利). One core equal to or
  inside another (at least 2 characters) is a match: 示范高新区管理委员会 matches 示范高新区.
- **The name points to another unit.** The account's name holds no core of its own unit and,
  once the prefix it shares with its unit's names is left out (the city's name 示范), starts
  with the core of another unit of the inventory: 示范统计 listed under 市林业局. A core
  inside the name is not enough (示范健康教育 of 市卫健委 is no account of 市教育局).
- **Duplicates.** Two accounts of one unit on one platform whose names read the same once
  spacing, width, case, punctuation and platform words (发布, 官方, 微博 … ``name_suffixes``)
  are left out: 明湖发布 and 明湖官方发布. The inventory itself refuses two rows with the
  very same name on one platform.
- **Closed but still publishing.** An account the inventory's 状态 marks 已关停 that has a
  post in the check window (the quarter's first day to the check time). A closed account is
  not judged on staleness at all (media.stale, media.update_slow, check.incomplete).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from workbench.facts import AccountFacts, Facts
from workbench.indicators.base import Indicator, register
from workbench.indicators.media import account_finding
from workbench.models import Finding
from workbench.quarter import parse_quarter
from workbench.rules.schema import Rules

_NOISE = re.compile(r"[\s\W_]+")
_SITE_WORDS = ("门户网站", "政府网站", "网站")


def squeeze(name: str) -> str:
    """``name`` in one form: NFKC width, lower case, no spaces or punctuation."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", name)).lower()


def _strip_suffixes(text: str, suffixes: Sequence[str]) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in sorted(suffixes, key=len, reverse=True):
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)], True
                break
    return text


def core(name: str, suffixes: Sequence[str]) -> str:
    """The distinctive part of a unit's name (see module doc): 示范市水利局 → 水利."""
    text = squeeze(name)
    for word in _SITE_WORDS:
        text = text.removesuffix(word)
    text = _strip_suffixes(text, suffixes)
    cut = min((i for i in (text.find("市"), text.find("县")) if i >= 0), default=-1)
    if 0 <= cut < len(text) - 2:
        text = text[cut + 1 :]
    return text


def unit_names(facts: Facts) -> dict[str, list[str]]:
    """Unit → its names: the unit as written and the names of its websites."""
    names: dict[str, list[str]] = {}
    for site in facts.inventory.websites:
        names.setdefault(site.unit, [site.unit]).append(site.name)
    for item in facts.accounts:
        names.setdefault(item.account.unit, [item.account.unit])
    return names


def _after_common_prefix(name: str, own: Sequence[str]) -> str:
    """``name`` without the longest prefix it shares with one of ``own`` (the city's name)."""
    longest = 0
    for other in own:
        n = 0
        while n < min(len(name), len(other)) and name[n] == other[n]:
            n += 1
        longest = max(longest, n)
    return name[longest:]


def matches(certified: str, own_cores: set[str], suffixes: Sequence[str]) -> bool:
    """True when ``certified`` (认证主体) reads as one of the unit's names."""
    cert = core(certified, suffixes)
    return any(cert == c or (len(c) >= 2 and len(cert) >= 2 and (c in cert or cert in c))
               for c in own_cores)  # fmt: skip


@register
class MediaMismatch(Indicator):
    """media.mismatch: 认证主体 or name not matching the unit, duplicates, closed accounts
    still publishing (see module doc)."""

    id = "media.mismatch"
    family = "media"
    title = "账号与开办单位不符或未关停整合"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        suffixes = [str(s) for s in rules.media.mismatch.unit_suffixes]
        names = unit_names(facts)
        cores = {u: {c for c in (core(n, suffixes) for n in ns) if c} for u, ns in names.items()}
        for item in facts.accounts:
            yield from self._unit(facts, item, rules, names, cores, suffixes)
        yield from self._duplicates(facts, rules)
        window = parse_quarter(facts.quarter).start
        for item in facts.accounts:
            if not item.account.closed or not item.feed.ok:
                continue
            dates = [p.published.date() for p in item.feed.posts if p.published]
            recent = [d for d in dates if window <= d <= facts.as_of]
            if recent:
                yield self._finding(facts, item, rules, "closed", rules.media.mismatch.problem_closed,
                                    newest=max(recent).isoformat())  # fmt: skip

    def _finding(
        self, facts: Facts, item: AccountFacts, rules: Rules, key: str,
        template: str, **values: Any,
    ) -> Finding:  # fmt: skip
        return account_finding(
            facts,
            item,
            indicator=self.id,
            veto=rules.media.mismatch.veto,
            key=f"mismatch:{key}",
            problem=template.format(unit=item.account.unit, **values),
            evidence_url=item.account.feed if "://" in item.account.feed else "",
            detail={"signal": key, **values, "certified_by": item.account.certified_by},
        )

    def _unit(
        self,
        facts: Facts,
        item: AccountFacts,
        rules: Rules,
        names: Mapping[str, list[str]],
        cores: Mapping[str, set[str]],
        suffixes: Sequence[str],
    ) -> Iterator[Finding]:
        account = item.account
        own = cores.get(account.unit, set())
        if account.certified_by and own and not matches(account.certified_by, own, suffixes):
            yield self._finding(facts, item, rules, "certified", rules.media.mismatch.problem_certified,
                                certified=account.certified_by)  # fmt: skip
        name = squeeze(account.name)
        if any(c in name for c in own if len(c) >= 2):
            return
        rest = _after_common_prefix(name, [squeeze(n) for n in names.get(account.unit, [])])
        for other, other_cores in cores.items():
            if other == account.unit:
                continue
            if any(len(c) >= 2 and rest.startswith(c) for c in other_cores):
                yield self._finding(facts, item, rules, "name", rules.media.mismatch.problem_name,
                                    other=other)  # fmt: skip
                return

    def _duplicates(self, facts: Facts, rules: Rules) -> Iterator[Finding]:
        suffixes = [str(s) for s in rules.media.mismatch.name_suffixes]
        groups: dict[tuple[str, str, str], list[AccountFacts]] = {}
        for item in facts.accounts:
            a = item.account
            key = (a.unit, a.platform, _strip_suffixes(squeeze(a.name), suffixes))
            groups.setdefault(key, []).append(item)
        for same in groups.values():
            if len(same) < 2:
                continue
            for item in same:
                others = "、".join(o.account.name for o in same if o is not item)
                yield self._finding(facts, item, rules, "duplicate", rules.media.mismatch.problem_duplicate,
                                    other=others)  # fmt: skip
