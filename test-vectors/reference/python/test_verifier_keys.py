"""Verifier parity with @sigil/verify (standard library only): key
resolvers that fail closed and are re-read on every request, rotation
windows, scopes, and the secret-free event hook."""

import datetime
import unittest

from sigil import SigilError
from sigil.keys import KeyEntry
from sigil.nonce_store import MemoryNonceStore
from sigil.verifier import Incoming, Rejected, Verified, Verifier
from test_server import NOW, SECRET, signed

OTHER = bytes(range(100, 132))


def verifier(keys, **options):
    return Verifier(keys, MemoryNonceStore(clock=lambda: NOW), clock=lambda: NOW, **options)


def code(result):
    return result.code if isinstance(result, Rejected) else None


class ResolverTests(unittest.TestCase):
    def test_a_resolver_is_asked_after_the_cheap_checks_and_on_every_request(self):
        asked = []
        table = {"client-1": SECRET}

        def resolve(key_id):
            asked.append(key_id)
            return table.get(key_id)

        v = verifier(resolve)
        self.assertEqual(code(v.verify(signed(timestamp=NOW - 400)[0])), "timestamp_out_of_window")
        self.assertEqual(asked, [])  # never asked for a request refused before step 7
        self.assertIsInstance(v.verify(signed()[0]), Verified)
        self.assertEqual(code(v.verify(signed(key_id="nobody")[0])), "key_unknown")
        del table["client-1"]  # revoked: effective on the next request, nothing cached
        self.assertEqual(code(v.verify(signed()[0])), "key_unknown")
        self.assertEqual(asked, ["client-1", "nobody", "client-1"])

    def test_attacker_cannot_get_in_when_the_resolver_fails_it_fails_closed(self):
        def broken(key_id):
            raise ConnectionError("vault at https://user:token@vault.internal is down")

        request, reads = signed()
        result = verifier(broken).verify(request)
        self.assertEqual((code(result), result.status), ("key_lookup_unavailable", 503))
        self.assertEqual(result.response()[2], b'{"error":"key_lookup_unavailable"}')
        self.assertEqual(reads, [])

    def test_a_resolver_answering_something_that_is_not_a_key_is_a_configuration_bug(self):
        for answer in ("a string secret of some length", b"short", [], [SECRET, 42], object()):
            with self.assertRaises(SigilError) as caught:
                verifier(lambda key_id, answer=answer: answer).verify(signed()[0])
            self.assertEqual(caught.exception.code, "invalid_option", answer)

    def test_not_after_set_to_now_revokes_on_the_next_request(self):
        entry = {"client-1": [KeyEntry(SECRET)]}
        v = verifier(lambda key_id: entry.get(key_id))
        self.assertIsInstance(v.verify(signed()[0]), Verified)
        entry["client-1"] = [KeyEntry(SECRET, not_after=NOW - 1)]
        self.assertEqual(code(v.verify(signed()[0])), "key_unknown")


class RotationTests(unittest.TestCase):
    def test_both_secrets_work_during_rotation_and_the_index_says_which(self):
        v = verifier({"client-1": [OTHER, SECRET]})
        self.assertEqual(v.verify(signed()[0]).key_index, 1)
        self.assertEqual(v.verify(signed(secret=OTHER)[0]).key_index, 0)

    def test_windows_are_inclusive_and_accept_datetimes(self):
        at = datetime.datetime.fromtimestamp(NOW, datetime.timezone.utc)
        cases = [(KeyEntry(SECRET, not_before=NOW), None), (KeyEntry(SECRET, not_after=NOW), None),
                 (KeyEntry(SECRET, not_before=NOW + 1), "key_unknown"), (KeyEntry(SECRET, not_after=NOW - 0.001), "key_unknown"),
                 (KeyEntry(SECRET, not_before=at, not_after=at), None)]
        for entry, expected in cases:
            self.assertEqual(code(verifier({"client-1": entry}).verify(signed()[0])), expected, entry)
        old, new = KeyEntry(OTHER, not_after=NOW - 1), KeyEntry(SECRET, not_before=NOW - 1)
        v = verifier({"client-1": [old, new]})
        self.assertEqual(code(v.verify(signed(secret=OTHER)[0])), "signature_invalid")  # the expired secret is not tried
        self.assertEqual(v.verify(signed()[0]).key_index, 1)

    def test_bad_windows_and_entries_are_refused_at_construction(self):
        for entry in (KeyEntry(SECRET, not_before=NOW, not_after=NOW - 1), KeyEntry(SECRET, not_before=-1),
                      KeyEntry(SECRET, not_after=datetime.datetime(2030, 1, 1)), KeyEntry("text secret of length"),
                      KeyEntry(SECRET, methods="GET"), KeyEntry(SECRET, methods=["G ET"]), KeyEntry(SECRET, path_prefixes=["api"])):
            with self.assertRaises(SigilError) as caught:
                verifier({"client-1": entry})
            self.assertEqual(caught.exception.code, "invalid_option", entry)
        with self.assertRaises(SigilError):
            verifier({"bad id": SECRET})
        self.assertNotIn(repr(SECRET), repr(KeyEntry(SECRET)))


