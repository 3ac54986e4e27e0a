"""The demo city's attachments as real files, made with real libraries (issue 21).

- ``pdf``: a 红头文件 laid out with reportlab (its standard Chinese CID font): the issuer's
  head, the 文号 on a line of its own and the title on the first page only, the body and the
  signature with its 成文日期 on the second;
- ``scan``: the same kind of first page drawn with Pillow in a CJK font found on the system
  (Noto CJK, AR PL UKai …), slightly rotated, speckled and blurred like a scanner's output,
  and saved as an image-only PDF (no text layer: only OCR reads it);
- ``docx`` / ``xlsx``: python-docx and openpyxl;
- ``doc`` / ``wps`` / ``xls``: a .docx / .xlsx converted by LibreOffice headless (a Kingsoft
  .wps is a Word 97 binary file); without LibreOffice the Office XML file is served under the
  binary name (the reader tells formats by their bytes, so it still reads);
- ``corrupt``: a PDF header followed by garbage (no reader can open it).

Files are made once per process (the servers read them from memory) and kept in a cache
folder under the system's temporary directory, keyed by their content, so that the
LibreOffice conversions run once per machine.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["CONTENT_TYPES", "cjk_font", "make_files"]

VERSION = "1"  # bump when a generator below changes its output
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "wps": "application/octet-stream",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)
_LOCK = threading.Lock()
_MEMORY: dict[str, bytes] = {}

Spec = Mapping[str, object]  # {"kind": …, "lines": […], …}: see each maker


def cjk_font() -> tuple[str, int] | None:
    """(path, face index) of a font with Chinese glyphs for the scan, or None."""
    for path, index in _FONT_CANDIDATES:
        if Path(path).is_file():
            return path, index
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return (found, 0) if found and Path(found).is_file() else None


def _key(spec: Spec) -> str:
    text = json.dumps({"v": VERSION, **spec}, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / "workbench-demo-attachments"


def make_files(specs: Iterable[Spec]) -> dict[str, bytes]:
    """Each spec's file (key → bytes, the key being :func:`spec_key`), made or reused."""
    specs = list(specs)
    with _LOCK:
        out: dict[str, bytes] = {}
        todo: list[Spec] = []
        for spec in specs:
            key = _key(spec)
            cached = _cache_dir() / f"{key}.{spec['kind']}"
            if key in _MEMORY:
                out[key] = _MEMORY[key]
            elif cached.is_file():
                out[key] = _MEMORY[key] = cached.read_bytes()
            else:
                todo.append(spec)
        made = _make(todo)
        for spec in todo:
            key = _key(spec)
            data = made[key]
            out[key] = _MEMORY[key] = data
            _store(_cache_dir() / f"{key}.{spec['kind']}", data)
        return out


def spec_key(spec: Spec) -> str:
    """The key of ``spec``'s file in :func:`make_files`' answer."""
    return _key(spec)


