"""The policy verifier (sigil/verifier.py) and the in-memory nonce store:
standard library only, so these run wherever Python does."""

import os
import threading
import unittest

from sigil import Request, SigilError, b64url_encode, sign
from sigil.nonce_store import MemoryNonceStore
from sigil.verifier import Incoming, Rejected, Verified, Verifier, is_loopback

SECRET = bytes(range(32))
NOW = 1_700_000_000


def signed(body=b'{"qty":1}', timestamp=NOW, key_id="client-1", secret=SECRET, method="POST", target="/orders",
           extra=(), **incoming):
    """An Incoming signed by the reference signer, counting its body reads."""
    headers = [("Host", "api.example.com"), ("Content-Type", "application/json"), *extra]
    nonce = b64url_encode(os.urandom(16))
    header = sign(Request(method, target, headers, body), secret, key_id, timestamp, nonce, headers=["content-type"]).header
    reads = []

    def read_body(limit):
        reads.append(limit)
        return body

    options = dict(content_length=len(body), remote_addr="127.0.0.1")
    options.update(incoming)
    return Incoming(method, target, [*headers, ("Sigil-Signature", header)], read_body, **options), reads


def verifier(**options):
    options.setdefault("nonce_store", MemoryNonceStore(clock=lambda: NOW))
    return Verifier({"client-1": SECRET}, clock=lambda: NOW, **options)


