"""Benchmark 4 — indicators at scale: every registered indicator over 10^6 pages / 10^5 columns.

    .venv/bin/python benchmarks/indicators_scale.py [--sites 2000] [--pages-per-site 500]
                                                    [--columns-per-site 50] [--rounds 3]

Builds in memory the facts a crawl of ``sites`` websites would leave (each: a homepage with
dated items, ``pages-per-site`` crawled pages with one checked link each, ``columns-per-site``
columns with 10 dated items, 5 % of them stale and 1 % of the links broken), then times
``run_indicators`` with the default rules (goal: under 60 s). The peer, in the same session,
is the least work any implementation must do: pandas computing each column's newest date
and the stale ones, vectorised over the same items. Dates: check time 2022-09-30 (Shanghai).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd  # noqa: E402
from harness import machine_note, markdown_table, median  # noqa: E402

from workbench.extract.columns_model import ColumnFacts  # noqa: E402
from workbench.facts import Facts, SiteFacts  # noqa: E402
from workbench.indicators import REGISTRY, run_indicators  # noqa: E402
from workbench.models import COLUMN_CATEGORIES, Inventory, Website  # noqa: E402
from workbench.pages import DatedItem, Link, Page  # noqa: E402
from workbench.rules import load_rules  # noqa: E402

AS_OF = date(2022, 9, 30)


def build_facts(sites: int, pages_per_site: int, columns_per_site: int) -> Facts:
    """Synthetic facts of a crawl (deterministic; see module doc)."""
    websites, site_facts, columns = [], [], []
    categories = [c for c in COLUMN_CATEGORIES if c != "专栏"]
    for s in range(sites):
        base = f"http://www.site{s:05d}.gov.cn"
        website = Website(unit=f"示范单位{s}", name=f"示范网站{s}", url=base + "/", kind="部门网站")
        websites.append(website)
        home_items = [
            DatedItem(f"首页新闻{s}-{k}", f"{base}/home/{k}.html", AS_OF - timedelta(days=k * 3))
            for k in range(10)
        ]
        homepage = Page(base + "/", base + "/", 200, None, f"示范网站{s}", items=home_items)
        pages = [Page(base + "/", base + "/", 200, None, f"示范网站{s}", items=home_items)]
        links = []
        for p in range(pages_per_site - 1):
            url = f"{base}/art/2022/{p % 12 + 1}/art_{p}.html"
            published = AS_OF - timedelta(days=(p * 7 + s) % 900)
            pages.append(Page(url, url, 200, None, f"文章{p}", published=published, depth=2))
            broken = (p * 31 + s) % 100 == 0
            target = f"{base}/art/missing_{p}.html" if broken else url
            links.append(
                Link(
                    base + "/",
                    target,
                    f"文章{p}",
                    True,
                    404 if broken else 200,
                    None,
                    "",
                    on_homepage=p < 30,
                )
            )
        for c in range(columns_per_site):
            stale = (c * 13 + s) % 20 == 0
            newest = AS_OF - timedelta(days=400 if stale else c % 30)
            items = [
                DatedItem(
                    f"栏目{c}条目{k}", f"{base}/col{c}/{k}.html", newest - timedelta(days=k * 9)
                )
                for k in range(10)
            ]
            columns.append(
                ColumnFacts(
                    url=f"{base}/col{c}/",
                    site_url=website.url,
                    name=f"栏目{c}",
                    category=categories[c % len(categories)],
                    items=items,
                    newest=newest,
                    item_count=len(items),
                    list_type=True,
                    pages=[f"{base}/col{c}/index.html"],
                )
            )
        site_facts.append(
            SiteFacts(website, homepage, pages=pages, links=links, crawl_complete=True)
        )
    inventory = Inventory(root=Path("."), websites=websites)
    facts = Facts(quarter="2022Q3", as_of=AS_OF, inventory=inventory, sites=site_facts)
    facts.columns = columns
    return facts


def pandas_peer(facts: Facts, stale_days: int = 60) -> int:
    """Newest date per column and the stale ones, vectorised (the peer's minimal work)."""
    frame = pd.DataFrame(
        [(col.url, item.date) for col in facts.columns for item in col.items],
        columns=["column", "date"],
    )
    newest = pd.to_datetime(frame["date"]).groupby(frame["column"]).max()
    return int((pd.Timestamp(AS_OF) - newest).dt.days.gt(stale_days).sum())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=2000)
    parser.add_argument("--pages-per-site", type=int, default=500)
    parser.add_argument("--columns-per-site", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    note = machine_note()
    started = time.perf_counter()
    facts = build_facts(args.sites, args.pages_per_site, args.columns_per_site)
    built = time.perf_counter() - started
    pages = sum(len(s.pages) for s in facts.sites)
    print(f"built {pages:,} pages, {len(facts.columns):,} columns in {built:.1f} s; {note}")
    rules = load_rules()
    ours, peer, counts = [], [], Counter[str]()
    gc.freeze()  # the facts are long-lived: keep the collector from rescanning them
    for rnd in range(args.rounds):
        t0 = time.perf_counter()
        findings = run_indicators(facts, rules)
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        stale = pandas_peer(facts)
        peer.append(time.perf_counter() - t0)
        counts = Counter(f.indicator for f in findings)
        print(
            f"round {rnd + 1}: run_indicators {ours[-1]:.2f} s ({len(findings):,} findings); "
            f"pandas peer {peer[-1]:.2f} s ({stale:,} stale columns)",
            flush=True,
        )
    rows = [
        [
            "run_indicators (all registered)",
            f"{median(ours):.2f}",
            f"{median(ours) / median(peer):.1f}",
        ],
        ["pandas peer (column staleness only)", f"{median(peer):.2f}", "1.0"],
    ]
    print(f"\n{pages:,} pages / {len(facts.columns):,} columns, medians of {args.rounds} rounds")
    print(markdown_table(["what", "seconds", "× peer"], rows))
    print("findings per indicator: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
    slowest = []
    for indicator_id in REGISTRY:
        t0 = time.perf_counter()
        run_indicators(facts, rules, ids=[indicator_id])
        slowest.append((time.perf_counter() - t0, indicator_id))
    slowest.sort(reverse=True)
    print("slowest indicators: " + ", ".join(f"{i} {t:.2f} s" for t, i in slowest[:6]))
    per_page_us = median(ours) / pages * 1e6
    print(f"{per_page_us:.1f} µs per stored page (all indicators)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
