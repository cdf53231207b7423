"""Named random streams: one reproducible sequence per random element of the model.

A stream is keyed by (run seed, replication, name), never by creation order, so adding or
changing one provider leaves every other stream's draws untouched: the basis of common
random numbers between a baseline and its variants. Names are hashed with SHA-256, not
Python's `hash`, so the numbers do not depend on PYTHONHASHSEED.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from itertools import chain, islice

import numpy as np

Sampler = Callable[[np.random.Generator, int], np.ndarray]

BLOCK = 512
"""Draws made at a time; fixed, because the block size is part of what a seed reproduces."""


def stream_seed(seed: int, replication: int, name: str) -> np.random.SeedSequence:
    """The seed of one named stream: a child of the run's SeedSequence per replication."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    words = tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))
    return np.random.SeedSequence(entropy=seed, spawn_key=(replication, *words))


def stream_generator(seed: int, replication: int, name: str) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(stream_seed(seed, replication, name)))


class Draws:
    """An endless sequence of draws from one stream, handed out singly or in blocks.

    Blocks of draws are chained into one iterator, so `next()` (almost every event takes
    a draw) and `take(n)` (the batched paths) both run in C and consume the same sequence
    in order.
    """

    __slots__ = ("_draws", "_rng", "_sample", "next")

    def __init__(self, sample: Sampler, rng: np.random.Generator) -> None:
        self._sample = sample
        self._rng = rng
        self._draws: Iterator[float] = chain.from_iterable(self._blocks())
        self.next: Callable[[], float] = self._draws.__next__

    def _blocks(self) -> Iterator[list[float]]:
        while True:
            yield self._sample(self._rng, BLOCK).tolist()

    def take(self, n: int, dtype: type = float) -> np.ndarray:
        """The next n draws as an array (the same values `next` would give, in order);
        `dtype` int for draws that are whole numbers (route indices)."""
        return np.fromiter(islice(self._draws, n), dtype=dtype, count=n)


class BatchDraws(Draws):
    """The same sequence as `Draws`, kept as the current block's array and a position.

    For streams drawn mostly many at a time (a clinic's ways on, its overflow lottery):
    `take` is then a slice of the block instead of a conversion of every draw to a Python
    number and back, while the occasional single draw (`next`) costs a little more.
    """

    __slots__ = ("_at", "_block")

    def __init__(self, sample: Sampler, rng: np.random.Generator) -> None:
        self._sample = sample
        self._rng = rng
        self._block = np.empty(0)
        self._at = 0
        self.next = self._next

    def _refill(self) -> None:
        self._block = self._sample(self._rng, BLOCK)
        self._at = 0

    def _next(self) -> float:
        if self._at == self._block.size:
            self._refill()
        value: float = self._block[self._at].item()
        self._at += 1
        return value

    def take(self, n: int, dtype: type = float) -> np.ndarray:
        pieces = []
        while n > 0:
            if self._at == self._block.size:
                self._refill()
            piece = self._block[self._at : self._at + n]
            self._at += piece.size
            n -= piece.size
            pieces.append(piece)
        if not pieces:
            return np.empty(0, dtype=dtype)
        return np.concatenate(pieces).astype(dtype, copy=False)
