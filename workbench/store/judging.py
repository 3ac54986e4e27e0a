"""What the judge stage decided, kept with the run, so that scores and the circular are
rebuilt from the store alone (``workbench.reviewed.open_quarter``), never from the inventory
and rules files, which may have changed or moved since:

- the websites and accounts judged (the inventory's rows, each with its 对外服务职能);
- the sites scored without 办事服务 (75 × 4/3), as the judge stage read them;
- the ``scoring:`` rules and the circular's settings (``circular:`` and the indicators run);
- the policy documents the crawl found (``documents``: 附件2 names a document by its title).

Written by ``pipeline.judge`` in one transaction with ``runs.judged_at``; a re-judged run
replaces them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.models import MediaAccount, Website
from workbench.rules.schema import ScoringRules
from workbench.store.database import now, to_json
from workbench.store.schema import documents, judgements, runs

if TYPE_CHECKING:  # pandas loads on first use: `workbench run` starts without it
    import pandas as pd

    from workbench.extract.documents import DocumentFacts

DOCUMENT_COLUMNS = ("docno", "title", "unit", "published", "url")


@dataclass(frozen=True)
class Judgement:
    """The judge stage's inputs of one run that scores and the circular need again."""

    websites: list[Website]
    media: list[MediaAccount]
    without_service: frozenset[str]  # inventory URLs of the sites scored out of 75 × 4/3
    scoring: dict[str, Any] = field(default_factory=dict)  # the ``scoring:`` rules
    circular: dict[str, Any] = field(default_factory=dict)  # the circular's settings

    @property
    def rules(self) -> ScoringRules:
        """The rules ``scoring.score_targets`` reads (the run's, as stored)."""
        return ScoringRules.model_validate(self.scoring)


def save_judgement(
    engine: Engine, run_id: int, judgement: Judgement, docs: Iterable[DocumentFacts]
) -> None:
    """Replace what ``run_id`` recorded of its judging: the judgement and the policy
    documents its crawl found."""
    values = {
        "websites": to_json([asdict(w) for w in judgement.websites]),
        "media": to_json([asdict(m) for m in judgement.media]),
        "without_service": to_json(sorted(judgement.without_service)),
        "scoring": to_json(judgement.scoring),
        "circular": to_json(judgement.circular),
    }
    rows = [
        {
            "run_id": run_id,
            "site_url": d.site_url,
            "url": d.url,
            "docno": d.number or "",
            "title": d.title,
            "unit": d.unit,
            "published": d.published,
            "normative": bool(d.normative),
        }
        for d in docs
    ]
    with engine.begin() as conn:
        conn.execute(sa.delete(judgements).where(judgements.c.run_id == run_id))
        conn.execute(sa.insert(judgements).values(run_id=run_id, **values))
        conn.execute(sa.delete(documents).where(documents.c.run_id == run_id))
        if rows:
            conn.execute(sa.insert(documents), rows)
        conn.execute(sa.update(runs).where(runs.c.id == run_id).values(judged_at=now()))


def load_judgement(engine: Engine, run_id: int) -> Judgement | None:
    """The judgement ``run_id`` recorded, or None (a run judged before revision 0004)."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(judgements).where(judgements.c.run_id == run_id)).first()
    if row is None:
        return None
    return Judgement(
        websites=[Website(**w) for w in json.loads(row.websites)],
        media=[MediaAccount(**m) for m in json.loads(row.media)],
        without_service=frozenset(json.loads(row.without_service)),
        scoring=json.loads(row.scoring),
        circular=json.loads(row.circular),
    )


def documents_frame(engine: Engine, run_id: int) -> pd.DataFrame:
    """The run's policy documents as the circular looks them up (DOCUMENT_COLUMNS, text)."""
    import pandas as pd

    d = documents
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(d.c.docno, d.c.title, d.c.unit, d.c.published, d.c.url)
            .where(d.c.run_id == run_id)
            .order_by(d.c.id)
        ).all()
    frame = pd.DataFrame(
        [
            (
                r.docno or "",
                r.title or "",
                r.unit or "",
                r.published.isoformat() if r.published else "",
                r.url or "",
            )
            for r in rows
        ],
        columns=list(DOCUMENT_COLUMNS),
    )
    return frame
