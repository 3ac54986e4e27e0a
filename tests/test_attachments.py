"""Attachments (issue 21): reading each format, the crawl fetching them politely within the
rules' limits, their text feeding the page readers, and the indicators naming the file and
the page that links it.

The files are made here with the libraries a government office's own tools stand for
(reportlab, python-docx, openpyxl, LibreOffice, Pillow): see ``workbench.demo.
attachment_files``. LibreOffice and Tesseract's Chinese data are installed by ``.ci/run``;
the tests that need them skip, saying so, only where they are genuinely absent.
"""

from __future__ import annotations

import json
import pickle
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from servers import serve

from workbench.cli import main
from workbench.demo.attachment_files import make_files, spec_key
from workbench.extract.attachment_text import (
    UNREAD_HTML,
    TextOptions,
    extract_text,
    file_format,
    ocr_available,
)
from workbench.extract.attachments import (
    AttachmentSettings,
    document_text_facts,
    is_attachment_url,
    read_attachment,
)
from workbench.extract.personal_info import id_check_digit
from workbench.extract.policy_pages import policy_facts
from workbench.facts import AttachmentFacts, Facts, SiteFacts
from workbench.fetch.crawl import (
    NOTE_ATTACHMENT_LIMIT,
    NOTE_BINARY,
    CrawlSettings,
    crawl_site,
)
from workbench.fetch.page_pool import PagePool
from workbench.indicators import REGISTRY
from workbench.models import Inventory, Website
from workbench.pages import AttachmentSignals, Link, Page, PageSignals
from workbench.rules import load_rules

needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui "
    "libreoffice-calc-nogui): .doc/.wps/.xls are read through it",
)
needs_ocr = pytest.mark.skipif(
    not ocr_available("chi_sim"),
    reason="Tesseract with Simplified Chinese is not installed "
    "(apt-get install tesseract-ocr tesseract-ocr-chi-sim poppler-utils)",
)

ID_NUMBER = "11010119880512003" + id_check_digit("11010119880512003")
RED_HEAD = {
    "kind": "pdf",
    "head": "示范市住房和城乡建设局文件",
    "number": "示住建规〔2022〕3号",
    "title_lines": ["示范市住房和城乡建设局", "关于印发《示范市住房租赁管理办法》的通知"],
    "lines": ["统一登记号：SFSR-2022-01003", "各区县住房和城乡建设局：",
              "现将《示范市住房租赁管理办法》印发给你们，请认真贯彻执行。"],
    "body": ["示范市住房租赁管理办法", "第一条　根据《示范市物业管理条例》（示政发〔2019〕12号），制定本办法。",
             "第三十条　本办法自2022年10月1日起施行，有效期5年。"],
    "signature": ["示范市住房和城乡建设局", "2022年9月5日"],
}  # fmt: skip
SCAN = {**RED_HEAD, "kind": "scan"}
NOTICE = {"kind": "docx", "title": "关于做好乡村振兴重点工作的通知",
          "lines": ["各有关单位：", "为全面推进乡村振新，现就有关工作通知如下。"]}  # fmt: skip
LIST = {"kind": "xlsx", "title": "拟聘用人员名单",
        "rows": [["序号", "姓名", "身份证号"], ["1", "张某某", ID_NUMBER]]}  # fmt: skip


def files(*specs: dict[str, Any]) -> list[bytes]:
    made = make_files(specs)
    return [made[spec_key(s)] for s in specs]


# ----------------------------------------------------------------------------- formats


def test_a_red_head_pdf_gives_its_first_page_number_not_the_one_it_cites() -> None:
    (pdf,) = files(RED_HEAD)
    read = read_attachment(pdf, "http://x.gov.cn/P0.pdf", "application/pdf")
    assert (read.format, read.method, read.unread, read.pages) == ("pdf", "text", None, 2)
    doc = read.signals.document
    assert doc["number"] == "示住建规〔2022〕3号"  # not 示政发〔2019〕12号, cited on page 2
    assert doc["reg_no"] == "SFSR-2022-01003"
    assert doc["title"] == "示范市住房和城乡建设局关于印发《示范市住房租赁管理办法》的通知"
    assert doc["written"] == "2022-09-05"
    assert "自2022年10月1日起施行" in doc["effect"][0]
    assert "示政发〔2019〕12号" in doc["doc_numbers"]


