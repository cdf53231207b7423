"""The look every Knock-on figure shares, so that the app and the report read as one set.

Colours come from Okabe and Ito's palette and ColorBrewer's YlOrRd, which readers with any
common colour-vision deficiency (and a greyscale printout) can tell apart; type is large
enough to read from the back of a training room; titles wrap rather than clip. The small
helpers name places and periods as the tables count them, so every figure says "in the
year" or "Town wards" the same way.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Hashable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim.compare.words import WHOLE_YEAR
from sim.scenario.model import UNNAMED_EXIT, Scenario

# Okabe and Ito's palette, distinguishable with every common colour-vision deficiency.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#8C8C8C"
LIGHT_GREY = "#C8C8C8"
SERIES = (BLUE, ORANGE, BLUISH_GREEN, VERMILLION, REDDISH_PURPLE, SKY_BLUE, BLACK)
"""Line colours in order; each line also gets its own dash, for black-and-white copies."""
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")

MORE = BLUISH_GREEN
"""More patients on a route than in the baseline."""
FEWER = VERMILLION
"""Fewer patients on a route than in the baseline."""
SPEND_UP = VERMILLION
SPEND_DOWN = BLUE
UTILISATION_SCALE = (
    (0.0, "#ffffcc"),
    (0.5, "#ffeda0"),
    (0.65, "#fed976"),
    (0.75, "#feb24c"),
    (0.82, "#fd8d3c"),
    (0.88, "#fc4e2a"),
    (0.93, "#e31a1c"),
    (0.97, "#bd0026"),
    (1.0, "#800026"),
)
"""ColorBrewer's YlOrRd, pale (idle) to dark red (full): ordered by lightness, so it reads
in any colour vision and in greyscale. Most of its range is spent above 75%, where
services differ and where the pressure is."""
UTILISATION_TICKS = (0.0, 0.25, 0.5, 0.75, 0.85, 1.0)

FONT_SIZE = 16
TITLE_SIZE = 22
FONT_FAMILY = "Arial, Helvetica, sans-serif"
TITLE_WIDTH = 56
SUBTITLE_WIDTH = 80
"""Characters a line before titles wrap: about half a projected screen at these sizes."""


def figure_config() -> dict[str, Any]:
    """plotly's display options for these figures: no logo, sharp downloads for slides."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "scale": 2},
    }


def house_style(
    figure: go.Figure,
    title: str,
    x_title: str | None = None,
    y_title: str | None = None,
    subtitle: str | None = None,
    height: int = 520,
    legend_below: bool = False,
) -> go.Figure:
    """The house style: white background, large type for a projector, title on the left.

    Titles and subtitles are wrapped, because plotly clips rather than wraps them and the
    app sets some charts side by side; `legend_below` frees the width a side legend takes."""
    heading = "<br>".join(textwrap.wrap(title, TITLE_WIDTH)) or title
    note = "<br>".join(textwrap.wrap(subtitle, SUBTITLE_WIDTH)) if subtitle else ""
    top = 40 + 30 * (heading.count("<br>") + 1) + (22 * (note.count("<br>") + 1) + 8 if note else 0)
    figure.update_layout(
        template="plotly_white",
        height=height,
        font={"size": FONT_SIZE, "family": FONT_FAMILY, "color": BLACK},
        title={
            "text": heading,
            "font": {"size": TITLE_SIZE},
            "x": 0.01,
            "xanchor": "left",
            "yref": "container",
            "y": 1.0,
            "yanchor": "top",
            "pad": {"t": 20},
            **({"subtitle": {"text": note, "font": {"size": FONT_SIZE - 1}}} if note else {}),
        },
        hoverlabel={"font": {"size": FONT_SIZE, "family": FONT_FAMILY}},
        legend={"font": {"size": FONT_SIZE}},
        margin={"t": top, "l": 70, "r": 40, "b": 70},
    )
    if legend_below:
        figure.update_layout(
            legend={"orientation": "h", "x": 0.0, "xanchor": "left", "y": -0.24, "yanchor": "top"},
            margin={"b": 150},
            height=height + 80,
        )
    if x_title is not None:
        figure.update_xaxes(title={"text": x_title})
    if y_title is not None:
        figure.update_yaxes(title={"text": y_title})
    figure.update_xaxes(title_font_size=FONT_SIZE + 2, tickfont_size=FONT_SIZE)
    figure.update_yaxes(title_font_size=FONT_SIZE + 2, tickfont_size=FONT_SIZE)
    return figure


def place_names(scenarios: Iterable[Scenario]) -> dict[str, str]:
    """Every place's name as a commissioner reads it: providers, demand streams, exits."""
    names = {UNNAMED_EXIT: "left the modelled system"}
    for scenario in scenarios:
        for provider in scenario.providers:
            names.setdefault(provider.id, provider.label)
        for stream in scenario.demand:
            names.setdefault(stream.id, stream.name or stream.id.replace("_", " "))
        for exit_name in scenario.exits:
            names.setdefault(exit_name, exit_name.replace("_", " "))
        for practice in scenario.registered_practices:
            names.setdefault(practice.id, practice.name or practice.id)
    return names


def period_words(scenario: Scenario | None) -> str:
    """The measured period in words, as the tables count it."""
    if scenario is None:
        return "over the run"
    if scenario.run.days == WHOLE_YEAR:
        return "in the year"
    return f"over the {scenario.run.days}-day run"


def month_start(month: str) -> dt.date:
    """'2026-04' as the first of the month, for a date axis that labels it 'Apr 2026'."""
    year, number = str(month).split("-")[:2]
    return dt.date(int(year), int(number), 1)


def wait_unit(longest_days: float) -> tuple[float, str]:
    """Multiplier from days and the unit's name, for the longest wait on an axis."""
    if not np.isfinite(longest_days) or longest_days < 1 / 24:
        return 24 * 60, "minutes"
    if longest_days < 2:
        return 24.0, "hours"
    return 1.0, "days"


def first_label(table: pd.DataFrame) -> str:
    if "scenario" in table and len(table):
        return str(table["scenario"].iloc[0])
    return "variant"


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters: a trailing "(...)" goes first, then the end of the text."""
    if len(text) <= limit:
        return text
    plain = text.split(" (")[0]
    if 0 < len(plain) <= limit:
        return plain
    return text[: limit - 1].rstrip() + "…"


def by_provider(providers: pd.DataFrame) -> dict[str, dict[Hashable, Any]]:
    """`providers.csv` as one dict of figures per provider id."""
    return {str(row["provider"]): row for row in providers.to_dict("records")}


def rgba(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"
