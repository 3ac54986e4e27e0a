"""One site crawled with full extraction and nothing kept: the memory benchmark's full mode.

    .venv/bin/python benchmarks/full_extraction_stream.py URL OUT_DIR [--concurrency 16]

Every page is read as the quarterly check reads it (dated rows, the CMS reader, every page
analyzer: identity, wording, 办事指南, channels, messages, timestamps, column signals,
policy pages) by the run's page-reading processes (``crawl.processes: auto``), and streamed:
each page's analysis and links are counted, then dropped (``keep_pages=False``,
``on_links``). Writes ``pages.txt`` (pages read, links seen) for the harness.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))

if TYPE_CHECKING:
    from workbench.pages import Link, Page


def main() -> int:
    # Imported here, not at the top: each page-reading process imports this script (the
    # parent's __main__) before its first page, as it imports the ``workbench`` command's
    # script in a real run; the crawl's modules would be loaded again in every one of them.
    from full_extraction_crawl import bench_rules

    from workbench.fetch.crawl import crawl_site
    from workbench.fetch.site_crawl import _hook, crawl_settings, reading_pool

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("out", type=Path)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-pages", type=int, default=1_000_000)
    args = parser.parse_args()
    rules = bench_rules(args.concurrency, args.max_pages)
    settings = crawl_settings(rules, args.url)
    settings.read_rows, settings.row_ref = True, date(2022, 9, 30)
    counts = {"analysed": 0, "links": 0}

    def on_page(page: Page) -> None:
        counts["analysed"] += page.signals.identity is not None  # the analyzers ran

    def on_links(page: Page, links: list[Link]) -> None:
        counts["links"] += len(links)

    with reading_pool(rules) as pool:
        result = crawl_site(args.url, settings, page_hook=_hook, on_page=on_page,
                            on_links=on_links, keep_pages=False, page_pool=pool)  # fmt: skip
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "pages.txt").write_text(
        f"{result.pages_crawled} {counts['links']} {counts['analysed']}\n", encoding="utf-8"
    )
    print(f"{result.pages_crawled} pages ({counts['analysed']} analysed), {counts['links']} links")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
