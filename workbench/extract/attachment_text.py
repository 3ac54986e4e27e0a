"""The text of an attachment (.pdf, .doc/.docx, .wps, .xls/.xlsx, .et), read by format.

:func:`extract_text` is a pure function of the file's bytes (and the tools on the machine):

- PDF: the text layer with pdfminer.six (the first ``pdf_pages`` pages); a PDF whose pages
  hold no text (a scan) is rendered with poppler's ``pdftoppm`` and read by Tesseract with its
  Simplified Chinese data (``chi_sim``, Debian's ``tesseract-ocr-chi-sim``), its first
  ``ocr_pages`` pages; without Tesseract or its Chinese data the scan is reported unread;
- Office Open XML: python-docx (paragraphs and tables, in document order) and openpyxl
  (every sheet's cell values, ``max_rows`` rows at most);
- the binary formats (.doc, .wps, .xls, .et): converted by LibreOffice headless
  (``soffice --convert-to docx|xlsx``, one private profile per process, ``timeout`` seconds),
  then read as above; without LibreOffice they are reported unread.

The format is told by the bytes first (``%PDF``, a ZIP with ``word/`` or ``xl/``, an OLE
compound file), the file name second: a ``.pdf`` link that answers with a web page is not
read as a PDF. Nothing here raises on a bad file: :class:`ExtractedText` says why it was not
read (``unread``, Chinese). Text is capped at ``max_chars`` characters.
"""

from __future__ import annotations

import contextlib
import functools
import io
import multiprocessing.util
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = [
    "FORMATS",
    "ExtractedText",
    "TextOptions",
    "extract_text",
    "file_format",
    "libreoffice",
    "ocr_available",
]

FORMATS = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et")
WORD_FORMATS = frozenset({"doc", "docx", "wps"})
SHEET_FORMATS = frozenset({"xls", "xlsx", "et"})
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A page of a text PDF holds far more than this; a scan's text layer is empty or a stamp.
_SCAN_CHARS_PER_PAGE = 20
_CJK = r"\u3400-\u9fff\uff00-\uffef\u3000-\u303f"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")

UNREAD_HTML = "链接返回的是网页而不是附件文件"
UNREAD_UNKNOWN = "无法识别的文件格式"
UNREAD_EMPTY = "文件为空"
UNREAD_NO_TEXT = "文件中没有文字"
UNREAD_NO_OCR = "扫描件（图片），本机未安装中文文字识别（tesseract-ocr-chi-sim），未读取文字"
UNREAD_OCR_OFF = "扫描件（图片），规则未启用文字识别，未读取文字"
UNREAD_NO_LIBREOFFICE = "本机未安装LibreOffice，无法读取.{fmt}文件"


@dataclass(frozen=True, slots=True)
class TextOptions:
    """How far a file is read: PDF pages, pages recognised by OCR, sheet rows, characters;
    ``timeout`` seconds for each run of an external tool (LibreOffice, pdftoppm, Tesseract)."""

    pdf_pages: int = 30
    ocr: bool = True
    ocr_pages: int = 3
    ocr_language: str = "chi_sim"
    max_rows: int = 5000
    max_chars: int = 200_000
    timeout: float = 60.0


@dataclass(slots=True)
class ExtractedText:
    """What was read: ``format`` (pdf, docx, doc …, or html / unknown), ``method`` ``text``
    (a text layer or an Office file) or ``ocr``, the text of each page (PDF pages, sheets; one
    element for a Word file), the file's page count when known, and ``unread`` (why nothing
    could be read, Chinese; then ``pages`` is empty)."""

    format: str
    method: str = ""
    pages: list[str] = field(default_factory=list)
    page_count: int | None = None
    unread: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


