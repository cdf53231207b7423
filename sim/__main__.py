"""`python -m sim` is the `knockon` command."""

from sim.cli import entry

entry()
