"""Accuracy of the issue-6 extractors on real data (skipped without ../shared/corpus/govpages):
文号 over the 5,440 refdata rows and the 20 gov.cn fragments, the wanzai document →
interpretation link, and the fuzzy-title threshold (numbers in docs/accuracy.md)."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from workbench.extract.dates import parse_date
from workbench.extract.docno import clean_docno_text, find_docnos, parse_docno
from workbench.extract.documents import DocumentFacts, extract_document
from workbench.extract.evaluate import DEFAULT_CORPUS
from workbench.extract.interpretations import InterpretationFacts, cited_titles, classify_forms
from workbench.extract.matching import (
    _WRAPPER,
    FUZZY_THRESHOLD,
    fuzzy_score,
    normalize_title,
    pair_interpretations,
)

REFDATA = DEFAULT_CORPUS / "refdata" / "docno_date_url__policy-transparency-china.sample.tsv"
WANZAI = DEFAULT_CORPUS / "html" / "simon__www.wanzai.gov.cn__xxgk-article__2023-05-11.html"
pytestmark = pytest.mark.skipif(
    not REFDATA.is_file(), reason=f"corpus not found at {DEFAULT_CORPUS}"
)
LABEL = re.compile(r"^发文字号[:：]")
# Rows a scraper cut mid-sentence: the 代字 is what follows the lead words.
GARBLED = {
    "的通知沪发改价管〔2023〕14号": "沪发改价管〔2023〕14号",
    "的通知沪发改价管〔2023〕27号": "沪发改价管〔2023〕27号",
    "休人员以及按国发〔1978〕104号": "国发〔1978〕104号",
}


def refdata_stats() -> Counter[str]:
    stats: Counter[str] = Counter()
    with REFDATA.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            raw = row["doc_number_as_scraped"]
            stats["rows"] += 1
            body = LABEL.sub("", clean_docno_text(raw))
            parsed = parse_docno(raw)
            if not re.search(r"\d", body):
                stats["none_shown"] += 1
                stats["none_right"] += parsed is None
                continue
            stats["shown"] += 1
            if parsed is None:
                continue
            stats["parsed"] += 1
            stats[f"kind_{parsed.kind}"] += 1
            want = [parsed.year, parsed.serial] if parsed.year else [parsed.serial]
            digits_ok = [int(d) for d in re.findall(r"\d+", body)] == want
            organ = re.sub("[第年号]", "", "".join(re.findall(r"[\u4e00-\u9fff]", body)))
            organ_ok = organ == re.sub("[第年号]", "", parsed.org)
            right = GARBLED.get(raw) == parsed.canonical or (digits_ok and organ_ok)
            stats["right"] += right
            if parsed.kind in ("standard", "order"):
                stats["prose"] += 1
                stats["prose_right"] += [
                    d.canonical for d in find_docnos(f"根据{raw}文件精神")
                ] == [parsed.canonical]
            shown_on = parse_date(row["date_as_scraped"])
            if parsed.year and shown_on:
                stats["dated"] += 1
                stats["year_plausible"] += parsed.year <= shown_on.year + 1
    return stats


def test_refdata_docno_accuracy() -> None:
    stats = refdata_stats()
    assert stats["rows"] == 5440
    assert stats["none_shown"] == 443 and stats["none_right"] == 443
    assert stats["shown"] == 4997
    assert stats["parsed"] == stats["shown"]  # every shown 文号 parsed
    assert stats["right"] == stats["shown"]  # organ, year and serial as written
    assert stats["prose_right"] == stats["prose"]  # found again inside a sentence
    assert stats["year_plausible"] == stats["dated"]  # never a year after the page's date + 1


def test_fragment_docnos_and_titles() -> None:
    truth = {}
    with (DEFAULT_CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["doc_number"]:
                truth[row["file"]] = row["doc_number"]
    assert len(truth) == 20
    for file, number in truth.items():
        html = (DEFAULT_CORPUS / file).read_text(encoding="utf-8", errors="replace")
        doc = extract_document(html, "http://www.gov.cn/zhengce/content/x.htm")
        assert doc.number == number, file
        assert doc.title and doc.published is not None, file


def _wanzai() -> DocumentFacts:
    html = WANZAI.read_text(encoding="utf-8", errors="replace")
    return extract_document(html, "http://www.wanzai.gov.cn/wzxrmzf/tjsj/202305/x.shtml")


def test_wanzai_document_links_its_interpretation() -> None:
    doc = _wanzai()
    assert doc.number is None  # the statistical bulletin has no 文号
    (link,) = doc.related
    assert link.title == "图文解读：《万载县2022年国民经济和社会发展统计公报》"
    interp = InterpretationFacts(
        url=link.url, title=link.title, cited_titles=tuple(cited_titles(link.title))
    )
    assert classify_forms(interp.title, None) == ("图解",)
    (pair,) = pair_interpretations([doc], [interp])
    assert pair.method == "link"
    doc.related = ()  # without the 关联稿件 block the 《title》 still pairs them
    (pair,) = pair_interpretations([doc], [interp])
    assert pair.method == "title"


def fuzzy_measurement() -> tuple[list[float], list[float]]:
    """Interpretation-style titles (no 《》) made from the 20 fragment titles: scores against
    their own document (true) and the 19 others (false)."""
    docs = []
    for file in sorted((DEFAULT_CORPUS / "fragments").glob("*.html")):
        docs.append(extract_document(file.read_text(encoding="utf-8", errors="replace"), "x"))
    true, false = [], []
    for i, doc in enumerate(docs):
        full = normalize_title(doc.title)
        m = _WRAPPER.match(full)
        inner = m["inner"] if m else full
        short = re.sub(r"^(国务院办公厅|国务院)(关于)?", "", inner)
        for title in (
            f"图解{inner}",
            f"{inner}政策解读",
            f"一图读懂{short}",
            f"解读：{inner}",
            f"{short}有关负责人答记者问",
            f"{full}的解读",
        ):
            interp = InterpretationFacts(url="x", title=title)
            for j, other in enumerate(docs):
                (true if i == j else false).append(fuzzy_score(other, interp))
    return true, false


def test_fuzzy_threshold_separates() -> None:
    true, false = fuzzy_measurement()
    assert len(true) == 120 and len(false) == 2280
    assert max(false) < FUZZY_THRESHOLD
    assert sum(s >= FUZZY_THRESHOLD for s in true) >= 118


def test_accuracy_doc_mentions_the_numbers() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "accuracy.md").read_text("utf-8")
    assert "4,997 / 4,997" in text and "118 / 120" in text
