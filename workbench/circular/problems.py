"""二、存在的主要问题: findings grouped by rule family and target, written as sentences.

One sentence per target (a website, an account, or a unit for its documents and 专栏
columns), naming the unit, the site or account, the evidence and the rule, in the seed's
style: “湘乡文旅”抖音号未及时进行政务新媒体备案，并存在超过两周未更新信息的情况。
Veto problems come first within each family. ``check.incomplete`` is never a problem.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.circular.targets import FindingRecord, TargetIndex

MAX_LISTED_PROBLEMS = 5


@dataclass
class ProblemFamily:
    """One （一） paragraph of 二、存在的主要问题."""

    key: str
    heading: str
    sentences: list[str] = field(default_factory=list)
    veto_targets: int = 0
    targets: int = 0
    findings: int = 0


@dataclass
class _Group:
    subject: str
    records: list[FindingRecord] = field(default_factory=list)

    @property
    def veto(self) -> bool:
        return any(r.veto for r in self.records)


def family_of(indicator: str, families: Sequence[Mapping[str, Any]]) -> str:
    """The key of the family whose prefixes match ``indicator`` (``other`` if none)."""
    for family in families:
        if any(indicator.startswith(p) for p in family.get("prefixes", [])):
            return str(family["key"])
    return "other"


def _subject(record: FindingRecord, index: TargetIndex, settings: Mapping[str, Any]) -> str:
    if record.account is not None:
        name, platform = record.account
        suffix = settings.get("platform_suffix", {}).get(platform, platform or "账号")
        return f"{record.unit}“{name}”{suffix}"
    if record.site_url is not None and record.indicator.startswith("site."):
        site = next(w for w in index.websites if w.url == record.site_url)
        if len(index.sites_of_unit(site.unit)) > 1:
            return f"{site.unit}“{site.name}”网站"
        return f"{site.unit}网站"
    return record.unit or "有关单位"


def _group_key(record: FindingRecord) -> tuple[str, ...]:
    if record.account is not None:
        return ("media", *record.account)
    if record.site_url is not None and record.indicator.startswith("site."):
        return ("site", record.site_url)
    if record.indicator == "policy.interpretation_missing":
        return ("documents", record.unit)
    return ("unit", record.unit)


def _listed(problems: list[str]) -> str:
    unique = list(dict.fromkeys(p for p in problems if p))
    if len(unique) > MAX_LISTED_PROBLEMS:
        return "、".join(unique[:MAX_LISTED_PROBLEMS]) + f"等{len(unique)}项"
    return "、".join(unique)


def _clause(indicator: str, records: list[FindingRecord], settings: Mapping[str, Any]) -> str:
    if indicator == "policy.interpretation_missing":
        phrase = str(settings.get("interpretation_missing_phrase") or "{problems}")
    else:
        phrase = str(settings.get("phrases", {}).get(indicator) or "{problems}")
    listed = _listed([r.problem for r in records])
    return phrase.replace("{problems}", listed).replace("{count}", str(len(records)))


def _join_clauses(clauses: list[str]) -> str:
    """Clauses joined by "，"; the last one joined by "，并" when it reads "存在…"."""
    if len(clauses) <= 1:
        return "".join(clauses)
    last = clauses[-1]
    joiner = "，并" if last.startswith("存在") else "，"
    return "，".join(clauses[:-1]) + joiner + last


def _sentence(group: _Group, settings: Mapping[str, Any]) -> str:
    """Subject, veto clauses (then the veto marker), then the other clauses."""
    by_indicator: dict[str, list[FindingRecord]] = {}
    # veto indicators first, then in the order the findings came
    ordered = sorted(group.records, key=lambda r: not r.veto)
    for record in ordered:
        by_indicator.setdefault(record.indicator, []).append(record)
    marker = str(settings.get("veto_marker") or "")
    clauses: list[str] = []
    vetoes = sum(1 for recs in by_indicator.values() if any(r.veto for r in recs))
    for position, (indicator, recs) in enumerate(by_indicator.items(), start=1):
        clause = _clause(indicator, recs, settings)
        clauses.append(clause + marker if position == vetoes else clause)
    return f"{group.subject}{_join_clauses(clauses)}。"


def problem_families(
    records: Sequence[FindingRecord],
    index: TargetIndex,
    settings: Mapping[str, Any],
    references: Mapping[str, str] | None = None,
) -> list[ProblemFamily]:
    """The families with at least one problem, in the settings' order.

    ``references`` maps a family key to a closing sentence such as "具体名单详见附件1。".
    """
    families_cfg: list[Mapping[str, Any]] = list(settings.get("families", []))
    groups: dict[str, dict[tuple[str, ...], _Group]] = {}
    for record in records:
        if record.incomplete:
            continue
        family_key = family_of(record.indicator, families_cfg)
        group_key = _group_key(record)
        groups_of_family = groups.setdefault(family_key, {})
        if group_key not in groups_of_family:
            groups_of_family[group_key] = _Group(subject=_subject(record, index, settings))
        groups_of_family[group_key].records.append(record)

    limit = int(settings.get("max_sentences_per_family") or 0)
    headings = {str(f["key"]): str(f.get("heading", "")) for f in families_cfg}
    order = [str(f["key"]) for f in families_cfg] + ["other"]
    headings.setdefault("other", "其他问题")
    result: list[ProblemFamily] = []
    for key in order:
        bucket = groups.get(key)
        if not bucket:
            continue
        ranked = sorted(bucket.values(), key=lambda g: not g.veto)  # stable: veto first
        shown = ranked[:limit] if limit > 0 else ranked
        family = ProblemFamily(
            key=key,
            heading=headings[key],
            sentences=[_sentence(g, settings) for g in shown],
            veto_targets=sum(1 for g in ranked if g.veto),
            targets=len(ranked),
            findings=sum(len(g.records) for g in ranked),
        )
        rest = len(ranked) - len(shown)
        if rest > 0:
            family.sentences.append(f"此外，另有{rest}个检查对象存在类似问题。")
        if references and references.get(key):
            family.sentences.append(references[key])
        result.append(family)
    return result
