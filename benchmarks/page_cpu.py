"""CPU of reading one page, stage by stage: ``digest_page`` with the quarterly check's hook.

    .venv/bin/python benchmarks/page_cpu.py [--site-pages 600] [--rounds 3] [--dump FILE]

The sample: the generated site of ``sitegen.py`` (``--site-pages`` pages), every HTML page of
the demo city, and the real pages of ``/work/shared/corpus/govpages`` (``--corpus``; read in
place, never copied). Each page runs through ``page_read.digest_page`` in this process, as a
page-reading worker runs it, with ``time.thread_time`` around every stage (parse, the CMS
reading, the article date, the links, each page analyzer). ``--dump`` writes every page's
whole digest (its ``repr``, one page a line) so that two versions of the code can be shown
to read every page the same (``cmp`` the two files).
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sitegen import generate_site  # noqa: E402

import workbench.fetch.page_read as page_read  # noqa: E402
from workbench.extract import analyzers  # noqa: E402
from workbench.fetch.site_crawl import _hook  # noqa: E402

CORPUS = Path("/work/shared/corpus/govpages")
AS_OF = date(2022, 9, 30)


def sample(site_pages: int, corpus: Path, demo_every: int = 1) -> list[tuple[str, str, int]]:
    """(url, html, depth) of every page of the sample, in a fixed order."""
    from workbench.demo import build_city_model
    from workbench.demo.sites import render, route_table

    pages: list[tuple[str, str, int]] = []
    with tempfile.TemporaryDirectory(prefix="wb-pagecpu-") as tmp:
        generate_site(Path(tmp), site_pages)
        for path in sorted(Path(tmp).rglob("*.html")):
            rel = "/" + str(path.relative_to(tmp)).replace("index.html", "")
            pages.append(
                (f"http://127.0.0.2{rel}", path.read_text("utf-8"), int(rel != "/"))
            )  # the homepage is depth 0
    city = build_city_model(as_of=AS_OF)
    for n, site in enumerate(city.sites):
        for i, (route_path, route) in enumerate(route_table(site).items()):
            if route[0] not in ("home", "list", "item") or route_path == "/index.html":
                continue
            if route[0] == "item" and i % demo_every:
                continue
            _, body = render(site, route)
            depth = 0 if route[0] == "home" else 1
            pages.append((f"http://127.0.1.{n + 1}{route_path}", body.decode("utf-8"), depth))
    for path in sorted((corpus / "html").glob("*.html")) + sorted(
        (corpus / "fragments").glob("*.html")
    ):
        url = f"http://corpus.example.gov.cn/{path.parent.name}/{path.name}"
        pages.append((url, path.read_text("utf-8", errors="replace"), 1))
    return pages


def timed_stages(spent: dict[str, float]) -> None:
    """Wrap each stage of ``digest_page`` and each page analyzer with a CPU timer."""

    def wrap(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def inner(*a: Any, **k: Any) -> Any:
            t0 = time.thread_time()
            try:
                return func(*a, **k)
            finally:
                spent[name] += time.thread_time() - t0

        return inner

    for name in ("parse_page", "read_page", "article_date", "page_links", "document_base"):
        setattr(page_read, name, wrap(name, getattr(page_read, name)))
    analyzers.analyze(page_read.parse_page("<p>x</p>"), "http://x/")  # register the builtins
    for name, func in list(analyzers.PAGE_ANALYZERS.items()):
        analyzers.PAGE_ANALYZERS[name] = wrap(name, func)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-pages", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--demo-every", type=int, default=3, help="every Nth demo article")
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--profile", type=Path, help="write a cProfile of one round here")
    parser.add_argument("--no-stages", action="store_true", help="time the whole digest only")
    args = parser.parse_args()
    pages = sample(args.site_pages, args.corpus, args.demo_every)
    options = page_read.ReadOptions(rows=True, ref=AS_OF, hook=_hook)
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as out:
            for url, html, depth in pages:
                digest = page_read.digest_page(html, url, depth, True, options)
                out.write(f"{url}\t{digest!r}\n")
    if args.profile:
        import cProfile

        with cProfile.Profile() as prof:
            for url, html, depth in pages:
                page_read.digest_page(html, url, depth, True, options)
        prof.dump_stats(args.profile)
    spent: dict[str, float] = defaultdict(float)
    if not args.no_stages:
        timed_stages(spent)
    totals = []
    for _ in range(args.rounds):
        t0 = time.thread_time()
        for url, html, depth in pages:
            page_read.digest_page(html, url, depth, True, options)
        totals.append(time.thread_time() - t0)
    if not totals:
        return 0
    n = len(pages) * args.rounds
    print(f"pages: {len(pages)}, rounds: {args.rounds}")
    print(f"digest_page: {1000 * statistics.median(totals) / len(pages):.3f} CPU ms/page")
    for name, secs in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<16} {1000 * secs / n:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
