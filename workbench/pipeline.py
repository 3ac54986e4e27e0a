"""The quarterly check as stages the notebook calls one by one.

    prepare → collect (fetch + extract, recorded in the store) → judge (indicators)
            → score → write_outputs (findings.csv, scores.csv, circular.md, circular.docx)

Nothing downstream fetches; ``collect`` is the only stage that touches the network.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from workbench import store
from workbench.executors import get_executor, parse_executor_spec
from workbench.extract.accounts import AccountLink, find_account_links, media_page_urls
from workbench.extract.columns import discover_columns
from workbench.extract.page_facts import configure_wording
from workbench.extract.policy_pages import policy_facts
from workbench.facts import AccountFacts, Facts, SiteFacts
from workbench.fetch.crawl import quiet_collector
from workbench.fetch.feeds import read_feed
from workbench.fetch.guard import inventory_hosts
from workbench.fetch.http import fetch_url, make_session
from workbench.fetch.linkcheck import check_site_links
from workbench.fetch.page_pool import PagePool
from workbench.fetch.politeness import HostThrottle, host_key
from workbench.fetch.post_links import check_post_links
from workbench.fetch.search_probe import search_site
from workbench.fetch.site_crawl import (
    SiteCrawl,
    crawl_params,
    crawl_settings,
    crawl_website,
    reading_pool,
)
from workbench.indicators import REGISTRY, run_indicators
from workbench.inventory import load_inventory
from workbench.models import FINDING_COLUMNS, Finding, Inventory, MediaAccount, Website
from workbench.quarter import Quarter, parse_as_of, parse_quarter
from workbench.reviewed import KIND_ORDER, ReviewedQuarter, open_quarter
from workbench.rules import load_rules
from workbench.rules.schema import Rules
from workbench.store import Engine, runlog
from workbench.store.judging import Judgement, save_judgement
from workbench.store.observations import (
    import_probes,
    load_probes,
    record_account,
    record_link_outcomes,
    record_site,
    restored_accounts,
    restored_facts,
    restored_sites,
    site_payload,
)
from workbench.tables import (
    collection_summary,
    columns_table,
    pass_rate_table,
    unlinked_documents,
)

T = TypeVar("T")
R = TypeVar("R")

SECOND_LEVEL_PAGES = 8  # pages looked at when the homepage is a navigation shell


@dataclass
class Check:
    """One quarterly check in progress: what every stage needs."""

    quarter: Quarter
    as_of: date
    inventory: Inventory
    rules: Rules
    engine: Engine
    run_id: int
    out: Path
    facts: Facts | None = None
    findings: list[Finding] = field(default_factory=list)
    scores: pd.DataFrame | None = None
    resumed: bool = False  # True when this check continues a run that was killed …
    rejudged: bool = False  # … or judges again a run whose observations are in the store


@dataclass(frozen=True)
class RunIdentity:
    """What names a run in the ``runs`` table: a resumed run matches all of ``record``."""

    quarter: Quarter
    as_of: date
    inventory: Inventory
    rules: Rules
    out: Path
    record: dict[str, Any]  # quarter, as_of, inventory, params (``store.start_run``)


def identify_run(
    *,
    inventory: str | Path,
    quarter: str,
    as_of: str | None = None,
    out: str | Path | None = None,
    rules_files: Sequence[str | Path] = (),
) -> RunIdentity:
    """Validate the inputs and name the run they make (nothing is written)."""
    q = parse_quarter(quarter)
    day = parse_as_of(as_of, q)
    inv = load_inventory(inventory)
    overlays = list(rules_files)
    local_rules = inv.root / "rules.yaml"
    if local_rules.is_file():
        overlays.insert(0, local_rules)
    rules = load_rules(overlays)
    out_dir = Path(out) if out else Path("reports") / q.label
    record: dict[str, Any] = {
        "quarter": q.label,
        "as_of": day,
        "inventory": str(Path(inventory).resolve()),
        "params": {
            "rules_files": [str(p) for p in overlays],
            "out": str(out_dir),
            "crawl": crawl_params(rules),
        },
    }
    return RunIdentity(q, day, inv, rules, out_dir, record)


def prepare(
    *,
    inventory: str | Path,
    quarter: str,
    as_of: str | None = None,
    db: str | None = None,
    out: str | Path | None = None,
    rules_files: Sequence[str | Path] = (),
    refetch: bool = False,
) -> Check:
    """Validate everything before anything is fetched; open the store; record the run.

    A run of the same quarter, as_of, inventory and parameters that ended without finishing
    (killed: status still ``running``) is resumed: its run id is reused and ``collect`` skips
    the websites and accounts whose results it already recorded. A finished (or failed) run
    of the same quarter, as_of, inventory and crawl settings is judged again from what it
    recorded, without fetching (``gather``), with the rules given now; ``refetch=True``
    starts a new run that fetches everything afresh instead.
    """
    run = identify_run(
        inventory=inventory, quarter=quarter, as_of=as_of, out=out, rules_files=rules_files
    )
    run.out.mkdir(parents=True, exist_ok=True)
    engine = store.connect(db or store.default_url())
    resumed = store.unfinished_run(engine, **run.record)
    again = None
    if resumed is None and not refetch:
        again = runlog.collected_run(engine, **run.record)
        if again is not None:
            runlog.reopen_run(engine, again, run.record["params"])
    run_id = resumed or again or store.start_run(engine, **run.record)
    return Check(
        run.quarter,
        run.as_of,
        run.inventory,
        run.rules,
        engine,
        run_id,
        run.out,
        resumed=resumed is not None or again is not None,
        rejudged=again is not None,
    )


def gather(
    check: Check, *, progress: bool = True, workers: int | None = None, executor: str | None = None
) -> Facts:
    """The facts to judge: restored from the store when this run recorded every website and
    account already (a quarter judged again, a run killed while judging), nothing fetched;
    otherwise ``collect`` (which fetches only what the run has not recorded; ``workers``
    None: the rules' ``crawl.sites_in_parallel``)."""
    facts = restored_facts(check)
    if facts is None:
        # What the process held before (a kernel's pandas, matplotlib, IPython: over a
        # million objects) stays out of the collector's full passes while collecting too.
        with quiet_collector() as settle:
            settle()
            return collect(check, progress=progress, workers=workers, executor=executor)
    check.facts = facts
    return facts


def _parallel(
    func: Callable[[T], R], values: Sequence[T], *, workers: int, desc: str, progress: bool
) -> list[R]:
    """``func`` over ``values`` on a thread pool, in order, with a tqdm bar when asked."""
    if not values:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(values)))) as pool:
        results: Iterable[R] = pool.map(func, values)
        if progress:
            from tqdm.auto import tqdm

            results = tqdm(results, total=len(values), desc=desc, unit="个")
        return list(results)


