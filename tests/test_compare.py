"""Paired comparison: differences with honest intervals, exact zeros upstream of a change,
attribution that adds up, and a summary that states only what the numbers support."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.compare.paired import compare_scenarios, paired_differences
from sim.compare.roi import ComparisonError
from sim.compare.words import summary_sentences
from sim.network.queueing import mmc
from sim.results.metrics import replication_metrics, wide
from sim.results.replicate import replicate_many
from tests.conftest import scenario_from

ROOT = Path(__file__).parents[1]
SCENARIOS = ROOT / "scenarios"

CHAIN = """
    demand: [{{id: referrals, enters: gp, per_day: 40}}]
    providers:
      - {{id: gp, capacity: {{servers: 60}}, length_of_stay: {{distribution: exponential, mean_days: 1}},
          price: {{per_attendance_gbp: 40}}}}
      - {{id: outpatients, capacity: {{servers: 12}}, length_of_stay: {{distribution: exponential, mean_days: 1}},
          price: {{per_attendance_gbp: 200}}}}
      - {{id: ward, capacity: {{servers: {ward_beds}}}, length_of_stay: {{distribution: exponential, mean_days: 3}},
          price: {{per_spell_gbp: 3000}}}}
    pathways:
      - {{from: gp, to: outpatients, share: {outpatient_share}}}
      - {{from: outpatients, to: ward, share: 0.5}}
    budget: {{annual_gbp: 1000000}}
