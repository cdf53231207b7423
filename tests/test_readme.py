"""The README tells the truth: its examples run and CI runs its test command."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sim.cli import main
from sim.scenario import load_scenario

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text()


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def test_ci_runs_the_readme_test_command() -> None:
    test_command = _blocks("bash")[1].strip()
    assert "pytest" in test_command
    assert test_command in (ROOT / ".ci" / "run").read_text()


def test_the_readme_first_command_starts_the_app_on_the_default_scenario() -> None:
    from sim.app.state import DEFAULT

    first = _blocks("bash")[0].strip()
    assert first.endswith("streamlit run app.py")
    assert (ROOT / "app.py").is_file() and DEFAULT.is_file()
    assert DEFAULT.name in README.split("## The app")[0]


def test_the_readme_cli_run_command_names_the_bundled_scenario() -> None:
    run_command = next(b for b in _blocks("bash") if "knockon run " in b)
    scenario = re.search(r"knockon run (\S+)", run_command)
    assert scenario is not None
    assert (ROOT / scenario.group(1)).is_file()


def test_the_python_example_runs(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(ROOT)
    (example,) = _blocks("python")
    exec(compile(example, "README.md", "exec"), {})
    assert "ward:" in capsys.readouterr().out


def test_the_variant_example_loads_onto_the_default_scenario(tmp_path: Path) -> None:
    variant = next(b for b in _blocks("yaml") if "extends:" in b)
    shutil.copy(ROOT / "scenarios" / "northshire_2026.yaml", tmp_path)
    (tmp_path / "fewer_beds.yaml").write_text(variant)
    scenario = load_scenario(tmp_path / "fewer_beds.yaml").scenario
    assert scenario.provider("ward").capacity.servers == 455


def test_the_documented_error_is_what_validate_prints(tmp_path: Path, capsys) -> None:
    (shown,) = [b for b in _blocks("text") if "unknown field" in b]
    path = tmp_path / "ward.yaml"
    # A small file with the README's typo on line 7.
    path.write_text(
        "format: 1\nname: typo\ndemand:\n  - {id: need, enters: ward, per_day: 3}\n"
        "providers:\n  - id: ward\n    capcity: {servers: 4}\n"
        "    length_of_stay: {distribution: exponential, mean_days: 2}\n"
    )
    assert main(["validate", str(path)]) == 1
    printed = capsys.readouterr().err.strip()
    assert printed.endswith(shown.strip().split(" ", 1)[1])


def test_every_documented_command_uses_real_subcommands_and_options() -> None:
    """A README that names a flag the CLI does not have sends a reader to an error."""
    import shlex

    import typer

    from sim.cli import app

    group = typer.main.get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    lines = [
        line.split("&&")[-1].strip()
        for block in _blocks("bash") + _blocks("console")
        for line in block.splitlines()
        if line.strip().startswith("knockon ") or "&& knockon " in line
    ]
    assert len(lines) >= 6
    for line in lines:
        words = shlex.split(line.split("#")[0])
        assert words[1] in commands, f"{line}: no command {words[1]!r}"
        options = {name for param in commands[words[1]].params for name in param.opts}
        for word in words[2:]:
            if word.startswith("--"):
                assert word.split("=")[0] in options, f"{line}: {words[1]} has no {word}"
