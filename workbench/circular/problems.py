"""二、存在的主要问题: findings grouped by rule family and target, written as sentences.

One sentence per target (a website, an account, or a unit for its documents and 专栏
columns), naming the unit, the site or account, the evidence and the rule, in the seed's
style: “湘乡文旅”抖音号未及时进行政务新媒体备案，并存在超过两周未更新信息的情况.
Within a family a unit's 政策解读 sentence comes first and is never summed up by
``max_sentences_per_family``; veto problems come next. Column findings are named by their
columns (``wording.named_columns``); targets whose sentences would read the same, with no
number in them, share one sentence (市教育局、市资规局网站“调查征集”栏目超期未更新).
``check.incomplete`` is never a problem.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from workbench.circular.targets import FindingRecord, TargetIndex
from workbench.circular.text import CircularSettings
from workbench.circular.wording import (
    Subject,
    clean_problem,
    column_phrase,
    fill,
    flatten_brackets,
    joined_subjects,
    named_columns,
)
from workbench.rules.schema import Family

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


DOCUMENTS = "documents"


@dataclass
class _Group:
    kind: str  # documents / media / site / unit
    subject: Subject
    position: int  # in the inventory: targets are listed in its order, whatever the input's
    records: list[FindingRecord] = field(default_factory=list)

    @property
    def veto(self) -> bool:
        return any(r.veto for r in self.records)


@dataclass
class _Sentence:
    """One sentence of a family: its groups share the predicate."""

    predicate: str
    groups: list[_Group]

    @property
    def documents(self) -> bool:
        return self.groups[0].kind == DOCUMENTS

    @property
    def text(self) -> str:
        subjects = joined_subjects([g.subject for g in self.groups])
        return flatten_brackets(f"{subjects}{self.predicate}。")


def family_of(indicator: str, families: Sequence[Family]) -> str:
    """The key of the family whose prefixes match ``indicator`` (``other`` if none)."""
    for family in families:
        if any(indicator.startswith(p) for p in family.prefixes):
            return family.key
    return "other"


def _subject(record: FindingRecord, index: TargetIndex, settings: CircularSettings) -> Subject:
    if record.account is not None:
        name, platform = record.account
        # a platform the settings do not name reads as itself (the inventory's own word)
        suffix = settings.platform_suffix.get(platform) or platform or "账号"
        return Subject(record.unit, f"“{name}”", suffix)
    if record.site_url is not None and record.indicator.startswith("site."):
        site = next(w for w in index.websites if w.url == record.site_url)
        if len(index.sites_of_unit(site.unit)) > 1:
            return Subject(site.unit, f"“{site.name}”", "网站")
        return Subject(site.unit, "", "网站")
    return Subject(record.unit or "有关单位")


def _group_key(record: FindingRecord) -> tuple[str, ...]:
    if record.account is not None:
        return ("media", *record.account)
    if record.site_url is not None and record.indicator.startswith("site."):
        return ("site", record.site_url)
    if record.indicator.startswith("policy."):
        return (DOCUMENTS, record.unit)
    return ("unit", record.unit)


def _position(group_key: tuple[str, ...], index: TargetIndex) -> int:
    """Where a group's target stands in the inventory (websites, then accounts); a unit
    stands where its first website or account does."""
    urls = [w.url for w in index.websites]
    accounts = [(m.name, m.platform) for m in index.media]
    kind, rest = group_key[0], group_key[1:]
    if kind == "site" and rest[0] in urls:
        return urls.index(rest[0])
    if kind == "media" and rest in accounts:
        return len(urls) + accounts.index((rest[0], rest[1]))
    units = [w.unit for w in index.websites] + [m.unit for m in index.media]
    return units.index(rest[0]) if rest[0] in units else len(units)


def _listed(problems: list[str]) -> str:
    unique = list(dict.fromkeys(clean_problem(p) for p in problems if p))
    if len(unique) > MAX_LISTED_PROBLEMS:
        return "、".join(unique[:MAX_LISTED_PROBLEMS]) + f"等{len(unique)}项"
    return "、".join(unique)


def _clause(indicator: str, records: list[FindingRecord], settings: CircularSettings) -> str:
    if indicator == "policy.interpretation_missing":
        phrase = settings.interpretation_missing_phrase or "{problems}"
    else:  # an indicator ``phrases`` does not list reads as its problems (circular.yaml)
        phrase = settings.phrases.get(indicator) or "{problems}"
    return fill(phrase, problems=_listed([r.problem for r in records]), count=len(records))


def _join_clauses(clauses: list[str]) -> str:
    """Clauses joined by "，"; the last one joined by "，并" when it reads "存在…"."""
    if len(clauses) <= 1:
        return "".join(clauses)
    last = clauses[-1]
    joiner = "，并" if last.startswith("存在") else "，"
    return "，".join(clauses[:-1]) + joiner + last


def _predicate(group: _Group, settings: CircularSettings) -> str:
    """Veto clauses (then the veto marker), then the other clauses; the columns of column
    findings whose phrases read alike are named in one clause."""
    buckets: dict[tuple[str, str], list[FindingRecord]] = {}
    for record in sorted(group.records, key=lambda r: not r.veto):
        phrase = column_phrase(record, settings)
        key = ("columns", phrase) if phrase else ("indicator", record.indicator)
        buckets.setdefault(key, []).append(record)
    clauses: list[tuple[bool, str]] = []
    for (kind, value), records in buckets.items():
        if kind == "columns":
            text = named_columns(value, records, settings)
        else:
            text = _clause(value, records, settings)
        clauses.append((any(r.veto for r in records), text))
    clauses.sort(key=lambda c: not c[0])
    vetoes = sum(1 for veto, _ in clauses if veto)
    marker = settings.veto_marker
    texts = [
        text + marker if position == vetoes else text
        for position, (_, text) in enumerate(clauses, start=1)
    ]
    return _join_clauses(texts)


def _sentences(groups: Sequence[_Group], settings: CircularSettings) -> list[_Sentence]:
    """One sentence per group, in order; a group whose predicate has no number joins the
    first earlier group of its kind with the same predicate (a shared number would read as
    their total)."""
    sentences: list[_Sentence] = []
    shared: dict[tuple[str, str], _Sentence] = {}
    for group in groups:
        predicate = _predicate(group, settings)
        key = (group.kind, predicate)
        if key in shared:
            shared[key].groups.append(group)
            continue
        sentence = _Sentence(predicate, [group])
        sentences.append(sentence)
        if not any(ch.isdigit() for ch in predicate):
            shared[key] = sentence
    return sentences


def _family(
    key: str, heading: str, groups: Sequence[_Group], settings: CircularSettings
) -> ProblemFamily:
    """The 政策解读 sentences first, never capped; then veto targets, then the others, each
    part in the inventory's order; the sentences beyond ``max_sentences_per_family`` summed
    up."""

    def order(group: _Group) -> tuple[bool, int, str]:
        return (not group.veto, group.position, group.subject.text)

    ranked = sorted((g for g in groups if g.kind == DOCUMENTS), key=lambda g: order(g)[1:])
    ranked += sorted((g for g in groups if g.kind != DOCUMENTS), key=order)
    sentences = _sentences(ranked, settings)
    documents = [s for s in sentences if s.documents]
    others = [s for s in sentences if not s.documents]
    limit = settings.max_sentences_per_family
    shown = others[:limit] if limit > 0 else others
    family = ProblemFamily(
        key=key,
        heading=heading,
        sentences=[s.text for s in documents + shown],
        veto_targets=sum(1 for g in ranked if g.veto),
        targets=len(ranked),
        findings=sum(len(g.records) for g in ranked),
    )
    rest = sum(len(s.groups) for s in others[len(shown) :])
    if rest > 0:
        family.sentences.append(f"此外，另有{rest}个检查对象存在类似问题。")
    return family


def problem_families(
    records: Sequence[FindingRecord],
    index: TargetIndex,
    settings: CircularSettings,
    references: Mapping[str, str] | None = None,
) -> list[ProblemFamily]:
    """The families with at least one problem, in the settings' order.

    ``references`` maps a family key to a closing sentence such as "具体名单详见附件1。".
    """
    families_cfg = settings.families
    groups: dict[str, dict[tuple[str, ...], _Group]] = {}
    for record in records:
        if record.incomplete:
            continue
        family_key = family_of(record.indicator, families_cfg)
        group_key = _group_key(record)
        groups_of_family = groups.setdefault(family_key, {})
        if group_key not in groups_of_family:
            subject = _subject(record, index, settings)
            position = _position(group_key, index)
            groups_of_family[group_key] = _Group(group_key[0], subject, position)
        groups_of_family[group_key].records.append(record)

    headings = {f.key: f.heading for f in families_cfg}
    order = [f.key for f in families_cfg] + ["other"]
    headings.setdefault("other", "其他问题")
    result: list[ProblemFamily] = []
    for key in order:
        bucket = groups.get(key)
        if not bucket:
            continue
        family = _family(key, headings[key], list(bucket.values()), settings)
        if references and references.get(key):
            family.sentences.append(references[key])
        result.append(family)
    return result
