"""Scale-out: the same replications, to the byte, in this process, on a local pool and on a
Dask cluster; common random numbers across scenarios; clear errors for a cluster that is
not there."""

from __future__ import annotations

import importlib
import socket
import sys
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import distributed
import numpy as np
import pytest

from sim.cli import main
from sim.engine import RunRecord
from sim.results import run_scenario
from sim.results.replicate import ScaleOutError, batches, replicate, replicate_many
from sim.results.sweep import sweep
from tests.conftest import scenario_from

# `sim.results.replicate` the attribute is the function; the module is needed to patch it.
replicate_module = importlib.import_module("sim.results.replicate")

NETWORK = """
practices:
  - {id: north, list_size: 4000}
  - {id: south, list_size: 3000, referral_multiplier: 1.3}
demand:
  - {id: need, enters: gp, per_1000_per_year: 3000}
  - {id: walk_in, enters: ae, per_day: 6}
providers:
  - {id: gp, capacity: {slots_per_day: 24}, waiting: {max_days: 2, then: ae, share: 0.3}}
  - {id: ae, capacity: {servers: 3}, length_of_stay: {distribution: lognormal, mean_days: 0.15, sd_days: 0.1}}
  - {id: ward, capacity: {servers: WARD_BEDS}, length_of_stay: {distribution: gamma, mean_days: 4, sd_days: 3}}
exits: [home]
pathways:
  - {from: gp, to: ae, share: 0.05}
  - {from: ae, to: ward, share: 0.3}
  - {from: ward, to: home, share: 0.85}
"""
RUN = {"days": 60, "warm_up_days": 5, "replications": 4, "seed": 11}


def network(ward_beds: int = 12):
    return scenario_from(NETWORK.replace("WARD_BEDS", str(ward_beds)), **RUN)


def assert_identical(first: RunRecord, second: RunRecord) -> None:
    """Every field equal; arrays equal to the byte, with the same dtype and shape."""
    for field in fields(RunRecord):
        a, b = getattr(first, field.name), getattr(second, field.name)
        if isinstance(a, np.ndarray):
            assert (a.dtype, a.shape) == (b.dtype, b.shape), field.name
            assert a.tobytes() == b.tobytes(), f"{field.name} differs"
        else:
            assert a == b, field.name


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A real two-worker Dask cluster (separate processes, so records are pickled)."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        # The first task on a fresh worker imports numpy, pandas and the engine; pay it here.
        replicate_many([network()], 2, 0, scheduler=cluster.scheduler_address)
        yield cluster.scheduler_address


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_dask_gives_the_same_records_as_the_local_pool_and_one_process(scheduler: str) -> None:
    scenarios = [network(12), network(9)]
    in_process = replicate_many(scenarios, 5, 11, workers=1)
    pooled = replicate_many(scenarios, 5, 11, workers=2)
    on_dask = replicate_many(scenarios, 5, 11, scheduler=scheduler)
    one_per_task = replicate_many(scenarios, 5, 11, scheduler=scheduler, batch=1)
    for runs in (pooled, on_dask, one_per_task):
        assert [len(records) for records in runs] == [5, 5]
        for expected, got in zip(in_process, runs, strict=True):
            assert [r.replication for r in got] == list(range(5))
            for a, b in zip(expected, got, strict=True):
                assert_identical(a, b)


def test_run_tables_through_the_scheduler_are_byte_identical(scheduler: str) -> None:
    local = run_scenario(network(), workers=1)
    remote = run_scenario(network(), scheduler=scheduler)
    for name in ("providers", "flows", "monthly", "budget", "practices"):
        assert getattr(local, name).to_csv() == getattr(remote, name).to_csv(), name
    assert remote.summary["scheduler"] == scheduler


def test_cli_run_with_scheduler_writes_the_same_files_as_a_local_run(
    scheduler: str, tmp_path: Path
) -> None:
    scenario = tmp_path / "network.yaml"
    scenario.write_text(
        "format: 1\nname: network\nrun: {days: 40, replications: 3, seed: 2}\n"
        + NETWORK.replace("WARD_BEDS", "10")
    )
    local, remote = tmp_path / "local", tmp_path / "remote"
    assert main(["run", str(scenario), "--out", str(local), "--workers", "1"]) == 0
    assert main(["run", str(scenario), "--out", str(remote), "--scheduler", scheduler]) == 0
    for name in ("providers.csv", "flows.csv", "monthly.csv", "budget.csv"):
        assert (local / name).read_bytes() == (remote / name).read_bytes(), name


