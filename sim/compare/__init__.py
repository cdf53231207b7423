"""Comparing scenarios on paired replications (common random numbers)."""

from sim.compare.inputs import InputChange, changes_table, input_changes
from sim.compare.paired import Comparison, compare_scenarios, paired_differences
from sim.compare.roi import ComparisonError, ReturnOnInvestment, return_on_investment
from sim.compare.sensitivity import Input, global_sensitivity, tornado

__all__ = [
    "Comparison",
    "ComparisonError",
    "Input",
    "InputChange",
    "ReturnOnInvestment",
    "changes_table",
    "compare_scenarios",
    "global_sensitivity",
    "input_changes",
    "paired_differences",
    "return_on_investment",
    "tornado",
]
