"""One page type and one link type (``workbench.pages``): a store written before them still loads.

The fixture (``tests/fixtures/README.md``) holds eight demo sites' stored results as the code
of main ``fb4b580`` pickled them (``PageFacts``/``PageAnalysis`` with ``extras`` dicts,
``LinkFacts``, attachments with ``extras``), with the findings that code made from them and
what its evidence panel showed. Re-judging a quarter from the store (``workbench run`` on a
quarter already collected, ``workbench recheck``, the dashboard's evidence) reads exactly
these payloads.
"""

from __future__ import annotations

import json
import pickle
import zlib
from pathlib import Path
from typing import Any

import pytest

from workbench.facts import Facts, SiteFacts
from workbench.indicators import run_indicators
from workbench.inspect import attachment_facts, page_facts
from workbench.models import Inventory, Website
from workbench.pages import AttachmentSignals, DatedItem, Link, Page, PageSignals
from workbench.rules import load_rules
from workbench.store.observations import unpickle

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def stored() -> dict[str, Any]:
    with (FIXTURES / "site_results_2022Q3.pickle").open("rb") as fh:
        value: dict[str, Any] = pickle.load(fh)  # noqa: S301 - our own fixture
    return value


@pytest.fixture(scope="module")
def restored(stored: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {url: unpickle(payload) for url, payload in stored["payloads"].items()}


def _facts(stored: dict[str, Any], restored: dict[str, dict[str, Any]]) -> Facts:
    websites = stored["websites"]
    facts = Facts(
        quarter=stored["quarter"],
        as_of=stored["as_of"],
        inventory=Inventory(root=Path("."), websites=websites),
    )
    for website in websites:
        value = restored[website.url]
        facts.sites.append(value["site"])
        facts.columns += value["columns"]
        facts.documents += value["documents"]
        facts.interpretations += value["interpretations"]
    return facts


def _plain(findings: list[Any]) -> list[dict[str, Any]]:
    rows = [
        {
            "finding_id": f.finding_id,
            "indicator": f.indicator,
            "target": f.target,
            "veto": f.veto,
            "points": f.points,
            "problem": f.problem,
            "evidence_url": f.evidence_url,
            "detail": f.detail,
        }
        for f in findings
    ]
    loaded: list[dict[str, Any]] = json.loads(json.dumps(rows, ensure_ascii=False, default=str))
    return loaded


def test_an_old_store_loads_into_the_one_page_and_link_type(
    restored: dict[str, dict[str, Any]],
) -> None:
    assert len(restored) == 8 and all(isinstance(v, dict) for v in restored.values())
    sites: list[SiteFacts] = [v["site"] for v in restored.values()]
    for site in sites:
        assert isinstance(site.homepage, Page) and site.homepage.ok
        assert all(isinstance(p, Page) for p in [*site.pages, *site.second_level])
        assert all(isinstance(k, Link) for k in site.links)
        assert all(isinstance(i, DatedItem) for p in site.pages for i in p.items)
        assert all(isinstance(p.signals, PageSignals) for p in site.pages)
        assert all(isinstance(a.signals, AttachmentSignals) for a in site.attachments)
        # fields the older types lacked take their defaults
        assert site.homepage.depth == 0 and site.homepage.signals == PageSignals()
        assert all(p.html == "" and p.elapsed_ms == 0 for p in site.pages)
    pages = [p for s in sites for p in s.pages]
    # the analyzers' values moved from the extras dict into their declared fields
    assert all(p.signals.identity is not None for p in pages if p.signals.column_signals)
    assert any(p.signals.messages for p in pages) and any(p.signals.guide for p in pages)
    assert any(p.signals.policy_page for p in pages) and any(p.signals.hidden_links for p in pages)
    assert any(p.signals.personal_info for p in pages)
    assert any(k.on_homepage for s in sites for k in s.links)
    documents = [a.signals.document for s in sites for a in s.attachments if a.read]
    assert documents and all(d is not None and "number" in d for d in documents)


def test_an_old_store_is_judged_as_the_code_that_wrote_it_judged_it(
    stored: dict[str, Any], restored: dict[str, dict[str, Any]]
) -> None:
    expected = json.loads((FIXTURES / "site_results_2022Q3_findings.json").read_text("utf-8"))
    found = _plain(run_indicators(_facts(stored, restored), load_rules()))
    assert len(found) == len(expected) == 19
    assert found == expected


def test_facts_pickled_by_this_code_are_judged_the_same(
    stored: dict[str, Any], restored: dict[str, dict[str, Any]]
) -> None:
    facts = _facts(stored, restored)
    again = unpickle(zlib.compress(pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL)))
    assert isinstance(again, Facts) and again.sites[0].pages == facts.sites[0].pages
    rules = load_rules()
    assert _plain(run_indicators(again, rules)) == _plain(run_indicators(facts, rules))