def file_name(url: str) -> str:
    """The last path segment of ``url`` (percent-decoded), or of a file path."""
    try:
        path = urlsplit(url).path if "://" in url else url
    except ValueError:
        path = url
    return unquote(path.rsplit("/", 1)[-1])


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def file_format(content: bytes, name: str = "", content_type: str = "") -> str:
    """``pdf``, ``docx``, ``xlsx``, ``doc``, ``wps``, ``xls``, ``et``, ``html`` or ``unknown``:
    the bytes decide, the name (or the media type) only tells the binary Office formats apart."""
    ext = _extension(name)
    head = content[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if content[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError):
            return "unknown"
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        return "unknown"
    if content[:8] == _OLE_MAGIC:
        if ext in ("doc", "wps", "xls", "et"):
            return ext
        media = content_type.lower()
        if "excel" in media or "spreadsheet" in media:
            return "xls"
        return "doc"
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml", b"<")):
        return "html"
    return "unknown"


def clean_lines(text: str) -> str:
    """Spaces a PDF or OCR puts between two Chinese characters removed; other text kept."""
    return _CJK_GAP.sub("", text)


def extract_text(
    content: bytes, name: str = "", content_type: str = "", options: TextOptions | None = None
) -> ExtractedText:
    """Read the text of one attachment (module doc); never raises."""
    options = options or TextOptions()
    if not content:
        return ExtractedText(_extension(name) or "unknown", unread=UNREAD_EMPTY)
    fmt = file_format(content, name, content_type)
    try:
        if fmt == "pdf":
            out = _pdf(content, options)
        elif fmt == "docx":
            out = ExtractedText("docx", "text", [_docx_text(content)])
        elif fmt == "xlsx":
            out = ExtractedText("xlsx", "text", _xlsx_sheets(content, options.max_rows))
        elif fmt in ("doc", "wps", "xls", "et"):
            out = _converted(content, fmt, options)
        elif fmt == "html":
            out = ExtractedText(fmt, unread=UNREAD_HTML)
        else:
            out = ExtractedText(fmt, unread=UNREAD_UNKNOWN)
    except Exception as exc:  # noqa: BLE001 - a broken file is unread, never a crash
        out = ExtractedText(fmt, unread=f"文件无法解析（{type(exc).__name__}）")
    if out.unread is None and not "".join(out.pages).strip():
        out.unread, out.method, out.pages = UNREAD_NO_TEXT, "", []
    return _capped(out, options.max_chars)


def _capped(out: ExtractedText, limit: int) -> ExtractedText:
    total, pages = 0, []
    for page in out.pages:
        if total >= limit:
            break
        pages.append(page[: limit - total])
        total += len(pages[-1])
    out.pages = pages
    return out


# ----------------------------------------------------------------------------- PDF


def _pdf(content: bytes, options: TextOptions) -> ExtractedText:
    from pdfminer.high_level import extract_text as pdf_text
    from pdfminer.layout import LAParams

    count = _pdf_page_count(content)
    text = pdf_text(io.BytesIO(content), maxpages=max(1, options.pdf_pages), laparams=LAParams())
    pages = [clean_lines(p) for p in text.split("\f")]
    if pages and not pages[-1].strip():
        pages.pop()
    read = min(len(pages), options.pdf_pages) or 1
    chars = sum(len("".join(p.split())) for p in pages)
    if chars >= _SCAN_CHARS_PER_PAGE * read:
        return ExtractedText("pdf", "text", pages, count)
    if not options.ocr:
        return ExtractedText("pdf", page_count=count, unread=UNREAD_OCR_OFF)
    if not ocr_available(options.ocr_language):
        return ExtractedText("pdf", page_count=count, unread=UNREAD_NO_OCR)
    scanned = _ocr_pdf(content, options)
    return ExtractedText("pdf", "ocr", scanned, count)


def _pdf_page_count(content: bytes) -> int | None:
    try:
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfparser import PDFParser
        from pdfminer.pdftypes import resolve1

        document = PDFDocument(PDFParser(io.BytesIO(content)))
        pages = resolve1(document.catalog.get("Pages"))
        return int(resolve1(pages.get("Count"))) if pages else None
    except Exception:  # noqa: BLE001 - the count is informative only
        return None


@functools.cache
def ocr_available(language: str = "chi_sim") -> bool:
    """True when ``tesseract`` (with ``language`` data) and poppler's ``pdftoppm`` are here."""
    if shutil.which("tesseract") is None or shutil.which("pdftoppm") is None:
        return False
    try:
        listed = subprocess.run(
            ["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return language in (listed.stdout + listed.stderr).split()


def _ocr_pdf(content: bytes, options: TextOptions) -> list[str]:
    """The first ``ocr_pages`` pages rendered at 200 dpi (grey) and read by Tesseract."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one core per page-reading process
    with tempfile.TemporaryDirectory(prefix="workbench-ocr-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(content)
        last = str(max(1, options.ocr_pages))
        subprocess.run(
            ["pdftoppm", "-r", "200", "-gray", "-png", "-f", "1", "-l", last, str(src),
             str(Path(tmp) / "page")],
            capture_output=True, timeout=options.timeout, check=True,
        )  # fmt: skip
        pages = []
        for image in sorted(Path(tmp).glob("page*.png")):
            read = subprocess.run(
                ["tesseract", str(image), "stdout", "-l", options.ocr_language],
                capture_output=True, timeout=options.timeout, check=True, env=env,
            )  # fmt: skip
            pages.append(clean_lines(read.stdout.decode("utf-8", "replace")))
        return pages


# ----------------------------------------------------------------------------- Office XML


def _docx_text(content: bytes) -> str:
    """Paragraphs and table rows of a .docx body, in document order."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(content))
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    value = " ".join(cell.text.split())
                    if not cells or cells[-1] != value:  # merged cells repeat their text
                        cells.append(value)
                lines.append("\t".join(cells))
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _xlsx_sheets(content: bytes, max_rows: int) -> list[str]:
    """Each sheet's rows as tab-separated lines (values, not formulas), ``max_rows`` in all."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheets, rows = [], 0
        for sheet in book.worksheets:
            lines = []
            for row in sheet.iter_rows(values_only=True):
                if rows >= max_rows:
                    break
                cells = [_cell(v) for v in row]
                if any(cells):
                    lines.append("\t".join(cells).rstrip("\t"))
                    rows += 1
            sheets.append("\n".join([sheet.title, *lines]))
        return sheets
    finally:
        book.close()


# ----------------------------------------------------------------------------- LibreOffice

_PROFILE_LOCK = threading.Lock()
_PROFILES: dict[int, Path] = {}


def libreoffice() -> str | None:
    """The LibreOffice command (``soffice``), or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _profile() -> Path:
    """This process's own LibreOffice profile (two instances must never share one)."""
    pid = os.getpid()
    if pid not in _PROFILES:
        path = Path(tempfile.mkdtemp(prefix="workbench-lo-"))
        _PROFILES[pid] = path
        # removed when the process ends: multiprocessing runs its finalizers in a page-reading
        # process too (which leaves by os._exit, without atexit), and at exit in the parent
        multiprocessing.util.Finalize(None, shutil.rmtree, args=(str(path), True), exitpriority=1)
    return _PROFILES[pid]


def _run_group(cmd: list[str], timeout: float, env: dict[str, str]) -> bool:
    """Run ``cmd`` in a process group of its own; past ``timeout`` seconds the whole group is
    killed (LibreOffice's launcher starts ``soffice.bin`` as a child). False on a timeout."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True
    )
    try:
        proc.wait(timeout=timeout)
        return True
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return False


def _converted(content: bytes, fmt: str, options: TextOptions) -> ExtractedText:
    """A binary Office file converted to .docx / .xlsx by LibreOffice, then read."""
    command = libreoffice()
    if command is None:
        return ExtractedText(fmt, unread=UNREAD_NO_LIBREOFFICE.format(fmt=fmt))
    target = "docx" if fmt in WORD_FORMATS else "xlsx"
    with _PROFILE_LOCK, tempfile.TemporaryDirectory(prefix="workbench-convert-") as tmp:
        profile = _profile()
        src = Path(tmp) / f"in.{fmt}"
        src.write_bytes(content)
        out = Path(tmp) / "out"
        env = {**os.environ, "HOME": str(profile)}
        cmd = [command, f"-env:UserInstallation={profile.as_uri()}", "--headless",
               "--norestore", "--convert-to", target, "--outdir", str(out), str(src)]  # fmt: skip
        if not _run_group(cmd, options.timeout, env):
            return ExtractedText(fmt, unread=f"LibreOffice转换超时（{options.timeout:g}秒）")
        converted = out / f"in.{target}"
        if not converted.is_file():
            return ExtractedText(fmt, unread="LibreOffice无法转换该文件")
        data = converted.read_bytes()
    if target == "docx":
        return ExtractedText(fmt, "text", [_docx_text(data)])
    return ExtractedText(fmt, "text", _xlsx_sheets(data, options.max_rows))
