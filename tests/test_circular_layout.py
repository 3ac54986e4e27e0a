"""The circular's layout, seen rather than assumed: LibreOffice renders circular.docx to PDF
with the CJK fonts of templates/fonts/60-gbt9704-aliases.conf, poppler turns it into PNG pages.

Needs Debian's libreoffice-writer-nogui, fonts-noto-cjk, fonts-arphic-ukai and poppler-utils
(.ci/run installs them). Set UPDATE_SCREENSHOTS=1 to copy page 1 and the first 附件 page of
the demo circular to docs/images/ for the README.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from test_circular_data import demo_run, make_inputs  # noqa: E402

from workbench.circular import build_circular, render_docx  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ALIASES = ROOT / "templates" / "fonts" / "60-gbt9704-aliases.conf"
SCREENSHOTS = ROOT / "docs" / "images"
A4_PT = (595.3, 841.9)
LINE_PITCH_PT = 579 / 20  # the document grid: 225 mm / 22 lines
TEXT_BOTTOM_PT = 841.9 - 35 / 25.4 * 72  # bottom margin 35 mm
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’—…·]")
PAGE_NUMBER = re.compile(r"^\s*—\s*(\d+)\s*—\s*$")

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui",
)


@dataclass
class Rendered:
    pdf: Path
    pages: list[str]  # pdftotext of each page
    lines: list[list[tuple[float, float]]]  # each page's text lines: (yMin, yMax) in pt
    info: str  # pdfinfo
    fonts: str  # pdffonts


def _tool(*args: str, env: dict[str, str] | None = None, timeout: int = 60) -> str:
    if shutil.which(args[0]) is None:
        pytest.fail(f"{args[0]} is missing: apt-get install poppler-utils")
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, f"{' '.join(args)}: {proc.stderr[-2000:]}"
    return proc.stdout


def _font_env(base: Path) -> dict[str, str]:
    """FONTCONFIG_FILE: our aliases first, then the system configuration."""
    conf = base / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<fontconfig>\n"
        f"  <include>{ALIASES}</include>\n"
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <cachedir>{base / 'fontcache'}</cachedir>\n"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(base)}


def _render(docs: list[Path], base: Path) -> dict[str, Rendered]:
    env = _font_env(base)
    out = base / "pdf"
    out.mkdir()
    profile = (base / "lo-profile").as_uri()
    cmd = ["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore"]
    _tool(*cmd, "--convert-to", "pdf", "--outdir", str(out), *map(str, docs), env=env, timeout=240)
    rendered: dict[str, Rendered] = {}
    for doc in docs:
        pdf = out / f"{doc.stem}.pdf"
        assert pdf.is_file(), f"LibreOffice wrote no PDF for {doc.name}"
        text = _tool("pdftotext", "-enc", "UTF-8", str(pdf), "-")
        rendered[doc.stem] = Rendered(
            pdf=pdf,
            pages=text.split("\f")[:-1] if text.endswith("\f") else text.split("\f"),
            info=_tool("pdfinfo", str(pdf)),
            fonts=_tool("pdffonts", str(pdf)),
            lines=_line_boxes(_tool("pdftotext", "-bbox-layout", str(pdf), "-")),
        )
        png_dir = base / "png" / doc.stem
        png_dir.mkdir(parents=True)
        _tool("pdftoppm", "-r", "60", "-png", str(pdf), str(png_dir / "page"))
    return rendered


def _line_boxes(xhtml: str) -> list[list[tuple[float, float]]]:
    pages = []
    for page in re.split(r"<page ", xhtml)[1:]:
        boxes = re.findall(
            r'<line xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', page
        )
        pages.append(sorted((float(a), float(b)) for a, b in boxes))
    return pages


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Rendered]]:
    base = tmp_path_factory.mktemp("layout")
    run = demo_run()
    demo = shutil.copy(run.out / "circular.docx", base / "circular.docx")
    shutil.copy(run.out / "circular.md", base / "circular.md")
    settings = {"red_head": "示范市政务公开办公室文件", "doc_number": "示政公办〔2022〕5号"}
    synthetic = render_docx(build_circular(make_inputs(settings=settings)), base / "synthetic.docx")
    result = _render([Path(demo), synthetic], base)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        _update_screenshots(result["circular"])
    yield result


def _update_screenshots(demo: Rendered) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    first_attachment = _attachment_pages(demo)["附件1"]
    for page, name in ((1, "circular-page-1"), (first_attachment, "circular-attachment-1")):
        _tool(
            "pdftoppm", "-r", "80", "-png", "-singlefile", "-f", str(page), "-l", str(page),
            str(demo.pdf), str(SCREENSHOTS / name),
        )  # fmt: skip


def _lines(page: str) -> list[str]:
    return [line for line in page.splitlines() if line.strip() and not PAGE_NUMBER.match(line)]


def _attachment_pages(doc: Rendered) -> dict[str, int]:
    """附件N → the (1-based) page whose first line is that label."""
    found: dict[str, int] = {}
    for number, page in enumerate(doc.pages, start=1):
        lines = _lines(page)
        if lines and re.fullmatch(r"附件\s*\d+", lines[0].strip()):
            found[lines[0].replace(" ", "").strip()] = number
    return found


def test_pdf_is_a4_with_several_pages(rendered: dict[str, Rendered]) -> None:
    for doc in rendered.values():
        pages = int(re.search(r"^Pages:\s+(\d+)", doc.info, re.M).group(1))  # type: ignore[union-attr]
        assert pages >= 2 and pages == len(doc.pages)
        size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", doc.info, re.M)
        assert size is not None
        assert abs(float(size.group(1)) - A4_PT[0]) < 1 and abs(float(size.group(2)) - A4_PT[1]) < 1
        assert sorted((doc.pdf.parent.parent / "png" / doc.pdf.stem).glob("*.png"))


def test_cjk_fonts_are_embedded_through_the_aliases(rendered: dict[str, Rendered]) -> None:
    for doc in rendered.values():
        rows = [line.split() for line in doc.fonts.splitlines()[2:] if line.strip()]
        names = [row[0] for row in rows]
        assert "Type 3" not in doc.fonts, doc.fonts  # no fallback glyph fonts
        assert all(" yes " in f" {' '.join(row)} " for row in rows), doc.fonts  # all embedded
        # 仿宋/宋体/小标宋 → Noto Serif CJK, 黑体 → Noto Sans CJK: both must be there.
        assert any("NotoSerifCJK" in n for n in names), doc.fonts
        assert any("NotoSansCJK" in n for n in names), doc.fonts


def test_page_numbers_in_the_footer(rendered: dict[str, Rendered]) -> None:
    for doc in rendered.values():
        for number, page in enumerate(doc.pages, start=1):
            numbers = [PAGE_NUMBER.match(line) for line in page.splitlines()]
            assert [int(m.group(1)) for m in numbers if m] == [number], (number, page[-200:])


def test_each_attachment_starts_a_page(rendered: dict[str, Rendered]) -> None:
    demo = rendered["circular"]
    md = (demo.pdf.parents[1] / "circular.md").read_text(encoding="utf-8")
    labels = re.findall(r"^## (附件\d+)$", md, re.M)
    assert labels and labels[0] == "附件1"
    pages = _attachment_pages(demo)
    assert list(pages) == labels
    assert "检查发现存在突出问题的政务新媒体名单" in demo.pages[pages["附件1"] - 1]
    synthetic = _attachment_pages(rendered["synthetic"])
    assert list(synthetic) == ["附件1", "附件2", "附件3"]
    assert sorted(synthetic.values()) == list(synthetic.values())


def test_body_keeps_the_22_by_28_grid(rendered: dict[str, Rendered]) -> None:
    """Body lines sit on the 28.95 pt grid, a full page holds 22 of them, a full line 28
    characters."""
    demo = rendered["circular"]
    body = range(_attachment_pages(demo)["附件1"] - 1)
    counts = []
    for index in body:
        lines = [box for box in demo.lines[index] if box[1] <= TEXT_BOTTOM_PT + 1]
        counts.append(len(lines))
        # body text (3号): lines of the most common height; titles and headings may differ
        heights = [round(bottom - top) for top, bottom in lines]
        body_height = max(set(heights), key=heights.count)
        tops = [top for (top, _), h in zip(lines, heights, strict=True) if h == body_height]
        for above, below in zip(tops, tops[1:], strict=False):
            steps = (below - above) / LINE_PITCH_PT
            assert round(steps) >= 1 and abs(steps - round(steps)) < 0.05, (index, above, below)
    assert max(counts) == 22, counts
    pure = [
        line.strip()
        for index in body
        for line in _lines(demo.pages[index])
        if all(CJK.match(ch) for ch in line.strip())
    ]
    assert max(len(line) for line in pure) == 28, pure


def test_red_head_and_title_on_the_first_page(rendered: dict[str, Rendered]) -> None:
    first = _lines(rendered["synthetic"].pages[0])
    assert first[0].strip() == "示范市政务公开办公室文件"
    assert first[1].replace(" ", "") == "示政公办〔2022〕5号"
    assert first[2].replace(" ", "").startswith("关于2022年第三季度")
    demo_first = _lines(rendered["circular"].pages[0])
    assert demo_first[0].replace(" ", "").startswith("关于2022年第三季度")
