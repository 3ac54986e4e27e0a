"""Streaming crawls (flat memory): ``on_links``/``keep_pages=False`` and ``workbench crawl``
give exactly what the accumulating crawl gives, on a real loopback site."""

from __future__ import annotations

import csv
from pathlib import Path

from test_crawl import _served_site

from workbench.cli import main
from workbench.fetch.crawl import NOTE_EXTERNAL, CrawlSettings, crawl_site, url_key
from workbench.fetch.crawl_cli import write_links_csv
from workbench.pages import Link, Page

SETTINGS = CrawlSettings(delay=0, concurrency=3, timeout=5, max_depth=20, max_query_variants=7)


def _row(k: Link) -> tuple[object, ...]:
    return (k.source, k.target, k.anchor, k.internal, k.status, k.error, k.note)


def test_streamed_links_and_pages_match_the_accumulated_crawl() -> None:
    streamed: list[Link] = []
    pages: list[Page] = []

    def on_links(page: Page, links: list[Link]) -> None:
        assert all(k.source == page.url and k.status is None and not k.note for k in links)
        streamed.extend(links)

    with _served_site([]) as (base, _):
        full = crawl_site(base + "/", SETTINGS)
        flat = crawl_site(
            base + "/", SETTINGS, on_page=pages.append, on_links=on_links, keep_pages=False
        )
    assert flat.pages == [] and flat.links == []
    assert flat.pages_crawled == full.pages_crawled == len(full.pages) == len(pages) >= 30
    assert [p.url for p in pages] == [p.url for p in full.pages]
    for link in streamed:
        link.status, link.error, link.note = flat.link_outcome(link.target, link.internal)
    assert [_row(k) for k in streamed] == [_row(k) for k in full.links]
    # every outcome kind is exercised: fetched, external, skipped for a reason, 404
    notes = {k.note for k in streamed}
    assert NOTE_EXTERNAL in notes and len(notes) >= 5
    assert {k.status for k in streamed} >= {200, 404}
    # one row per (source, target), per-URL state keyed by 16-byte digests
    assert len({(k.source, k.target) for k in streamed}) == len(streamed)
    assert all(len(key) == 16 for key in flat.outcomes) and url_key(base) in flat.outcomes


def test_workbench_crawl_writes_the_same_links_csv_as_the_accumulated_crawl(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    with _served_site([]) as (base, _):
        code = main(["crawl", base + "/", "--delay", "0", "--out", str(out), "--max-pages", "25"])
        full = crawl_site(base + "/", CrawlSettings(delay=0, max_pages=25))
    assert code == 0
    write_links_csv(full.links, tmp_path / "expected.csv")
    got = (out / "links.csv").read_bytes()
    assert got == (tmp_path / "expected.csv").read_bytes()
    assert sorted(p.name for p in out.iterdir()) == ["links.csv", "pages.csv"]  # no temp file
    with (out / "pages.csv").open(encoding="utf-8-sig") as fh:
        urls = [row["url"] for row in csv.DictReader(fh)]
    assert urls[:-1] == [p.url for p in full.pages] and len(urls) == 26
    assert urls[-1] == "" and full.stopped_by  # the limit's row: --max-pages stopped the crawl
