"""Accuracy of the date and identity extractors on the govpages corpus (real saved pages).

``python -m workbench.extract.evaluate [corpus_dir]`` prints a Markdown table and a summary.
The truth comes from the corpus's ``MANIFEST.tsv`` (columns ``visible_pub_date`` and
``site_id_code_in_page``); it is read with its own small regex, not with our parser.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.extract.dates import article_date
from workbench.extract.identity import site_identity

DEFAULT_CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "govpages"

_TRUTH_DATE_RE = re.compile(r"(\d{4})\s*[-年]\s*(\d{1,2})\s*[-月]\s*(\d{1,2})")
_URL_RE = re.compile(r"https?://[^\s)]+")
# Page kinds read by `workbench inspect` instead (docs/accuracy.md, issue 14 table).
_NOT_ARTICLES = ("list", "column landing", "homepage")
_CODE_RE = re.compile(r"^(?:bm\d{8}|\d{10})$")


def truth_date(cell: str) -> date | None:
    """The date of a ``visible_pub_date`` cell; ``None`` for "none shown…"."""
    if cell.strip().lower().startswith("none"):
        return None
    m = _TRUTH_DATE_RE.search(cell)
    if m is None:
        raise ValueError(f"MANIFEST visible_pub_date not understood: {cell!r}")
    return date(int(m[1]), int(m[2]), int(m[3]))


def truth_site_code(cell: str) -> str | None:
    """The first token of a ``site_id_code_in_page`` cell; ``None`` for "none…"/"n/a"."""
    token = cell.split()[0] if cell.strip() else ""
    return token if _CODE_RE.match(token) else None


def _htmldate(html: str, *, extensive: bool) -> date | None:
    from htmldate import find_date

    found = find_date(html, extensive_search=extensive, original_date=True, outputformat="%Y-%m-%d")
    return date.fromisoformat(found) if found else None


def evaluate_govpages(corpus_dir: Path = DEFAULT_CORPUS) -> pd.DataFrame:
    """One row per corpus page: truth vs our date, htmldate's date, truth vs our 网站标识码.

    ``htmldate`` uses the settings of our fallback (``extensive_search=False``);
    ``htmldate_ext`` is htmldate with its default extensive search, for reference.
    """
    manifest = pd.read_csv(corpus_dir / "MANIFEST.tsv", sep="\t", dtype=str, keep_default_na=False)
    rows: list[dict[str, Any]] = []
    for record in manifest.to_dict("records"):
        if str(record.get("page_kind", "")).startswith(_NOT_ARTICLES):
            continue  # list pages, landings, homepages: no publication date of their own

        html = (corpus_dir / record["file"]).read_text(encoding="utf-8", errors="replace")
        url_match = _URL_RE.search(record["original_url"])
        url = url_match.group() if url_match else ""
        truth = truth_date(record["visible_pub_date"])
        ours = article_date(html, url)
        plain = _htmldate(html, extensive=False)
        extensive = _htmldate(html, extensive=True)
        code_truth = truth_site_code(record["site_id_code_in_page"])
        code_ours = site_identity(html).site_code
        rows.append(
            {
                "file": record["file"],
                "truth_date": truth,
                "our_date": ours,
                "htmldate": plain,
                "htmldate_ext": extensive,
                "ok": ours == truth,
                "htmldate_ok": plain == truth,
                "htmldate_ext_ok": extensive == truth,
                "truth_site_code": code_truth,
                "our_site_code": code_ours,
                "site_code_ok": code_truth == code_ours,
            }
        )
    return pd.DataFrame(rows)


def summary(df: pd.DataFrame) -> dict[str, Any]:
    """Accuracy numbers (fractions 0..1) and the files we get wrong."""
    no_date = df[df["truth_date"].isna()]
    return {
        "pages": len(df),
        "date_accuracy": float(df["ok"].mean()),
        "htmldate_accuracy": float(df["htmldate_ok"].mean()),
        "htmldate_ext_accuracy": float(df["htmldate_ext_ok"].mean()),
        "no_date_pages": len(no_date),
        "no_date_correct": int(no_date["ok"].sum()),
        "htmldate_no_date_correct": int(no_date["htmldate_ok"].sum()),
        "site_code_accuracy": float(df["site_code_ok"].mean()),
        "date_failures": df.loc[~df["ok"], "file"].tolist(),
        "site_code_failures": df.loc[~df["site_code_ok"], "file"].tolist(),
    }


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)


def markdown(df: pd.DataFrame) -> str:
    """The per-page table and the summary, as Markdown."""
    columns = ["file", "truth_date", "our_date", "ok", "htmldate", "htmldate_ok"]
    columns += ["htmldate_ext", "htmldate_ext_ok", "truth_site_code", "our_site_code"]
    columns += ["site_code_ok"]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for record in df.to_dict("records"):
        lines.append("| " + " | ".join(_cell(record[c]) for c in columns) + " |")
    stats = summary(df)
    lines += ["", "| measure | value |", "|---|---|"]
    for key, value in stats.items():
        shown = f"{value:.1%}" if isinstance(value, float) else str(value)
        lines.append(f"| {key} | {shown} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    corpus = Path(args[0]) if args else DEFAULT_CORPUS
    if not (corpus / "MANIFEST.tsv").is_file():
        print(f"找不到语料清单：{corpus / 'MANIFEST.tsv'}", file=sys.stderr)
        return 2
    print(markdown(evaluate_govpages(corpus)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
