"""Where the crawler's CPU goes, stage by stage, in CPU milliseconds per page.

    .venv/bin/python benchmarks/crawl_profile.py [--pages 3000]

pyinstrument only samples the thread that started it, and the crawl's work is spread over 16
worker threads, so this script times each stage of ``_Crawler.visit`` and of the main
thread's link bookkeeping on one thread with ``time.thread_time`` (CPU time, so the load of
other processes on the machine hardly matters): the HTTP GET through ``fetch_url`` (requests
+ charset decoding, nginx on 127.0.0.2), ``parse_page`` (lxml), the title, ``article_date``,
``page_links``, then per page the main thread's ``on_site`` + ``admit`` over its links.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import machine_note, markdown_table, nginx_serving  # noqa: E402
from sitegen import generate_site  # noqa: E402

from workbench.extract.dates import article_date, parse_page  # noqa: E402
from workbench.fetch.crawl import CrawlSettings, _Crawler, page_links  # noqa: E402
from workbench.fetch.http import fetch_url, make_session  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000)
    args = parser.parse_args()
    spent: dict[str, float] = defaultdict(float)

    def timed(stage: str, func: Callable[..., Any], *a: Any) -> Any:
        t0 = time.thread_time()
        out = func(*a)
        spent[stage] += time.thread_time() - t0
        return out

    with tempfile.TemporaryDirectory(prefix="wb-prof-") as tmp:
        site = Path(tmp) / "site"
        generate_site(site, args.pages)
        urls = sorted(
            "/" + str(p.relative_to(site)).replace("index.html", "") for p in site.rglob("*.html")
        )
        with nginx_serving(site, ["127.0.0.2"]) as port:
            base = f"http://127.0.0.2:{port}"
            crawler = _Crawler(base + "/", CrawlSettings(delay=0))
            session = make_session(None)
            links_seen = 0
            wall = time.perf_counter()
            for path in urls:
                result = timed(
                    "fetch_url (requests + decode)",
                    lambda u=base + path: fetch_url(u, session=session),
                )
                root = timed("parse_page (lxml)", parse_page, result.text)
                node = timed("title", root.find, ".//title")
                timed("title", lambda n=node: " ".join(n.text_content().split()))
                timed("article_date", article_date, root, result.final_url)
                links = timed("page_links", page_links, root, result.final_url)
                links_seen += len(links)
                t0 = time.thread_time()
                for target, _anchor in links:
                    if crawler.on_site(target):
                        crawler.admit(target, 1)
                spent["main thread: on_site + admit"] += time.thread_time() - t0
            wall = time.perf_counter() - wall
            session.close()
    n = len(urls)
    total = sum(spent.values())
    rows = [
        [stage, f"{seconds / n * 1000:.3f}", f"{seconds / total:.0%}"]
        for stage, seconds in sorted(spent.items(), key=lambda kv: -kv[1])
    ]
    rows.append(["total", f"{total / n * 1000:.3f}", "100%"])
    print(
        f"{n} pages, {links_seen / n:.0f} links per page, one thread, {wall:.1f} s wall; {machine_note()}"
    )
    print(markdown_table(["stage", "CPU ms/page", "share"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
