"""Issue 21's plants in the demo city: attachments a check must read (applied after a site is
built, so no other site's random draws change).

Planted (each a finding only the file shows):

- 松川县: a 规范性文件 (政策文件) whose page shows neither 文号 nor 统一登记号 — only its PDF
  does, on its first page, as a 红头文件 prints them — and has no interpretation
  (policy.interpretation_missing, the 文号 read from the PDF);
- 枫林市: a 规范性文件 listed in 政策文件 as a scanned PDF with no page of its own (OCR reads
  its 文号; policy.interpretation_missing, the file itself the evidence);
- 示范高新区: a notice whose .doc attachment holds a serious wording error (site.security);
- 示范经开区: a 公示 whose .xlsx (linked through a Hanweb download URL) lists unmasked 身份证号
  (site.privacy, a lead), and an attachment link that answers 404 (site.link_broken).

Healthy (files read, nothing to report): 明湖区's document PDF repeating what its page shows,
市卫健委's .docx, 市市场监督管理局's .xls 公示 with masked numbers, 市城管局's .wps notice,
and 市林业局's broken PDF (unreadable: never a finding). Dates are Asia/Shanghai calendar
dates, times naive wall-clock.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from workbench.demo.city import Column, DemoAttachment, Item, SiteModel, TruthEntry
from workbench.demo.paths import item_path
from workbench.extract.personal_info import id_check_digit

DOCNO_SITE, SCAN_SITE, DOC_SITE, XLSX_SITE = "songchuan", "fenglin", "gxq", "jkq"
PLANTED = frozenset({DOCNO_SITE, SCAN_SITE, DOC_SITE, XLSX_SITE})
HEALTHY = ("minghu", "wjw", "scjgj", "cgj", "lyj")
DOCNO = "松政规〔2022〕3号"
DOCNO_REG = "SCSR-2022-01003"
SCAN_DOCNO = "枫政规〔2022〕5号"
DOC_WORDING = ("乡村振新", "乡村振兴", "重要提法错误")
DOWNLOAD = "/module/download/downfile.jsp?classid=0&filename="


def _id_number(first17: str) -> str:
    return first17 + id_check_digit(first17)


# Fictional 身份证号 with valid check digits (born 1988 and 1995).
ID_NUMBERS = (_id_number("11010119880512003"), _id_number("11010519950321004"))


def _spec(**fields: Any) -> str:
    return json.dumps(fields, ensure_ascii=False, sort_keys=True)


def spec_of(att: DemoAttachment) -> dict[str, Any]:
    """The file's content as :mod:`workbench.demo.attachment_files` makes it."""
    value: dict[str, Any] = json.loads(att.spec)
    return value


def _written(when: datetime) -> str:
    return f"{when.year}年{when.month}月{when.day}日"


def attachment_files(city_sites: tuple[SiteModel, ...]) -> dict[tuple[str, str], bytes]:
    """(site key, path) → the bytes of every served attachment, made (or reused) at once."""
    from workbench.demo.attachment_files import make_files, spec_key

    served = [(s.key, a) for s in city_sites for a in s.attachments if not a.missing]
    made = make_files(spec_of(a) for _, a in served)
    return {(key, a.path): made[spec_key(spec_of(a))] for key, a in served}


def _with_column(site: SiteModel, column: Column) -> SiteModel:
    return replace(site, columns=tuple(column if c.key == column.key else c for c in site.columns))


def _folder(site: SiteModel, column: str, when: datetime) -> str:
    """Where a CMS of the site's style keeps a column's files."""
    if site.style == "trs":
        return f"/{column}/{when:%Y%m}/"
    if site.style in ("hanweb", "jcms"):
        return f"/picture/0/{when:%y%m%d}/"
    return f"/uploadfiles/{when:%Y%m}/"


def _newest(site: SiteModel, key: str, as_of: date) -> Item:
    """The column's newest item published by the check time."""
    shown = [it for it in site.column(key).items if it.published.date() <= as_of]
    return max(shown, key=lambda it: it.published)