@needs_ocr
def test_a_scan_is_read_by_ocr() -> None:
    (scan,) = files(SCAN)
    assert extract_text(scan, "scan.pdf", options=TextOptions(ocr=False)).unread is not None
    read = read_attachment(scan, "http://x.gov.cn/scan.pdf")
    assert (read.method, read.unread) == ("ocr", None)
    assert read.signals.document["number"] == "示住建规〔2022〕3号"


def test_a_scan_without_ocr_is_unread_never_blank() -> None:
    (scan,) = files(SCAN)
    read = read_attachment(scan, "http://x.gov.cn/scan.pdf", options=TextOptions(ocr=False))
    assert read.unread and "扫描件" in read.unread and read.signals == AttachmentSignals()


def test_office_xml_files() -> None:
    notice, sheet = files(NOTICE, LIST)
    read = read_attachment(notice, "http://x.gov.cn/a.docx")
    assert [h["wrong"] for h in read.signals.wording] == ["乡村振新"]
    read = read_attachment(sheet, "http://x.gov.cn/list.xlsx")
    info = read.signals.personal_info
    assert info["counts"] == {"id_card": 1} and info["samples"]["id_card"] == ["110***********0039"]
    assert ID_NUMBER not in repr(pickle.dumps(read)) and ID_NUMBER not in read.excerpt


@needs_soffice
@pytest.mark.parametrize("kind", ["doc", "wps", "xls"])
def test_binary_office_files_through_libreoffice(kind: str) -> None:
    spec = {**(LIST if kind == "xls" else NOTICE), "kind": kind}
    (data,) = files(spec)
    assert data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file
    read = read_attachment(data, f"http://x.gov.cn/file.{kind}")
    assert (read.format, read.method, read.unread) == (kind, "text", None)
    if kind == "xls":
        assert read.signals.personal_info["counts"] == {"id_card": 1}
    else:
        assert read.signals.wording[0]["wrong"] == "乡村振新"


def test_what_cannot_be_read_says_why() -> None:
    page = b"<!DOCTYPE html><html><body>\xe6\x96\x87\xe4\xbb\xb6\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c\xa8</body></html>"
    assert extract_text(page, "a.pdf", "text/html").unread == UNREAD_HTML
    assert extract_text(b"%PDF-1.4\n garbage", "a.pdf").unread.startswith("文件无法解析")  # type: ignore[union-attr]
    assert extract_text(b"", "a.doc").unread == "文件为空"
    assert file_format(b"PK\x03\x04broken", "a.docx") == "unknown"


def test_document_facts_from_plain_lines() -> None:
    facts = document_text_facts(
        ["发文字号：湘政办规〔2021〕4号\n有效性：有效\n关于印发办法的通知\n自2021年1月1日起施行"]
    )
    assert (facts["number"], facts["validity"]) == ("湘政办规〔2021〕4号", "有效")
    ocr = document_text_facts(
        ["示范市人民政府办公室文件\n示政办规 [2022]】 5号\n关于印发办法的通知"]
    )
    assert ocr["number"] == "示政办规〔2022〕5号"  # a fax-like scan's doubled bracket
    cited = document_text_facts(["各单位：\n根据国办发〔2018〕94号文件精神，现通知如下。"])
    assert cited["number"] is None and cited["doc_numbers"] == ["国办发〔2018〕94号"]


def test_attachment_urls() -> None:
    assert is_attachment_url("http://a.gov.cn/P020220901.PDF")
    assert is_attachment_url("http://a.gov.cn/module/download/downfile.jsp?filename=P0.xlsx")
    assert not is_attachment_url("http://a.gov.cn/art/2022/9/1/art_1_2.html")
    assert not is_attachment_url("http://a.gov.cn/pic.jpg")


# ----------------------------------------------------------------------------- the crawl

HTML = {"Content-Type": "text/html; charset=utf-8"}


def _site(routes: dict[str, Any]) -> dict[str, Any]:
    links = "".join(f'<p><a href="{p}">附件{i}：{p[1:]}</a></p>' for i, p in enumerate(routes))
    page = f"<html><head><title>通知</title></head><body>{links}</body></html>"
    return {
        "/": (200, HTML, page),
        **routes,
        "/robots.txt": (200, {}, "User-agent: *\nDisallow: /secret/\n"),
    }