class ScopeTests(unittest.TestCase):
    def scoped(self, **scope):
        return verifier({"client-1": KeyEntry(SECRET, **scope)})

    def test_methods_are_compared_exactly(self):
        v = self.scoped(methods=["GET", "POST"])
        self.assertIsInstance(v.verify(signed(method="POST")[0]), Verified)
        self.assertEqual(code(v.verify(signed(method="DELETE")[0])), "key_scope_denied")
        self.assertEqual(code(v.verify(signed(method="post")[0])), "key_scope_denied")

    def test_attacker_with_a_scoped_key_stays_inside_its_path_prefix(self):
        v = self.scoped(path_prefixes=["/v1/orders"])
        allowed = ["/v1/orders", "/v1/orders/7", "/v1/orders?x=1", "/v1/orders/"]
        denied = ["/v1/orders-admin", "/v1/order", "/v1", "/v1/orders/../admin", "/v1/orders/%2e%2e/admin",
                  "/v1/orders/./x", "/V1/orders", "/v1/%6frders"]
        for target in allowed:
            self.assertIsInstance(v.verify(signed(target=target)[0]), Verified, target)
        for target in denied:
            result = v.verify(signed(target=target)[0])
            self.assertEqual((code(result), result.status), ("key_scope_denied", 403), target)

    def test_scope_is_checked_after_the_mac_so_a_forger_learns_nothing(self):
        request, _ = signed(target="/admin")
        forged = Incoming(request.method, request.target, request.headers, lambda limit: b"other body", remote_addr="127.0.0.1")
        self.assertEqual(code(self.scoped(path_prefixes=["/v1"]).verify(forged)), "signature_invalid")


class EventTests(unittest.TestCase):
    def test_one_secret_free_event_per_verification(self):
        events = []
        v = verifier({"client-1": SECRET}, on_event=events.append)
        v.verify(signed(target="/orders?token=s3cr3t")[0])
        v.verify(signed(timestamp=NOW - 400)[0])
        v.verify(signed(key_id="nobody")[0])
        bad = Incoming("BAD METHOD", "not a target", [], lambda limit: b"", remote_addr="127.0.0.1")
        v.verify(bad)
        self.assertEqual([(e["type"], e.get("code"), e.get("keyId"), e.get("method"), e.get("path")) for e in events], [
            ("accepted", None, "client-1", "POST", "/orders"),
            ("rejected", "timestamp_out_of_window", "client-1", "POST", "/orders"),  # parsed: named, as in TS
            ("rejected", "key_unknown", "nobody", "POST", "/orders"),
            ("rejected", "signature_missing", None, None, None),
        ])
        for event in events:
            self.assertLessEqual(set(event), {"type", "code", "keyId", "method", "path", "latencyMs"})
            self.assertGreaterEqual(event["latencyMs"], 0)
            self.assertNotIn("s3cr3t", repr(event))

    def test_a_failing_hook_never_changes_the_result(self):
        def hook(event):
            raise RuntimeError("metrics down")

        self.assertIsInstance(verifier({"client-1": SECRET}, on_event=hook).verify(signed()[0]), Verified)
        with self.assertRaises(SigilError):
            verifier({"client-1": SECRET}, on_event="log")


if __name__ == "__main__":
    unittest.main()
