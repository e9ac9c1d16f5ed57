"""Replay protection (SPEC.md section 4 step 12): the nonce store contract
and a bounded in-memory store. Standard library only.

A store records ``(key id, nonce)`` until ``expires_at_ms`` in one atomic
check-and-store. It must fail closed: the verifier answers
``nonce_store_unavailable`` (503) when a store raises, and
``nonce_store_full`` (503) when it raises ``SigilError("nonce_store_full")``.
"""

import heapq
import math
import threading
import time
from typing import Callable, Dict, List, Tuple

try:  # Python 3.8+
    from typing import Protocol
except ImportError:  # pragma: no cover
    Protocol = object  # type: ignore

from .errors import SigilError


class NonceStore(Protocol):
    """What the verifier needs from a store (Redis, a database, memory)."""

    def check_and_store(self, key_id: str, nonce: str, expires_at_ms: int) -> bool:
        """Record the pair until ``expires_at_ms``; False when it is already recorded."""
        ...


def _is_future_ms(expires_at_ms: object, now_ms: float) -> bool:
    if isinstance(expires_at_ms, bool) or not isinstance(expires_at_ms, (int, float)):
        return False
    return math.isfinite(expires_at_ms) and expires_at_ms > now_ms


class MemoryNonceStore:
    """The replay store of one process: thread-safe and bounded.

    When it holds ``max_entries`` live nonces it refuses new ones with
    ``SigilError("nonce_store_full")`` and never evicts a live nonce (an
    evicted nonce could be replayed). Expired entries are dropped as time
    passes. Several processes (gunicorn workers) need a shared store instead.

    >>> store = MemoryNonceStore(max_entries=10_000)
    >>> store.check_and_store("client-1", "AAECAwQFBgcICQoLDA0ODw", 1_700_000_301_000)
    True
    """

    def __init__(self, max_entries: int = 100_000, clock: Callable[[], float] = time.time) -> None:
        if not isinstance(max_entries, int) or isinstance(max_entries, bool) or not 1 <= max_entries <= 50_000_000:
            raise SigilError("invalid_option", "max_entries must be an integer from 1 to 50000000")
        if not callable(clock):
            raise SigilError("invalid_option", "clock must be a function returning seconds")
        self._max = max_entries
        self._clock = clock
        self._expiry: Dict[Tuple[str, str], float] = {}
        self._heap: List[Tuple[float, Tuple[str, str]]] = []
        self._lock = threading.Lock()

    def _purge(self, now_ms: float) -> None:
        while self._heap and self._heap[0][0] <= now_ms:
            expiry, pair = heapq.heappop(self._heap)
            if self._expiry.get(pair) == expiry:
                del self._expiry[pair]

    def check_and_store(self, key_id: str, nonce: str, expires_at_ms: float) -> bool:
        if not isinstance(key_id, str) or not isinstance(nonce, str):
            raise SigilError("invalid_option", "key_id and nonce must be strings")
        now_ms = self._clock() * 1000
        # A past expiry is a caller bug (seconds passed as ms?): refusing it fails
        # closed, where "already expired, accept" would accept every replay.
        if not _is_future_ms(expires_at_ms, now_ms):
            raise SigilError("invalid_option", "expires_at_ms must be a finite time in the future, in milliseconds")
        pair = (key_id, nonce)
        with self._lock:
            self._purge(now_ms)
            if pair in self._expiry:
                return False
            if len(self._expiry) >= self._max:
                raise SigilError("nonce_store_full")
            self._expiry[pair] = expires_at_ms
            heapq.heappush(self._heap, (expires_at_ms, pair))
            return True

    def __len__(self) -> int:
        with self._lock:
            self._purge(int(self._clock() * 1000))
            return len(self._expiry)

    def __repr__(self) -> str:
        # Never the nonces: they are request material.
        return f"MemoryNonceStore(size={len(self)}, max_entries={self._max})"
