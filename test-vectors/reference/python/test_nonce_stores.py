"""The NonceStore contract (nonce_store_contract.py, ported from the
TypeScript suite) against MemoryNonceStore and RedisNonceStore, the
contract's own self-test against broken stores, and what is particular to
Redis: the @sigil/redis key layout, failing closed, the eviction policy."""

import os
import shutil
import socket
import subprocess
import time
import unittest
import uuid

from nonce_store_contract import CHECKS, contract, future, nonce
from sigil import SigilError
from sigil.nonce_store import MemoryNonceStore
from support import Listener, free_port, needs_redis, redis_client


@contract(lambda test: MemoryNonceStore())
class MemoryNonceStoreContract(unittest.TestCase):
    pass


class _Prefixed:
    """A fresh prefix per test; its keys are deleted afterwards."""

    def make_store(self):
        from sigil.redis import RedisNonceStore

        client = redis_client()
        prefix = f"test:py:{uuid.uuid4()}:"
        self.addCleanup(client.close)
        self.addCleanup(lambda: [client.delete(k) for k in client.scan_iter(f"{prefix}*")])
        return RedisNonceStore(client, prefix=prefix)


@needs_redis()
@contract(lambda test: test.make_store())
class RedisNonceStoreContract(_Prefixed, unittest.TestCase):
    pass


class Broken:
    """Stores broken on purpose: each contract check must fail against one of them."""

    class AlwaysFresh:
        def check_and_store(self, key_id, n, expires):
            return True

    class Concatenating(MemoryNonceStore):
        def check_and_store(self, key_id, n, expires):
            return super().check_and_store("", key_id + n, expires)

    class IgnoresKeyId(MemoryNonceStore):
        def check_and_store(self, key_id, n, expires):
            return super().check_and_store("", n, expires)

    class Racy:
        def __init__(self):
            self.seen = set()

        def check_and_store(self, key_id, n, expires):
            fresh = (key_id, n) not in self.seen
            time.sleep(0.01)
            self.seen.add((key_id, n))
            return fresh

    class AcceptsPastExpiry(MemoryNonceStore):
        def check_and_store(self, key_id, n, expires):
            return True if expires != expires or expires <= time.time() * 1000 else super().check_and_store(key_id, n, expires)

    class NeverForgets(MemoryNonceStore):
        def __init__(self):
            super().__init__()
            self.forever = set()

        def check_and_store(self, key_id, n, expires):
            if (key_id, n) in self.forever:
                return False
            self.forever.add((key_id, n))
            return super().check_and_store(key_id, n, expires)

    class ForgetsAtOnce(MemoryNonceStore):
        def check_and_store(self, key_id, n, expires):
            return super().check_and_store(key_id, n, min(expires, time.time() * 1000 + 50))


class ContractSelfTest(unittest.TestCase):
    """Every check can fail: it fails against the store broken the way it guards against."""

    CAUGHT_BY = {
        "refuses_every_replay_of_a_live_pair": Broken.AlwaysFresh,
        "never_confuses_a_key_id_ending_in_a_nonce_prefix": Broken.Concatenating,
        "lets_exactly_one_of_200_concurrent_calls_win": Broken.Racy,
        "refuses_a_past_expiry_and_stores_nothing": Broken.AcceptsPastExpiry,
        "refuses_a_non_finite_expiry": Broken.AcceptsPastExpiry,
        "forgets_a_pair_once_expired": Broken.NeverForgets,
        "does_not_forget_a_pair_before_expiry": Broken.ForgetsAtOnce,
        "keeps_key_ids_independent": Broken.IgnoresKeyId,
        "accepts_key_ids_with_colons_and_keeps_them_apart": Broken.AlwaysFresh,
        "accepts_a_maximum_length_key_id_and_nonce": Broken.AlwaysFresh,
    }

    def test_each_listed_check_fails_against_its_broken_store(self):
        checks = dict(CHECKS)
        for name, store_type in self.CAUGHT_BY.items():
            with self.subTest(check=name):
                with self.assertRaises((AssertionError, SigilError)):
                    checks[name](self, store_type())

    def test_the_broken_stores_are_broken_only_where_intended(self):
        checks = dict(CHECKS)
        checks["stores_a_new_pair"](self, Broken.AlwaysFresh())
        checks["keeps_nonces_independent"](self, Broken.Concatenating())