class VerifierTests(unittest.TestCase):
    def test_accepts_then_refuses_the_replay(self):
        v = verifier()
        request, _ = signed()
        result = v.verify(request)
        self.assertIsInstance(result, Verified)
        self.assertEqual((result.key_id, result.signed_headers, result.body), ("client-1", ("content-type", "host"), b'{"qty":1}'))
        self.assertNotIn("qty", repr(result))
        self.assertEqual(v.verify(request), Rejected("nonce_replayed"))

    def test_failure_responses_match_the_typescript_verifier(self):
        stale, _ = signed(timestamp=NOW - 301)
        status, headers, body = verifier().verify(stale).response()
        self.assertEqual((status, body, headers["Sigil-Server-Time"]), (401, b'{"error":"timestamp_out_of_window"}', str(NOW)))
        self.assertEqual(headers["Content-Type"], "application/json; charset=utf-8")
        self.assertEqual(headers["WWW-Authenticate"], "Sigil")  # every 401, SPEC 4.1
        self.assertNotIn("WWW-Authenticate", Rejected("body_too_large").response()[1])
        self.assertNotIn("WWW-Authenticate", Rejected("insecure_transport").response()[1])
        unknown, _ = signed(key_id="someone")
        result = verifier().verify(unknown)
        self.assertEqual(result.code, "key_unknown")
        self.assertEqual(result.response()[2], b'{"error":"signature_invalid"}')

    def test_cheap_failures_never_read_the_body(self):
        for request, reads, code in [(*signed(timestamp=NOW - 400), "timestamp_out_of_window"),
                                     (*signed(content_length=2 ** 20 + 1), "body_too_large")]:
            self.assertEqual(verifier().verify(request).code, code)
            self.assertEqual(reads, [])
        # An unknown key id reads the body as a known one would (SPEC 4 step 7).
        request, reads = signed(key_id="nobody")
        self.assertEqual(verifier().verify(request).code, "key_unknown")
        self.assertEqual(reads, [2 ** 20])
        request, reads = signed(key_id="nobody", content_length=2 ** 20 + 1)
        self.assertEqual(verifier().verify(request).code, "body_too_large")
        request, reads = signed()
        verifier(max_body_bytes=100).verify(request)
        self.assertEqual(reads, [100])

    def test_body_limit_comes_before_the_canonical_string(self):
        request, _ = signed(method="POST")
        broken = Incoming("BAD METHOD", request.target, request.headers, request.read_body, content_length=50, remote_addr="::1")
        self.assertEqual(verifier(max_body_bytes=10).verify(broken).code, "body_too_large")
        self.assertEqual(verifier().verify(broken).code, "method_invalid")

    def test_attacker_body_outlives_the_window_refused_before_the_nonce_is_stored(self):
        # The clock is read again after the body (SPEC 4 step 12): a body that
        # arrives past ts + tolerance, or past the nonce's expiry, is refused.
        for late in (NOW + 301, NOW + 302):
            clock = [float(NOW + 300)]
            store = MemoryNonceStore(clock=lambda: clock[0])
            request, _ = signed()

            def slow(limit, request=request, late=late):
                clock[0] = late + 0.5
                return request.read_body(limit)

            v = Verifier({"client-1": SECRET}, store, clock=lambda: clock[0])
            result = v.verify(Incoming(request.method, request.target, request.headers, slow, remote_addr="127.0.0.1"))
            self.assertEqual(result, Rejected("timestamp_out_of_window", late))
            self.assertEqual(result.response()[1]["Sigil-Server-Time"], str(late))
            self.assertEqual(len(store), 0)  # nothing stored

    def test_tampered_body_is_signature_invalid(self):
        request, _ = signed()
        tampered = Incoming(request.method, request.target, request.headers, lambda limit: b'{"qty":9}', remote_addr="127.0.0.1")
        self.assertEqual(verifier().verify(tampered).code, "signature_invalid")

    def test_transport(self):
        cases = [
            (dict(remote_addr="10.0.0.7"), {}, "insecure_transport"),
            (dict(remote_addr="10.0.0.7", secure=True), {}, None),
            (dict(remote_addr="::ffff:127.0.0.1"), {}, None),
            (dict(remote_addr="10.0.0.7"), dict(allow_insecure_http=True), None),
            (dict(remote_addr="127.0.0.1"), dict(trust_proxy=True), "insecure_transport"),
            (dict(remote_addr="127.0.0.1", extra=[("X-Forwarded-Proto", "https")]), dict(trust_proxy=True), None),
            (dict(remote_addr="127.0.0.1", extra=[("X-Forwarded-Proto", "https, http")]), dict(trust_proxy=True), "insecure_transport"),
        ]
        for incoming, options, code in cases:
            request, _ = signed(**incoming)
            result = verifier(**options).verify(request)
            self.assertEqual(getattr(result, "code", None), code, (incoming, options))
        self.assertEqual([is_loopback(a) for a in ("127.8.9.1", "::1", "128.0.0.1", None, "x")], [True, True, False, False, False])

    def test_nonce_store_failures_fail_closed(self):
        class Broken:
            def check_and_store(self, key_id, nonce, expires_at_ms):
                raise ConnectionError("down")

        request, _ = signed()
        self.assertEqual(verifier(nonce_store=Broken()).verify(request), Rejected("nonce_store_unavailable"))
        full = MemoryNonceStore(max_entries=1, clock=lambda: NOW)
        self.assertIsInstance(verifier(nonce_store=full).verify(signed()[0]), Verified)
        self.assertEqual(verifier(nonce_store=full).verify(signed()[0]).code, "nonce_store_full")
        self.assertIsInstance(verifier(nonce_store=None, replay=False).verify(request), Verified)

    def test_options_are_checked_at_construction(self):
        bad = [dict(nonce_store=None), dict(tolerance=0), dict(required_headers="content-type"), dict(max_body_bytes=-1),
               dict(replay=False)]
        for options in bad:
            with self.assertRaises(SigilError) as caught:
                verifier(**options)
            self.assertEqual(caught.exception.code, "invalid_option")
        for keys in ({"k": "a-string-secret-of-some-length"}, {"k": b"short"}, {}):
            with self.assertRaises(SigilError):
                Verifier(keys, replay=False)
        self.assertNotIn(repr(SECRET), repr(verifier()))


