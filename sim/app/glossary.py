"""Every term the app uses, in a commissioner's words: the Learn page's glossary and the
inline help (`help=`) on every input come from this one place."""

from __future__ import annotations

GLOSSARY: dict[str, str] = {
    "provider": "An organisation or service that sees patients: GP practices, NHS 111, A&E, "
    "outpatients, hospital wards, community services, social care.",
    "pathway": "Where patients go after a provider, and what share of them: e.g. 20% of A&E "
    "attendances are admitted to a ward.",
    "demand": "Patients arriving from outside the modelled system, per 1,000 registered "
    "people a year or per day; seasonal if given month by month.",
    "capacity": "How much a provider can do at once: places in use in parallel (beds, "
    "cubicles, care packages) or appointments a day.",
    "servers": "Places in use at the same time: beds on a ward, cubicles in A&E, care "
    "packages in social care. A patient holds one for the length of their stay.",
    "slots_per_day": "An appointment book: at most this many patients are seen each day; the "
    "rest wait for a later day.",
    "length_of_stay": "How long a patient holds a place, on average, in days (a lognormal, "
    "gamma or other distribution around this mean).",
    "price": "What the commissioner is charged: per attendance, per spell (admission), per "
    "excess day beyond the trim point, or per day.",
    "tariff": "The national prices for NHS activity (the NHS Payment Scheme).",
    "contract": "How a provider is paid: activity (price x activity), block (a fixed sum a "
    "year), cost and volume (a fixed sum for a volume, a marginal rate above or below), or "
    "marginal rate (a reduced price above a baseline).",
    "budget": "The commissioner's plan for the year, phased month by month, against which "
    "spend, variance and the forecast outturn are shown.",
    "forecast outturn": "The year-end spend forecast at a month-end, at the run rate so far "
    "against the plan.",
    "chance of overspend": "The share of replications in which the year's payments exceed "
    "the budget.",
    "share": "The fraction of a provider's patients who take this pathway (0 to 1); shares "
    "from one provider add up to at most 1, and the rest leave the system.",
    "replication": "One simulated year with its own random patients; results are averaged "
    "over replications and shown with a 95% confidence interval.",
    "seed": "The number that fixes the random draws: the same seed gives the same numbers on "
    "any machine.",
    "confidence interval": "The range within which the mean over many replications lies, with "
    "95% confidence: it narrows as replications are added.",
    "paired replications": "Baseline and variant run on the same random patients (common "
    "random numbers), so their difference shows the effect of the change, not chance.",
    "delayed transfer": "A patient ready to leave who keeps a bed because the next service "
    "(e.g. social care) has no place yet.",
    "utilisation": "The share of places (or appointments) in use over the year.",
    "funnel plot": "Each practice's rate against its list size, with the limits chance alone "
    "would explain; a practice outside them is an outlier worth a conversation.",
    "viability": "Whether a provider's income from this commissioner covers its fixed costs.",
    "warm-up": "Days simulated before the measured year starts, so it does not begin with "
    "empty wards.",
    "variant": "A scenario file that extends a baseline and says only what changes.",
    "bundled scenario": "Scenario files shipped with Knock-on: the Northshire baseline and "
    "variants of it.",
    "upload": "A scenario file (YAML) from your computer, up to 1 MB; it is checked exactly as "
    "the command line checks files.",
    "save": "The whole scenario as a YAML file you can open again, share, or run from the "
    "command line.",
}
"""Term -> meaning, in the words the app uses."""

HELP: dict[str, str] = {**GLOSSARY}
"""Inline help for inputs, keyed by the term each input sets."""
HELP["variant"] = (
    "A small file that names the baseline with `extends` and holds only your changes: "
    "easy to read, diff and compare."
)
HELP["replications"] = GLOSSARY["replication"]
