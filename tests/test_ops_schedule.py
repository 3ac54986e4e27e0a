"""``workbench schedule``: the systemd units and timers and the cron lines rendered from
``deploy/``, checked with ``systemd-analyze`` where it is installed (``.ci/run`` installs
it); ``--dry-run`` writes nothing; ``--quarter previous``. Nothing is enabled here."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from ops_city import workbench

from workbench.errors import QuarterError
from workbench.ops.schedule import CRON_BEGIN, CRON_END, _cron_merge, cron_arg, systemd_arg
from workbench.quarter import quarter_from_arg

UNITS = {
    "workbench-probe.service", "workbench-probe.timer", "workbench-quarterly.service",
    "workbench-quarterly.timer", "workbench-status.service", "workbench-status.timer",
    "workbench-backup.service", "workbench-backup.timer", "workbench-dashboard.service",
}  # fmt: skip
ANALYZE = shutil.which("systemd-analyze")


@pytest.fixture
def office(tmp_path: Path) -> tuple[Path, Path, str]:
    """An inventory in a folder whose name has a space and Chinese; a database URL with %."""
    inventory = tmp_path / "名录 2022"
    inventory.mkdir()
    (inventory / "websites.csv").write_text(
        "单位,网站名称,网址,类型\n市水利局,水利局网站,http://127.0.0.1:9/,部门网站\n",
        encoding="utf-8",
    )
    (inventory / "media.csv").write_text("单位,账号名称,平台,数据源,是否备案\n", encoding="utf-8")
    workdir = tmp_path / "srv"
    workdir.mkdir()
    return inventory, workdir, f"sqlite:///{workdir}/data%20x/w.db"


def _install(office: tuple[Path, Path, str], *extra: str) -> subprocess.CompletedProcess[str]:
    inventory, workdir, db = office
    return workbench(
        "schedule", "install", "--inventory", str(inventory), "--db", db,
        "--workdir", str(workdir), *extra,
    )  # fmt: skip


def _exec_words(unit: str) -> list[str]:
    """The ExecStart words as systemd reads them (quotes, %% and $$ undone)."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(unit)
    line = parser["Service"]["ExecStart"]
    return [w.replace("%%", "%").replace("$$", "$") for w in shlex.split(line)]


