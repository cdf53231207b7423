"""Return on investment on paired replications, against a case with a known answer."""

from __future__ import annotations

import pytest

from sim.cli import main
from sim.compare.roi import ComparisonError, return_on_investment
from tests.conftest import scenario_from

BASE = """
demand: [{id: need, enters: gp, per_day: 10}]
providers:
  - {id: gp}
  - {id: ae, price: {per_attendance_gbp: 100}}
pathways:
  - {from: gp, to: ae, share: 0.2}
"""
# Half of the A&E referrals go to a triage service on a block contract instead.
VARIANT = """
demand: [{id: need, enters: gp, per_day: 10}]
providers:
  - {id: gp}
  - {id: ae, price: {per_attendance_gbp: 100}}
  - {id: triage, price: {per_attendance_gbp: 20}, contract: {type: block, annual_gbp: BLOCK}}
pathways:
  - {from: gp, to: ae, share: 0.1}
  - {from: gp, to: triage, share: 0.1}
"""
RUN = {"days": 365, "replications": 8, "seed": 12}


def _variant(block: int):
    return scenario_from(VARIANT.replace("BLOCK", str(block)), **RUN)


def test_each_pound_invested_saves_what_the_diverted_attendances_cost() -> None:
    # 365 days x 10 a day x 0.1 diverted x £100 = £36,500 saved for £10,000 invested.
    result = return_on_investment(scenario_from(BASE, **RUN), _variant(10_000), ["triage"])
    summary = result.summary
    assert summary["investment_gbp"]["mean"] == pytest.approx(10_000)
    per_pound = summary["net_change_per_pound_invested"]
    assert per_pound["ci_low"] <= (10_000 - 36_500) / 10_000 <= per_pound["ci_high"]
    assert summary["payback_month"] == "2026-04"
    assert summary["chance_of_paying_back"] == 1.0
    monthly = result.monthly
    assert monthly.cumulative_investment_gbp.iloc[-1] == pytest.approx(10_000)
    assert monthly.net_change_gbp.sum() == pytest.approx(
        summary["net_change_in_total_spend_gbp"]["mean"]
    )


def test_an_investment_that_saves_less_than_it_costs_never_pays_back() -> None:
    result = return_on_investment(scenario_from(BASE, **RUN), _variant(100_000), ["triage"])
    assert result.summary["payback_month"] is None
    assert result.summary["net_change_in_total_spend_gbp"]["ci_low"] > 0


def test_comparisons_that_make_no_sense_are_refused_with_a_reason() -> None:
    base = scenario_from(BASE, **RUN)
    with pytest.raises(ComparisonError, match="no provider nowhere"):
        return_on_investment(base, _variant(10_000), ["nowhere"])
    with pytest.raises(ComparisonError, match="no more for ae"):
        return_on_investment(base, base, ["ae"])
    shorter = scenario_from(VARIANT.replace("BLOCK", "1000"), days=200)
    with pytest.raises(ComparisonError, match="different periods"):
        return_on_investment(base, shorter, ["triage"])


def test_the_roi_command_prints_the_answer_and_writes_its_tables(tmp_path, capsys) -> None:
    (tmp_path / "base.yaml").write_text(
        "format: 1\nname: base\nrun: {days: 365, replications: 3}\n" + BASE
    )
    (tmp_path / "variant.yaml").write_text(
        "format: 1\nname: triage\nrun: {days: 365, replications: 3}\n"
        + VARIANT.replace("BLOCK", "10000")
    )
    out = tmp_path / "roi"
    code = main(
        [
            "roi",
            str(tmp_path / "base.yaml"),
            str(tmp_path / "variant.yaml"),
            "--service",
            "triage",
            "--out",
            str(out),
            "--workers",
            "1",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "Per pound invested" in printed and "pass cumulative investment in 2026-04" in printed
    assert (out / "roi.csv").exists() and (out / "roi.json").exists()
