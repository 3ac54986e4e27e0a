"""Benchmark 8 — attachments (issue 21): what is read from real-world-shaped files, and what
reading them costs the quarterly check.

    .venv/bin/python benchmarks/attachments.py [--rounds 2] [--skip-cost]

1. Reading: files made as offices make them (reportlab 红头 PDFs, Pillow scans in three
   fonts and two scanner qualities, python-docx / openpyxl files, .doc / .wps / .xls through
   LibreOffice) read by ``read_attachment``: is the 文号 (or the wording error, or the
   身份证号) found, and, for scans, the character accuracy of the OCR text
   (rapidfuzz ``ratio`` of the recognised and the drawn text, spaces and punctuation out).
2. Cost of the crawl alone: every demo site crawled in one child process with the pages and
   files read on its threads (``crawl.processes: 0``), so that LibreOffice and Tesseract are
   its own children and ``wait4`` counts their CPU; attachments on and off, interleaved.
3. Cost of the check: ``workbench run`` on the demo city (44 sites on 127.0.0.x, its rules' delay 0),
   attachments on (the shipped rules) and off (``attachments: {enabled: false}``), the two
   interleaved in one session; wall time, CPU seconds and peak PSS of the whole process
   tree (the page-reading processes and the LibreOffice / Tesseract they start included).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import BIN, machine_note, markdown_table, median, rotated, run_measured  # noqa: E402
from rapidfuzz import fuzz  # noqa: E402

from workbench.demo import serve_demo_city  # noqa: E402
from workbench.demo.attachment_files import make_files, spec_key  # noqa: E402
from workbench.extract.attachments import read_attachment  # noqa: E402
from workbench.extract.personal_info import id_check_digit  # noqa: E402

ID = "11010119880512003" + id_check_digit("11010119880512003")
_FONTS = (
    ("Noto Serif CJK", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("Noto Sans CJK", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("AR PL UKai（楷体）", "/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
)


def _red_head(n: int) -> dict[str, Any]:
    n %= 3
    units = ("示范市住房和城乡建设局", "示范市教育局", "示范市人民政府办公室")
    codes = ("示住建规", "示教规", "示政办规")
    return {
        "head": f"{units[n]}文件",
        "number": f"{codes[n]}〔2022〕{n + 3}号",
        "title_lines": [units[n], f"关于印发《示范市第{n + 1}项管理办法》的通知"],
        "lines": ["各区县有关部门：", f"现将《示范市第{n + 1}项管理办法》印发给你们，请认真贯彻执行。",
                  "本办法自2022年10月1日起施行，有效期5年。"],
        "body": ["第一条　根据《示范市条例》（示政发〔2019〕12号），制定本办法。"],
        "signature": [units[n], "2022年9月5日"],
    }  # fmt: skip


def _plain(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", text)


def reading_table() -> str:
    """Part 1: one row per file."""
    cases: list[tuple[str, dict[str, Any], str, str]] = []  # label, spec, what, expected
    for n in range(3):
        spec = {"kind": "pdf", **_red_head(n)}
        cases.append((f"红头PDF {n + 1}", spec, "文号", spec["number"]))
    for name, path, index in _FONTS:
        if not Path(path).is_file():
            continue
        for n, quality in enumerate(("清晰", "模糊倾斜", "传真")):
            spec = {"kind": "scan", **_red_head(n), "font": [path, index], "quality": quality}
            cases.append((f"扫描件 {name} {quality}", spec, "文号", spec["number"]))
    notice = {"title": "关于做好乡村振兴重点工作的通知",
              "lines": ["各有关单位：", "为全面推进乡村振新，现就有关工作通知如下。"]}  # fmt: skip
    sheet = {"title": "拟聘用人员名单", "rows": [["序号", "姓名", "身份证号"], ["1", "张某某", ID]]}
    for kind in ("docx", "doc", "wps"):
        cases.append((f"通知 .{kind}", {"kind": kind, **notice}, "表述错误", "乡村振新"))
    for kind in ("xlsx", "xls"):
        cases.append(
            (f"公示 .{kind}", {"kind": kind, **sheet}, "身份证号", ID[:3] + "*" * 11 + ID[-4:])
        )
    made = make_files(spec for _, spec, _, _ in cases)
    rows = []
    for label, spec, what, expected in cases:
        data = made[spec_key(spec)]
        started = time.monotonic()
        read = read_attachment(
            data, f"http://x.gov.cn/f.{'pdf' if spec['kind'] == 'scan' else spec['kind']}"
        )
        seconds = time.monotonic() - started
        doc = read.signals.document or {}
        if what == "文号":
            got = doc.get("number") or "—"
        elif what == "表述错误":
            got = "、".join(h["wrong"] for h in read.signals.wording or []) or "—"
        else:
            got = (
                "、".join((read.signals.personal_info or {}).get("samples", {}).get("id_card", []))
                or "—"
            )
        accuracy = "—"
        if spec["kind"] == "scan":
            drawn = _plain(
                "".join(
                    [
                        spec["head"],
                        spec["number"],
                        *spec["title_lines"],
                        *spec["lines"],
                        *spec["signature"],
                    ]
                )
            )
            accuracy = f"{fuzz.ratio(drawn, _plain(read.excerpt)):.1f}%"
        method = read.method or f"未读取（{read.unread}）"
        rows.append([label, read.format, method, what, got, "✓" if got == expected else "✗", accuracy, f"{seconds:.1f}"])  # fmt: skip
    return markdown_table(
        [
            "file",
            "format",
            "read by",
            "looked for",
            "found",
            "right",
            "OCR character accuracy",
            "s",
        ],
        rows,
    )


def cost_table(rounds: int) -> str:
    """Part 2: the demo city's quarterly run with and without attachments."""
    runs: dict[str, list[Any]] = {"attachments on": [], "attachments off": []}
    with (
        tempfile.TemporaryDirectory(prefix="wb-att-") as tmp,
        serve_demo_city(Path(tmp) / "city", distinct_hosts=True) as city,
    ):
        off = Path(tmp) / "inventory-off"
        shutil.copytree(city.inventory_dir, off)
        with (off / "rules.yaml").open("a", encoding="utf-8") as rules:
            rules.write("\nattachments:\n  enabled: false\n")
        inventories = {"attachments on": city.inventory_dir, "attachments off": off}
        for rnd in range(rounds):
            for name in rotated(list(runs), rnd):
                out = Path(tmp) / f"{name}-{rnd}".replace(" ", "-")
                cmd = [str(BIN / "workbench"), "run", "--inventory", str(inventories[name]),
                       "--quarter", city.quarter, "--as-of", city.as_of.isoformat(),
                       "--out", str(out), "--db", f"sqlite:///{out}.db", "--no-progress"]  # fmt: skip
                measured = run_measured(cmd, timeout=900, log=Path(f"{out}.log"))
                if measured.returncode != 0:
                    print(Path(f"{out}.log").read_text(encoding="utf-8")[-3000:])
                    raise SystemExit(1)
                findings = (out / "findings.csv").read_text(encoding="utf-8-sig").count("\n") - 1
                runs[name].append((measured, findings))
    base = median([m.wall_s for m, _ in runs["attachments off"]])
    base_cpu = median([m.tree_cpu_s for m, _ in runs["attachments off"]])
    rows = []
    for name, measured in runs.items():
        wall = median([m.wall_s for m, _ in measured])
        cpu = median([m.tree_cpu_s for m, _ in measured])
        rows.append([name, f"{wall:.1f}", f"{cpu:.1f}", f"{median([m.tree_mb for m, _ in measured]):.0f}",
                     measured[0][1], f"{wall / base:.2f}", f"{cpu / base_cpu:.2f}"])  # fmt: skip
    return markdown_table(
        ["workbench run, demo city", "wall s", "CPU s (tree)", "peak PSS MB (tree)", "findings",
         "× wall", "× CPU"],
        rows,
    )  # fmt: skip