class MemoryNonceStoreTests(unittest.TestCase):
    def test_expiry_and_bound(self):
        clock = [1000.0]
        store = MemoryNonceStore(max_entries=2, clock=lambda: clock[0])
        self.assertTrue(store.check_and_store("k", "a", 1_001_000))
        self.assertFalse(store.check_and_store("k", "a", 1_001_000))
        self.assertTrue(store.check_and_store("other", "a", 1_002_000))
        with self.assertRaises(SigilError) as caught:
            store.check_and_store("k", "b", 1_002_000)
        self.assertEqual(caught.exception.code, "nonce_store_full")
        clock[0] = 1001.0  # the first pair expires; its slot is free again
        self.assertTrue(store.check_and_store("k", "a", 1_003_000))
        self.assertEqual(len(store), 2)
        self.assertNotIn("'a'", repr(store))

    def test_attacker_replay_after_purge_refused_a_past_expiry_is_an_error(self):
        # Accepting an expiry already past after purging the first record would
        # accept the replay: the store refuses it instead (fails closed).
        clock = [1000.0]
        store = MemoryNonceStore(clock=lambda: clock[0])
        self.assertTrue(store.check_and_store("k", "a", 1_001_000))
        clock[0] = 1001.5
        for past in (1_001_000, 1_001_500, 0):
            with self.assertRaises(SigilError) as caught:
                store.check_and_store("k", "a", past)
            self.assertEqual(caught.exception.code, "invalid_option")
        for bad in (float("nan"), float("inf"), "1001600", True):
            with self.assertRaises(SigilError):
                store.check_and_store("k", "a", bad)

    def test_concurrent_check_and_store_accepts_exactly_one(self):
        store = MemoryNonceStore()
        results = []
        barrier = threading.Barrier(16)

        def attempt():
            barrier.wait()
            results.append(store.check_and_store("k", "same-nonce", 2 ** 50))

        threads = [threading.Thread(target=attempt) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(results), [False] * 15 + [True])



class ResponseBindingTests(unittest.TestCase):
    """Which rejections can be signed (SPEC 11.5): only those whose MAC verified."""

    def test_a_failure_after_the_mac_is_bound(self):
        v = verifier()
        request, _ = signed()
        self.assertIsInstance(v.verify(request), Verified)
        again = v.verify(request)
        self.assertEqual(again.code, "nonce_replayed")
        self.assertEqual((again.binding.key_id, again.binding.algorithm, again.binding.key_index), ("client-1", "hmac-sha256", 0))
        self.assertNotIn(again.binding.request.mac, repr(again))

    def test_a_stale_request_is_bound_only_when_asked_and_only_with_a_valid_mac(self):
        stale, reads = signed(timestamp=NOW - 600)
        plain = verifier().verify(stale)
        self.assertEqual((plain.code, plain.binding, reads), ("timestamp_out_of_window", None, []))  # no body read without binding
        bound = verifier().verify(stale, bind_response=True)
        self.assertEqual((bound.code, bound.server_time), ("timestamp_out_of_window", NOW))
        self.assertIsNotNone(bound.binding)
        calls = []

        class Recording:
            def check_and_store(self, key_id, nonce, expires_at_ms):
                calls.append(nonce)
                return True

        verifier(nonce_store=Recording()).verify(stale, bind_response=True)
        self.assertEqual(calls, [])  # checked on only to bind its 401: nothing is stored
        forged, _ = signed(timestamp=NOW - 600, secret=os.urandom(32))
        unknown, _ = signed(timestamp=NOW - 600, key_id="nobody")
        for request in (forged, unknown):
            result = verifier().verify(request, bind_response=True)
            self.assertEqual((result.code, result.binding), ("timestamp_out_of_window", None))

    def test_a_required_header_left_unsigned_is_bound_only_when_asked_and_only_with_a_valid_mac(self):
        request, _ = signed()
        strict = lambda **o: verifier(required_headers=["x-tenant"], **o)  # noqa: E731
        self.assertEqual((strict().verify(request).code, strict().verify(request).binding), ("header_not_signed", None))
        bound = strict().verify(request, bind_response=True)
        self.assertEqual(bound.code, "header_not_signed")
        self.assertIsNotNone(bound.binding)
        forged, _ = signed(secret=os.urandom(32))
        self.assertEqual(strict().verify(forged, bind_response=True).binding, None)
        store = MemoryNonceStore(clock=lambda: NOW)
        strict(nonce_store=store).verify(request, bind_response=True)
        self.assertIsInstance(verifier(nonce_store=store).verify(request), Verified)  # nothing was stored

    def test_an_unbindable_failure_has_no_binding(self):
        forged, _ = signed(secret=os.urandom(32))
        result = verifier().verify(forged, bind_response=True)
        self.assertEqual((result.code, result.binding), ("signature_invalid", None))


if __name__ == "__main__":
    unittest.main()
