"""Recording a quarterly check in the store, site by site and account by account.

Each website and each account is written with its whole result in one transaction (its
pages, links, items and columns, and a compressed copy of the facts the indicators read), so
a killed run can be resumed without fetching those again (``pipeline.prepare``/``collect``).
"""

from __future__ import annotations

import gc
import io
import pickle
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from workbench import store
from workbench.extract.columns_model import ColumnFacts
from workbench.extract.documents import DocumentFacts
from workbench.extract.interpretations import InterpretationFacts
from workbench.extract.personal_info import mask_text
from workbench.facts import AccountFacts, Facts, ProbeFact, SiteFacts
from workbench.fetch.http import now_shanghai
from workbench.fetch.site_crawl import SiteCrawl
from workbench.pages import DatedItem, Link, Page
from workbench.store.loaders import probes_between

if TYPE_CHECKING:
    from workbench.pipeline import Check


def _page_kind(index: int, page: Page, column_pages: set[str]) -> str:
    if index == 0:
        return "homepage"
    if page.final_url in column_pages or page.url in column_pages:
        return "column"
    return "article" if page.published is not None else "other"


def record_site(
    check: Check,
    site: SiteFacts,
    crawl: SiteCrawl,
    columns: Sequence[ColumnFacts] = (),
    payload: bytes | None = None,
) -> None:
    """The crawl's pages, links and dated items, and the site's columns, into the store.

    One transaction: with ``payload`` (the site's whole result, see ``site_payload``) the
    site is recorded as complete for resuming, so a kill never leaves half a site. Rows an
    earlier attempt of this run left for the site are replaced, never duplicated.
    """
    run_id, site_url = check.run_id, site.website.url
    column_pages = {u for c in columns for u in c.pages}
    pages_rows = [
        {
            "run_id": run_id,
            "site_url": site_url,
            "url": site.homepage.url if i == 0 else page.url,
            "final_url": page.final_url,
            "kind": _page_kind(i, page, column_pages),
            "status": page.status,
            "content_type": page.content_type,
            "title": mask_text(page.title),  # a personal number never reaches the store
            "published": page.published,
            "elapsed_ms": page.elapsed_ms,
            "error": page.error,
            "fetched_at": page.fetched_at or now_shanghai(),
        }
        for i, page in enumerate(crawl.pages)
    ]
    if not crawl.pages:  # nothing fetched (robots.txt, bad URL): keep a row saying why
        home = site.homepage
        pages_rows.append(
            {
                "run_id": run_id,
                "site_url": site_url,
                "url": home.url,
                "final_url": home.final_url,
                "kind": "homepage",
                "status": home.status,
                "error": home.error,
                "fetched_at": now_shanghai(),
            }
        )
    item_rows = [
        {
            "run_id": run_id,
            "site_url": site_url,
            "listed_on": page.url,
            "url": item.url,
            "title": item.title,
            "published": item.date,
        }
        for page in site.pages
        for item in page.items
    ]
    link_rows = [
        {
            "run_id": run_id,
            "source_url": link.source,
            "target_url": link.target,
            "anchor": link.anchor,
            "status": link.status,
            "error": link.error or (link.note or None),
        }
        for link in site.links
    ]
    column_rows = [
        {
            "run_id": run_id,
            "site_url": site_url,
            "url": c.url,
            "name": c.name,
            "category": c.category,
            "unit": c.unit,
            "level": c.nav_level,
            "item_count": c.item_count,
            "newest": c.newest,
            "blank": c.blank,
        }
        for c in columns
    ]
    with check.engine.begin() as conn, _bulk_cache(conn):
        forget_site(conn, run_id, site_url)
        # Sites sharing a host (department sub-folders of a portal) crawl the same pages:
        # a page is recorded once per run (UNIQUE(run_id, url)).
        known: set[str] = set()
        urls = sorted({str(r["url"]) for r in pages_rows})
        for start in range(0, len(urls), 500):
            known |= set(
                conn.execute(
                    sa.select(store.pages.c.url).where(
                        store.pages.c.run_id == run_id,
                        store.pages.c.url.in_(urls[start : start + 500]),
                    )
                ).scalars()
            )
        store.insert_many(conn, store.pages, [r for r in pages_rows if r["url"] not in known])
        store.insert_many(conn, store.items, item_rows)
        store.insert_many(conn, store.links, link_rows)
        store.insert_many(conn, store.columns, column_rows)
        if payload is not None:
            store.save_site_result(conn, run_id, site_url, payload)


_BULK_CACHE_KIB = 65536


@contextmanager
def _bulk_cache(conn: Any) -> Iterator[None]:
    """On SQLite, a 64 MiB page cache for the connection while a site's rows go in (then
    its own size again): with the default 2 MiB the inserts of a large site's links and
    their index spilled pages over and over, about a quarter of the inserts' time."""
    if conn.dialect.name != "sqlite":
        yield
        return
    size = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{_BULK_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(size)}")