def crawl_child(inventory: str, attachments: bool) -> int:
    """Part 2's child: crawl every website of ``inventory`` (threads only) and print counts."""
    from concurrent.futures import ThreadPoolExecutor
    from dataclasses import replace
    from datetime import date

    from workbench.fetch.site_crawl import crawl_settings, crawl_website
    from workbench.inventory import load_inventory
    from workbench.rules import load_rules, merge

    rules = load_rules()
    if not attachments:
        rules = merge(rules, {"attachments": {"enabled": False}})
    websites = load_inventory(Path(inventory)).websites

    def crawl(website: Any) -> Any:
        settings = replace(crawl_settings(rules, website.url), delay=0, concurrency=2)
        return crawl_website(website, settings, date(2022, 9, 30)).facts

    with ThreadPoolExecutor(16) as threads:
        sites = list(threads.map(crawl, websites))
    files = [a for s in sites for a in s.attachments]
    pages = sum(len(s.pages) for s in sites)
    print(f"pages={pages} attachments={len(files)} read={sum(a.read for a in files)}")
    return 0


def crawl_table(rounds: int) -> str:
    """Part 2: the demo city's crawl alone, attachments on and off."""
    runs: dict[str, list[Any]] = {"attachments on": [], "attachments off": []}
    with (
        tempfile.TemporaryDirectory(prefix="wb-attc-") as tmp,
        serve_demo_city(Path(tmp) / "city", distinct_hosts=True) as city,
    ):
        for rnd in range(rounds):
            for name in rotated(list(runs), rnd):
                log = Path(tmp) / f"{name}-{rnd}.log".replace(" ", "-")
                cmd = [sys.executable, __file__, "--crawl-child", str(city.inventory_dir),
                       "on" if name.endswith("on") else "off"]  # fmt: skip
                measured = run_measured(cmd, timeout=900, log=log)
                if measured.returncode != 0:
                    print(log.read_text(encoding="utf-8")[-3000:])
                    raise SystemExit(1)
                runs[name].append(
                    (measured, log.read_text(encoding="utf-8").strip().splitlines()[-1])
                )
    base = median([m.wall_s for m, _ in runs["attachments off"]])
    base_cpu = median([m.cpu_s for m, _ in runs["attachments off"]])
    rows = []
    for name, measured in runs.items():
        wall = median([m.wall_s for m, _ in measured])
        cpu = median([m.cpu_s for m, _ in measured])
        rows.append([name, measured[0][1], f"{wall:.1f}", f"{cpu:.1f}",
                     f"{median([m.peak_rss_mb for m, _ in measured]):.0f}",
                     f"{wall / base:.2f}", f"{cpu / base_cpu:.2f}"])  # fmt: skip
    return markdown_table(
        ["crawl of the 44 demo sites (threads)", "read", "wall s", "CPU s (with its tools)",
         "peak RSS MB", "× wall", "× CPU"],
        rows,
    )  # fmt: skip


def main() -> int:
    if sys.argv[1:2] == ["--crawl-child"]:
        return crawl_child(sys.argv[2], sys.argv[3] == "on")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip-cost", action="store_true")
    parser.add_argument("--skip-run", action="store_true", help="leave out part 3")
    args = parser.parse_args()
    print(machine_note())
    print(reading_table())
    if not args.skip_cost:
        print(crawl_table(args.rounds))
        if not args.skip_run:
            print(cost_table(args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