def _docno_document(site: SiteModel, as_of: date) -> SiteModel:
    """A 规范性文件 whose 文号 and 统一登记号 are only in its PDF (module doc)."""
    published = datetime.combine(as_of - timedelta(days=20), time(10, 30))
    inner = "松川县住房租赁管理办法"
    title = f"松川县人民政府关于印发《{inner}》的通知"
    item = Item(970_001, title, published, "document", doc_number=DOCNO, reg_no=DOCNO_REG,
                normative=True)  # fmt: skip
    column = site.column("zcwj")
    items = tuple(sorted((*column.items, item), key=lambda it: it.published, reverse=True))
    site = _with_column(site, replace(column, items=items))
    spec = _spec(
        kind="pdf",
        head="松川县人民政府文件",
        number=DOCNO,
        title=title,
        title_lines=["松川县人民政府", f"关于印发《{inner}》的通知"],
        lines=[f"统一登记号：{DOCNO_REG}", "各乡镇人民政府，县政府各部门：",
               f"现将《{inner}》印发给你们，请认真贯彻执行。"],
        body=[inner, "第一条　为规范住房租赁活动，维护当事人合法权益，制定本办法。",
              "第二条　本办法适用于本县行政区域内的住房租赁及其监督管理。",
              "第三十条　本办法自2022年10月1日起施行，有效期5年。"],
        signature=["松川县人民政府", _written(published - timedelta(days=3))],
    )  # fmt: skip
    path = _folder(site, "zcwj", published) + f"P0{published:%Y%m%d}1.pdf"
    att = DemoAttachment(path, f"{inner}.pdf", spec, item_id=item.item_id)
    return replace(site, attachments=(*site.attachments, att))


def _scanned_document(site: SiteModel, as_of: date) -> SiteModel:
    """A scanned 规范性文件 listed in 政策文件 with no page of its own (module doc)."""
    published = datetime.combine(as_of - timedelta(days=25), time(9, 0))
    inner = "枫林市中小学校课后服务管理办法"
    spec = _spec(
        kind="scan",
        head="枫林市人民政府文件",
        number=SCAN_DOCNO,
        title_lines=["枫林市人民政府关于印发《枫林市中小学校", "课后服务管理办法》的通知"],
        lines=["各区县人民政府，市政府各部门：", f"现将《{inner}》印发给你们，请认",
               "真贯彻执行。本办法自2022年9月1日起施行，有效期5年。"],
        signature=["枫林市人民政府", _written(published)],
    )  # fmt: skip
    path = _folder(site, "zcwj", published) + f"P0{published:%Y%m%d}2.pdf"
    att = DemoAttachment(path, f"{inner}（扫描件）", spec, column="zcwj", published=published)
    return replace(site, attachments=(*site.attachments, att))


def _doc_notice(site: SiteModel, as_of: date) -> SiteModel:
    """A notice whose .doc attachment holds a serious wording error."""
    notice = _newest(site, "tzgg", as_of)
    wrong = DOC_WORDING[0]
    spec = _spec(
        kind="doc",
        title="关于做好2022年乡村振兴重点工作的通知",
        lines=["各有关单位：", f"为全面推进{wrong}，加快农业农村现代化，现就做好有关工作通知如下。",
               "一、提高思想认识。二、压实工作责任。三、加强督促检查。"],
    )  # fmt: skip
    path = _folder(site, "tzgg", notice.published) + f"P0{notice.published:%Y%m%d}3.doc"
    att = DemoAttachment(path, "附件：关于做好2022年乡村振兴重点工作的通知.doc", spec,
                         item_id=notice.item_id)  # fmt: skip
    return replace(site, attachments=(*site.attachments, att))


