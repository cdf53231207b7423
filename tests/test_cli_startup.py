"""`knockon --help` and `knockon validate` answer at once: they load none of the heavy layers.

Timing a process is unreliable on a shared machine, so these tests pin down the cause of
a slow start instead: which libraries a command has imported by the time it has answered.
Each runs in a fresh interpreter, as the command does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from sim.cli import app

ROOT = Path(__file__).parents[1]
HEAVY = ("pandas", "scipy", "SALib", "plotly", "openpyxl", "streamlit", "simpy")


def _heavy_loaded(*argvs: list[str]) -> tuple[list[int], list[str]]:
    """Exit codes of `knockon ARGV` for each argv, run one after another in one fresh
    interpreter, and the heavy libraries it then holds."""
    code = f"""
import json, sys
from sim.cli import main
codes = [main(argv) for argv in {list(argvs)!r}]
heavy = sorted({{name.split(".")[0] for name in sys.modules}} & set({HEAVY!r}))
sys.stderr.write("\\n" + json.dumps([codes, heavy]) + "\\n")
"""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    codes, heavy = json.loads(done.stderr.strip().splitlines()[-1])
    return codes, heavy


def test_help_loads_no_heavy_library() -> None:
    commands = list(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert len(commands) == 11
    codes, heavy = _heavy_loaded(["--help"], *([command, "--help"] for command in commands))
    assert codes == [0] * (1 + len(commands))
    assert heavy == [], f"--help imported {heavy}: import them inside the command that uses them"


@pytest.mark.parametrize(
    "scenario", ["northshire_2026.yaml", "lesson3_winter_surge.yaml", "lesson4_check_bills.yaml"]
)
def test_validate_loads_no_heavy_library(scenario: str) -> None:
    codes, heavy = _heavy_loaded(["validate", str(ROOT / "scenarios" / scenario)])
    assert codes == [0]
    assert heavy == [], f"validate imported {heavy}: the scenario layer needs none of them"


def test_python_dash_m_sim_is_the_same_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sim", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "validate" in done.stdout and "sweep" in done.stdout