def unit_column_hosts(inventory: Inventory, website: Website) -> tuple[str, ...]:
    """Hosts of the ``columns.csv`` rows of ``website``'s unit that are not its own host:
    the unit's platforms elsewhere (e.g. its 信息公开 platform), crawled as part of the site."""
    own = host_key(website.url)
    hosts = {host_key(c.url) for c in inventory.columns if c.unit and c.unit == website.unit}
    return tuple(sorted(h for h in hosts if h and h != own))


def crawl_one_site(
    website: Website,
    rules: Rules,
    as_of: date,
    throttle: HostThrottle | None = None,
    also_hosts: tuple[str, ...] = (),
    pool: PagePool | None = None,
) -> tuple[SiteFacts, SiteCrawl]:
    """Crawl one website (its homepage is the crawl's first page); read its account links.

    ``also_hosts`` are other hosts of the same unit to crawl as part of the site; ``pool``
    reads the pages in worker processes (local runs; a Dask worker reads them itself). A
    module-level function of plain data, so that a Dask worker can run it
    (``collect(executor="dask://…")``); the caller records the result in the store.
    """
    configure_wording(rules)  # the page analyzers match the office's own dictionary
    retries = rules.fetch.retries
    crawl = crawl_website(
        website,
        crawl_settings(rules, website.url, also_hosts),
        as_of,
        retries=retries,
        second_level_pages=SECOND_LEVEL_PAGES,
        throttle=throttle,
        pool=pool,
    )
    facts = crawl.facts
    facts.search = search_site(facts, crawl.homepage_html, rules, throttle, also_hosts)
    if facts.homepage.ok and crawl.homepage_html:
        timeout = float(rules.fetch.timeout_seconds)
        session = make_session(rules.fetch.user_agent)
        try:
            base = facts.homepage.final_url or website.url
            facts.account_links = _account_links(
                crawl.homepage_html, base, session, timeout, retries
            )
        finally:
            session.close()
    crawl.homepage_html = ""  # the body is not kept
    return facts, crawl


