"""Each website's and account's whole collected result, kept for resuming and re-judging.

``site_results`` and ``account_results`` hold, per run, a compressed pickle of what
``collect`` derived from one site's crawl or one account's source (``observations.site_payload``),
written in the transaction that records the site's pages or the account's posts. A run
killed midway restores them instead of fetching again; so does a re-run of a quarter already
collected (``pipeline.prepare``), and the dashboard reads a page's facts from them.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from workbench.store.database import now
from workbench.store.schema import account_results, site_results


def save_site_result(conn: Connection, run_id: int, site_url: str, payload: bytes) -> None:
    """Record (or replace) one website's collected result; call inside the site's transaction."""
    conn.execute(
        sa.delete(site_results).where(
            site_results.c.run_id == run_id, site_results.c.site_url == site_url
        )
    )
    conn.execute(
        sa.insert(site_results).values(
            run_id=run_id, site_url=site_url, payload=payload, saved_at=now()
        )
    )


def save_account_result(
    conn: Connection, run_id: int, account: str, platform: str, payload: bytes
) -> None:
    """Record (or replace) one account's collected result; call inside its transaction."""
    conn.execute(
        sa.delete(account_results).where(
            account_results.c.run_id == run_id,
            account_results.c.account == account,
            account_results.c.platform == platform,
        )
    )
    conn.execute(
        sa.insert(account_results).values(
            run_id=run_id, account=account, platform=platform, payload=payload, saved_at=now()
        )
    )


def site_result_payloads(engine: Engine, run_id: int) -> dict[str, bytes]:
    """Site URL → payload of every website whose result ``run_id`` has recorded."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(site_results.c.site_url, site_results.c.payload).where(
                site_results.c.run_id == run_id
            )
        ).all()
    return {r.site_url: bytes(r.payload) for r in rows}


def site_result_payload(engine: Engine, run_id: int, site_url: str) -> bytes | None:
    """The payload ``run_id`` recorded for the website ``site_url``, or None."""
    with engine.connect() as conn:
        payload = conn.execute(
            sa.select(site_results.c.payload).where(
                site_results.c.run_id == run_id, site_results.c.site_url == site_url
            )
        ).scalar()
    return bytes(payload) if payload is not None else None


def account_result_payloads(engine: Engine, run_id: int) -> dict[tuple[str, str], bytes]:
    """(account, platform) → payload of every account whose result ``run_id`` has recorded."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                account_results.c.account, account_results.c.platform, account_results.c.payload
            ).where(account_results.c.run_id == run_id)
        ).all()
    return {(r.account, r.platform): bytes(r.payload) for r in rows}
