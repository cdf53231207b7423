"""Named random streams: one reproducible sequence per random element of the model.

A stream is keyed by (run seed, replication, name), never by creation order, so adding or
changing one provider leaves every other stream's draws untouched: the basis of common
random numbers between a baseline and its variants. Names are hashed with SHA-256, not
Python's `hash`, so the numbers do not depend on PYTHONHASHSEED.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

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

    Single draws come from a Python list (fast to index in the event loop); blocks are
    numpy arrays for the batched paths. Both consume the same sequence in order.
    """

    __slots__ = ("_buffer", "_next", "_rng", "_sample")

    def __init__(self, sample: Sampler, rng: np.random.Generator) -> None:
        self._sample = sample
        self._rng = rng
        self._buffer: list[float] = []
        self._next = 0

    def next(self) -> float:
        i = self._next
        if i == len(self._buffer):
            self._buffer = self._sample(self._rng, BLOCK).tolist()
            i = 0
        self._next = i + 1
        return self._buffer[i]

    def take(self, n: int) -> np.ndarray:
        """The next n draws as an array (the same values `next` would give, in order)."""
        left = len(self._buffer) - self._next
        if n <= left:
            out = np.asarray(self._buffer[self._next : self._next + n])
            self._next += n
            return out
        head = self._buffer[self._next :]
        fresh = self._sample(self._rng, max(BLOCK, ((n - left) // BLOCK + 1) * BLOCK))
        used = n - left
        self._buffer = fresh.tolist()
        self._next = used
        return np.concatenate([np.asarray(head, dtype=fresh.dtype), fresh[:used]])
