"""The evidence of one finding as escaped HTML: problem, link, dates, counts, page snippet,
review state and audit trail. Every value from the web or the store is escaped."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from workbench.dashboard.labels import (
    KIND_LABELS,
    indicator_family,
    indicator_title,
    parse_detail,
)
from workbench.dashboard.ui import esc, safe_link, status_tag
from workbench.store.decisions import AuditEntry
from workbench.store.rectification import CLAIM_LABELS

DETAIL_LABELS = {
    "as_of": "监测时间点",
    "newest": "最近一次更新",
    "days_since": "距监测时间点（天）",
    "threshold_days": "规定期限（天）",
    "dated_items": "页面上带日期的信息（条）",
    "post_count": "数据源中的信息（条）",
    "navigation_shell": "首页仅为导航页",
    "status": "HTTP状态码",
    "error": "错误信息",
    "reason": "原因",
    "source": "数据源",
    "registered": "是否备案",
    "count": "数量",
    "total": "总数",
    "date": "日期",
    "published": "发布日期",
    "deadline": "期限",
    "url": "网址",
    "title": "标题",
    "column": "栏目",
    "name": "名称",
    "attachments": "附件",
    "attachment": "附件",
    "linked_from": "链接该附件的页面",
    "ocr": "扫描件文字识别结果",
    "page": "页面",
}
SNIPPET_KEYS = ("snippet", "excerpt", "context", "page_text", "text", "quote")


def _value_html(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)):
        return "；".join(_value_html(v) for v in value[:20])
    if isinstance(value, Mapping) and value.get("url") and value.get("linked_from"):
        return f"{_value_html(value['url'])}（链接页面：{_value_html(value['linked_from'])}）"
    if isinstance(value, Mapping):
        return esc(json.dumps(value, ensure_ascii=False))
    text = str(value)
    if text.lower().startswith(("http://", "https://")):
        return safe_link(text)
    return esc(text)


def _kv(label: str, value_html: str) -> str:
    """One row of the evidence table: an escaped label and already-escaped HTML."""
    return f"<tr><th>{esc(label)}</th><td>{value_html}</td></tr>"


def detail_html(detail: Mapping[str, Any]) -> tuple[str, str]:
    """(the facts as table rows, the page snippet row or "")."""
    facts = []
    snippet = ""
    for key, value in detail.items():
        if key in SNIPPET_KEYS and value:
            snippet = _kv("页面片段", f'<div class="wb-snippet">{esc(value)}</div>')
            continue
        label = DETAIL_LABELS.get(key, f"其他信息（{key}）")
        facts.append(_kv(label, _value_html(value)))
    return "".join(facts), snippet


def history_html(entries: list[AuditEntry]) -> str:
    if not entries:
        return "<p>尚无审核记录。</p>"
    rows = []
    for e in reversed(entries):
        before = e.previous.get("status", "pending")
        what = e.action_label
        before_cell = status_tag(str(before))
        if e.action == "edit":
            what += f"：“{e.new_value or ''}”"
        if e.action == "rectify":  # a unit's claim (store.rectification), not a decision
            what += f"：{CLAIM_LABELS.get(e.new_value or '', e.new_value or '')}"
            before_cell = f"整改情况：{esc(CLAIM_LABELS.get(str(before), str(before)))}"
        if e.reason:
            what += f"（{'说明' if e.action == 'rectify' else '理由'}：{e.reason}）"
        rows.append(
            "<tr>"
            f"<td>{esc(e.created_at.strftime('%Y-%m-%d %H:%M'))}</td>"
            f"<td>{esc(e.reviewer)}</td><td>{esc(what)}</td>"
            f"<td>{before_cell}</td>"
            "</tr>"
        )
    return (
        '<table class="wb-table wb-left"><thead><tr><th>时间</th><th>审核人</th><th>操作</th>'
        f"<th>操作前状态</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


LEAD_NOTE = (
    "这是一条线索：技术监测只能提示疑点，不能据此认定问题。请打开佐证网址逐条核实，"
    "确认后才计入评分和通报{veto}；排除则不计。"
)


def _veto_text(row: Mapping[str, Any], detail: Mapping[str, Any]) -> str:
    if detail.get("lead"):
        return "线索（确认后按单项否决计）" if detail.get("lead_veto") else "线索"
    return "是" if row.get("veto") else "否"


def lead_note(row: Mapping[str, Any]) -> str:
    """The explanation shown above a lead's evidence ("" for an ordinary finding)."""
    detail = parse_detail(row.get("detail"))
    if not detail.get("lead"):
        return ""
    veto = "（按单项否决计）" if detail.get("lead_veto") else ""
    return f'<div class="wb-lead-note">{esc(LEAD_NOTE.format(veto=veto))}</div>'


_SCRIPT_LIST = {"none": "否", "read": "是，已读取", "unread": "是，无法读取"}