def _store(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(path.suffix + f".{os.getpid()}.part")
        partial.write_bytes(data)
        partial.replace(path)
    except OSError:
        pass  # a cache only


def _make(specs: list[Spec]) -> dict[str, bytes]:
    made: dict[str, bytes] = {}
    convert: dict[str, list[tuple[str, bytes]]] = {"doc": [], "xls": []}
    for spec in specs:
        kind, key = str(spec["kind"]), _key(spec)
        if kind == "pdf":
            made[key] = _pdf(spec)
        elif kind == "scan":
            made[key] = _scan(spec)
        elif kind == "corrupt":
            made[key] = (
                b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + hashlib.sha256(key.encode()).digest() * 64
            )
        elif kind in ("docx", "doc", "wps"):
            made[key] = _docx(spec)
            if kind != "docx":
                convert["doc"].append((key, made[key]))
        elif kind in ("xlsx", "xls"):
            made[key] = _xlsx(spec)
            if kind == "xls":
                convert["xls"].append((key, made[key]))
    for target, files in convert.items():
        made.update(_convert(files, target))
    return made


def _lines(spec: Spec, name: str = "lines") -> list[str]:
    return [str(x) for x in spec.get(name) or []]  # type: ignore[attr-defined]


def _pdf(spec: Spec) -> bytes:
    """A 红头文件 in two pages: ``head``, ``number``, ``title``, ``lines`` (first page);
    ``body`` and ``signature`` (second page)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    width, height = A4
    c.setTitle(str(spec.get("title", "")))
    c.setFillColorRGB(0.8, 0, 0)
    c.setFont(font, 26)
    c.drawCentredString(width / 2, height - 110, str(spec.get("head", "")))
    c.setStrokeColorRGB(0.8, 0, 0)
    c.line(72, height - 170, width - 72, height - 170)
    c.setFillColorRGB(0, 0, 0)
    c.setFont(font, 14)
    c.drawCentredString(width / 2, height - 155, str(spec.get("number", "")))
    c.setFont(font, 18)
    y = height - 220
    for part in _lines(spec, "title_lines") or [str(spec.get("title", ""))]:
        c.drawCentredString(width / 2, y, part)
        y -= 28
    c.setFont(font, 14)
    y -= 20
    for line in _lines(spec):
        c.drawString(80, y, line)
        y -= 26
    c.showPage()
    c.setFont(font, 14)
    y = height - 100
    for line in _lines(spec, "body"):
        c.drawString(80, y, line)
        y -= 26
    y -= 40
    for line in _lines(spec, "signature"):
        c.drawRightString(width - 100, y, line)
        y -= 26
    c.showPage()
    c.save()
    return buffer.getvalue()


def _scan(spec: Spec) -> bytes:
    """An image-only PDF of one page (``head``, ``number``, ``title_lines``, ``lines``,
    ``signature``), drawn at 200 dpi and degraded like a scan."""
    import random

    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    chosen = spec.get("font")  # [path, face index]: a font of the caller's choosing
    found = (str(chosen[0]), int(chosen[1])) if isinstance(chosen, list | tuple) else cjk_font()
    width, height = 1654, 2339  # A4 at 200 dpi
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)

    def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        if found is None:
            return ImageFont.load_default()
        return ImageFont.truetype(found[0], size, index=found[1])

    rows: list[tuple[int, str, str]] = [(64, str(spec.get("head", "")), "center")]
    rows.append((40, str(spec.get("number", "")), "center"))
    rows += [(44, t, "center") for t in _lines(spec, "title_lines")]
    rows += [(38, t, "left") for t in _lines(spec)]
    rows += [(38, t, "right") for t in _lines(spec, "signature")]
    y = 250
    for size, text, align in rows:
        face = font(size)
        w = draw.textlength(text, font=face)
        x = (width - w) / 2 if align == "center" else 160 if align == "left" else width - 160 - w
        draw.text((x, y), text, font=face, fill=20)
        y += int(size * 1.9) if align == "center" else int(size * 1.85)
    # a scanner's output: slightly rotated, speckled, blurred ("清晰": a clean scan, "模糊倾斜":
    # a poor one, "传真": a fax-like copy at 80 dpi); the demo's scan is in between
    quality = str(spec.get("quality", ""))
    angle, specks, blur = {"清晰": (0.0, 0, 0.0), "模糊倾斜": (1.5, 12000, 1.1),
                           "传真": (2.5, 20000, 0.8)}.get(quality, (0.6, 3000, 0.6))  # fmt: skip
    if quality == "传真":
        small = image.resize((width * 2 // 5, height * 2 // 5), Image.Resampling.BILINEAR)
        image = small.resize((width, height), Image.Resampling.NEAREST)
    rng = random.Random(str(spec.get("number", "")))
    if angle:
        image = image.rotate(angle, fillcolor=255, resample=Image.Resampling.BICUBIC)
    for _ in range(specks):
        image.putpixel((rng.randrange(width), rng.randrange(height)), rng.randrange(150, 230))
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", resolution=200)
    return buffer.getvalue()


def _docx(spec: Spec) -> bytes:
    """A Word notice: ``title`` as its heading, ``lines`` as paragraphs."""
    import docx

    document = docx.Document()
    document.add_heading(str(spec.get("title", "")), level=1)
    for line in _lines(spec):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx(spec: Spec) -> bytes:
    """A 公示 spreadsheet: ``title`` in A1, then ``rows`` (lists of cell texts)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "公示名单"
    sheet.append([str(spec.get("title", ""))])
    for row in spec.get("rows") or []:  # type: ignore[attr-defined]
        sheet.append([str(cell) for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _convert(files: list[tuple[str, bytes]], target: str) -> dict[str, bytes]:
    """Office XML files converted to ``target`` (doc / xls) in one LibreOffice run; the
    originals are kept when LibreOffice is missing or fails."""
    if not files:
        return {}
    command = shutil.which("soffice") or shutil.which("libreoffice")
    if command is None:
        return dict(files)
    source = "docx" if target == "doc" else "xlsx"
    with tempfile.TemporaryDirectory(prefix="workbench-demo-lo-") as tmp:
        base = Path(tmp)
        paths = []
        for key, data in files:
            path = base / f"{key}.{source}"
            path.write_bytes(data)
            paths.append(str(path))
        profile = (base / "profile").as_uri()
        try:
            subprocess.run(
                [command, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                 "--convert-to", target, "--outdir", str(base / "out"), *paths],
                capture_output=True, timeout=180, env={**os.environ, "HOME": tmp},
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return dict(files)
        out = {}
        for key, data in files:
            converted = base / "out" / f"{key}.{target}"
            out[key] = converted.read_bytes() if converted.is_file() else data
        return out