def _account_links(
    home_html: str, base: str, session: Any, timeout: float, retries: int
) -> list[AccountLink]:
    """Account links on the homepage and on the 两微一端 pages it links to (not recorded)."""
    links = find_account_links(home_html, base)
    for url in media_page_urls(home_html, base):
        page = fetch_url(url, timeout=timeout, session=session, retries=retries)
        if page.ok:
            links += find_account_links(page.text, page.final_url or url)
    return links


def _read_account(check: Check, account: MediaAccount) -> AccountFacts:
    session = make_session(check.rules.fetch.user_agent)
    try:
        feed = read_feed(
            account.feed,
            base_dir=check.inventory.root,
            timeout=float(check.rules.fetch.timeout_seconds),
            json_mapping=check.rules.media.json_mapping.model_dump(),
            session=session,
            retries=check.rules.fetch.retries,
        )
        links = []
        if check.rules.media.link_broken.enabled:
            links = check_post_links(
                feed,
                limit=check.rules.media.link_broken.max_posts,
                timeout=float(check.rules.media.link_broken.timeout_seconds),
                retries=check.rules.media.link_broken.retries,
                max_bytes=check.rules.media.link_broken.max_bytes,
                allow_private=check.rules.media.link_broken.allow_private,
                allow_hosts=inventory_hosts(w.url for w in check.inventory.websites),
                user_agent=check.rules.fetch.user_agent,
            )
        return AccountFacts(account=account, feed=feed, link_checks=links)
    finally:
        session.close()


def _crawled_sites(
    check: Check,
    websites: Sequence[Website],
    *,
    executor: str | None,
    workers: int,
    progress: bool,
) -> Iterator[tuple[int, tuple[SiteFacts, SiteCrawl]]]:
    """(index in ``websites``, result) of every website, as each crawl finishes (so that each
    is recorded at once): on local threads sharing one per-host throttle, or one task per site
    on a Dask cluster (each worker then throttles per host on its own, so sites sharing a host
    should not be spread over a cluster)."""
    if not websites:
        return
    if parse_executor_spec(executor).kind == "local":
        throttle = HostThrottle(float(check.rules.crawl.delay))
        with (
            reading_pool(check.rules) as pool,  # pages read on every core (crawl.processes)
            ThreadPoolExecutor(max_workers=max(1, min(workers, len(websites)))) as threads,
        ):
            futures = {
                threads.submit(
                    crawl_one_site,
                    w,
                    check.rules,
                    check.as_of,
                    throttle,
                    unit_column_hosts(check.inventory, w),
                    pool,
                ): i
                for i, w in enumerate(websites)
            }
            yield from _as_done(futures, progress, "网站（全站抓取）")
        return
    with get_executor(executor, workers) as pool:
        remote = {
            pool.submit(
                crawl_one_site,
                w,
                check.rules,
                check.as_of,
                None,
                unit_column_hosts(check.inventory, w),
            ): i
            for i, w in enumerate(websites)
        }
        yield from _as_done(remote, progress, "网站（集群抓取）")


def _as_done(
    futures: Mapping[Future[tuple[SiteFacts, SiteCrawl]], int], progress: bool, desc: str
) -> Iterator[tuple[int, tuple[SiteFacts, SiteCrawl]]]:
    done: Iterable[Future[tuple[SiteFacts, SiteCrawl]]] = as_completed(futures)
    if progress:
        from tqdm.auto import tqdm

        done = tqdm(done, total=len(futures), desc=desc, unit="个")
    for future in done:
        yield futures[future], future.result()


