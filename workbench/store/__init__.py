"""The store: every observation, finding and review decision, in one SQL database.

The one home of persistence: no module outside this package talks SQL. SQLite (WAL) by
default, PostgreSQL or any SQLAlchemy URL otherwise; the schema evolves by Alembic revisions
applied on connect.

    schema        the tables (SQLAlchemy Core), re-exported here: ``store.findings`` …
    database      connect, default_url, parse_url, now, to_json; the migrations on connect
    migrations/   Alembic's env.py and the revisions 0001 … (``versions/``)
    runlog        runs: started, finished, failed, resumed, reopened to judge again
    observations  one site's or account's collection recorded in one transaction (import it
                  as ``workbench.store.observations``: it knows the crawl's types)
    resume        each site's and account's whole result, for resuming and re-judging
    detections    findings: saved per run (stable ids), read with their review state
    judging       what the judge stage decided (inventory, service flags, scoring and
                  circular settings, documents), read back to rebuild scores and the circular
    decisions     review decisions (confirm, dismiss, reword) with audit trail and versions
    rectification the units' rectification claims (versioned, audited with the decisions)
                  and the results of ``workbench recheck``
    drafts        the circular's edited sections, generated versions, the 已报送 mark
    roles         the 审核负责人 list, checked in the transaction of a final version
    loaders       DataFrames of a run's pages, links, items, columns, posts; probes
    locks         PostgreSQL advisory locks (the run lock)

Errors are ``WorkbenchError`` with a Chinese message (a bad URL, a database newer than the
code, an unreachable server); decisions raise ``decisions.ConcurrentEditError`` and drafts
``drafts.SectionConflictError`` (``rectification.ClaimConflictError`` for a claim) when
someone else decided first, ``roles.RoleError`` when
the reviewer lacks the role.
"""

from sqlalchemy.engine import Connection, Engine

from workbench.store.database import (
    DEFAULT_DB_PATH,
    SCHEMA_VERSION,
    backend,
    connect,
    current_revision,
    current_version,
    default_url,
    fold_wal,
    insert_many,
    migrate,
    now,
    parse_url,
    retry_locked,
    rows_by_key,
    safe_url,
    sqlite_file,
    to_json,
)
from workbench.store.detections import finding_values, save_findings
from workbench.store.resume import (
    account_result_payloads,
    save_account_result,
    save_site_result,
    site_result_payload,
    site_result_payloads,
)
from workbench.store.runlog import (
    RunRecord,
    finish_run,
    latest_run,
    record_failure,
    start_run,
    unfinished_run,
)
from workbench.store.schema import (
    account_results,
    circular_texts,
    columns,
    documents,
    feed_fetches,
    findings,
    items,
    judgements,
    links,
    metadata,
    pages,
    posts,
    probes,
    rechecks,
    rectification_claims,
    review_state,
    reviews,
    run_failures,
    runs,
    schema_version,
    site_results,
)

__all__ = [
    "DEFAULT_DB_PATH",
    "SCHEMA_VERSION",
    "Connection",
    "Engine",
    "RunRecord",
    "account_result_payloads",
    "account_results",
    "backend",
    "circular_texts",
    "columns",
    "connect",
    "current_revision",
    "current_version",
    "default_url",
    "documents",
    "feed_fetches",
    "finding_values",
    "findings",
    "fold_wal",
    "finish_run",
    "insert_many",
    "items",
    "judgements",
    "latest_run",
    "links",
    "metadata",
    "migrate",
    "now",
    "pages",
    "parse_url",
    "posts",
    "probes",
    "rechecks",
    "record_failure",
    "rectification_claims",
    "retry_locked",
    "review_state",
    "rows_by_key",
    "reviews",
    "run_failures",
    "runs",
    "safe_url",
    "save_account_result",
    "save_findings",
    "save_site_result",
    "schema_version",
    "site_result_payload",
    "site_result_payloads",
    "site_results",
    "sqlite_file",
    "start_run",
    "to_json",
    "unfinished_run",
]
