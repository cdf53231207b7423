"""Learn page: training exercises for a new board, and the glossary of every term.

An exercise is a bundled variant file with an `exercise:` block. The page tells its story,
asks the board its question and records the board's answer; Reveal then compares the
variant with the file it extends on paired replications and shows what happened, whether
each expected direction held, and why. An exercise that names a bill (`exercise.bills`)
has it checked against the baseline first, in the same background run.
"""

from __future__ import annotations

from concurrent.futures import Executor
from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from sim.app import jobs, state
from sim.app.comparison_view import show_changes_and_summary, show_difference_charts
from sim.app.glossary import GLOSSARY, HELP
from sim.compare import Comparison, compare_scenarios
from sim.compare.exercise import expectations, metric_words, shown
from sim.money.bill_file import read_bills
from sim.money.bills import check_bills, summarise
from sim.results.replicate import Progress, replicate
from sim.scenario import LoadedScenario, ScenarioError, load_scenario
from sim.scenario.loader import scenario_hash
from sim.scenario.model import Exercise, Scenario

# Paired replications for a reveal unless the facilitator asks for more or fewer. (A bare
# string here would be shown on the page: Streamlit writes out top-level expressions.)
REPLICATIONS = 10


@st.cache_resource(show_spinner=False)
def _load(path: str, modified_ns: int) -> LoadedScenario | None:
    """A bundled file, loaded once per version of it; None if it does not load."""
    try:
        return load_scenario(path)
    except ScenarioError:
        return None


def _exercises() -> dict[str, LoadedScenario]:
    """Bundled files with an exercise, by file name, in the order the app lists files."""
    found = {}
    for path in state.bundled_files():
        loaded = _load(str(path), path.stat().st_mtime_ns)
        if loaded is not None and loaded.scenario.exercise is not None:
            found[path.name] = loaded
    return found


def _replications_for(loaded: LoadedScenario) -> int:
    """The paired replications a reveal starts at: the exercise's own, else the default."""
    exercise = loaded.scenario.exercise
    return exercise.replications if exercise and exercise.replications else REPLICATIONS


def _baseline(loaded: LoadedScenario) -> Path | None:
    """The file the exercise's variant extends (its files run base first)."""
    return loaded.files[-2] if len(loaded.files) > 1 else None


# What a reveal shows: the paired comparison, and the bill check (one row per bill line)
# when the exercise has a bill.
Reveal = tuple[Comparison, pd.DataFrame | None]


def _reveal(
    name: str,
    variant: Scenario,
    base: Path,
    replications: int,
    bills: tuple[Path, int] | None,
    pool: Executor,
    progress: Progress,
) -> Reveal:
    """The bill check (if any), then the paired comparison, on the shared pool; progress
    counts the replications of both."""
    baseline = load_scenario(base).scenario
    checking = 0 if bills is None else bills[1]
    total = checking + 2 * replications
    checked = None
    if bills is not None:
        path, count = bills
        lines = read_bills(path, baseline)
        records = replicate(
            baseline,
            count,
            baseline.run.seed,
            progress=lambda done, _: progress(done, total),
            executor=pool,
        )
        checked = check_bills(records, baseline, lines)
    comparison = compare_scenarios(
        baseline,
        [variant],
        labels=[Path(name).stem],
        replications=replications,
        executor=pool,
        progress=lambda done, _: progress(checking + done, total),
    )
    return comparison, checked


def _show_bill_check(
    checked: pd.DataFrame, bills: tuple[Path, int], comparison: Comparison
) -> None:
    flagged = checked[checked["flagged"]]
    passed = len(checked) - len(flagged)
    st.subheader("The bill")
    st.caption(
        f"{bills[0].name} checked against {comparison.base.name} on {bills[1]} replications "
        f"(seed {comparison.seed}): each line against the range one honest month falls in "
        "(95%)."
    )
    st.markdown(f"{summarise(checked)}. **{passed} of {len(checked)} lines passed.**")
    if flagged.empty:
        st.success("No line is outside what the model or the contract allows.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "line": flagged["line"],
                "provider": flagged["provider"],
                "month": flagged["month"],
                "what is wrong": flagged["reason"],
            }
        ),
        hide_index=True,
    )
    st.caption(
        "A flag is a question to put to the provider, not proof: about one honest line in "
        "twenty falls outside a 95% range by chance."
    )


def _expectation_table(comparison: Comparison, label: str) -> pd.DataFrame:
    variant = comparison.variants[comparison.labels.index(label)]
    return pd.DataFrame(
        [
            {
                "what to watch": metric_words(outcome.metric, variant),
                "metric": outcome.metric,
                "expected": outcome.expected,
                "baseline": shown(outcome.metric, outcome.base, signed=False),
                "variant": shown(outcome.metric, outcome.variant, signed=False),
                "difference": shown(outcome.metric, outcome.difference),
                "95% interval": f"{shown(outcome.metric, outcome.ci_low)} to "
                f"{shown(outcome.metric, outcome.ci_high)}",
                "held": "held" if outcome.held else "did not hold",
            }
            for outcome in expectations(comparison, label)
        ]
    )