def record_link_outcomes(check: Check, outcomes: Mapping[str, Any]) -> None:
    """The external links' outcomes (URL → ``LinkOutcome``: status, error), opened once per
    run after the sites were recorded, written into every row of the run linking there."""
    if not outcomes:
        return
    with check.engine.begin() as conn:
        for url, outcome in outcomes.items():
            conn.execute(
                sa.update(store.links)
                .where(store.links.c.run_id == check.run_id, store.links.c.target_url == url)
                .values(status=outcome.status, error=outcome.error)
            )


def forget_site(conn: Any, run_id: int, site_url: str) -> None:
    """Delete what ``run_id`` recorded for ``site_url`` (pages, links from its pages, items,
    columns): a site crawled again in a resumed run replaces them."""
    own = sa.select(store.pages.c.url, store.pages.c.final_url).where(
        store.pages.c.run_id == run_id, store.pages.c.site_url == site_url
    )
    urls = {u for row in conn.execute(own) for u in row if u}
    if (
        not urls
        and not conn.execute(
            sa.select(sa.func.count())
            .select_from(store.items)
            .where(store.items.c.run_id == run_id, store.items.c.site_url == site_url)
        ).scalar()
    ):
        return  # the usual case: nothing recorded yet
    ordered = sorted(urls)
    for start in range(0, len(ordered), 500):
        conn.execute(
            sa.delete(store.links).where(
                store.links.c.run_id == run_id,
                store.links.c.source_url.in_(ordered[start : start + 500]),
            )
        )
    for table in (store.pages, store.items, store.columns):
        conn.execute(sa.delete(table).where(table.c.run_id == run_id, table.c.site_url == site_url))


def site_payload(
    site: SiteFacts,
    columns: Sequence[ColumnFacts],
    documents: Sequence[DocumentFacts],
    interpretations: Sequence[InterpretationFacts],
) -> bytes:
    """Everything ``collect`` derives from one site's crawl, as a compressed pickle."""
    value = {
        "site": site,
        "columns": list(columns),
        "documents": list(documents),
        "interpretations": list(interpretations),
    }
    # The pickler keeps every record's state alive until it is done (its memo): a large
    # site's made the cyclic collector walk them all in a full pass, for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        if collecting:
            gc.enable()
    return zlib.compress(data, 1)


# Classes a store written by an older workbench names in its pickles, and the class each
# loads as now (the state of the old ones is read by ``Page``/``Link.__setstate__``). Only
# for unpickling: no code uses these names any more.
_RENAMED: dict[tuple[str, str], type] = {
    ("workbench.facts", "PageFacts"): Page,
    ("workbench.facts", "PageAnalysis"): Page,
    ("workbench.facts", "LinkFacts"): Link,
    ("workbench.extract.dates", "DatedItem"): DatedItem,
}


class _StoreUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        renamed = _RENAMED.get((module, name))
        return renamed if renamed is not None else super().find_class(module, name)


def unpickle(payload: bytes) -> Any:
    """A payload this package wrote to its own store (also by an older version of it: see
    ``_RENAMED``); None when it no longer loads (the package changed in between): the
    target is then fetched again."""
    try:
        return _StoreUnpickler(io.BytesIO(zlib.decompress(payload))).load()  # noqa: S301
    except Exception:  # noqa: BLE001 - any failure means "not restorable"
        return None


def stored_page_facts(engine: Any, run_id: int, site_url: str, url: str) -> dict[str, Any] | None:
    """What ``run_id``'s crawl read from page ``url`` of the site ``site_url``: the facts
    ``workbench inspect`` shows (contract §6), from the site's stored result, without
    fetching anything; None when the run kept no such page. Raw web text: escape it."""
    from workbench.inspect import attachment_facts, page_facts

    if not url or not site_url:
        return None
    payload = store.site_result_payload(engine, run_id, site_url)
    value = unpickle(payload) if payload is not None else None
    site = value.get("site") if isinstance(value, dict) else None
    for index, page in enumerate(getattr(site, "pages", None) or []):
        if url in (page.url, page.final_url):
            return page_facts(page, homepage=index == 0)
    for att in getattr(site, "attachments", None) or []:  # a finding on a file (issue 21)
        if url in (att.url, att.final_url):
            return attachment_facts(att, att.url, status=att.status, linked_from=att.source)
    return None


def restored_sites(check: Check) -> dict[str, dict[str, Any]]:
    """Site URL → the result of every website this run already recorded (resumed runs)."""
    restored: dict[str, dict[str, Any]] = {}
    if not check.resumed:
        return restored
    for url, payload in store.site_result_payloads(check.engine, check.run_id).items():
        value = unpickle(payload)
        if isinstance(value, dict) and isinstance(value.get("site"), SiteFacts):
            restored[url] = value
    return restored


