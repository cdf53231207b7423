"""The ways on from a provider after service, and the draws that choose between them.

Routing goes through a `RouteTable`: one per provider, plus one for each cohort with
pathways of its own from there. A table whose routes lead to a provider that has not fully
opened yet admits each patient there with the share it takes at that moment and sends the
others on by the routes open all along, in proportion to their shares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.streams import Draws
from sim.engine.timeline import Opening

if TYPE_CHECKING:
    from sim.engine.services import Service


class Route:
    """One way out of a provider after service: to a service or an exit, maybe after a delay."""

    __slots__ = ("delay", "node", "service")

    def __init__(self, node: int, service: Service | None, delay: Draws | None) -> None:
        self.node = node
        self.service = service
        self.delay = delay


class RouteTable:
    """The ways on from one provider for one set of patients, and the draws that choose.

    `openings[i]` is the opening of route i's provider when it has not opened from the
    start; such a route is checked against the share its provider takes at that moment
    (draws from `accepts[i]`) and the patients it turns away take a route open at that
    moment, in proportion to the shares (draws from `redirects[i]`). Both are streams of
    their own, so no other draw in the run moves.
    """

    __slots__ = ("accepts", "draws", "full_from", "openings", "redirects", "routes", "shares")

    def __init__(
        self,
        routes: list[Route],
        shares: np.ndarray,
        draws: Draws,
        openings: list[Opening | None],
        accepts: list[Draws | None],
        redirects: list[Draws | None],
    ) -> None:
        self.routes = routes
        self.shares = shares
        self.draws = draws
        self.openings = openings
        self.accepts = accepts
        self.redirects = redirects
        self.full_from = np.asarray(
            [-np.inf if opening is None else opening.full_from for opening in openings]
        )

    @property
    def opens_later(self) -> bool:
        return any(opening is not None for opening in self.openings)

    def choose(self, now: float) -> Route:
        index = int(self.draws.next())
        opening = self.openings[index]
        if opening is not None and now < opening.full_from:
            accepts = self.accepts[index]
            assert accepts is not None
            if accepts.next() >= opening.share_at(now):
                index = int(self._redirect(index, np.asarray([now]))[0])
        return self.routes[index]

    def choose_many(self, times: np.ndarray) -> np.ndarray:
        """Route indices for patients finishing at `times`, in order."""
        chosen = self.draws.take(times.size).astype(np.int64)
        for index, opening in enumerate(self.openings):
            if opening is None:
                continue
            picked = np.flatnonzero((chosen == index) & (times < opening.full_from))
            if picked.size == 0:
                continue
            accepts = self.accepts[index]
            assert accepts is not None
            turned = picked[accepts.take(picked.size) >= opening.share(times[picked])]
            if turned.size:
                chosen[turned] = self._redirect(index, times[turned])
        return chosen

    def _redirect(self, index: int, times: np.ndarray) -> np.ndarray:
        """Other routes, open at each time, in proportion to their shares."""
        weights = self.shares[None, :] * (times[:, None] >= self.full_from[None, :])
        cumulative = np.cumsum(weights, axis=1)
        redirects = self.redirects[index]
        assert redirects is not None
        targets = redirects.take(times.size) * cumulative[:, -1]
        return np.minimum(
            (cumulative <= targets[:, None]).sum(axis=1), len(self.routes) - 1
        ).astype(np.int64)