def _check_external_links(check: Check, facts: Facts) -> None:
    """Every external link of the run opened once (shared by all sites), recorded in place."""
    outcomes = check_site_links(
        facts.sites,
        check.rules,
        allow_hosts=inventory_hosts(w.url for w in check.inventory.websites),
    )
    record_link_outcomes(check, outcomes)


def collect(
    check: Check, *, progress: bool = True, workers: int | None = None, executor: str | None = None
) -> Facts:
    """Crawl every website (sites in parallel, polite per host) and read every account's
    source; find each site's columns; record all of it in the store.

    Each website and each account is recorded, with its whole result, as soon as it is done;
    a resumed check (``prepare`` found a killed run) restores those instead of fetching them
    again. ``executor``: None or ``local`` for threads here, ``dask://HOST:PORT`` for a cluster.
    """
    facts = Facts(quarter=check.quarter.label, as_of=check.as_of, inventory=check.inventory)
    if workers is None:  # sites (and accounts) read at once: the rules' crawl.sites_in_parallel
        workers = check.rules.crawl.sites_in_parallel
    configure_wording(check.rules)  # the page analyzers match the office's own dictionary
    websites = check.inventory.websites
    restored = restored_sites(check)
    results: list[dict[str, Any] | None] = [
        restored[w.url] if w.url in restored and restored[w.url]["site"].website == w else None
        for w in websites
    ]
    pending = [i for i, r in enumerate(results) if r is None]
    crawled = _crawled_sites(
        check,
        [websites[i] for i in pending],
        executor=executor,
        workers=workers,
        progress=progress,
    )
    # The sites' facts stay alive until the end: kept out of the collector's full passes
    # while the crawls run and each site is recorded (``quiet_collector``).
    with quiet_collector() as settle:
        for index, (site, crawl) in crawled:
            settle()
            columns = discover_columns(site, check.inventory.columns, check.rules, check.as_of)
            documents, interpretations = policy_facts(  # issue 6; attachments: issue 21
                site.pages, site.website.url, site.attachments, site.links
            )
            payload = site_payload(site, columns, documents, interpretations)
            record_site(check, site, crawl, columns, payload)
            results[pending[index]] = {
                "site": site,
                "columns": columns,
                "documents": documents,
                "interpretations": interpretations,
            }
    for result in results:  # inventory order, whichever finished first
        assert result is not None
        facts.sites.append(result["site"])
        facts.columns.extend(result["columns"])
        facts.documents.extend(result["documents"])
        facts.interpretations.extend(result["interpretations"])
    _check_external_links(check, facts)
    facts.accounts = _collect_accounts(check, workers=workers, progress=progress)
    import_probes(check)
    facts.probes = load_probes(check)
    check.facts = facts
    return facts


def _collect_accounts(check: Check, *, workers: int, progress: bool) -> list[AccountFacts]:
    """Every account's source read (or restored from a killed run), in inventory order."""
    media = check.inventory.media
    restored = restored_accounts(check)
    accounts: list[AccountFacts | None] = []
    for acc in media:
        kept = restored.get((acc.name, acc.platform))
        accounts.append(kept if kept is not None and kept.account == acc else None)
    pending = [i for i, r in enumerate(accounts) if r is None]
    if pending:
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(pending)))) as threads:
            futures = {threads.submit(_read_account, check, media[i]): i for i in pending}
            done: Iterable[Future[AccountFacts]] = as_completed(futures)
            if progress:
                from tqdm.auto import tqdm

                done = tqdm(done, total=len(futures), desc="新媒体账号", unit="个")
            for future in done:  # recorded at once: a kill loses only the accounts in flight
                item = future.result()
                record_account(check, item)
                accounts[futures[future]] = item
    return [a for a in accounts if a is not None]


