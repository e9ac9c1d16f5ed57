"""The NonceStore contract, ported from packages/verify/test/nonce-store-contract.ts:
every Python store runs these same checks (test_nonce_stores.py), and each
check is shown to fail against a store broken the way it guards against.

A check is a function ``(test, store)`` that fails through ``test``'s
assertions. Decided for every store alike, as in TypeScript: a past, present
or non-finite ``expires_at_ms`` is a caller bug, refused with
``SigilError("invalid_option")`` naming ``expires_at_ms`` (never the nonce),
and nothing is stored.
"""

import os
import threading
import time
from typing import Any, Callable, List, Tuple

from sigil import SigilError, b64url_encode

LIVE_MS = 60_000
KEY_ID_MAX = 128
NONCE_MAX = 128


def nonce() -> str:
    return b64url_encode(os.urandom(16))


def future(ms: int = LIVE_MS) -> int:
    return int(time.time() * 1000) + ms


def _bad_expiry(test: Any, store: Any, value: Any) -> None:
    n = nonce()
    with test.assertRaises(SigilError) as caught:
        store.check_and_store("client-1", n, value)
    test.assertEqual(caught.exception.code, "invalid_option", value)
    test.assertIn("expires_at_ms", str(caught.exception))
    test.assertNotIn(n, str(caught.exception))


def _concurrently(count: int, call: Callable[[], bool]) -> List[bool]:
    barrier = threading.Barrier(count)
    results: List[bool] = []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait()
        value = call()
        with lock:
            results.append(value)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def stores_a_new_pair(test: Any, store: Any) -> None:
    test.assertIs(store.check_and_store("client-1", nonce(), future()), True)


def refuses_every_replay_of_a_live_pair(test: Any, store: Any) -> None:
    n = nonce()
    test.assertIs(store.check_and_store("client-1", n, future()), True)
    test.assertIs(store.check_and_store("client-1", n, future()), False)
    test.assertIs(store.check_and_store("client-1", n, future()), False)


def keeps_key_ids_independent(test: Any, store: Any) -> None:
    n = nonce()
    test.assertIs(store.check_and_store("client-1", n, future()), True)
    test.assertIs(store.check_and_store("client-2", n, future()), True)
    test.assertIs(store.check_and_store("client-2", n, future()), False)


def keeps_nonces_independent(test: Any, store: Any) -> None:
    test.assertIs(store.check_and_store("client-1", nonce(), future()), True)
    test.assertIs(store.check_and_store("client-1", nonce(), future()), True)


def never_confuses_a_key_id_ending_in_a_nonce_prefix(test: Any, store: Any) -> None:
    rest = nonce()
    test.assertIs(store.check_and_store("k1", "A" + rest, future()), True)
    test.assertIs(store.check_and_store("k1A", rest, future()), True)


def accepts_key_ids_with_colons_and_keeps_them_apart(test: Any, store: Any) -> None:
    n = nonce()
    key_ids = ["tenant", "tenant:a", "tenant:a:b", "tenant:", ":tenant", "a:b:c:d"]
    for key_id in key_ids:
        test.assertIs(store.check_and_store(key_id, n, future()), True, key_id)
    for key_id in key_ids:
        test.assertIs(store.check_and_store(key_id, n, future()), False, key_id)


def accepts_a_maximum_length_key_id_and_nonce(test: Any, store: Any) -> None:
    key_id = ("k:" * KEY_ID_MAX)[:KEY_ID_MAX]
    n = (nonce() * 6)[:NONCE_MAX]
    test.assertIs(store.check_and_store(key_id, n, future()), True)
    test.assertIs(store.check_and_store(key_id, n, future()), False)
    test.assertIs(store.check_and_store(key_id, n[:-1], future()), True)


def forgets_a_pair_once_expired(test: Any, store: Any) -> None:
    n = nonce()
    expires = future(150)
    test.assertIs(store.check_and_store("client-1", n, expires), True)
    time.sleep(max(0.0, (expires - time.time() * 1000 + 100) / 1000))
    test.assertIs(store.check_and_store("client-1", n, future()), True)
    test.assertIs(store.check_and_store("client-1", n, future()), False)


def does_not_forget_a_pair_before_expiry(test: Any, store: Any) -> None:
    n = nonce()
    expires = future(700)
    test.assertIs(store.check_and_store("client-1", n, expires), True)
    conclusive = 0
    while time.time() * 1000 < expires - 150:
        fresh = store.check_and_store("client-1", n, future())
        if fresh and time.time() * 1000 >= expires:
            break  # slowed past the expiry: proves nothing
        test.assertIs(fresh, False, "forgotten before expires_at_ms")
        conclusive += 1
        time.sleep(0.1)
    test.assertGreater(conclusive, 0)


def lets_exactly_one_of_200_concurrent_calls_win(test: Any, store: Any) -> None:
    n, expires = nonce(), future()
    results = _concurrently(200, lambda: store.check_and_store("client-1", n, expires))
    test.assertEqual(sum(1 for r in results if r is True), 1)
    test.assertEqual(sum(1 for r in results if r is False), 199)


def lets_all_of_200_concurrent_distinct_calls_win(test: Any, store: Any) -> None:
    expires = future()
    test.assertTrue(all(_concurrently(200, lambda: store.check_and_store("client-1", nonce(), expires))))


def refuses_a_past_expiry_and_stores_nothing(test: Any, store: Any) -> None:
    now = int(time.time() * 1000)
    for past in (now - 1, now - 60_000, 1_700_000_000):  # the last: seconds, not ms
        _bad_expiry(test, store, past)
    n = nonce()
    with test.assertRaises(SigilError):
        store.check_and_store("client-1", n, now - 1)
    test.assertIs(store.check_and_store("client-1", n, future()), True)


def refuses_a_non_finite_expiry(test: Any, store: Any) -> None:
    for bad in (float("nan"), float("inf")):
        _bad_expiry(test, store, bad)


CHECKS: List[Tuple[str, Callable[[Any, Any], None]]] = [(fn.__name__, fn) for fn in (
    stores_a_new_pair, refuses_every_replay_of_a_live_pair, keeps_key_ids_independent, keeps_nonces_independent,
    never_confuses_a_key_id_ending_in_a_nonce_prefix, accepts_key_ids_with_colons_and_keeps_them_apart,
    accepts_a_maximum_length_key_id_and_nonce, forgets_a_pair_once_expired, does_not_forget_a_pair_before_expiry,
    lets_exactly_one_of_200_concurrent_calls_win, lets_all_of_200_concurrent_distinct_calls_win,
    refuses_a_past_expiry_and_stores_nothing, refuses_a_non_finite_expiry)]


def contract(make_store: Callable[[Any], Any]) -> Callable[[type], type]:
    """A class decorator adding one ``test_contract_<check>`` per check; ``make_store(test)`` builds a fresh store."""
    def decorate(cls: type) -> type:
        for name, check in CHECKS:
            def test(self: Any, check: Callable[[Any, Any], None] = check) -> None:
                check(self, make_store(self))
            test.__name__ = f"test_contract_{name}"
            setattr(cls, test.__name__, test)
        return cls
    return decorate
