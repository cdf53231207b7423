"""Same seed, same numbers (in one process, across worker counts, across hash seeds);
and changes move results the way they must (paired seeds)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.engine import simulate
from sim.results import run_scenario
from tests.conftest import scenario_from

SYSTEM = """
practices:
  - {id: north, list_size: 4000}
  - {id: south, list_size: 3000, referral_multiplier: 1.3}
demand:
  - {id: need, enters: gp, per_1000_per_year: 3000}
  - {id: walk_in, enters: ae, per_day: 6}
providers:
  - {id: gp, capacity: {slots_per_day: 24}, waiting: {max_days: 2, then: ae, share: 0.3}}
  - {id: ae, capacity: {servers: 3}, length_of_stay: {distribution: lognormal, mean_days: 0.15, sd_days: 0.1}}
  - {id: ward, capacity: {servers: 12}, length_of_stay: {distribution: gamma, mean_days: 4, sd_days: 3}}
  - {id: care, capacity: {servers: 3}, waiting: {in_place: true}, length_of_stay: {distribution: exponential, mean_days: 12}}
exits: [home]
pathways:
  - {from: gp, to: ae, share: 0.05}
  - {from: ae, to: ward, share: 0.3}
  - {from: ward, to: care, share: 0.1, delay: {distribution: exponential, mean_days: 1}}
  - {from: ward, to: home, share: 0.85}
"""


def _tables(result) -> list[str]:
    return [result.providers.to_csv(), result.flows.to_csv(), result.monthly.to_csv()]


def test_the_same_seed_gives_identical_tables_run_after_run_and_for_any_worker_count() -> None:
    scenario = scenario_from(SYSTEM, days=120, replications=4, seed=42)
    first = _tables(run_scenario(scenario, workers=1))
    assert first == _tables(run_scenario(scenario, workers=1))
    assert first == _tables(run_scenario(scenario, workers=2))


def test_a_different_seed_gives_different_numbers() -> None:
    scenario = scenario_from(SYSTEM, days=120, replications=2)
    assert _tables(run_scenario(scenario, seed=1)) != _tables(run_scenario(scenario, seed=2))


def test_output_files_are_byte_identical_whatever_pythonhashseed(tmp_path: Path) -> None:
    scenario_file = tmp_path / "system.yaml"
    scenario_file.write_text(
        "format: 1\nname: hash seeds\nrun: {days: 90, replications: 2, seed: 7}\n" + SYSTEM
    )
    outputs = []
    for hash_seed in ("0", "12345"):
        out = tmp_path / f"out-{hash_seed}"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sim",
                "run",
                str(scenario_file),
                "--out",
                str(out),
                "--workers",
                "1",
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
        )
        outputs.append(
            [(out / name).read_bytes() for name in ("providers.csv", "flows.csv", "monthly.csv")]
        )
    assert outputs[0] == outputs[1]


def test_changing_one_provider_leaves_every_other_streams_draws_untouched() -> None:
    """Common random numbers: more ward beds change nothing upstream of the ward."""
    base = scenario_from(SYSTEM, days=120, seed=3)
    more_beds = scenario_from(SYSTEM.replace("servers: 12", "servers: 16"), days=120, seed=3)
    for replication in range(3):
        a, b = simulate(base, replication), simulate(more_beds, replication)
        gp = 0
        assert np.array_equal(a.arrivals[gp], b.arrivals[gp])
        assert np.array_equal(a.wait_days[gp], b.wait_days[gp])
        assert np.array_equal(a.flows[-2:], b.flows[-2:])  # demand entering, draw for draw


@pytest.mark.parametrize("servers", [2, 3, 5, 8])
def test_more_servers_never_lengthen_that_providers_mean_wait(servers: int) -> None:
    text = """
        demand: [{{id: arrivals, enters: clinic, per_day: 9}}]
        providers:
          - {{id: clinic, capacity: {{servers: {servers}}}, length_of_stay: {{distribution: lognormal, mean_days: 0.2, sd_days: 0.3}}}}
    """
    fewer = scenario_from(text.format(servers=servers), days=200)
    more = scenario_from(text.format(servers=servers + 1), days=200)
    for replication in range(5):
        a, b = simulate(fewer, replication), simulate(more, replication)
        wait_fewer = a.wait_days.sum() / a.starts.sum()
        wait_more = b.wait_days.sum() / b.starts.sum()
        assert wait_more <= wait_fewer + 1e-12, (
            f"replication {replication}: {servers + 1} servers wait {wait_more:.4f} d, "
            f"{servers} servers {wait_fewer:.4f} d"
        )


def test_a_stream_kept_as_blocks_draws_exactly_what_a_chained_stream_draws() -> None:
    """BatchDraws (clinics' streams) and Draws hand out the same sequence, singly or many
    at a time, across block boundaries: which one a provider uses changes no number."""
    from sim.engine.distributions import choice_sampler, sampler
    from sim.engine.streams import BatchDraws, Draws, stream_generator
    from sim.scenario.model import Gamma

    for sample, dtype in (
        (sampler(Gamma(distribution="gamma", mean_days=4, sd_days=3)), float),
        (choice_sampler(np.array([0.2, 0.5, 0.3])), np.int64),
    ):
        chained = Draws(sample, stream_generator(7, 2, "a stream"))
        blocks = BatchDraws(sample, stream_generator(7, 2, "a stream"))
        for size in (1, 0, 700, 3, 512, 1, 2000, 9):
            if size == 1:
                single, expected = blocks.next(), chained.next()
                assert single == expected and type(single) is type(expected)
            else:
                taken = blocks.take(size, dtype)
                assert taken.dtype == np.dtype(dtype)
                assert np.array_equal(taken, chained.take(size, dtype))
