"""A training exercise attached to a variant: the story, the board's question and the
answer's expected directions, checked on paired replications. Metadata only: it changes
nothing that is simulated.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from sim.scenario.fields import Frozen


class Expectation(Frozen):
    """One expected direction of an exercise's answer, checked on paired replications."""

    metric: str = Field(
        description="What to watch, as PROVIDER.METRIC in differences.csv: all.paid_gbp, "
        "ae.arrivals."
    )
    direction: Literal["up", "down"]

    @field_validator("metric")
    @classmethod
    def _provider_dot_metric(cls, metric: str) -> str:
        provider, _, name = metric.rpartition(".")
        if not provider or not name:
            raise ValueError(
                f"must be PROVIDER.METRIC, e.g. all.paid_gbp or ae.arrivals (got '{metric}')"
            )
        return metric


Text = Annotated[str, Field(min_length=1)]


class Exercise(Frozen):
    """A training exercise: a short story, a question for the board, and the reveal.

    Metadata only: it changes nothing that is simulated, and the scenario hash leaves it out.
    `bills` names a file, so the loader checks it (it must read against the baseline).
    """

    title: Text
    story: Text
    question: Text
    choices: tuple[Text, ...] = Field(
        default=(), description="The answers the board chooses between (2 to 5), if any."
    )
    expect: tuple[Expectation, ...] = Field(min_length=1)
    why: Text
    bills: Text | None = Field(
        default=None,
        description="A bill file (CSV) the board checks on the Learn page, relative to the "
        "scenario file that declares it; read against the baseline the variant extends.",
    )
    replications: Annotated[int, Field(ge=2, le=200)] | None = Field(
        default=None,
        description="Paired replications the answer needs to show beyond chance; the Learn "
        "page starts the reveal at this number (default: its own).",
    )

    @field_validator("choices")
    @classmethod
    def _two_to_five(cls, choices: tuple[str, ...]) -> tuple[str, ...]:
        if choices and not 2 <= len(choices) <= 5:
            raise ValueError(f"give 2 to 5 answers to choose between (got {len(choices)})")
        return choices

    @field_validator("expect")
    @classmethod
    def _each_metric_once(cls, expect: tuple[Expectation, ...]) -> tuple[Expectation, ...]:
        metrics = [expected.metric for expected in expect]
        twice = sorted({metric for metric in metrics if metrics.count(metric) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} expected more than once: give each metric once")
        return expect
