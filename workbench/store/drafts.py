"""The circular's edited sections and its generated versions, in the store.

Sections live in ``circular_texts`` (one row per quarter and section key of
``OVERRIDABLE_SECTIONS``; ``version`` gives optimistic concurrency like review decisions).
A section whose text equals the template's is not stored: the template keeps its computed
numbers current. Every save and every generated circular is recorded in the append-only
``reviews`` table under the pseudo finding id ``circular:<quarter>``: a generated version
keeps its section texts and the .docx itself (base64), so earlier versions can be
downloaded again. A version is a draft (草稿, anyone may generate it) or final (定稿); only a
审核负责人 generates a final version and marks one as the version sent (已报送, an ``sent``
row naming its number; the newest mark is in force). ``roles.require_lead`` checks that in
the same transaction as the write. Times are naive Asia/Shanghai wall-clock.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from workbench import store
from workbench.circular import OVERRIDABLE_SECTIONS
from workbench.errors import WorkbenchError
from workbench.store.roles import require_lead

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
    final: bool = False

    @property
    def label(self) -> str:
        return f"第{self.number}版（{'定稿' if self.final else '草稿'}）"


@dataclass(frozen=True)
class SentMark:
    """Which final version went out, who said so and when."""

    number: int
    editor: str
    created_at: datetime


class SectionConflictError(WorkbenchError):
    """Someone else saved the section since the caller loaded it."""


def audit_key(quarter: str) -> str:
    return f"circular:{quarter}"


def _editor(editor: str) -> str:
    name = (editor or "").strip()
    if not name:
        raise WorkbenchError("请先填写审核人姓名。")
    return name


def _audit(
    conn: Connection,
    quarter: str,
    action: str,
    editor: str,
    new_value: str | None,
    stamp: datetime,
    *,
    reason: str | None = None,
    previous: str | None = None,
) -> None:
    """Append one row to the quarter's circular audit trail."""
    conn.execute(
        sa.insert(store.reviews).values(
            finding_id=audit_key(quarter),
            action=action,
            reviewer=editor,
            reason=reason,
            previous=previous,
            new_value=new_value,
            created_at=stamp,
        )
    )


def _audit_rows(conn: Connection, quarter: str, action: str) -> list[Any]:
    """The quarter's circular audit rows of ``action``, newest first."""
    return list(
        conn.execute(
            sa.select(store.reviews)
            .where(
                store.reviews.c.finding_id == audit_key(quarter),
                store.reviews.c.action == action,
            )
            .order_by(store.reviews.c.id.desc())
        ).all()
    )


def _version(row: Any) -> CircularVersion:
    payload = json.loads(row.new_value or "{}")
    return CircularVersion(
        number=int(payload.get("number", 0)),
        editor=row.reviewer,
        created_at=row.created_at,
        sections=dict(payload.get("sections", {})),
        docx=base64.b64decode(payload.get("docx", "")),
        final=bool(payload.get("final", False)),
    )


def section_texts(engine: Engine, quarter: str) -> dict[str, SectionText]:
    """The stored sections of ``quarter`` (absent: template text)."""
    table = store.circular_texts
    with engine.connect() as conn:
        rows = conn.execute(sa.select(table).where(table.c.quarter == quarter)).all()
    return {
        r.section: SectionText(r.section, r.text, r.editor, r.updated_at, int(r.version))
        for r in rows
    }


def circular_overrides(engine: Engine, quarter: str) -> dict[str, str]:
    """Section key → the text an editor saved for ``quarter`` (what the circular uses)."""
    return {key: saved.text for key, saved in section_texts(engine, quarter).items() if saved.text}


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
    editor = _editor(editor)
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
        before = store.to_json({"text": row.text if row is not None else None})
        _audit(conn, quarter, "section", editor, text, stamp, reason=section, previous=before)
    if text is None:
        # The next save starts from "not stored" again; keep counting so that a stale
        # editor who still holds the old version is refused.
        return SectionText(section, None, editor, stamp, 0)
    return SectionText(section, text, editor, stamp, current + 1)


def save_version(
    engine: Engine,
    quarter: str,
    editor: str,
    sections: Mapping[str, str],
    docx: bytes,
    *,
    final: bool = False,
) -> CircularVersion:
    """Record a generated circular; returns it with its number (1, 2, …). A final version
    (定稿) is refused with RoleError unless ``editor`` is a 审核负责人."""
    editor = _editor(editor)
    stamp = store.now()
    with engine.begin() as conn:
        if final:
            require_lead(conn, editor, "生成通报定稿")
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
            "final": final,
            "sections": dict(sections),
            "docx": base64.b64encode(docx).decode("ascii"),
        }
        _audit(conn, quarter, "generate", editor, json.dumps(payload, ensure_ascii=False), stamp)
    return CircularVersion(number, editor, stamp, dict(sections), docx, final)


def versions(engine: Engine, quarter: str) -> list[CircularVersion]:
    """Every circular generated for ``quarter``, newest first."""
    with engine.connect() as conn:
        return [_version(r) for r in _audit_rows(conn, quarter, "generate")]


def mark_sent(engine: Engine, quarter: str, number: int, editor: str) -> SentMark:
    """Mark final version ``number`` as the one sent (已报送); only a 审核负责人 may. Marking
    again (a corrected circular) records a new mark; the newest is in force."""
    editor = _editor(editor)
    stamp = store.now()
    with engine.begin() as conn:
        require_lead(conn, editor, "将通报标记为已报送")
        finals = {
            v.number for v in map(_version, _audit_rows(conn, quarter, "generate")) if v.final
        }
        if number not in finals:
            raise WorkbenchError(f"第{number}版不是定稿，只有定稿可以标记为已报送。")
        _audit(conn, quarter, "sent", editor, str(number), stamp)
    return SentMark(number, editor, stamp)


def sent_mark(engine: Engine, quarter: str) -> SentMark | None:
    """The version marked as sent for ``quarter`` (the newest mark), if any."""
    with engine.connect() as conn:
        marks = _audit_rows(conn, quarter, "sent")
    if not marks:
        return None
    return SentMark(int(marks[0].new_value), marks[0].reviewer, marks[0].created_at)
