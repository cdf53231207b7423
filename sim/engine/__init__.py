"""The discrete-event engine: the only layer that imports simpy."""

from sim.engine.record import RunRecord
from sim.engine.world import simulate

__all__ = ["RunRecord", "simulate"]