def reading_html(facts: Mapping[str, Any]) -> str:
    """Rows for what the crawl read from the evidence page: the facts ``workbench inspect``
    shows (``workbench.inspect.page_facts``, or ``attachment_facts`` for a file), as stored
    by the run."""
    if facts.get("attachment"):
        read = facts.get("unread") or (
            "文字识别（扫描件）" if facts.get("method") == "ocr" else "已读取文字"
        )
        rows = [
            _kv("附件格式", esc(str(facts.get("format") or "—"))),
            _kv("读取情况", esc(f"{read}，{facts.get('pages') or '—'}页，{facts.get('chars')}字")),
        ]
        if facts.get("linked_from"):
            rows.append(_kv("链接该附件的页面", _value_html(facts["linked_from"])))
        if facts.get("doc_no") or facts.get("reg_no"):
            rows.append(
                _kv(
                    "文号 / 统一登记号",
                    esc(f"{facts.get('doc_no') or '无'} / {facts.get('reg_no') or '无'}"),
                )
            )
        if facts.get("excerpt"):
            rows.append(_kv("附件开头", f'<div class="wb-snippet">{esc(facts["excerpt"])}</div>'))
        return "".join(rows)
    items = list(facts.get("items") or [])
    newest = max((str(i.get("date")) for i in items if i.get("date")), default="—")
    pages = list(facts.get("list_pages") or [])
    total = facts.get("total_pages")
    paging = f"{len(pages)}页" + (f"（列表共{total}页）" if total else "") if pages else "无"
    script = _SCRIPT_LIST.get(str(facts.get("script_list")), str(facts.get("script_list")))
    if facts.get("script_note"):
        script += f"（{facts['script_note']}）"
    ident = facts.get("identity") or {}
    rows = [
        _kv("页面上带日期的信息", esc(f"{len(items)}条，最新一条 {newest}")),
        _kv("列表其他页", esc(paging)),
        _kv("列表由脚本加载", esc(script)),
        _kv("导航", esc(f"{len(facts.get('nav') or [])}项")),
        _kv("网站标识码（页面）", esc(ident.get("site_code") or "无")),
    ]
    if facts.get("doc_no") or facts.get("interpretation_forms"):
        forms = "、".join(facts.get("interpretation_forms") or []) or "无"
        rows.append(_kv("文号 / 解读形式", esc(f"{facts.get('doc_no') or '无'} / {forms}")))
    return "".join(rows)


def evidence_html(
    row: Mapping[str, Any],
    page_title: str | None = None,
    reading: Mapping[str, Any] | None = None,
) -> str:
    """The side panel's evidence for one finding row of ``ReviewedQuarter.findings``;
    ``reading``: what the crawl read from its evidence page (see :func:`reading_html`)."""
    detail = parse_detail(row.get("detail"))
    facts, snippet = detail_html(detail)
    kind = KIND_LABELS.get(str(row.get("target_kind")), str(row.get("target_kind")))
    platform = str(row.get("platform") or "")
    target = str(row.get("target") or "")
    shown = str(row.get("shown_problem") or row.get("problem") or "")
    original = str(row.get("problem") or "")
    parts = [lead_note(row), '<table class="wb-evidence">', _kv("问题", f"<b>{esc(shown)}</b>")]
    if shown != original:
        parts.append(_kv("原始表述", esc(original)))
    where = f"{esc(kind)}（{esc(platform)}）" if platform else esc(kind)
    indicator = str(row.get("indicator"))
    label = str(row.get("label") or "")
    named = bool(label) and label != target  # a column, document or website by its name
    parts += [
        _kv("单位", esc(row.get("unit"))),
        _kv("检查对象", f"{where}：{esc(label) if named else _value_html(target)}"),
    ]
    if named:
        parts.append(
            _kv("文号" if row.get("target_kind") == "document" else "网址", _value_html(target))
        )
    parts += [
        _kv("指标", f"{esc(indicator_title(indicator))}（{esc(indicator_family(indicator))}）"),
        _kv("单项否决", _veto_text(row, detail)),
    ]
    if row.get("points"):
        parts.append(_kv("扣分", esc(row.get("points"))))
    url = str(row.get("evidence_url") or "")
    parts.append(_kv("佐证网址", safe_link(url) if url else "—"))
    if page_title:
        parts.append(_kv("页面标题", esc(page_title)))
    if reading:
        parts.append(reading_html(reading))
    parts += [facts, snippet]
    first, last = row.get("first_seen"), row.get("last_seen")
    if first is not None:
        parts.append(_kv("首次发现 / 最近发现", f"{esc(first)} / {esc(last)}"))
    status = str(row.get("status") or "pending")
    review = status_tag(status)
    if row.get("reviewer"):
        review += f" {esc(row.get('reviewer'))}，{esc(row.get('updated_at'))}"
    if status == "dismissed" and row.get("reason"):
        review += f"；排除理由：{esc(row.get('reason'))}"
    parts.append(_kv("审核状态", review) + "</table>")
    return "".join(parts)
