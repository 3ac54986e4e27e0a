"""Security properties: no shell, loopback by default, the SSRF guard, confined feed paths,
escaped circular text.
"""

from __future__ import annotations

import ast
import html
import inspect
import re
from pathlib import Path

import mistune
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench
from workbench.circular import escape_markdown
from workbench.cli import build_parser
from workbench.dashboard.serve import start_dashboard, voila_command
from workbench.errors import InventoryError
from workbench.fetch.feeds import read_feed
from workbench.fetch.guard import inventory_hosts, is_public_target
from workbench.inventory import load_inventory

PACKAGE = Path(workbench.__file__).parent
_SUBPROCESS_CALLS = {"run", "Popen", "call", "check_call", "check_output"}
_SHELL_FUNCTIONS = {("os", "system"), ("os", "popen"), ("subprocess", "getoutput")}
_SHELL_FUNCTIONS |= {("subprocess", "getstatusoutput"), ("os", "execl"), ("os", "spawnl")}


# -- no shell built from data -----------------------------------------------------------------


def _dotted(node: ast.expr) -> tuple[str, str] | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id, node.attr
    return None


def _is_string_expression(node: ast.expr) -> bool:
    """A command written as one string (literal, f-string, concatenation, % or .format)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
        return True
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _is_string_expression(node.left) or _is_string_expression(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in ("format", "join") and _is_string_expression(node.func.value)
    return False


def shell_problems(source: str, name: str) -> list[str]:
    """Every place in ``source`` that runs a shell or builds a command as one string."""
    problems = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if not isinstance(node, ast.Call):
            continue
        where = f"{name}:{node.lineno}"
        for keyword in node.keywords:
            if keyword.arg == "shell" and not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is False
            ):
                problems.append(f"{where}: shell=")
        dotted = _dotted(node.func)
        if dotted in _SHELL_FUNCTIONS:
            problems.append(f"{where}: {'.'.join(dotted)}")
        called = dotted[1] if dotted else getattr(node.func, "id", "")
        is_subprocess = (dotted is not None and dotted[0] == "subprocess") or called == "Popen"
        runs = is_subprocess and called in _SUBPROCESS_CALLS and bool(node.args)
        if runs and _is_string_expression(node.args[0]):
            problems.append(f"{where}: command as a string")
    return problems


def test_the_scanner_finds_shells() -> None:
    bad = """