def test_units_carry_the_settings_and_pass_systemd_analyze(
    office: tuple[Path, Path, str], tmp_path: Path
) -> None:
    inventory, workdir, db = office
    out = tmp_path / "units"
    proc = _install(office, "--unit-dir", str(out), "--probe-every", "20", "--quarterly-day", "7")
    assert proc.returncode == 0, proc.stderr
    assert "systemctl enable --now workbench-probe.timer" in proc.stdout
    files = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}
    assert set(files) == UNITS
    quarterly = _exec_words(files["workbench-quarterly.service"])
    assert quarterly[1:] == [
        "run", "--inventory", str(inventory), "--quarter", "previous",
        "--db", db, "--no-progress",
    ]  # fmt: skip
    assert Path(quarterly[0]).name == "workbench" and Path(quarterly[0]).is_file()
    assert f"WorkingDirectory={workdir}" in files["workbench-probe.service"]
    assert "OnCalendar=*-*-* *:00/20:00" in files["workbench-probe.timer"]
    assert "每天72次" in files["workbench-probe.timer"]
    assert "OnCalendar=*-01,04,07,10-07 02:30:00" in files["workbench-quarterly.timer"]
    assert "Persistent=true" in files["workbench-quarterly.timer"]
    assert "SuccessExitStatus=75" in files["workbench-quarterly.service"]
    assert _exec_words(files["workbench-backup.service"])[-4:] == [
        "--to", f"{workdir}/backups/", "--keep", "14",
    ]  # fmt: skip
    assert "--notify" in _exec_words(files["workbench-status.service"])
    assert "User=" in files["workbench-probe.service"]
    if ANALYZE is None:
        pytest.skip("systemd-analyze 未安装：只检查了单元文件的内容")
    check = subprocess.run(
        [ANALYZE, "verify", *sorted(str(p) for p in out.iterdir())],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert check.returncode == 0 and check.stdout + check.stderr == "", check.stderr
    when = subprocess.run(
        [ANALYZE, "calendar", "--iterations=4", "*-01,04,07,10-07 02:30:00"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    months = re.findall(r"\d{4}-(\d\d)-07 02:30:00", when.stdout)
    assert sorted(months) == ["01", "04", "07", "10"]


def test_cron_lines_match_the_timers(office: tuple[Path, Path, str], tmp_path: Path) -> None:
    inventory, workdir, db = office
    proc = _install(office, "--cron", "--unit-dir", str(tmp_path / "c"), "--run-as", "root")
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "c" / "workbench.cron").read_text(encoding="utf-8")
    jobs = [line for line in text.splitlines() if line and not line.startswith(("#", "SHELL"))]
    schedules = [" ".join(line.split()[:5]) for line in jobs if not line.startswith("@")]
    assert schedules == ["*/30 * * * *", "30 2 5 1,4,7,10 *", "0 8 * * *", "30 1 * * *"]
    assert jobs[-1].startswith("@reboot root ")
    for line in jobs:
        assert "%" not in line.replace("\\%", "")  # cron would cut the command at a bare %
        command = line.split(None, 6 if not line.startswith("@") else 2)[-1]
        words = shlex.split(command.replace("\\%", "%"))
        assert words[:3] == ["cd", str(workdir), "&&"]
        assert db in words and "workbench.env" in command
    assert str(inventory) in shlex.split(jobs[1].replace("\\%", "%"))


def test_dry_run_writes_nothing(office: tuple[Path, Path, str], tmp_path: Path) -> None:
    home = tmp_path / "home"
    inventory, workdir, db = office
    proc = workbench(
        "schedule", "install", "--inventory", str(inventory), "--db", db, "--workdir",
        str(workdir), "--user", "--dry-run", env={"HOME": str(home), "XDG_CONFIG_HOME": ""},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (
        "演习" in proc.stdout
        and f"{home}/.config/systemd/user/workbench-probe.timer" in proc.stdout
    )
    assert "将执行：systemctl --user enable --now workbench-probe.timer" in proc.stdout
    assert "User=" not in proc.stdout and "WantedBy=default.target" in proc.stdout
    assert not home.exists() and list(workdir.iterdir()) == []
    removal = workbench("schedule", "remove", "--user", "--dry-run", env={"HOME": str(home)})
    assert removal.returncode == 0 and not home.exists()


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--probe-every", "7"], "--probe-every"),
        (["--quarterly-time", "25:00"], "--quarterly-time"),
        (["--quarterly-day", "31"], "--quarterly-day"),
        (["--run-as", "没有这个用户"], "没有用户"),
    ],
)
def test_bad_settings_are_named(
    office: tuple[Path, Path, str], tmp_path: Path, extra: list[str], words: str
) -> None:
    proc = _install(office, "--unit-dir", str(tmp_path / "u"), *extra)
    assert proc.returncode == 1 and words in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "u").exists()


def test_a_broken_inventory_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    proc = workbench(
        "schedule",
        "install",
        "--inventory",
        str(tmp_path / "无"),
        "--unit-dir",
        str(tmp_path / "u"),
    )
    assert proc.returncode == 2 and "无" in proc.stderr and not (tmp_path / "u").exists()


def test_escaping() -> None:
    assert systemd_arg("/srv/workbench") == "/srv/workbench"
    assert systemd_arg('/srv/名录 "甲"') == '"/srv/名录 \\"甲\\""'
    assert systemd_arg("sqlite:///a%20b$HOME") == '"sqlite:///a%%20b$$HOME"'
    assert cron_arg("/srv/a%b c") == "'/srv/a\\%b c'"


def test_cron_block_replaces_only_its_own_lines() -> None:
    mine = "*/30 * * * * workbench probe\n"
    first = _cron_merge("MAILTO=it@example.gov.cn\n0 3 * * * /usr/bin/other\n", mine)
    assert first.startswith("MAILTO=it@example.gov.cn\n0 3 * * * /usr/bin/other\n")
    assert f"{CRON_BEGIN}\n*/30 * * * * workbench probe\n{CRON_END}\n" in first
    second = _cron_merge(first, "*/10 * * * * workbench probe\n")
    assert second.count(CRON_BEGIN) == 1 and "*/30" not in second and "*/10" in second
    assert _cron_merge(second, "") == "MAILTO=it@example.gov.cn\n0 3 * * * /usr/bin/other\n"


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("previous", date(2023, 1, 5), "2022Q4"),
        ("previous", date(2022, 10, 5), "2022Q3"),
        ("PREVIOUS", date(2022, 7, 1), "2022Q2"),
        ("上季度", date(2022, 4, 30), "2022Q1"),
        ("current", date(2022, 8, 15), "2022Q3"),
        ("2021q4", date(2022, 8, 15), "2021Q4"),
    ],
)
def test_quarter_previous(text: str, today: date, expected: str) -> None:
    assert quarter_from_arg(text, today=today).label == expected


def test_unknown_quarter_word_names_the_choices() -> None:
    with pytest.raises(QuarterError, match="previous"):
        quarter_from_arg("last")
