"""``workbench crawl``: one site crawled into ``pages.csv`` and ``links.csv``.

``pages.csv`` has the contract's columns (:data:`~workbench.fetch.crawl.PAGE_COLUMNS`), then
``note``: why a page that answered could not be read, if so. When a limit (``--max-pages``,
``--max-depth``) stopped the crawl, a last row with an empty ``url`` says so in ``note``
(which limit, how many on-site URLs were left); the console says it too. ``links.csv`` has
:data:`~workbench.fetch.crawl.LINK_COLUMNS`. Both are UTF-8 with a BOM (Excel).

Locally the pages are streamed to disk (flat memory); pages are read in worker processes
(``--processes``, one per core by default) fed by the fetching threads.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from workbench.fetch.crawl import (
    LINK_COLUMNS,
    NOTE_ROBOTS,
    PAGE_COLUMNS,
    CrawlError,
    CrawlResult,
    CrawlSettings,
    check_start_url,
    crawl_site,
    validate_settings,
)
from workbench.fetch.page_pool import PagePool, resolve_processes
from workbench.pages import Link, Page

__all__ = ["PAGES_CSV_COLUMNS", "crawl_command", "write_links_csv", "write_pages_csv"]

PAGES_CSV_COLUMNS = [*PAGE_COLUMNS, "note"]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _page_row(page: Page) -> list[str]:
    return [_cell(getattr(page, c)) for c in PAGE_COLUMNS] + [_cell(page.unreadable)]


def _summary_row(result: CrawlResult) -> list[str] | None:
    """The last row of ``pages.csv`` when a limit stopped the crawl."""
    if not result.stopped_by:
        return None
    return [""] * len(PAGE_COLUMNS) + [f"抓取未完成：{result.stopped_by}"]


def _write_csv(path: Path, columns: list[str], rows: Iterable[list[Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(v) for v in row])


def write_pages_csv(result: CrawlResult, path: Path) -> None:
    """``pages.csv`` (UTF-8 with BOM) of a crawl that kept its pages (see module doc)."""
    summary = _summary_row(result)
    rows = [_page_row(p) for p in result.pages] + ([summary] if summary else [])
    _write_csv(path, PAGES_CSV_COLUMNS, rows)


def write_links_csv(links: Iterable[Link], path: Path) -> None:
    """``links.csv`` (UTF-8 with BOM) with :data:`LINK_COLUMNS`."""
    _write_csv(path, LINK_COLUMNS, ([getattr(k, c) for c in LINK_COLUMNS] for k in links))


def _stream_crawl(
    start: str, settings: CrawlSettings, out: Path, pool: PagePool | None
) -> tuple[CrawlResult, int, Page | None]:
    """Crawl ``start`` locally, writing ``pages.csv`` row by row and ``links.csv`` through a
    temporary file whose rows get their status in one pass after the crawl (flat memory).
    Returns (result, links, first page)."""
    pages_path, links_path, part = out / "pages.csv", out / "links.csv", out / "links.csv.part"
    first: list[Page] = []
    count = 0
    try:
        with (
            pages_path.open("w", encoding="utf-8-sig", newline="") as pages_fh,
            part.open("w", encoding="utf-8", newline="") as part_fh,
        ):
            pages_csv, part_csv = csv.writer(pages_fh), csv.writer(part_fh)
            pages_csv.writerow(PAGES_CSV_COLUMNS)

            def on_page(page: Page) -> None:
                if not first:
                    first.append(page)
                pages_csv.writerow(_page_row(page))

            def on_links(page: Page, links: list[Link]) -> None:
                nonlocal count
                count += len(links)
                part_csv.writerows(
                    (k.source, k.target, k.anchor, "1" if k.internal else "") for k in links
                )

            result = crawl_site(
                start,
                settings,
                progress=True,
                on_page=on_page,
                on_links=on_links,
                keep_pages=False,
                page_pool=pool,
            )
            summary = _summary_row(result)
            if summary:
                pages_csv.writerow(summary)
        with (
            part.open(encoding="utf-8", newline="") as part_fh,
            links_path.open("w", encoding="utf-8-sig", newline="") as links_fh,
        ):
            links_csv = csv.writer(links_fh)
            links_csv.writerow(LINK_COLUMNS)
            for source, target, anchor, flag in csv.reader(part_fh):
                status, error, note = result.link_outcome(target, bool(flag))
                row = [source, target, anchor, _cell(bool(flag)), _cell(status), _cell(error), note]
                links_csv.writerow(row)
    finally:
        part.unlink(missing_ok=True)
    return result, count, first[0] if first else None


def crawl_command(args: argparse.Namespace) -> int:
    """``workbench crawl``: 0 on success, 1 when the start page could not be fetched.

    A bad URL or option raises :class:`CrawlError` (exit 2, Chinese message, no traceback).
    """
    from workbench.executors import get_executor, parse_executor_spec

    settings = CrawlSettings(
        max_pages=args.max_pages,
        concurrency=args.concurrency,
        delay=args.delay,
        max_depth=getattr(args, "max_depth", None),
    )
    validate_settings(settings)
    try:
        processes = resolve_processes(getattr(args, "processes", "auto"))
    except ValueError:
        raise CrawlError("页面读取进程数（--processes）应为非负整数或 auto。") from None
    start = check_start_url(args.url)
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CrawlError(f"无法创建输出文件夹“{out}”：{exc.strerror or exc}") from None
    executor = getattr(args, "executor", None)
    pages_path, links_path = out / "pages.csv", out / "links.csv"
    try:
        if parse_executor_spec(executor).kind == "local":
            pool = PagePool(processes) if processes else None
            try:
                result, n_links, first = _stream_crawl(start, settings, out, pool)
            finally:
                if pool is not None:
                    pool.close()
        else:
            with get_executor(executor, 1) as remote:  # the whole crawl runs on one Dask worker
                result = remote.submit(crawl_site, start, settings).result()
            write_pages_csv(result, pages_path)
            write_links_csv(result.links, links_path)
            n_links = len(result.links)
            first = result.pages[0] if result.pages else None
    except OSError as exc:
        raise CrawlError(f"无法写入输出文件夹“{out}”：{exc.strerror or exc}") from None
    print(
        f"已抓取{result.pages_crawled}个页面、{n_links}条链接，"
        f"结果已写入 {pages_path} 和 {links_path}"
    )
    if result.stopped_by:
        print(f"注意：抓取未完成，{result.stopped_by}（pages.csv 最后一行同样注明）。")
    if result.unread_pages:
        print(
            f"注意：{result.unread_pages}个页面读取失败，内容和链接未读取（见 pages.csv 的 note 列）。"
        )
    if first is None or first.status is None or first.status >= 400:
        reason = (first.error if first else None) or NOTE_ROBOTS
        print(f"错误：首页无法抓取（{reason}）：{start}", file=sys.stderr)
        return 1
    return 0