def _xlsx_list(site: SiteModel, as_of: date) -> SiteModel:
    """A 公示 whose spreadsheet lists unmasked 身份证号, and a link to a missing form."""
    notice = _newest(site, "tzgg", as_of)
    rows = [["序号", "姓名", "性别", "身份证号", "拟聘岗位"]]
    rows += [[str(i + 1), name, sex, number, "公益性岗位"]
             for i, (name, sex, number) in enumerate(
                 [("张某某", "男", ID_NUMBERS[0]), ("李某某", "女", ID_NUMBERS[1])])]  # fmt: skip
    spec = _spec(kind="xlsx", title="2022年公益性岗位拟聘用人员名单", rows=rows)
    stamp = f"{notice.published:%Y%m%d}"
    listed = DemoAttachment(f"{DOWNLOAD}P0{stamp}4.xlsx", "附件1：拟聘用人员名单.xlsx", spec,
                            item_id=notice.item_id)  # fmt: skip
    missing = DemoAttachment(f"{DOWNLOAD}P0{stamp}5.docx", "附件2：报名登记表.docx",
                             _spec(kind="docx"), item_id=notice.item_id, missing=True)  # fmt: skip
    return replace(site, attachments=(*site.attachments, listed, missing))


def _healthy(site: SiteModel, as_of: date) -> SiteModel:
    """Files read with nothing to report (module doc)."""
    if site.key == "minghu":
        doc = next(it for it in _by_date(site.column("zcwj")) if it.doc_number)
        inner = doc.title.split("《", 1)[-1].split("》", 1)[0]
        spec = _spec(
            kind="pdf", head="明湖区人民政府文件", number=doc.doc_number, title=doc.title,
            title_lines=[doc.title[:18], doc.title[18:]],
            lines=["各街道办事处，区政府各部门：", f"现将《{inner}》印发给你们，请认真贯彻落实。"],
            body=[inner, "一、工作目标。二、重点任务。三、保障措施。"],
            signature=["明湖区人民政府", _written(doc.published)],
        )  # fmt: skip
        path = _folder(site, "zcwj", doc.published) + f"P0{doc.published:%Y%m%d}6.pdf"
        att = DemoAttachment(path, f"{inner}.pdf", spec, item_id=doc.item_id)
    elif site.key in ("wjw", "cgj"):
        news = _newest(site, "gzdt" if site.key == "wjw" else "tzgg", as_of)
        kind = "docx" if site.key == "wjw" else "wps"
        spec = _spec(kind=kind, title="健康知识进社区活动安排",
                     lines=["各社区卫生服务中心：", "请按照活动安排做好组织工作，确保活动取得实效。"])  # fmt: skip
        column = "gzdt" if site.key == "wjw" else "tzgg"
        path = _folder(site, column, news.published) + f"P0{news.published:%Y%m%d}7.{kind}"
        att = DemoAttachment(path, f"活动安排.{kind}", spec, item_id=news.item_id)
    elif site.key == "scjgj":
        notice = _newest(site, "tzgg", as_of)
        rows = [["序号", "姓名", "身份证号", "联系电话"],
                ["1", "王某某", "110***********0016", "138****5678"]]  # fmt: skip
        spec = _spec(kind="xls", title="2022年食品安全示范店名单公示", rows=rows)
        path = _folder(site, "tzgg", notice.published) + f"P0{notice.published:%Y%m%d}8.xls"
        att = DemoAttachment(path, "示范店名单.xls", spec, item_id=notice.item_id)
    elif site.key == "lyj":
        notice = _newest(site, "tzgg", as_of)
        path = _folder(site, "tzgg", notice.published) + f"P0{notice.published:%Y%m%d}9.pdf"
        att = DemoAttachment(path, "附件：林业有害生物防治方案.pdf", _spec(kind="corrupt"),
                             item_id=notice.item_id)  # fmt: skip
    else:
        return site
    return replace(site, attachments=(*site.attachments, att))


def _by_date(column: Column) -> list[Item]:
    return sorted(column.items, key=lambda it: it.published, reverse=True)