@needs_redis()
class RedisNonceStoreSpecifics(_Prefixed, unittest.TestCase):
    def test_the_key_layout_is_sigil_redis_byte_for_byte(self):
        from sigil.redis import DEFAULT_PREFIX, RedisNonceStore

        self.assertEqual(DEFAULT_PREFIX, "sigil:nonce:")
        store = self.make_store()
        n, at = nonce(), future(30_000) + 0.4
        self.assertTrue(store.check_and_store("tenant:a", n, at))
        client = redis_client()
        self.addCleanup(client.close)
        key = f"{store.prefix}tenant:a:{n}"
        self.assertEqual(client.get(key), b"1")
        self.assertEqual(client.execute_command("PEXPIRETIME", key), int(at) + 1)  # rounded up: never earlier
        self.assertEqual(repr(store), f"RedisNonceStore(prefix={store.prefix!r})")
        self.assertIsInstance(RedisNonceStore(client), RedisNonceStore)

    def test_fails_closed_when_redis_is_down_or_silent(self):
        import redis

        from sigil.redis import RedisNonceStore

        silent = Listener(answer=b"")  # accepts and never answers
        self.addCleanup(silent.close)
        down = redis.Redis(host="127.0.0.1", port=free_port(), socket_timeout=0.3, socket_connect_timeout=0.3)
        hangs = redis.Redis(host="127.0.0.1", port=silent.port, socket_timeout=0.3, socket_connect_timeout=0.3)
        for client in (down, hangs):
            with self.assertWarns(RuntimeWarning) if client is down else _nothing():
                store = RedisNonceStore(client)
            n = nonce()
            started = time.monotonic()
            with self.assertRaises(SigilError) as caught:
                store.check_and_store("client-1", n, future())
            self.assertLess(time.monotonic() - started, 5)
            self.assertEqual(caught.exception.code, "nonce_store_unavailable")
            self.assertNotIn(n, str(caught.exception))
            self.assertIsNone(caught.exception.__cause__)
        store = self.make_store()
        store.close()
        with self.assertRaises(SigilError) as caught:
            store.check_and_store("client-1", nonce(), future())
        self.assertEqual(caught.exception.code, "nonce_store_unavailable")

    def test_options_are_checked_at_construction(self):
        import redis

        from sigil.redis import RedisNonceStore

        for client, options in ((object(), {}), (redis.Redis(), {}), (redis_client(), {"prefix": 3})):
            with self.assertRaises(SigilError) as caught:
                RedisNonceStore(client, **options)
            self.assertEqual(caught.exception.code, "invalid_option")
        with self.assertRaises(SigilError):
            self.make_store().check_and_store("client-1", "has:colon", future())

    @unittest.skipUnless(shutil.which("redis-server"), "redis-server is not installed")
    def test_attacker_memory_pressure_on_an_evicting_redis_is_refused_at_start(self):
        import redis

        from sigil.redis import RedisNonceStore

        port = free_port()
        server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                   "--appendonly", "no", "--maxmemory", "2mb", "--maxmemory-policy", "volatile-ttl"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(server.wait)
        self.addCleanup(server.terminate)
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1, socket_connect_timeout=1)
        for _ in range(50):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        with self.assertRaises(SigilError) as caught:
            RedisNonceStore(client)
        self.assertEqual(caught.exception.code, "invalid_option")
        self.assertIn("volatile-ttl", str(caught.exception))
        self.assertTrue(RedisNonceStore(client, allow_eviction=True).check_and_store("k", nonce(), future()))
        client.close()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    unittest.main()