def test_the_evidence_panel_shows_an_old_page_as_before(
    restored: dict[str, dict[str, Any]],
) -> None:
    shown = json.loads((FIXTURES / "site_results_2022Q3_inspect.json").read_text("utf-8"))
    kinds = ("messages", "guide", "policy_page", "hidden_links", "personal_info", "wording")
    for url, expected in shown.items():
        site = restored[url]["site"]
        pages = [
            page_facts(p, homepage=i == 0)
            for i, p in enumerate(site.pages)
            if i == 0 or any(getattr(p.signals, k) for k in kinds)
        ]
        files = [
            attachment_facts(a, a.url, status=a.status, linked_from=a.source)
            for a in site.attachments
        ]
        now = json.loads(json.dumps({"pages": pages, "attachments": files}, default=str))
        assert now == expected
    assert sum(len(v["pages"]) for v in shown.values()) > 20


def test_an_old_page_state_without_a_field_loads_with_its_default() -> None:
    page = Page.__new__(Page)
    page.__setstate__(
        {"url": "u", "final_url": "u", "status": 200, "error": None, "extras": {"guide": None}}
    )
    assert page == Page("u", "u", 200, None) and page.published is None
    link = Link.__new__(Link)
    link.__setstate__({"source": "a", "target": "b", "anchor": "", "internal": True})
    assert link == Link("a", "b", "", True) and link.skip == "" and not link.on_homepage


def test_a_site_s_links_pickle_by_column_and_load_as_a_list_of_links() -> None:
    """``SiteFacts`` pickles its links as columns (``LinkTable``): they load as the same
    plain list; a column set of another version of ``Link`` loads with defaults; a shallow
    copy of a site keeps a list."""
    import copy

    from workbench.pages import LinkTable, _links_from_columns

    home = Page("http://a.gov.cn/", "http://a.gov.cn/", 200, None)
    links = [
        Link("http://a.gov.cn/", "http://a.gov.cn/x", "栏目", True, 200, on_homepage=True),
        Link("http://a.gov.cn/x", "http://b.com/", "外链", False, None, None, "外部链接", skip="external"),
    ]  # fmt: skip
    site = SiteFacts(
        Website("市测试局", "市测试局网站", "http://a.gov.cn/", "部门网站"), home, links=links
    )
    again = pickle.loads(pickle.dumps(site, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301
    assert type(again.links) is list and again.links == links and again == site
    assert b"LinkTable" not in pickle.dumps(site)  # pickled through its reduce, not by name
    older = _links_from_columns(("source", "target", "anchor", "internal"), (("s",), ("t",), ("a",), (True,)))  # fmt: skip
    assert older == [Link("s", "t", "a", True)] and older[0].skip == "" and older[0].status is None
    assert copy.copy(site).links is links and not isinstance(copy.copy(site).links, LinkTable)
    empty = SiteFacts(site.website, home)
    assert pickle.loads(pickle.dumps(empty)).links == []  # noqa: S301