"""


def _chain(ward_beds: int = 20, outpatient_share: float = 0.2, **run: object):
    settings = {"days": 120, "warm_up_days": 20, "replications": 8, "seed": 5, **run}
    return scenario_from(
        CHAIN.format(ward_beds=ward_beds, outpatient_share=outpatient_share), **settings
    )


def _row(table: pd.DataFrame, provider: str, metric: str) -> pd.Series:
    found = table[(table["provider"] == provider) & (table["metric"] == metric)]
    assert len(found) == 1, f"no single row for {provider}.{metric}"
    return found.iloc[0]


def test_a_change_downstream_leaves_every_upstream_replication_exactly_the_same() -> None:
    base, variant = _chain(ward_beds=20), _chain(ward_beds=14)
    records = replicate_many([base, variant], 8, seed=5)
    before = wide(replication_metrics(records[0], base))
    after = wide(replication_metrics(records[1], variant))
    for upstream in ("gp", "outpatients"):
        for metric in ("arrivals", "completions", "mean_wait_days", "cost_gbp"):
            key = f"{upstream}.{metric}"
            assert np.array_equal(before[key].to_numpy(), after[key].to_numpy()), key
    comparison = compare_scenarios(base, [variant], ["fewer_beds"])
    row = _row(comparison.differences, "outpatients", "arrivals")
    assert (row["difference"], row["ci_low"], row["ci_high"]) == (0.0, 0.0, 0.0)
    assert _row(comparison.differences, "ward", "mean_wait_days")["difference"] > 0


def test_halving_a_referral_share_moves_the_expected_number_of_patients() -> None:
    base, variant = _chain(outpatient_share=0.2), _chain(outpatient_share=0.1)
    comparison = compare_scenarios(base, [variant], ["fewer_referrals"], replications=10)
    moved = comparison.flows
    row = moved[(moved["from"] == "gp") & (moved["to"] == "outpatients")].iloc[0]
    expected = -0.1 * 40 * 120  # share change x referrals a day x days
    assert row["ci_low"] <= expected <= row["ci_high"], row.to_dict()
    assert row["significant"]
    gp = _row(comparison.differences, "gp", "arrivals")
    assert gp["difference"] == 0.0


def test_the_cost_waterfall_adds_up_to_the_total_change_in_payments() -> None:
    base, variant = _chain(), _chain(ward_beds=12, outpatient_share=0.3)
    comparison = compare_scenarios(base, [variant], ["both"])
    waterfall = comparison.waterfall
    steps = waterfall[waterfall["step"] == "change"]["change_gbp"].sum()
    total = _row(comparison.differences, "all", "paid_gbp")
    assert steps == pytest.approx(total["difference"], rel=1e-9)
    end = waterfall[waterfall["step"] == "variant total"].iloc[0]
    assert end["running_total_gbp"] == pytest.approx(total["variant"], rel=1e-9)
    last_step = waterfall[waterfall["step"] == "change"].iloc[-1]
    assert last_step["running_total_gbp"] == pytest.approx(total["variant"], rel=1e-9)


def test_budget_variance_difference_equals_the_payment_difference_for_one_budget() -> None:
    base, variant = _chain(), _chain(ward_beds=12)
    differences = compare_scenarios(base, [variant]).differences
    paid = _row(differences, "all", "paid_gbp")
    variance = _row(differences, "all", "budget_variance_gbp")
    assert variance["difference"] == pytest.approx(paid["difference"])
    assert variance["base"] == pytest.approx(paid["base"] - 1_000_000 * 120 / 365, rel=0.02)


def test_a_provider_only_in_the_variant_counts_its_activity_from_zero() -> None:
    base = _chain()
    physio = """
      - {id: physio, capacity: {servers: 6}, length_of_stay: {distribution: exponential, mean_days: 1},
         price: {per_attendance_gbp: 60}}
    """
    text = CHAIN.format(ward_beds=20, outpatient_share=0.1).replace(
        "    pathways:\n",
        physio.rstrip() + "\n    pathways:\n      - {from: gp, to: physio, share: 0.1}\n",
    )
    variant = scenario_from(text, days=120, warm_up_days=20, replications=8, seed=5)
    differences = compare_scenarios(base, [variant]).differences
    seen = _row(differences, "physio", "completions")
    assert seen["base"] == 0.0 and seen["difference"] > 0 and seen["significant"]
    assert np.isnan(_row(differences, "physio", "mean_wait_days")["base"])
    paid = _row(differences, "physio", "paid_gbp")
    assert paid["difference"] == pytest.approx(60 * seen["difference"])


def test_summary_states_only_differences_whose_interval_excludes_zero() -> None:
    base = _chain()
    rows = [
        ("all", "paid_gbp", 1000.0, 1500.0, 500.0, 100.0, 900.0),
        ("all", "budget_variance_gbp", 0.0, 500.0, 500.0, 100.0, 900.0),
        ("ward", "paid_gbp", 800.0, 1300.0, 500.0, 100.0, 900.0),
        ("gp", "paid_gbp", 200.0, 200.5, 0.5, -3.0, 4.0),
        ("ward", "mean_wait_days", 1.0, 2.0, 1.0, 0.5, 1.5),
        ("gp", "completions", 100.0, 103.0, 3.0, -1.0, 7.0),
    ]
    differences = pd.DataFrame(
        rows, columns=["provider", "metric", "base", "variant", "difference", "ci_low", "ci_high"]
    )
    differences["significant"] = (differences["ci_low"] > 0) | (differences["ci_high"] < 0)
    flows = pd.DataFrame(
        columns=["from", "to", "base", "variant", "difference", "ci_low", "ci_high", "significant"]
    ).astype({"significant": bool, "difference": float})
    sentences = summary_sentences(differences, flows, base, base, replications=20)
    text = " ".join(sentences)
    assert "Payments to ward rise by £500" in text
    assert "mean wait at ward rises from 1.0 days to 2.0 days" in text
    assert "Payments to gp" not in text and "gp sees" not in text
    assert sentences[-1].startswith("2 other differences cannot be told apart from chance")


def _summary(rows: list[tuple[str, str, float, float, float, float, float]]) -> str:
    differences = pd.DataFrame(
        rows, columns=["provider", "metric", "base", "variant", "difference", "ci_low", "ci_high"]
    )
    differences["significant"] = (differences["ci_low"] > 0) | (differences["ci_high"] < 0)
    flows = pd.DataFrame(
        columns=["from", "to", "base", "variant", "difference", "ci_low", "ci_high", "significant"]
    ).astype({"significant": bool, "difference": float})
    base = _chain()
    return " ".join(summary_sentences(differences, flows, base, base, replications=20))


def test_care_at_prices_is_told_when_contracts_keep_it_out_of_the_payments() -> None:
    """A block contract hides a rise in the care given from the commissioner's payments;
    the summary says what the whole system's care costs at its prices. When payments follow
    the care (activity contracts), that sentence would only repeat the total paid."""
    hidden = _summary(
        [
            ("all", "paid_gbp", 1_000_000.0, 1_010_000.0, 10_000.0, -50_000.0, 70_000.0),
            ("all", "cost_gbp", 900_000.0, 1_000_000.0, 100_000.0, 60_000.0, 140_000.0),
        ]
    )
    assert "total paid by the commissioner cannot be told apart from chance" in hidden
    assert (
        "The care the whole system gave, valued at each provider's prices whatever its contract "
        "pays, costs more: +£100.0k over the 120-day run (95% CI +£60.0k to +£140.0k), from "
        "£900.0k to £1.0m."
    ) in hidden
    followed = _summary(
        [
            ("all", "paid_gbp", 900_000.0, 1_000_000.0, 100_000.0, 60_000.0, 140_000.0),
            ("all", "cost_gbp", 900_000.0, 1_000_000.0, 100_000.0, 60_000.0, 140_000.0),
        ]
    )
    assert "Total paid by the commissioner rises by £100.0k" in followed
    assert "valued at each provider's prices" not in followed


def test_sharing_budgets_changes_only_the_holders_gap_and_says_so() -> None:
    """Budget holders move no patient and no pound: every paired replication pays exactly
    the same, and the summary says so instead of "cannot be told apart from chance"."""
    practices = """
    practices:
      - {id: small, list_size: 2_000, referral_multiplier: 1.4}
      - {id: large, list_size: 8_000}
    """
    text = (
        CHAIN.format(ward_beds=20, outpatient_share=0.2).replace(
            "per_day: 40", "per_1000_per_year: 1_460"
        )
        + practices
    )
    base = scenario_from(text, days=120, warm_up_days=20, replications=6, seed=5)
    pooled = scenario_from(
        text.replace("8_000}", "8_000, budget_holder: pcn}").replace(
            "1.4}", "1.4, budget_holder: pcn}"
        ),
        days=120,
        warm_up_days=20,
        replications=6,
        seed=5,
    )
    assert [p.holder for p in pooled.practices] == ["pcn", "pcn"]
    comparison = compare_scenarios(base, [pooled])
    differences = comparison.differences
    moved = differences[differences["difference"].fillna(0) != 0]
    assert list(zip(moved["provider"], moved["metric"], strict=True)) == [
        ("all", "holder_abs_variance_share")
    ]
    assert bool(moved["significant"].iloc[0]) and moved["difference"].iloc[0] < 0
    (sentences,) = comparison.summary.values()
    assert sentences[0] == (
        "Total paid by the commissioner is the same in every paired replication, to the penny."
    )
    assert sentences[1].startswith("The mean gap between a budget holder's year-end spend")
    assert " falls from " in sentences[1]


def test_one_replication_is_not_enough_to_tell_anything() -> None:
    base = _chain()
    empty = pd.DataFrame(columns=["provider", "metric"])
    assert "at least 2" in summary_sentences(empty, empty, base, base, replications=1)[0]


def test_scenarios_over_different_periods_cannot_be_compared() -> None:
    with pytest.raises(ComparisonError, match="different period"):
        compare_scenarios(_chain(days=120), [_chain(days=90)])


def test_paired_differences_refuse_unpaired_replications() -> None:
    base = _chain()
    records = replicate_many([base], 4, seed=1)[0]
    metrics = replication_metrics(records, base)
    with pytest.raises(ComparisonError, match="same replications"):
        paired_differences(metrics, metrics[metrics["replication"] < 3])


@pytest.mark.slow
def test_the_difference_in_waits_matches_erlang_c_and_its_interval_covers_95_percent() -> None:
    """Over many seeds, the paired 95% CI of the change in M/M/c mean wait (5 -> 6 servers)
    contains Erlang C's answer about 95% of the time. The seeds are fixed, so the count
    covered is the same on every run."""
    rate, mean = 3.0, 1.0
    expected = mmc(rate, 1 / mean, 6).mean_wait - mmc(rate, 1 / mean, 5).mean_wait
    text = """
        demand: [{{id: arrivals, enters: desk, per_day: {rate}}}]
        providers:
          - {{id: desk, capacity: {{servers: {servers}}},
              length_of_stay: {{distribution: exponential, mean_days: {mean}}}}}
    """
    five, six = (
        scenario_from(text.format(rate=rate, servers=c, mean=mean), days=200, warm_up_days=100)
        for c in (5, 6)
    )
    trials, covered, estimates = 80, 0, []
    for seed in range(trials):
        records = replicate_many([five, six], 10, seed=seed)
        row = _row(
            paired_differences(
                replication_metrics(records[0], five), replication_metrics(records[1], six)
            ),
            "desk",
            "mean_wait_days",
        )
        covered += row["ci_low"] <= expected <= row["ci_high"]
        estimates.append(row["difference"])
    coverage = covered / trials
    # The binomial sd of coverage at 95% over 80 trials is 2.4 points; allow about 3 sd.
    assert 0.87 <= coverage <= 0.99, f"coverage {coverage:.3f}"
    assert np.mean(estimates) == pytest.approx(expected, rel=0.05)


def test_compare_command_writes_inputs_differences_attribution_and_summary(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    code = main(
        [
            "compare",
            str(SCENARIOS / "northshire_2026.yaml"),
            str(SCENARIOS / "northshire_2026_urgent_response.yaml"),
            "--out",
            str(out),
            "--replications",
            "3",
            "--workers",
            "1",
        ]
    )
    assert code == 0
    differences = pd.read_csv(out / "differences.csv")
    assert list(differences.columns[:7]) == [
        "provider",
        "metric",
        "base",
        "variant",
        "difference",
        "ci_low",
        "ci_high",
    ]
    # Activity, waits, occupancy, cost, payments and budget variance, as the issue asks.
    assert {
        "completions",
        "mean_wait_days",
        "mean_occupied",
        "cost_gbp",
        "paid_gbp",
        "budget_variance_gbp",
    } <= set(differences["metric"])
    inputs = pd.read_csv(out / "inputs.csv")
    assert any("urgent_response" in text for text in inputs["description"])
    flows = pd.read_csv(out / "flow_differences.csv")
    new_route = flows[(flows["from"] == "nhs111") & (flows["to"] == "urgent_response")]
    assert new_route["difference"].iloc[0] > 0
    summary = (out / "summary.md").read_text()
    assert "What changed in the inputs" in summary and "What happened" in summary
    meta = json.loads((out / "comparison.json").read_text())
    assert meta["replications"] == 3


def test_compare_command_refuses_mismatched_periods_in_one_line(tmp_path: Path, capsys) -> None:
    short = tmp_path / "short.yaml"
    short.write_text(
        f"extends: {SCENARIOS / 'northshire_2026.yaml'}\nname: short\nrun: {{days: 90}}\n"
    )
    code = main(
        [
            "compare",
            str(SCENARIOS / "northshire_2026.yaml"),
            str(short),
            "--out",
            str(tmp_path / "out"),
            "--replications",
            "2",
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "different period" in err and "Traceback" not in err