def apply_issue21(site: SiteModel, as_of: date) -> SiteModel:
    """``site`` with issue 21's attachments (see module doc)."""
    if site.key == DOCNO_SITE:
        return _docno_document(site, as_of)
    if site.key == SCAN_SITE:
        return _scanned_document(site, as_of)
    if site.key == DOC_SITE:
        return _doc_notice(site, as_of)
    if site.key == XLSX_SITE:
        return _xlsx_list(site, as_of)
    if site.key in HEALTHY:
        return _healthy(site, as_of)
    return site


def documents_in_attachments(site: SiteModel) -> set[int]:
    """Items whose page leaves 文号, 统一登记号 and 有效性 to their attached PDF."""
    return {
        a.item_id
        for a in site.attachments
        if a.item_id is not None and spec_of(a).get("kind") == "pdf" and site.key == DOCNO_SITE
    }


def issue21_entries(as_of: date, site: dict[str, SiteModel]) -> tuple[TruthEntry, ...]:
    """What a correct check must and must not report about issue 21's plants."""
    out: list[TruthEntry] = []

    def add(section: str, indicator: str, kind: str, ref: str, key: str, **kw: Any) -> None:
        kw.setdefault("since", "issue-21")
        out.append(TruthEntry(section, indicator, kind, ref, site[key].unit, **kw))

    doc = next(it for it in site[DOCNO_SITE].column("zcwj").items if it.doc_number == DOCNO)
    add("expected", "policy.interpretation_missing", "document", DOCNO, DOCNO_SITE,
        note="规范性文件的文号和统一登记号只在PDF附件首页：从附件识别后，缺少解读",
        key_date=doc.published.date())  # fmt: skip
    scan = site[SCAN_SITE].attachments[-1]
    assert scan.published is not None
    add("expected", "policy.interpretation_missing", "document", SCAN_DOCNO, SCAN_SITE,
        note="政策文件栏目直接列出的扫描件（无文字层）：文字识别读出规范性文件文号，缺少解读",
        key_date=scan.published.date(), evidence_path=scan.path, requires="ocr")  # fmt: skip
    wrong, right, category = DOC_WORDING
    doc_file = site[DOC_SITE].attachments[-1]
    add("expected", "site.security", "website", DOC_SITE, DOC_SITE, veto=True,
        key_path=f"wording:{wrong}", requires="libreoffice",
        note=f".doc附件中“{wrong}”应为“{right}”（{category}）",
        evidence_path=doc_file.path)  # fmt: skip
    listed, missing = site[XLSX_SITE].attachments[-2:]
    add("expected", "site.privacy", "website", XLSX_SITE, XLSX_SITE,
        evidence_path=listed.path,
        note="公示附件（.xlsx）中列出未脱敏的身份证号（线索）")  # fmt: skip
    tzgg = site[XLSX_SITE].column("tzgg")
    notice = next(it for it in tzgg.items if it.item_id == missing.item_id)
    add("expected", "site.link_broken", "website", XLSX_SITE, XLSX_SITE, key_path=missing.path,
        note="附件链接“报名登记表.docx”指向的文件不存在（HTTP 404）",
        evidence_path=item_path(site[XLSX_SITE], tzgg, notice))  # fmt: skip
    add("not_expected", "site.privacy", "website", "scjgj", "scjgj",
        note=".xls公示附件中的身份证号、手机号码已脱敏")  # fmt: skip
    add("not_expected", "site.link_broken", "website", "lyj", "lyj",
        note="PDF附件已损坏、无法解析：只记为未读取，不作判定")  # fmt: skip
    minghu = next(it for it in _by_date(site["minghu"].column("zcwj")) if it.doc_number)
    assert minghu.doc_number is not None
    add("not_expected", "policy.interpretation_missing", "document", minghu.doc_number, "minghu",
        note="文件页面和PDF附件内容一致，不是规范性文件，不重复计为文件")  # fmt: skip
    return tuple(out)
