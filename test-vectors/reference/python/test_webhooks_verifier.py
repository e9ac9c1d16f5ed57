"""Webhook schemes inside the policy Verifier (SPEC.md section 10): every
vector of test-vectors/webhooks-*.json through Verifier(schemes=[...]),
replay remembered through the nonce store on the scheme's replay key for
its retention, rotation, scheme selection, events and option checks.
Standard library only; test_webhooks_flask.py drives Flask over sockets."""

import hashlib
import hmac
import os
import unittest

from sigil import webhooks
from sigil.errors import SigilError
from sigil.nonce_store import MemoryNonceStore
from sigil.verifier import Incoming, Rejected, Verifier, VerifiedWebhook
from sigil.webhooks import WebhookError, github, shopify, slack, standard_webhooks, stripe
from test_webhooks import data, load

FACTORIES = {"standard-webhooks": standard_webhooks, "stripe": stripe, "github": github, "slack": slack, "shopify": shopify}
GH_SECRET = "It's a Secret to Everybody"


def incoming(headers, body, target="/hooks"):
    reads = []

    def read_body(limit):
        reads.append(limit)
        return body

    return Incoming("POST", target, list(headers), read_body, len(body), False, "127.0.0.1"), reads


def scheme_of(v):
    tolerance = (v.get("options") or {}).get("toleranceSeconds")
    if v["scheme"] in ("github", "shopify") or tolerance is None:
        return FACTORIES[v["scheme"]](v["secrets"])
    return FACTORIES[v["scheme"]](v["secrets"], tolerance_seconds=tolerance)


def through_verifier(v, store=None):
    clock = lambda: float(v["now"])  # noqa: E731
    verifier = Verifier(schemes=[scheme_of(v)], nonce_store=MemoryNonceStore(clock=clock) if store is None else store, clock=clock)
    request, _ = incoming([tuple(h) for h in v["request"]["headers"]], data(v["request"]["body"]))
    return verifier.verify(request)


def github_delivery(body=b'{"zen":"hi"}', secret=GH_SECRET, delivery="d-1"):
    mac = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return [("X-Hub-Signature-256", f"sha256={mac}"), ("X-GitHub-Delivery", delivery), ("Content-Type", "application/json")], body


class VectorsThroughTheVerifier(unittest.TestCase):
    def test_every_positive_vector_is_accepted_and_remembered_by_its_replay_key(self):
        for v in load("webhooks-positive.json"):
            with self.subTest(v["id"]):
                store = MemoryNonceStore(clock=lambda v=v: float(v["now"]))
                result = through_verifier(v, store)
                self.assertIsInstance(result, VerifiedWebhook, getattr(result, "code", ""))
                e = v["expected"]
                self.assertEqual((result.scheme, result.secret_index, result.timestamp, result.message_id, result.id_signed,
                                  result.replay_source), (v["scheme"], e["secretIndex"], e["timestamp"], e["messageId"],
                                                          e["idSigned"], e["replay"]["source"]))
                # The store holds (scheme, replay key): the same delivery again is a replay.
                self.assertFalse(store.check_and_store(v["scheme"], e["replay"]["key"], (v["now"] + 60) * 1000))

    def test_every_negative_vector_is_refused_with_its_code(self):
        for v in load("webhooks-negative.json"):
            with self.subTest(v["id"]):
                if v["expected"]["code"] == "invalid_key":
                    with self.assertRaises(WebhookError) as caught:
                        scheme_of(v)
                    self.assertEqual(caught.exception.code, "invalid_key")
                    for secret in v["secrets"]:
                        if len(secret) > 3:
                            self.assertNotIn(secret, str(caught.exception))
                    continue
                result = through_verifier(v)
                self.assertIsInstance(result, Rejected)
                self.assertEqual(result.code, v["expected"]["code"])
                self.assertEqual(result.response()[0], 401)


