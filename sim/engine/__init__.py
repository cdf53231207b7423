"""The discrete-event engine: the only layer that imports simpy.

`simulate` and `RunRecord` are imported from their modules on first use, so a layer that
needs only the engine's calendar (reading a bill file's months, say) does not load SimPy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.engine.record import RunRecord
    from sim.engine.world import simulate

_HOMES = {"RunRecord": "sim.engine.record", "simulate": "sim.engine.world"}

__all__ = ["RunRecord", "simulate"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'sim.engine' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
