"""One site crawled the way the quarterly check crawls it: every page analysed.

    .venv/bin/python benchmarks/full_extraction_crawl.py URL OUT_DIR [--concurrency 16] [--max-pages N]

Dates, dated list items, links, the page analyzers (identity, wording, 办事指南, channels,
messages, timestamps, column signals) and then column discovery, as ``pipeline.collect``
does for one website; writes ``pages.txt`` (one crawled URL a line) for the harness.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from workbench.extract.columns import discover_columns
from workbench.extract.page_facts import configure_wording
from workbench.fetch.site_crawl import crawl_settings, crawl_website
from workbench.models import Website
from workbench.rules import Rules, load_rules, merge


def bench_rules(concurrency: int, max_pages: int) -> Rules:
    """The default rules with no delay and no depth limit short of the site, wording set."""
    rules = merge(
        load_rules(),
        {
            "crawl": {
                "delay": 0,
                "concurrency": concurrency,
                "max_pages": max_pages,
                "max_depth": 1000,
            },
            "links": {"check_external": False},
        },
    )
    configure_wording(rules)
    return rules


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("out", type=Path)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-pages", type=int, default=6000)
    args = parser.parse_args()
    rules = bench_rules(args.concurrency, args.max_pages)
    site = Website("市基准局", "基准网站", args.url, "部门网站")
    crawl = crawl_website(site, crawl_settings(rules, args.url), date(2022, 9, 30), retries=0)
    columns = discover_columns(crawl.facts, [], rules, date(2022, 9, 30))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "pages.txt").write_text(
        "\n".join(p.url for p in crawl.facts.pages), encoding="utf-8"
    )
    print(f"{len(crawl.facts.pages)} pages, {len(crawl.facts.links)} links, {len(columns)} columns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