def _show_reveal(
    reveal: Reveal, bills: tuple[Path, int] | None, exercise: Exercise, chosen: str | None
) -> None:
    comparison, checked = reveal
    label = comparison.labels[0]
    st.header("The reveal")
    if chosen is not None:
        st.markdown(f"The board's answer: *{chosen}*")
    if checked is not None and bills is not None:
        _show_bill_check(checked, bills, comparison)
        st.subheader("The comparison")
    st.caption(
        f"{comparison.replications} paired replications (seed {comparison.seed}) of "
        f"{comparison.variants[0].name} against {comparison.base.name}."
    )
    show_changes_and_summary(comparison, label)
    st.subheader("The expected answer")
    table = _expectation_table(comparison, label)
    st.dataframe(table, hide_index=True)
    held = (table["held"] == "held").sum()
    st.markdown(
        f"{held} of {len(table)} expected directions held: the whole 95% interval of the paired "
        "difference lies on the expected side of zero."
    )
    st.subheader("Why")
    st.markdown(exercise.why)
    show_difference_charts(comparison, label)


st.title("Learn")
st.caption(
    "Each exercise is a short story, a decision for the board, and then the reveal: what "
    "happened across the system, and why."
)

st.header("Training exercises")
exercises = _exercises()
if not exercises:
    st.info("No bundled scenario file has an exercise yet.")
else:
    decisions: dict[str, str] = st.session_state.setdefault("exercise_decisions", {})

    def _recall_decision() -> None:
        picked = st.session_state["exercise_pick"]
        st.session_state["exercise_choice"] = decisions.get(picked)
        # Each exercise starts at the replications its answer needs to show.
        st.session_state["exercise_replications"] = _replications_for(exercises[picked])

    titles = {
        file: f"{loaded.scenario.exercise.title} ({file})"
        for file, loaded in exercises.items()
        if loaded.scenario.exercise is not None
    }
    if st.session_state.get("exercise_pick") not in exercises:
        st.session_state["exercise_pick"] = next(iter(exercises))
    name = st.selectbox(
        "Exercise",
        list(exercises),
        format_func=titles.__getitem__,
        help=HELP["exercise"],
        key="exercise_pick",
        on_change=_recall_decision,
    )
    loaded = exercises[name]
    exercise = loaded.scenario.exercise
    assert exercise is not None

    st.subheader(exercise.title)
    st.markdown(exercise.story)
    st.markdown(f"**The question for the board:** {exercise.question}")
    chosen: str | None = None
    if exercise.choices:
        if st.session_state.get("exercise_choice") not in exercise.choices:
            st.session_state["exercise_choice"] = decisions.get(name)
        chosen = st.radio(
            "The board's answer",
            exercise.choices,
            index=None,
            help=HELP["exercise choice"],
            key="exercise_choice",
        )
        if chosen is not None:
            decisions[name] = chosen

    base = _baseline(loaded)
    st.session_state.setdefault("exercise_replications", _replications_for(loaded))
    replications = int(
        st.number_input(
            "Paired replications",
            min_value=2,
            max_value=200,
            help=HELP["paired replications"],
            key="exercise_replications",
        )
    )
    bills: tuple[Path, int] | None = None
    if base is not None and loaded.exercise_bills is not None:
        baseline = _load(str(base), base.stat().st_mtime_ns)
        st.session_state.setdefault(
            "exercise_bill_replications",
            baseline.scenario.run.replications if baseline is not None else REPLICATIONS,
        )
        bill_replications = int(
            st.number_input(
                "Replications for the bill check",
                min_value=2,
                max_value=200,
                help=HELP["bill check replications"],
                key="exercise_bill_replications",
            )
        )
        bills = (loaded.exercise_bills, bill_replications)
    if base is None:
        st.warning(
            f"{name} extends no baseline, so there is nothing to compare it with: an exercise "
            "belongs in a variant file that extends its baseline."
        )
    reveals: dict[tuple[str, int, int | None], Reveal] = st.session_state.setdefault(
        "exercise_reveals", {}
    )
    wanted = (name, replications, None if bills is None else bills[1])
    runner, me = jobs.runner(), jobs.session_id()
    if (
        st.button("Reveal", type="primary", key="reveal_button", disabled=base is None)
        and base is not None
        and wanted not in reveals
    ):
        key = ("exercise", scenario_hash(loaded.scenario), *wanted)
        runner.start(
            key,
            label=f"exercise {name}",
            total=2 * replications + (0 if bills is None else bills[1]),
            work=partial(_reveal, name, loaded.scenario, base, replications, bills),
            watcher=me,
        )
        st.session_state["exercise_job"] = (key, wanted)
    following: tuple[tuple[object, ...], tuple[str, int, int | None]] | None = st.session_state.get(
        "exercise_job"
    )
    job = runner.job(following[0]) if following is not None else None
    if following is not None and job is not None:
        if job.state == "running":
            jobs.watch(job, cancel_key="cancel_reveal")
            st.stop()
        del st.session_state["exercise_job"]
        if job.state == "finished":
            reveals[following[1]] = runner.collect(job, me)
        elif job.state == "cancelled":
            st.warning("Cancelled. The board's answer is as you left it.")
        else:
            st.error(job.error)
    if wanted in reveals:
        _show_reveal(reveals[wanted], bills, exercise, chosen)

st.header("Glossary")
for term, meaning in sorted(GLOSSARY.items()):
    st.markdown(f"**{term}**: {meaning}")