def _settings(**attachments: Any) -> CrawlSettings:
    rules = AttachmentSettings(**attachments) if attachments is not None else None
    return CrawlSettings(max_pages=20, delay=0, concurrency=2, attachments=rules)


def test_the_crawl_reads_attachments_and_their_links_get_a_status() -> None:
    pdf, sheet = files(RED_HEAD, LIST)
    routes = {
        "/a.pdf": (200, {"Content-Type": "application/pdf"}, pdf),
        "/b.xlsx": (200, {"Content-Type": "application/octet-stream"}, sheet),
        "/gone.pdf": (404, HTML, "<html>404</html>"),
        "/big.pdf": (200, {"Content-Type": "application/pdf"}, pdf + b" " * 20_000),
        "/login.doc": (200, HTML, "<html><body>请登录</body></html>"),
        "/secret/c.pdf": (200, {"Content-Type": "application/pdf"}, pdf),
        "/pic.jpg": (200, {"Content-Type": "image/jpeg"}, b"\xff\xd8"),
    }
    log: list[Any] = []
    with serve(_site(routes), log=log) as base:
        result = crawl_site(base + "/", _settings(max_bytes=len(pdf) + 10_000))
    read = {a.url.rsplit("/", 1)[-1]: a for a in result.attachments}
    assert set(read) == {"a.pdf", "b.xlsx", "gone.pdf", "big.pdf", "login.doc"}
    assert read["a.pdf"].reading.signals.document["number"] == "示住建规〔2022〕3号"  # type: ignore[union-attr]
    assert read["a.pdf"].source == result.pages[0].url
    assert read["b.xlsx"].reading.signals.personal_info["counts"] == {"id_card": 1}  # type: ignore[union-attr]
    outcome = {k.target.rsplit("/", 1)[-1]: (k.status, k.error, k.note) for k in result.links}
    assert outcome["gone.pdf"] == (404, "HTTP 404", "")  # broken, like any link
    assert outcome["big.pdf"] == (200, None, "")  # opens: too large to read is not broken
    assert "超过读取上限" in (read["big.pdf"].reading.unread or "")  # type: ignore[union-attr]
    assert (
        outcome["login.doc"] == (200, None, "") and read["login.doc"].reading.unread == UNREAD_HTML
    )  # type: ignore[union-attr]
    assert outcome["c.pdf"][2] == "robots.txt禁止抓取"
    assert outcome["pic.jpg"][2] == NOTE_BINARY
    assert not any(r.path.startswith(("/secret", "/pic")) for r in log)


def test_limits_and_switch() -> None:
    (pdf,) = files(RED_HEAD)
    routes = {f"/{i}.pdf": (200, {"Content-Type": "application/pdf"}, pdf) for i in range(4)}
    with serve(_site(routes)) as base:
        two = crawl_site(base + "/", _settings(max_per_site=2))
        off = crawl_site(base + "/", CrawlSettings(max_pages=20, delay=0))
        pdf_only = crawl_site(base + "/", _settings(formats=frozenset({"docx"})))
    assert [a.url.rsplit("/", 1)[-1] for a in two.attachments] == ["0.pdf", "1.pdf"]
    assert [k.note for k in two.links if k.target.endswith("3.pdf")] == [NOTE_ATTACHMENT_LIMIT]
    assert off.attachments == [] and pdf_only.attachments == []
    assert {k.note for k in off.links if k.target.endswith(".pdf")} == {NOTE_BINARY}


def test_worker_processes_read_attachments_as_the_threads_do() -> None:
    pdf, notice = files(RED_HEAD, NOTICE)
    routes = {
        "/a.pdf": (200, {"Content-Type": "application/pdf"}, pdf),
        "/b.docx": (200, {}, notice),
    }
    with serve(_site(routes)) as base, PagePool(2) as pool:
        alone = crawl_site(base + "/", _settings())
        pooled = crawl_site(base + "/", _settings(), page_pool=pool)
    assert [a.reading for a in alone.attachments] == [a.reading for a in pooled.attachments]
    assert all(a.reading and a.reading.read for a in pooled.attachments)


# ----------------------------------------------------------------------------- facts and findings

