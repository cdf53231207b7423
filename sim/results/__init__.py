"""Replications, and the tables and summaries built from their records."""

from sim.results.replicate import replicate, run_replication
from sim.results.run import OUTPUT_FILES, RunResult, run_scenario

__all__ = ["OUTPUT_FILES", "RunResult", "replicate", "run_replication", "run_scenario"]
