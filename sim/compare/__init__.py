"""Comparing scenarios on paired replications (common random numbers)."""

from sim.compare.roi import ReturnOnInvestment, return_on_investment

__all__ = ["ReturnOnInvestment", "return_on_investment"]