SITE = Website(
    "示范市住建局", "示范市住房和城乡建设局网站", "http://zjj.example.gov.cn/", "部门网站"
)
AS_OF = date(2022, 9, 30)


def _attachment(url: str, source: str, spec: dict[str, Any], **kw: Any) -> AttachmentFacts:
    (data,) = files(spec)
    read = read_attachment(data, url)
    return AttachmentFacts(url=url, final_url=url, status=200, error=None, source=source,
                           format=read.format, method=kw.pop("method", read.method),
                           unread=read.unread, pages=read.pages, chars=read.chars,
                           signals=read.signals, excerpt=read.excerpt, **kw)  # fmt: skip


def _page(url: str, signals: dict[str, Any], **kw: Any) -> Page:
    return Page(
        url=url, final_url=url, status=200, error=None, signals=PageSignals(**signals), **kw
    )


def test_a_document_recognised_only_from_its_pdf() -> None:
    article = SITE.url + "art/2022/9/10/art_1_2.html"
    listing = SITE.url + "zcwj/index.html"
    policy = {"kind": "document", "url": article, "title": "关于印发《示范市住房租赁管理办法》的通知",
              "published": "2022-09-10", "column": "政策文件", "normative": False,
              "normative_reasons": ["标题"]}  # fmt: skip
    pages = [
        _page(listing, {"column_signals": {"column_name": "政策文件"}}),
        _page(article, {"policy_page": policy}),
    ]
    merged = _attachment(SITE.url + "a.pdf", article, RED_HEAD)
    own = _attachment(SITE.url + "b.pdf", listing, {**RED_HEAD, "number": "示住建规〔2022〕4号"},
                      anchor="示范市物业服务办法.pdf", published=date(2022, 9, 12))  # fmt: skip
    links = [
        Link(article, merged.url, "附件", True),
        Link(listing, own.url, own.anchor, True),
    ]
    docs, _ = policy_facts(pages, SITE.url, [merged, own], links)
    page_doc, file_doc = docs
    assert (page_doc.url, page_doc.number, page_doc.reg_no) == (
        article,
        "示住建规〔2022〕3号",
        "SFSR-2022-01003",
    )
    assert page_doc.normative and "统一登记号（附件）" in page_doc.normative_reasons
    assert page_doc.attachments == (merged.url,) and page_doc.source == "page"
    assert (file_doc.url, file_doc.title, file_doc.source) == (
        own.url,
        "示范市物业服务办法",
        "attachment",
    )
    assert (file_doc.published, file_doc.linked_from, file_doc.normative) == (
        date(2022, 9, 12),
        listing,
        True,
    )
    facts = Facts("2022Q3", AS_OF, Inventory(Path("."), websites=[SITE]), documents=docs)
    found = list(REGISTRY["policy.interpretation_missing"]().check(facts, load_rules()))
    assert [f.target for f in found] == ["示住建规〔2022〕3号", "示住建规〔2022〕4号"]
    assert found[0].evidence_url == article and found[0].detail["attachments"] == [merged.url]
    assert found[1].evidence_url == own.url and found[1].detail["linked_from"] == listing


def _site_facts(*attachments: AttachmentFacts) -> Facts:
    pages = [_page(SITE.url, {})]
    site = SiteFacts(website=SITE, homepage=_home(), pages=pages, attachments=list(attachments))
    return Facts("2022Q3", AS_OF, Inventory(Path("."), websites=[SITE]), sites=[site])


def _home() -> Any:

    return Page(url=SITE.url, final_url=SITE.url, status=200, error=None)


def test_wording_and_privacy_in_files_name_the_file_and_its_page() -> None:
    page = SITE.url + "tzgg/t20220901_1.html"
    notice = _attachment(SITE.url + "n.docx", page, NOTICE, anchor="通知.docx")
    listed = _attachment(SITE.url + "l.xlsx", page, LIST, anchor="附件1：名单.xlsx")
    facts = _site_facts(notice, listed)
    rules = load_rules()
    (security,) = REGISTRY["site.security"]().check(facts, rules)
    assert security.veto and security.evidence_url == notice.url
    assert security.detail["attachments"] == [{"url": notice.url, "linked_from": page}]
    (privacy,) = REGISTRY["site.privacy"]().check(facts, rules)
    assert privacy.detail["lead"] and privacy.evidence_url == listed.url
    assert privacy.detail["linked_from"] == page and "附件“名单”" in privacy.problem
    assert ID_NUMBER not in json.dumps(privacy.detail, ensure_ascii=False) + privacy.problem


