"""Personal information shown unmasked on a page: 身份证号, mobile and bank card numbers.

A page analyzer (``personal_info``) runs on every crawled page and keeps **only masked
forms** and counts: the full number never leaves this module (not in a page's signals, the store,
findings, logs or the dashboard). Detection is strict, to keep false hits on real pages low:

- 身份证号: 18 characters, a real province code, a plausible birth date (1900 to the page's
  year, not after today), and a valid ISO 7064 check digit (``X`` included);
- mobile numbers: ``1[3-9]`` + 9 digits, not inside a longer run of digits;
- bank card numbers: 16–19 digits (optionally grouped by spaces or hyphens in fours) that
  pass the Luhn check and either start with the UnionPay ``62`` prefix or follow a label
  such as 卡号、账号、银行卡 within a few characters.

Already masked forms (``430***********1234``, ``138****5678``) never match: they hold no run of
digits long enough. Masks keep the first 3 (身份证号, mobile) or 6 (card) characters and the
last 4.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import lxml.html

from workbench.extract.dates import visible_text
from workbench.pages import PersonalInfoValue

KINDS = ("id_card", "mobile", "bank_card")
KIND_NAMES = {"id_card": "身份证号", "mobile": "手机号码", "bank_card": "银行卡号"}
SAMPLES_PER_KIND = 3

_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[0-9Xx])(?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d{9})(?![0-9A-Za-z])")
_CARD_RE = re.compile(r"(?<![0-9A-Za-z])(\d{4}(?:[ -]?\d{4}){3}(?:[ -]?\d{1,3})?)(?![0-9A-Za-z])")
# What every number above holds (8 digits, a space or dash between the first 4 and the next 4):
# text without it has no number to mask (dates, times, short numbers are skipped at once).
_NUMBER_HINT_RE = re.compile(r"\d{4}[ -]?\d{4}")
_CARD_LABEL_RE = re.compile(
    r"(?:卡号|账号|帐号|银行卡|储蓄卡|借记卡|信用卡|开户行|收款账户)[^\d]{0,8}$"
)
# First two digits of a 身份证号: the provinces (GB/T 2260), 71 台湾, 81/82 港澳, 83 台湾居民居住证.
_PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    ]
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a 身份证号's first 17 digits."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def valid_id_number(text: str, today: date | None = None) -> bool:
    """True for an 18-character 身份证号 with a real province, a plausible birth date and a
    valid check digit."""
    if len(text) != 18 or not text[:17].isdigit() or text[:2] not in _PROVINCES:
        return False
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > (today or date.today()):
        return False
    return id_check_digit(text[:17]) == text[17].upper()


def luhn_ok(digits: str) -> bool:
    """True when ``digits`` pass the Luhn check (bank card numbers)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def mask(number: str, keep_start: int) -> str:
    """``number`` with all but its first ``keep_start`` and last 4 characters as ``*``."""
    return number[:keep_start] + "*" * (len(number) - keep_start - 4) + number[-4:]


def _numbers(text: str, today: date | None = None) -> list[tuple[str, int, int, str]]:
    """(kind, start, end, masked form) of every unmasked number in ``text`` (module doc)."""
    out: list[tuple[str, int, int, str]] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return not any(x < b and a < y for x, y in taken)

    windows = _windows(text)
    for m in _matches(_ID_RE, text, windows):
        number = m.group(1).upper()
        if valid_id_number(number, today):
            out.append(("id_card", *m.span(1), mask(number, 3)))
            taken.append(m.span(1))
    for m in _matches(_CARD_RE, text, windows):
        digits = re.sub(r"[ -]", "", m.group(1))
        if not free(*m.span(1)) or not 16 <= len(digits) <= 19 or not luhn_ok(digits):
            continue
        labelled = bool(_CARD_LABEL_RE.search(text[max(0, m.start(1) - 16) : m.start(1)]))
        if digits.startswith("62") or labelled:
            out.append(("bank_card", *m.span(1), mask(digits, 6)))
            taken.append(m.span(1))
    for m in _matches(_MOBILE_RE, text, windows):
        if free(*m.span(1)):
            out.append(("mobile", *m.span(1), mask(m.group(1), 3)))
    return out


# Where a number can be: 11 or more digits, spaces and dashes from a digit on (every number
# above holds at least 11 of them in a row; an ID's final X follows its 17 digits).
_WINDOW_RE = re.compile(r"\d[\d -]{10,}")


def _windows(text: str) -> list[tuple[int, int]]:
    """(start, end) of the stretches of ``text`` each number regex is run over: a run of
    ``_WINDOW_RE`` and the two characters after it (an ID's X, then what follows it, which
    the regexes' look-ahead must see). A regex run from ``start`` still sees the characters
    before it (look-behind), so the windows find what one scan of the whole text finds,
    with one scan of the text instead of three."""
    size = len(text)
    return [(m.start(), min(size, m.end() + 2)) for m in _WINDOW_RE.finditer(text)]


def _matches(
    pattern: re.Pattern[str], text: str, windows: list[tuple[int, int]]
) -> Iterator[re.Match[str]]:
    for start, end in windows:
        yield from pattern.finditer(text, start, end)


def find_personal_info(text: str, today: date | None = None) -> PersonalInfoValue | None:
    """Counts of distinct unmasked numbers of each kind in ``text`` and up to
    ``SAMPLES_PER_KIND`` masked samples each, or None when there are none. The full numbers
    are used only inside this module."""
    found: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}
    for kind, a, b, masked in _numbers(text, today):
        found[kind].setdefault(re.sub(r"[ -]", "", text[a:b]).upper(), masked)
    counts = {kind: len(numbers) for kind, numbers in found.items() if numbers}
    if not counts:
        return None
    samples = {
        kind: sorted(set(numbers.values()))[:SAMPLES_PER_KIND]
        for kind, numbers in found.items()
        if numbers
    }
    return {"counts": counts, "samples": samples}


def mask_text(text: str) -> str:
    """``text`` with every unmasked 身份证号, mobile and bank card number masked: what the
    crawl keeps of page and row titles (they reach the store, findings and the dashboard)."""
    if not text or not _NUMBER_HINT_RE.search(text):
        return text
    for _, a, b, masked in sorted(_numbers(text), key=lambda n: -n[1]):
        text = text[:a] + masked + text[b:]
    return text


def personal_info_facts(root: lxml.html.HtmlElement, url: str) -> PersonalInfoValue | None:
    """Unmasked 身份证号, mobile and bank card numbers in the page's visible text: counts
    and masked samples only (see module doc); None for a page without any."""
    return find_personal_info(visible_text(root))


def masked_value(value: Any) -> Any:
    """``value`` with personal numbers masked in every string it holds: no analyzer keeps a
    full 身份证号, mobile or card number (a link text, a context, a title …)."""
    # Most values hold no number to mask: one scan of their repr (written in C) says so, and
    # they are returned as they are, not walked and copied. Every number mask_text masks
    # matches _NUMBER_HINT_RE, and repr writes digits, spaces and hyphens as they are.
    if not _NUMBER_HINT_RE.search(repr(value)):
        return value
    return _masked(value)


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_masked(v) for v in value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    return value
