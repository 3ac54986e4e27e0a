"""The circular as Markdown (for diffs and the dashboard's preview).

Every text that reaches the output is escaped: ``&``, ``<``, ``>`` become HTML entities (so a
title containing ``<img onerror=…>`` stays text), ``|`` and Markdown's inline markers are
backslash-escaped, and line breaks inside a table cell become spaces.
"""

from __future__ import annotations

import re

from workbench.circular.model import Circular, split_inline_heading

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]{}|#~!])")
# block markers at the start of a line: list items ("- ", "1. "), setext/thematic lines
_LINE_START_MARKERS = re.compile(r"^(\s*)([-+]|\d+[.)])(?=\s|$)|^(\s*)([-=])(?=[-=\s]*$)")


def escape_markdown(text: str) -> str:
    """``text`` as literal Markdown: no HTML, no emphasis, links, tables or headings."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIALS.sub(r"\\\1", text)
    text = text.replace("\r", " ").replace("\n", " ")
    return _LINE_START_MARKERS.sub(_escape_marker, text)


def _escape_marker(match: re.Match[str]) -> str:
    indent = match.group(1) if match.group(2) else match.group(3)
    marker = match.group(2) or match.group(4)
    if marker[0].isdigit():  # "1." → "1\." (a backslash before a digit is no escape)
        return (indent or "") + marker[:-1] + "\\" + marker[-1]
    return (indent or "") + "\\" + marker


def _paragraph(text: str) -> str:
    heading, rest = split_inline_heading(text)
    if heading:
        return f"**{escape_markdown(heading)}**{escape_markdown(rest)}"
    return escape_markdown(text)


def _table(columns: tuple[str, ...], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(escape_markdown(c) for c in columns) + " |"]
    lines.append("| " + " | ".join("---" for _ in columns) + " |")
    for row in rows:
        lines.append("| " + " | ".join(escape_markdown(cell) or " " for cell in row) + " |")
    return lines


def render_markdown(circular: Circular) -> str:
    """The whole circular, attachments included, as one Markdown document."""
    out: list[str] = [f"# {escape_markdown(circular.title)}", ""]
    if circular.recipients:
        out += [f"{escape_markdown(circular.recipients)}：", ""]
    for paragraph in circular.basis:
        out += [_paragraph(paragraph), ""]
    for section in circular.sections:
        out += [f"## {escape_markdown(section.heading)}", ""]
        for paragraph in section.paragraphs:
            out += [_paragraph(paragraph), ""]
    if circular.attachments:
        items = [escape_markdown(item) for item in circular.attachment_list]
        out += ["附件：" + "  \n".join(items), ""]
    out += [
        f"{escape_markdown(circular.issuer)}  ",
        escape_markdown(circular.issue_date_text),
        "",
    ]
    if circular.disclosure:
        out += [escape_markdown(circular.disclosure), ""]
    for attachment in circular.attachments:
        out += ["---", "", f"## {escape_markdown(attachment.label)}", ""]
        out += [f"### {escape_markdown(attachment.title)}", ""]
        out += _table(attachment.columns, attachment.rows)
        out.append("")
        if attachment.note:
            out += [escape_markdown(attachment.note), ""]
    return "\n".join(out).rstrip() + "\n"
