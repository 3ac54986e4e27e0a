"""docs/conformance.md stays true to the code: the tests it names exist, every registered
indicator has its row, and every rules key it names is in the default rules."""

from __future__ import annotations

import re
from pathlib import Path

from workbench.indicators import REGISTRY
from workbench.rules import get, load_rules

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "conformance.md").read_text(encoding="utf-8")


def test_every_named_test_exists() -> None:
    named = set(re.findall(r"`(test_\w+\.py)::(test_\w+)`", DOC))
    assert len(named) > 50
    missing = []
    for file, name in sorted(named):
        source = ROOT / "tests" / file
        if not source.is_file() or not re.search(
            rf"^def {name}\(", source.read_text("utf-8"), re.M
        ):
            missing.append(f"{file}::{name}")
    assert not missing, missing


def test_every_registered_indicator_has_a_row() -> None:
    rows = set(re.findall(r"\| `((?:site|media|policy|openness|check)\.\w+)` \|", DOC))
    assert set(REGISTRY) <= rows, set(REGISTRY) - rows


def test_every_rules_key_named_exists() -> None:
    rules = load_rules()
    keys = {
        k for k in re.findall(r"`((?:website|media|policy|openness|columns|scoring)\.[\w.]+)`", DOC)
    }
    absent = [k for k in sorted(keys) if get(rules, k.rstrip(".")) is None]
    assert not absent, absent
