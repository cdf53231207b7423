"""Numbers as the commands print them: waits in hours or days, money in £m or £k, and
figures of any size readably, so every table on the terminal uses the same units."""

from __future__ import annotations

import math


def wait_text(days: float) -> str:
    """Waits in the unit a commissioner reads them: hours under a day, days above."""
    if math.isnan(days):
        return "-"
    return f"{days * 24:.1f} h" if days < 1 else f"{days:.1f} d"


def money_text(value: float) -> str:
    """Money as a board paper writes it: £231.8m, £45.2k, £980."""
    if abs(value) >= 1e6:
        return f"£{value / 1e6:,.1f}m"
    if abs(value) >= 1e4:
        return f"£{value / 1e3:,.1f}k"
    return f"£{value:,.0f}"


def figure_text(value: float) -> str:
    """A metric value of any size, readable: 231,579,874 or 0.1597."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