import os, subprocess
from subprocess import Popen
subprocess.run("ls " + folder, shell=True)
subprocess.check_output(f"ping {host}")
Popen("voila " + nb)
os.system("rm -rf " + path)
subprocess.run(["ls", folder], shell=flag)
"""
    problems = shell_problems(bad, "bad.py")
    assert len(problems) == 6, problems
    good = "import subprocess\nsubprocess.run(['ls', folder], check=True)\n"
    assert shell_problems(good, "good.py") == []


def test_no_shell_anywhere_in_the_package() -> None:
    problems: list[str] = []
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 20
    for path in files:
        problems += shell_problems(path.read_text(encoding="utf-8"), str(path))
    assert problems == []


# -- the dashboard listens on loopback unless told otherwise ----------------------------------


def test_serve_defaults_to_loopback() -> None:
    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1"
    assert inspect.signature(start_dashboard).parameters["host"].default == "127.0.0.1"
    command = voila_command(Path("x.ipynb"), port=8866, host=args.host)
    assert "--Voila.ip=127.0.0.1" in command and all(isinstance(c, str) for c in command)


# -- the SSRF guard ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.0.0.2:8080/admin",
        "http://localhost:8888/tree",  # the analyst's own Jupyter
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://100.64.0.1/",  # carrier-grade NAT: not global
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",  # reserved
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
        "ftp://8.8.8.8/",  # not http(s)
        "file:///etc/passwd",
        "http:///nohost",
        "not a url",
    ],
)
def test_guard_refuses_non_public_targets(url: str) -> None:
    assert not is_public_target(url, allow_hosts=())


def test_guard_allows_public_addresses_and_the_inventorys_own_hosts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Online behaviour of the guard; nothing here sends traffic (IP literals, .invalid names).
    monkeypatch.delenv("WORKBENCH_OFFLINE", raising=False)
    # IP literals: getaddrinfo answers them without any DNS traffic
    assert is_public_target("http://8.8.8.8/", allow_hosts=())
    assert is_public_target("https://[2001:4860:4860::8888]:8443/x", allow_hosts=())
    own = inventory_hosts(["http://127.0.0.1:8000/", "http://Intranet.Gov.CN./", "bad"])
    assert own == {"127.0.0.1", "intranet.gov.cn"}
    assert is_public_target("http://127.0.0.1:9999/other-port", allow_hosts=own)
    assert is_public_target("http://INTRANET.gov.cn/", allow_hosts=own)
    assert not is_public_target("http://127.0.0.2/", allow_hosts=own)


# -- local feed paths stay inside the inventory folder ---------------------------------------


def _inventory(folder: Path, feed: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "websites.csv").write_text(
        "单位,网站名称,网址,类型\n市水利局,水利局网站,http://127.0.0.1/,部门网站\n",
        encoding="utf-8-sig",
    )
    (folder / "media.csv").write_text(
        f"单位,账号名称,平台,数据源,是否备案\n市水利局,水利发布,微信公众号,{feed},是\n",
        encoding="utf-8-sig",
    )
    return folder


EXPORT = "发布时间,标题,链接\n2022-09-28,通知,https://a/1\n"


@pytest.mark.parametrize("kind", ["parent", "absolute", "symlink"])
def test_inventory_refuses_feed_files_outside_its_folder(tmp_path: Path, kind: str) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text(EXPORT, encoding="utf-8")
    folder = tmp_path / "名录"
    folder.mkdir()
    (folder / "link.csv").symlink_to(secret)
    feed = {"parent": "../secret.csv", "absolute": str(secret), "symlink": "link.csv"}[kind]
    with pytest.raises(InventoryError) as err:
        load_inventory(_inventory(folder, feed))
    assert (err.value.file, err.value.row, err.value.field) == ("media.csv", 2, "数据源")
    assert "名录文件夹" in str(err.value)


def test_inventory_accepts_a_feed_file_inside_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "名录"
    (folder / "导出").mkdir(parents=True)
    (folder / "导出" / "水利发布.csv").write_text(EXPORT, encoding="utf-8")
    inventory = load_inventory(_inventory(folder, "导出/水利发布.csv"))
    assert Path(inventory.media[0].feed).resolve().is_relative_to(folder.resolve())


@pytest.mark.parametrize("source", ["../secret.csv", "file:///etc/passwd", "/etc/passwd"])
def test_read_feed_refuses_paths_outside_the_base_folder(tmp_path: Path, source: str) -> None:
    (tmp_path / "secret.csv").write_text(EXPORT, encoding="utf-8")
    inside = tmp_path / "名录"
    inside.mkdir()
    result = read_feed(source, base_dir=inside)
    assert not result.ok and result.reason == "数据源路径超出名录文件夹" and result.posts == []


# -- the circular's Markdown never carries markup from the web -------------------------------


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[点击领取](javascript:alert(1))",
    "![追踪](http://127.0.0.1/x.png)",
    "<http://127.0.0.1/>",
    "| 伪造 | 表格 |",
    "# 伪造标题",
    "**加粗** _斜体_ `代码`",
    "1. 列表\n- 列表",
    "第一行\n\n<iframe src=x>",
    "&lt;b&gt;已转义&lt;/b&gt;",
]


def _render(text: str) -> str:
    """``text`` escaped, then rendered by a Markdown renderer that lets raw HTML through."""
    return str(mistune.html(escape_markdown(text)))


def _tags(rendered: str) -> set[str]:
    return set(re.findall(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)", rendered))


def _text(rendered: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", rendered)).split())


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_render_as_plain_text(title: str) -> None:
    rendered = _render(title)
    assert _tags(rendered) == {"p"}, rendered
    assert _text(rendered) == " ".join(title.split())


_PIECES = list("<>&\"'`*_[]()!#|\\-+=~:/. \t\n\r通知a") + ["http://", "javascript:", "<img>"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join) | st.text(max_size=40))
def test_any_text_renders_without_markup(text: str) -> None:
    rendered = _render(text)
    # Leading indentation makes an (inert) code block; nothing else is markup.
    assert _tags(rendered) <= {"p", "pre", "code"}, rendered
    if not text[:1].isspace():
        assert _text(rendered) == " ".join(text.split())
