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
    "exercise": "A training story on a variant file: a question for the board, then the "
    "reveal of what the variant changes against its baseline on paired replications, and why.",
    "expected direction": "Which way an exercise expects a number to move (up or down). It "
    "held if the whole 95% interval of the paired difference lies on that side of zero.",
    "bill check": "Each line of a provider's monthly bill held against what the model says "
    "one honest month could be (a 95% range over replications) and what the contract pays; "
    "a flagged line is a question to put to the provider, not proof.",
    "bundled scenario": "Scenario files shipped with Knock-on: the Northshire baseline and "
    "variants of it.",
    "upload": "A scenario file (YAML) from your computer, up to 1 MB; it is checked exactly as "
    "the command line checks files.",
    "save": "The whole scenario as a YAML file you can open again, share, or run from the "
    "command line.",
    "annual sum": "The fixed amount a block or cost and volume contract pays a year, in "
    "pounds, in twelve equal monthly instalments.",
    "volume": "The activity a cost and volume contract buys with its annual sum, in units a "
    "year (attendances or spells).",
    "marginal rate": "The share of the price paid for activity beyond a contract's volume "
    "(e.g. 0.7 pays 70%): above the agreed volume of a cost and volume contract (and refunded "
    "below it, down to the floor), or above the baseline of a marginal rate contract.",
    "floor volume": "Under a cost and volume contract, the volume down to which a shortfall "
    "is refunded at the marginal rate, in units a year; empty for no refunds.",
    "baseline volume": "Under a marginal rate contract, the activity a year paid at full "
    "price; activity above it is paid at the marginal rate.",
    "phasing": "How the annual budget is spread over the months: evenly (a twelfth a month) "
    "or twelve shares, the first for the run's first month, adding up to 1.",
    "contract growth": "In a run of several years, the fraction by which a contract's "
    "annual sum and volumes grow each financial year (0.03 is 3% a year); empty for the same "
    "contract every year.",
    "trim point": "The length of a hospital stay, in days, beyond which each extra day is "
    "charged at the excess day price on top of the spell price.",
    "excess day": "A day of a hospital stay beyond the trim point, charged at its own price.",
    "fixed annual cost": "A provider's own cost of running a service for a year (estates, core "
    "staff): not charged per patient, but weighed against its income in the viability check.",
    "marginal cost share": "The share (0 to 1) of a price that is the provider's variable cost "
    "of the activity, for the viability check.",
    "marginal cost per day": "A provider's variable cost of each day a place is held (a bed "
    "day), for the viability check: a patient waiting in a bed for a care package costs the "
    "ward every day, whether or not that day is paid for.",
    "price year": "The financial year a price is for, e.g. 2023/24; prices are not uplifted "
    "from one year to another.",
    "provider kind": "The sort of service (primary care, acute, social care ...), used to "
    "group results.",
    "stay distribution": "How lengths of stay spread around their mean: exponential, "
    "lognormal or gamma (many short stays, a long tail), uniform or triangular (between a "
    "shortest and a longest stay), or fixed (every stay the same).",
    "cohort": "A group of patients (frail older people, children) with their own demand "
    "growth and, if given, their own pathways; patients keep their cohort through the system.",
    "check": "The checker's own messages about a row, as the command line prints them: an "
    "error stops the scenario running, a warning does not.",
}
"""Term -> meaning, in the words the app uses."""

HELP: dict[str, str] = {**GLOSSARY}
"""Inline help for inputs, keyed by the term each input sets."""
HELP["variant"] = (
    "A small file that names the baseline with `extends` and holds only your changes: "
    "easy to read, diff and compare."
)
HELP["replications"] = GLOSSARY["replication"]
HELP["name"] = "The name people know it by, shown in results; the id in the first column stays."
HELP["sd_days"] = (
    "How much stays vary around the mean, in days (the standard deviation): for lognormal "
    "and gamma stays."
)
HELP["min_days"] = "The shortest stay, in days: for uniform and triangular stays."
HELP["max_days"] = "The longest stay, in days: for uniform and triangular stays."
HELP["enters"] = "The provider these patients go to first."
HELP["per_1000_per_year"] = (
    "Patients a year for every 1,000 registered people, scaled by the practices' list sizes. "
    "Give this or patients a day, not both."
)
HELP["per_day"] = (
    "Patients a day, whatever the population. Give this or per 1,000 people a year, not both."
)
HELP["uses_referral_multiplier"] = (
    "Whether each practice's referral multiplier scales this demand (outlying referrers)."
)
HELP["pathway from"] = "The provider the patients have been seen by."
HELP["pathway to"] = "Where they go next: a provider or a named way out of the system."
HELP["pathway cohort"] = (
    "The cohort this pathway is for; empty: everyone. Once a pathway from a provider names a "
    "cohort, that cohort's patients leaving it take only the pathways naming it."
)
HELP["budget on"] = "Whether to plan against a budget: without one, spend is shown on its own."
HELP["budget source"] = "Where the budget figure comes from: a plan, a board paper, a year."
HELP["exercise choice"] = (
    "The board's answer, recorded before the reveal; it is kept while you visit other pages."
)
HELP["bill check replications"] = (
    "Replications of the baseline the exercise's bill is checked against: the default is the "
    "baseline's own, as the command line's check-bills uses. With few, the ranges rest on a "
    "rough idea of how much a month varies."
)
HELP["sensitivity inputs"] = (
    "The numbers to try at their low and high ends, one at a time, all others as they are: "
    "the scenario's uncertain inputs at their ranges, the rest at plus or minus the spread."
)
HELP["spread"] = "How far below and above its value each chosen number is tried, in percent."
HELP["sensitivity metric"] = "The result whose swing the tornado shows."
