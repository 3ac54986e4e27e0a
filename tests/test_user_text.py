"""User-facing text is Simplified Chinese: no traditional characters, no pinyin in parentheses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from opencc import OpenCC

ROOT = Path(__file__).resolve().parents[1]
_T2S = OpenCC("t2s")
# A Chinese character directly followed by a lower-case latin/pinyin word in parentheses.
_PINYIN = re.compile("[\u4e00-\u9fff][(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+[)）]")


def user_facing_files() -> list[Path]:
    patterns = [
        "workbench/**/*.py",
        "workbench/**/*.yaml",
        "workbench/**/*.txt",
        "templates/**/*",
        "notebooks/*.ipynb",
        "README.md",
    ]
    files: set[Path] = set()
    for pattern in patterns:
        files.update(p for p in ROOT.glob(pattern) if p.is_file() and p.suffix != ".docx")
    return sorted(files)


def traditional_characters(text: str) -> list[str]:
    return sorted({c for c in text if "\u4e00" <= c <= "\u9fff" and _T2S.convert(c) != c})


def test_detector_catches_traditional_and_pinyin() -> None:
    assert traditional_characters("網站標識碼") == sorted(set("網站標識碼") - {"站"})
    assert traditional_characters("网站标识码") == []
    assert _PINYIN.search("政务(zhèngwù)公开")
    assert not _PINYIN.search("政务公开（2022年）")


@pytest.mark.parametrize("path", user_facing_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_simplified_chinese_only(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="ignore")
    assert traditional_characters(text) == [], f"traditional characters in {path}"
    assert not _PINYIN.search(text), f"pinyin in parentheses in {path}"
