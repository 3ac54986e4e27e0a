"""Accuracy of article_date and site_identity on the real govpages corpus (MANIFEST truth)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.extract.evaluate import (
    DEFAULT_CORPUS,
    evaluate_govpages,
    main,
    summary,
    truth_date,
    truth_site_code,
)

pytestmark = pytest.mark.skipif(
    not (DEFAULT_CORPUS / "MANIFEST.tsv").is_file(),
    reason=f"govpages corpus not found at {DEFAULT_CORPUS}",
)


@pytest.fixture(scope="module")
def results() -> pd.DataFrame:
    return evaluate_govpages(DEFAULT_CORPUS)


def test_corpus_is_the_expected_one(results: pd.DataFrame) -> None:
    assert len(results) == 32  # articles and fragments; list pages: test_inspect.py
    assert results["truth_date"].isna().sum() == 1  # the gov.cn 公报 page


def test_every_page_date_right(results: pd.DataFrame) -> None:
    wrong = results.loc[~results["ok"], ["file", "truth_date", "our_date"]]
    assert wrong.empty, wrong.to_string()


def test_not_worse_than_htmldate(results: pd.DataFrame) -> None:
    stats = summary(results)
    assert stats["date_accuracy"] >= stats["htmldate_accuracy"]
    assert stats["date_accuracy"] >= stats["htmldate_ext_accuracy"]
    assert stats["no_date_correct"] == stats["no_date_pages"]


def test_every_site_code_right(results: pd.DataFrame) -> None:
    wrong = results.loc[~results["site_code_ok"], ["file", "truth_site_code", "our_site_code"]]
    # MANIFEST leaves kaili's code cell empty although its notes quote the footer's
    # 政府网站标识码：5226010001, which is what we read.
    kaili = "html/gerapy__www.kaili.gov.cn__article__2024-06-27.html"
    assert list(wrong["file"]) in ([], [kaili]), wrong.to_string()
    assert wrong.empty or wrong.iloc[0]["our_site_code"] == "5226010001"
    assert results["truth_site_code"].notna().sum() == 7


def test_truth_readers() -> None:
    assert (
        str(truth_date("发布日期：<!-- 发布日期 begin -->2019-03-06<!-- end -->")) == "2019-03-06"
    )
    assert str(truth_date("发布日期：2018年11月09日")) == "2018-11-09"
    assert truth_date("none shown in page chrome") is None
    with pytest.raises(ValueError):
        truth_date("someday")
    assert truth_site_code("3300000020 (footer); meta SiteIDCode empty") == "3300000020"
    assert truth_site_code("none in page (only 京ICP备20027467号-1)") is None
    assert truth_site_code("n/a (fragment)") is None


def test_main_prints_markdown(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main([str(DEFAULT_CORPUS)]) == 0
    out = capsys.readouterr().out
    assert "| date_accuracy | 100.0% |" in out
    assert main([str(tmp_path)]) == 2