def test_ocr_wording_is_a_lead_and_an_unread_file_is_nothing() -> None:
    page = SITE.url + "tzgg/t20220901_1.html"
    scanned = _attachment(SITE.url + "s.pdf", page, NOTICE, method="ocr")
    broken = AttachmentFacts(url=SITE.url + "x.pdf", final_url=SITE.url + "x.pdf", status=200,
                             error=None, source=page, unread="文件无法解析（PDFSyntaxError）")  # fmt: skip
    facts = _site_facts(scanned, broken)
    (lead,) = REGISTRY["site.security"]().check(facts, load_rules())
    assert (lead.veto, lead.detail["lead"], lead.detail["ocr"]) == (False, True, True)
    assert "文字识别" in lead.problem
    assert not list(REGISTRY["site.link_broken"]().check(facts, load_rules()))


def test_a_result_stored_before_attachments_still_loads() -> None:
    site = SiteFacts(website=SITE, homepage=_home())
    state = dict(site.__dict__)
    del state["attachments"]
    old = SiteFacts.__new__(SiteFacts)
    old.__setstate__(state)
    assert old.attachments == []


# ----------------------------------------------------------------------------- inspect


def test_inspect_reads_an_attachment_file_and_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf, sheet = files(RED_HEAD, LIST)
    (tmp_path / "红头文件.pdf").write_bytes(pdf)
    assert main(["inspect", str(tmp_path / "红头文件.pdf"), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert (facts["attachment"], facts["doc_no"], facts["normative"]) == (
        True,
        "示住建规〔2022〕3号",
        True,
    )
    routes = {"/download?id=7": (200, {"Content-Type": "application/vnd.ms-excel"}, sheet)}
    with serve(routes) as base:
        assert main(["inspect", base + "/download?id=7"]) == 0
    out = capsys.readouterr().out
    assert "附件格式：xlsx" in out and "身份证号1个（如110***********0039）" in out
    assert ID_NUMBER not in out


def test_the_evidence_panel_shows_what_a_file_yielded() -> None:
    from workbench.dashboard.evidence import reading_html
    from workbench.inspect import attachment_facts

    page = SITE.url + "tzgg/t20220901_1.html"
    listed = _attachment(SITE.url + "l.xlsx", page, LIST, anchor="名单.xlsx")
    html = reading_html(attachment_facts(listed, listed.url, status=200, linked_from=page))
    assert "附件格式" in html and "xlsx" in html and page in html
    assert ID_NUMBER not in html and "110***********0039" in html


def test_a_file_is_titled_by_its_link_without_labels() -> None:
    from workbench.extract.attachments import attachment_title

    def title(anchor: str, text_title: str = "") -> str:
        att = AttachmentFacts(url="http://a.gov.cn/P020220901.pdf", final_url="", status=200,
                              error=None, source="", anchor=anchor,
                              signals=AttachmentSignals(document={"title": text_title}))  # fmt: skip
        return attachment_title(att)

    assert title("附件1：拟聘用人员名单.xlsx") == "拟聘用人员名单"
    assert title("枫林市课后服务管理办法（扫描件）") == "枫林市课后服务管理办法"
    assert title("通知【Word版】.doc") == "通知"
    assert title("暂行办法（试行）") == "暂行办法（试行）"
    assert title("", "关于印发办法的通知") == "关于印发办法的通知"
    assert title("") == "P020220901"


def test_a_recheck_reads_a_file_again_as_a_page() -> None:
    """``workbench recheck`` reads a finding's evidence again: a file is read as the crawl
    reads it, its wording hits where a page's are; an unreadable one cannot be checked."""
    from workbench.inspect import InspectError, read_live_page

    (notice,) = files(NOTICE)
    routes = {
        "/n.docx": (200, {"Content-Type": "application/msword"}, notice),
        "/x.pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n broken"),
    }
    with serve(routes) as base:
        page, links = read_live_page(base + "/n.docx")
        assert [h["wrong"] for h in page.signals.wording] == ["乡村振新"] and links == []
        with pytest.raises(InspectError, match="附件无法读取"):
            read_live_page(base + "/x.pdf")