def restored_accounts(check: Check) -> dict[tuple[str, str], AccountFacts]:
    """(account, platform) → the result of every account this run already recorded."""
    restored: dict[tuple[str, str], AccountFacts] = {}
    if not check.resumed:
        return restored
    for key, payload in store.account_result_payloads(check.engine, check.run_id).items():
        value = unpickle(payload)
        if isinstance(value, AccountFacts):
            restored[key] = value
    return restored


def restored_facts(check: Check) -> Facts | None:
    """The facts of the whole check from what this run recorded, nothing fetched: every
    website's and account's result, the external links' outcomes and the probes. None
    unless every website and account of the inventory has a result that still loads (a
    killed crawl, a changed inventory row): ``collect`` then fetches what is missing."""
    if not check.resumed:
        return None
    sites, accounts = restored_sites(check), restored_accounts(check)
    inventory = check.inventory
    if any(w.url not in sites or sites[w.url]["site"].website != w for w in inventory.websites):
        return None
    if any(accounts.get((a.name, a.platform), None) is None for a in inventory.media):
        return None
    if any(accounts[(a.name, a.platform)].account != a for a in inventory.media):
        return None
    facts = Facts(quarter=check.quarter.label, as_of=check.as_of, inventory=inventory)
    outcomes = _link_outcomes(check)
    for website in inventory.websites:
        result = sites[website.url]
        site: SiteFacts = result["site"]
        for link in site.links:
            if link.internal or link.status is not None or link.error:
                continue
            status, error = outcomes.get((link.source, link.target), (None, None))
            if status is not None or (error or None) != (link.note or None):
                link.status, link.error = status, error
        facts.sites.append(site)
        facts.columns.extend(result["columns"])
        facts.documents.extend(result["documents"])
        facts.interpretations.extend(result["interpretations"])
    facts.accounts = [accounts[(a.name, a.platform)] for a in inventory.media]
    import_probes(check)
    facts.probes = load_probes(check)
    return facts


def _link_outcomes(check: Check) -> dict[tuple[str, str], tuple[int | None, str | None]]:
    """(source, target) → (status, error) of every link row the run recorded."""
    with check.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                store.links.c.source_url,
                store.links.c.target_url,
                store.links.c.status,
                store.links.c.error,
            ).where(store.links.c.run_id == check.run_id)
        ).all()
    return {(r.source_url, r.target_url): (r.status, r.error) for r in rows}


def record_account(check: Check, item: AccountFacts) -> None:
    """The account's fetch and posts, and its whole result for resuming, in one transaction
    (rows an earlier attempt of this run left for the account are replaced)."""
    feed, acc = item.feed, item.account
    payload = zlib.compress(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL), 1)
    with check.engine.begin() as conn:
        for table in (store.feed_fetches, store.posts):
            conn.execute(
                sa.delete(table).where(
                    table.c.run_id == check.run_id,
                    table.c.account == acc.name,
                    table.c.platform == acc.platform,
                )
            )
        store.insert_many(
            conn,
            store.feed_fetches,
            [
                {
                    "run_id": check.run_id,
                    "account": acc.name,
                    "platform": acc.platform,
                    "source": feed.source,
                    "kind": feed.kind,
                    "ok": feed.ok,
                    "status": feed.status,
                    "reason": feed.reason,
                    "post_count": len(feed.posts),
                    "newest": feed.newest,
                    "fetched_at": feed.fetched_at,
                }
            ],
        )
        store.insert_many(
            conn,
            store.posts,
            [
                {
                    "run_id": check.run_id,
                    "account": acc.name,
                    "platform": acc.platform,
                    "title": p.title,
                    "url": p.url,
                    "published": p.published,
                }
                for p in feed.posts
            ],
        )
        store.save_account_result(conn, check.run_id, acc.name, acc.platform, payload)


def import_probes(check: Check) -> int:
    """Copy the inventory's probes.csv into the store (once: duplicates are skipped)."""
    rows = [
        {"url": p.url, "time": p.time, "ok": p.ok, "elapsed_ms": p.elapsed_ms, "source": "import"}
        for p in check.inventory.probes
    ]
    added = 0
    with check.engine.begin() as conn:
        known = {
            (r.url, r.time)
            for r in conn.execute(
                sa.select(store.probes.c.url, store.probes.c.time).where(
                    store.probes.c.source == "import"
                )
            )
        }
        fresh = [r for r in rows if (r["url"], r["time"]) not in known]
        store.insert_many(conn, store.probes, fresh)
        added = len(fresh)
    return added


def load_probes(check: Check) -> list[ProbeFact]:
    """Probes that may fall in a site's monitoring week: from 7 days before the quarter's
    first day to the end of the check day (``workbench.monitoring`` picks each site's week)."""
    days = check.rules.website.unreachable.monitor_days
    start = check.quarter.start - timedelta(days=days)
    rows = probes_between(check.engine, start, check.as_of + timedelta(days=1))
    return [ProbeFact(r.url, r.time, bool(r.ok), r.elapsed_ms) for r in rows]
