"""Who may finalize the circular: the 审核负责人 (lead reviewers) the office's configuration
names.

The list lives in the store's append-only audit trail: each change is a ``reviews`` row under
the pseudo finding id ``ROLES_KEY`` whose ``new_value`` is the JSON list of logins, written
by ``workbench hub`` from its settings file when the hub starts. The newest row is in force;
the older ones show who was 审核负责人 when. No row at all means single-user mode (a dashboard
on loopback, today's behaviour): everyone may finalize.

The check runs in the store layer (``drafts.save_version(final=True)`` and
``drafts.mark_sent`` call ``require_lead`` inside their transaction), so hiding a button
is never the only guard.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from workbench import store
from workbench.errors import WorkbenchError

LEAD_TITLE = "审核负责人"
ROLES_KEY = "office:roles"


class RoleError(WorkbenchError):
    """The acting reviewer lacks the role an action needs."""


def _leads_on(conn: Connection) -> frozenset[str] | None:
    row = conn.execute(
        sa.select(store.reviews.c.new_value)
        .where(store.reviews.c.finding_id == ROLES_KEY, store.reviews.c.action == "roles")
        .order_by(store.reviews.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return frozenset(json.loads(row.new_value or "[]"))


def current_leads(engine: Engine) -> frozenset[str] | None:
    """The logins named 审核负责人; None when no roles were ever configured (single-user)."""
    with engine.connect() as conn:
        return _leads_on(conn)


def set_leads(engine: Engine, logins: Iterable[str], source: str) -> bool:
    """Make ``logins`` the 审核负责人; audit the change under ``source`` (e.g. the settings
    file). Returns False when the list was already in force (nothing written)."""
    wanted = sorted({login.strip() for login in logins if login.strip()})
    if not wanted:
        raise RoleError(f"配置中至少要指定一名{LEAD_TITLE}。")
    with engine.begin() as conn:
        before = _leads_on(conn)
        if before is not None and sorted(before) == wanted:
            return False
        conn.execute(
            sa.insert(store.reviews).values(
                finding_id=ROLES_KEY,
                action="roles",
                reviewer=source,
                reason=None,
                previous=store.to_json(sorted(before) if before is not None else None),
                new_value=json.dumps(wanted, ensure_ascii=False),
                created_at=store.now(),
            )
        )
    return True


def is_lead(engine: Engine, login: str) -> bool:
    """May ``login`` finalize the circular? (Always, when no roles are configured.)"""
    leads = current_leads(engine)
    return leads is None or login.strip() in leads


def require_lead(conn: Connection, login: str, action: str) -> None:
    """Raise RoleError unless ``login`` may do ``action`` (a Chinese verb phrase)."""
    leads = _leads_on(conn)
    if leads is None or login.strip() in leads:
        return
    names = "、".join(sorted(leads))
    raise RoleError(
        f"只有{LEAD_TITLE}可以{action}（当前{LEAD_TITLE}：{names}），"
        f"“{login.strip()}”的操作未执行。如需调整，请联系系统管理员修改部署配置中的 leads 名单。"
    )