class Policy(unittest.TestCase):
    def test_attacker_replays_a_github_delivery_under_a_fresh_unsigned_delivery_id_refused(self):
        v = Verifier(schemes=[github(GH_SECRET)], nonce_store=MemoryNonceStore())
        headers, body = github_delivery()
        self.assertIsInstance(v.verify(incoming(headers, body)[0]), VerifiedWebhook)
        fresh_id = [(n, "d-2" if n == "X-GitHub-Delivery" else value) for n, value in headers]
        self.assertEqual(v.verify(incoming(fresh_id, body)[0]).code, "nonce_replayed")

    def test_standard_webhooks_retry_same_id_fresh_timestamp_is_a_duplicate_once_accepted(self):
        secret = "whsec_" + __import__("base64").b64encode(os.urandom(32)).decode()
        key = webhooks.standard_webhooks_key(secret)
        now = [1_700_000_000.0]
        v = Verifier(schemes=[standard_webhooks([secret])], nonce_store=MemoryNonceStore(clock=lambda: now[0]), clock=lambda: now[0])

        def attempt(ts, body=b'{"a":1}'):
            mac = __import__("base64").b64encode(hmac.new(key, f"msg_1.{ts}.".encode() + body, hashlib.sha256).digest()).decode()
            return incoming([("webhook-id", "msg_1"), ("webhook-timestamp", str(ts)), ("webhook-signature", f"v1,{mac}")], body)[0]

        self.assertIsInstance(v.verify(attempt(int(now[0]))), VerifiedWebhook)
        now[0] += 3600  # an hour later the sender retries, re-signed
        self.assertEqual(v.verify(attempt(int(now[0]))).code, "nonce_replayed")
        now[0] += 2 * 86_400  # still remembered two days on (the default retention is 3 days)
        self.assertEqual(v.verify(attempt(int(now[0]))).code, "nonce_replayed")

    def test_retention_is_configurable_and_kept_at_least_twice_the_tolerance(self):
        self.assertEqual(standard_webhooks("whsec_" + "A" * 32).retention_seconds, 3 * 86_400)
        self.assertEqual((stripe("whsec_x").retention_seconds, slack("s").retention_seconds, shopify("s").retention_seconds,
                          github("s").retention_seconds), (600, 600, 86_400, 3 * 86_400))
        self.assertEqual(stripe("whsec_x", retention_seconds=7200).retention_seconds, 7200)
        self.assertEqual(stripe("whsec_x", tolerance_seconds=600).retention_seconds, 1200)
        for make in (lambda: stripe("whsec_x", retention_seconds=100), lambda: slack("s", tolerance_seconds=-1),
                     lambda: github("s", retention_seconds=0), lambda: github([]), lambda: github(["s"] * 17)):
            with self.assertRaises(WebhookError) as caught:
                make()
            self.assertEqual(caught.exception.code, "invalid_option")

    def test_rotation_reports_the_matching_secret_and_tries_all(self):
        v = Verifier(schemes=[github(["old-secret", GH_SECRET])], replay=False)
        self.assertEqual(v.verify(incoming(*github_delivery())[0]).secret_index, 1)
        self.assertEqual(v.verify(incoming(*github_delivery(secret="old-secret"))[0]).secret_index, 0)
        self.assertEqual(v.verify(incoming(*github_delivery(secret="neither"))[0]).code, "signature_invalid")

    def test_cheap_refusals_never_read_the_body_and_events_name_the_scheme(self):
        events = []
        v = Verifier(schemes=[github(GH_SECRET), slack("slack-secret")], nonce_store=MemoryNonceStore(), on_event=events.append)
        request, reads = incoming([("X-Slack-Signature", "v0=" + "0" * 64)], b"{}")
        self.assertEqual(v.verify(request).code, "webhook_header_missing")
        request, reads2 = incoming([("X-Slack-Signature", "v0=zz")], b"{}")
        self.assertEqual(v.verify(request).code, "signature_header_malformed")
        self.assertEqual(reads + reads2, [])
        both = github_delivery()[0] + [("X-Slack-Signature", "v0=" + "0" * 64), ("X-Slack-Request-Timestamp", "1")]
        self.assertEqual(v.verify(incoming(both, b"{}")[0]).code, "signature_header_malformed")
        self.assertEqual(v.verify(incoming([], b"{}")[0]).code, "signature_missing")
        v.verify(incoming(*github_delivery())[0])
        self.assertEqual({k: events[-1][k] for k in events[-1] if k != "latencyMs"},
                         {"type": "accepted", "scheme": "github", "method": "POST", "path": "/hooks"})
        self.assertEqual(events[0]["scheme"], "slack")

    def test_secrets_never_appear_in_reprs(self):
        scheme = stripe(["whsec_hunter2hunter2"])
        verifier = Verifier(schemes=[scheme], replay=False)
        for text in (repr(scheme), repr(verifier)):
            self.assertNotIn("hunter2", text)

    def test_options_are_checked_at_construction(self):
        for options in (dict(schemes=["stripe"]), dict(schemes=[github("s"), github("t")]), dict(schemes=["v1"])):
            with self.subTest(options), self.assertRaises(SigilError) as caught:
                Verifier(replay=False, **options)
            self.assertEqual(caught.exception.code, "invalid_option")


if __name__ == "__main__":
    unittest.main()