def test_a_sweep_through_the_scheduler_matches_the_local_sweep(scheduler: str) -> None:
    vary = {"providers[ward].capacity.servers": "8..12:2"}
    local = sweep(network(), vary, replications=3, workers=1)
    remote = sweep(network(), vary, replications=3, scheduler=scheduler)
    assert local.to_csv() == remote.to_csv()


def test_progress_counts_every_replication_on_dask(scheduler: str) -> None:
    seen: list[tuple[int, int]] = []
    replicate_many(
        [network(), network(9)],
        3,
        1,
        scheduler=scheduler,
        progress=lambda done, total: seen.append((done, total)),
    )
    done = [count for count, _ in seen]
    assert done == sorted(done) and seen[-1] == (6, 6), seen
    assert {total for _, total in seen} == {6}


def test_a_variant_downstream_leaves_upstream_arrivals_identical_in_every_replication() -> None:
    base, fewer_beds = replicate_many([network(12), network(4)], 4, 3, workers=2)
    for b, v in zip(base, fewer_beds, strict=True):
        upstream = [b.providers.index("gp"), b.providers.index("ae")]
        assert np.array_equal(b.arrivals[upstream], v.arrivals[upstream]), b.replication
        assert np.array_equal(b.wait_days[upstream], v.wait_days[upstream]), b.replication
    ward = base[0].providers.index("ward")
    queued = [float(r.queue_days[ward].sum()) for r in base]
    queued_fewer = [float(r.queue_days[ward].sum()) for r in fewer_beds]
    assert sum(queued_fewer) > sum(queued), f"patient-days queued: {queued} vs {queued_fewer}"


def test_replicate_keeps_its_positional_signature_and_matches_replicate_many() -> None:
    alone = replicate(network(), 3, 5, 1, None)
    (together, _) = replicate_many([network(), network(9)], 3, 5)
    for a, b in zip(alone, together, strict=True):
        assert_identical(a, b)


def test_batches_cover_every_replication_once_in_near_equal_runs() -> None:
    units = [(s, r) for s in range(3) for r in range(7)]
    cut = batches(units, 8)
    assert [unit for batch in cut for unit in batch] == units
    assert {len(batch) for batch in cut} <= {2, 3} and len(cut) == 8
    assert batches(units[:2], 8) == [[(0, 0)], [(0, 1)]]


def test_an_unreachable_scheduler_is_one_clear_error_naming_the_address() -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(ScaleOutError, match=f"cannot reach the Dask scheduler at {address}"):
        replicate_many([network()], 2, 1, scheduler=address)
    with pytest.raises(ScaleOutError, match="http:// is not a Dask address scheme"):
        replicate_many([network()], 2, 1, scheduler="http://127.0.0.1:8786")


def test_a_scheduler_without_workers_says_how_to_start_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(replicate_module, "CONNECT_TIMEOUT_SECONDS", 1)
    with (
        distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as empty,
        pytest.raises(ScaleOutError, match="has no workers; start some with `dask worker"),
    ):
        replicate_many([network()], 2, 1, scheduler=empty.scheduler_address)


def test_without_distributed_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ScaleOutError, match=r'pip install "knockon\[dask\]"'):
        replicate_many([network()], 2, 1, scheduler="tcp://127.0.0.1:8786")


def test_cli_run_with_an_unreachable_scheduler_prints_one_line_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "small.yaml"
    scenario.write_text(
        "format: 1\nname: small\nrun: {days: 10, replications: 2, seed: 1}\n"
        "demand: [{id: need, enters: ward, per_day: 3}]\n"
        "providers: [{id: ward, capacity: {servers: 2}, "
        "length_of_stay: {distribution: exponential, mean_days: 0.5}}]\n"
    )
    address = f"tcp://127.0.0.1:{free_port()}"
    code = main(["run", str(scenario), "--out", str(tmp_path / "out"), "--scheduler", address])
    printed = capsys.readouterr().err.strip()
    assert code == 1
    assert printed.startswith(f"cannot reach the Dask scheduler at {address}")
    assert len(printed.splitlines()) == 1 and "Traceback" not in printed
    assert not (tmp_path / "out" / "providers.csv").exists()
