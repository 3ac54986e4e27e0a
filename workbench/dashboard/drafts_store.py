"""The circular's edited sections and its generated versions, in the store.

Sections live in ``circular_texts`` (one row per quarter and section key of
``OVERRIDABLE_SECTIONS``; ``version`` gives optimistic concurrency like review decisions).
A section whose text equals the template's is not stored: the template keeps its computed
numbers current. Every save and every generated circular is recorded in the append-only
``reviews`` table under the pseudo finding id ``circular:<quarter>``: a generated version
keeps its section texts and the .docx itself (base64), so earlier versions can be
downloaded again. Times are naive Asia/Shanghai wall-clock.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench import store
from workbench.circular import OVERRIDABLE_SECTIONS
from workbench.errors import WorkbenchError

SECTION_LABELS = {
    "basis": "开头（检查依据和范围）",
    "overview": "一、总体情况",
    "problems": "二、存在的主要问题",
    "requirements": "三、下一步工作要求",
    "rectification": "整改要求（第三部分末段）",
}
assert set(SECTION_LABELS) == set(OVERRIDABLE_SECTIONS)


@dataclass(frozen=True)
class SectionText:
    """An editor's text of one section (``version`` 0: not stored, the template is used)."""

    section: str
    text: str | None = None
    editor: str | None = None
    updated_at: datetime | None = None
    version: int = 0


@dataclass(frozen=True)
class CircularVersion:
    """One generated circular."""

    number: int
    editor: str
    created_at: datetime
    sections: dict[str, str]
    docx: bytes


class SectionConflictError(WorkbenchError):
    """Someone else saved the section since the caller loaded it."""


def audit_key(quarter: str) -> str:
    return f"circular:{quarter}"


def section_texts(engine: Engine, quarter: str) -> dict[str, SectionText]:
    """The stored sections of ``quarter`` (absent: template text)."""
    table = store.circular_texts
    with engine.connect() as conn:
        rows = conn.execute(sa.select(table).where(table.c.quarter == quarter)).all()
    return {
        r.section: SectionText(r.section, r.text, r.editor, r.updated_at, int(r.version))
        for r in rows
    }


def save_section(
    engine: Engine,
    quarter: str,
    section: str,
    text: str | None,
    editor: str,
    expected_version: int,
) -> SectionText:
    """Store ``text`` for ``section`` (None: back to the template) if nobody saved it since
    ``expected_version``; audit the change."""
    if section not in OVERRIDABLE_SECTIONS:
        raise WorkbenchError(f"通报中没有可编辑的段落“{section}”。")
    editor = (editor or "").strip()
    if not editor:
        raise WorkbenchError("请先填写审核人姓名。")
    table = store.circular_texts
    where = sa.and_(table.c.quarter == quarter, table.c.section == section)
    stamp = store.now()
    with engine.begin() as conn:
        row = conn.execute(sa.select(table).where(where)).first()
        current = int(row.version) if row is not None else 0
        if current != expected_version:
            who = row.editor if row is not None else "其他审核人员"
            raise SectionConflictError(
                f"“{SECTION_LABELS[section]}”已被“{who}”修改，您的修改未保存。"
                "请复制您的文字，刷新后再编辑。"
            )
        if row is not None:
            conn.execute(sa.delete(table).where(where))
        if text is not None:
            conn.execute(
                sa.insert(table).values(
                    quarter=quarter,
                    section=section,
                    text=text,
                    editor=editor,
                    updated_at=stamp,
                    version=current + 1,
                )
            )
        conn.execute(
            sa.insert(store.reviews).values(
                finding_id=audit_key(quarter),
                action="section",
                reviewer=editor,
                reason=section,
                previous=store.to_json({"text": row.text if row is not None else None}),
                new_value=text,
                created_at=stamp,
            )
        )
    if text is None:
        # The next save starts from "not stored" again; keep counting so that a stale
        # editor who still holds the old version is refused.
        return SectionText(section, None, editor, stamp, 0)
    return SectionText(section, text, editor, stamp, current + 1)


def save_version(
    engine: Engine, quarter: str, editor: str, sections: Mapping[str, str], docx: bytes
) -> CircularVersion:
    """Record a generated circular; returns it with its number (1, 2, …)."""
    stamp = store.now()
    with engine.begin() as conn:
        count = conn.execute(
            sa.select(sa.func.count())
            .select_from(store.reviews)
            .where(
                store.reviews.c.finding_id == audit_key(quarter),
                store.reviews.c.action == "generate",
            )
        ).scalar()
        number = int(count or 0) + 1
        payload = {
            "number": number,
            "sections": dict(sections),
            "docx": base64.b64encode(docx).decode("ascii"),
        }
        conn.execute(
            sa.insert(store.reviews).values(
                finding_id=audit_key(quarter),
                action="generate",
                reviewer=editor,
                reason=None,
                previous=None,
                new_value=json.dumps(payload, ensure_ascii=False),
                created_at=stamp,
            )
        )
    return CircularVersion(number, editor, stamp, dict(sections), docx)


def versions(engine: Engine, quarter: str) -> list[CircularVersion]:
    """Every circular generated for ``quarter``, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(store.reviews)
            .where(
                store.reviews.c.finding_id == audit_key(quarter),
                store.reviews.c.action == "generate",
            )
            .order_by(store.reviews.c.id.desc())
        ).all()
    out = []
    for r in rows:
        payload = json.loads(r.new_value or "{}")
        out.append(
            CircularVersion(
                number=int(payload.get("number", 0)),
                editor=r.reviewer,
                created_at=r.created_at,
                sections=dict(payload.get("sections", {})),
                docx=base64.b64decode(payload.get("docx", "")),
            )
        )
    return out
