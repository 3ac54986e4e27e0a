"""The indicators' common interface and registry (the shape of nbconvert's preprocessors).

An indicator is a small class with an ``id`` (contract §4), a ``family`` and a pure
``check(facts, rules)`` that returns findings; ``rules`` is the typed
:class:`~workbench.rules.schema.Rules` (``rules.website.homepage_stale.days``), whose values
live in the YAML files only. ``register`` adds it to ``REGISTRY``, which
the quarterly notebook iterates through ``run_indicators``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from workbench.facts import Facts
from workbench.models import Finding, Website
from workbench.rules.schema import Rules, Verdict


class Indicator:
    """Base class: subclasses set ``id``, ``family`` and implement ``check``."""

    id: ClassVar[str] = ""
    family: ClassVar[str] = ""  # website / media / policy / openness / check
    title: ClassVar[str] = ""  # the 指标 in Chinese

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        raise NotImplementedError

    def verdict(self, rule: Verdict) -> dict[str, Any]:
        """A finding's ``indicator``, ``veto`` and ``points`` from its rules entry."""
        return {"indicator": self.id, "veto": rule.veto, "points": float(rule.points)}


REGISTRY: dict[str, type[Indicator]] = {}


def register(cls: type[Indicator]) -> type[Indicator]:
    if not cls.id or cls.id in REGISTRY:
        raise ValueError(f"indicator id missing or registered twice: {cls.id!r}")
    REGISTRY[cls.id] = cls
    return cls


def run_indicators(facts: Facts, rules: Rules, ids: Sequence[str] | None = None) -> list[Finding]:
    """Every registered indicator (or those named) over ``facts``, in registry order.

    Findings with the same ``finding_id`` are kept once (the first).
    """
    seen: set[str] = set()
    out: list[Finding] = []
    for indicator_id, cls in REGISTRY.items():
        if ids is not None and indicator_id not in ids:
            continue
        for finding in cls().check(facts, rules):
            if finding.finding_id not in seen:
                seen.add(finding.finding_id)
                out.append(finding)
    return out


def newest_on_or_before(dates: Iterable[Any], as_of: Any) -> Any:
    """The newest of ``dates`` (dates or datetimes) not after ``as_of``'s calendar day, or None.

    Items dated after the check time are left out: they cannot show an update *before* it
    (and future dates are a matter for site.security, not for staleness).
    """
    best = None
    for value in dates:
        if value is None:
            continue
        day = value.date() if hasattr(value, "date") and callable(value.date) else value
        if day <= as_of and (best is None or day > best):
            best = day
    return best


def website_finding(facts: Facts, website: Website, **fields: Any) -> Finding:
    """A finding on one website (target = its homepage URL as in the inventory)."""
    fields.setdefault("evidence_url", website.url)
    return Finding(
        quarter=facts.quarter,
        unit=website.unit,
        target_kind="website",
        target=website.url,
        **fields,
    )