def judge(check: Check) -> list[Finding]:
    """Run every registered indicator; store the findings (review decisions are kept) and
    what the judging decided beyond them (``store.judging``), so that scores and the
    circular are rebuilt from the store alone (``workbench.open_quarter``)."""
    if check.facts is None:
        raise RuntimeError("collect() must run before judge()")
    found = run_indicators(check.facts, check.rules)
    # Tests only (tests/test_resume.py): a window in which to kill the run during judging.
    pause = os.environ.get("WORKBENCH_TEST_PAUSE_BEFORE_JUDGE")
    if pause:
        time.sleep(float(pause))
    found.sort(key=lambda f: (KIND_ORDER.get(f.target_kind, 9), f.unit, f.target, f.indicator))
    rows = [store.finding_values(f) for f in found]
    store.save_findings(check.engine, check.quarter.label, check.run_id, rows)
    save_judgement(check.engine, check.run_id, judgement_of(check), check.facts.documents)
    check.findings = found
    return found


def judgement_of(check: Check) -> Judgement:
    """What the judge stage read from the inventory and the rules, to store with the run."""
    websites = list(check.inventory.websites)
    return Judgement(
        websites=websites,
        media=list(check.inventory.media),
        without_service=frozenset(w.url for w in websites if not w.serves_public),
        scoring=check.rules.scoring.model_dump(),
        # The circular claims "no problem found" only for the checks that actually ran.
        circular={
            **check.rules.circular.model_dump(),
            "checked_indicators": sorted(REGISTRY),
        },
    )


def findings_frame(found: Iterable[Finding], *, detail: bool = False) -> pd.DataFrame:
    """findings.csv's rows, its columns only (contract §3). ``detail=True`` adds each
    finding's ``detail`` mapping as a last column: the circular names columns from it.
    findings.csv never carries it."""
    found = list(found)
    frame = pd.DataFrame([f.as_row() for f in found], columns=list(FINDING_COLUMNS))
    if detail:
        frame["detail"] = pd.Series([dict(f.detail) for f in found], dtype=object)
    return frame


def reviewed_quarter(check: Check) -> ReviewedQuarter:
    """The check's quarter as reviewed, from the store: what the dashboard shows too."""
    return open_quarter(check.quarter.label, db=check.engine)


def score(check: Check) -> pd.DataFrame:
    """Verdicts from the findings as reviewed (``workbench.reviewed``: dismissed ones left out,
    leads only once confirmed) and what ``judge`` stored, as the dashboard shows them."""
    check.scores = reviewed_quarter(check).scores
    return check.scores


def write_outputs(check: Check) -> dict[str, Path]:
    """findings.csv, scores.csv (UTF-8 with BOM for Excel), circular.md and circular.docx.

    The circular is the one ``workbench.open_quarter`` builds from the store — the same the
    dashboard's 生成通报草稿 makes from the same decisions and edited sections."""
    from workbench.circular import render_docx, render_markdown

    quarter = reviewed_quarter(check)
    check.scores = quarter.scores
    paths = {
        "findings": check.out / "findings.csv",
        "scores": check.out / "scores.csv",
        "circular_md": check.out / "circular.md",
        "circular_docx": check.out / "circular.docx",
    }
    findings_frame(check.findings).to_csv(paths["findings"], index=False, encoding="utf-8-sig")
    check.scores.to_csv(paths["scores"], index=False, encoding="utf-8-sig")
    circular = quarter.circular()
    paths["circular_md"].write_text(render_markdown(circular), encoding="utf-8")
    render_docx(circular, paths["circular_docx"])
    store.finish_run(check.engine, check.run_id)
    return paths


def run_quarter(progress: bool = False, executor: str | None = None, **kwargs: Any) -> Check:
    """Every stage in one call (what the notebook does cell by cell)."""
    check = prepare(**kwargs)
    try:
        gather(check, progress=progress, executor=executor)
        judge(check)
        score(check)
        write_outputs(check)
    except BaseException:
        store.finish_run(check.engine, check.run_id, "failed")
        raise
    return check


__all__ = [
    "Check",
    "RunIdentity",
    "collect",
    "collection_summary",
    "columns_table",
    "crawl_one_site",
    "findings_frame",
    "gather",
    "identify_run",
    "import_probes",
    "judge",
    "load_probes",
    "pass_rate_table",
    "prepare",
    "reviewed_quarter",
    "run_quarter",
    "score",
    "unlinked_documents",
    "write_outputs",
]
