"""Runs every webhook vector (test-vectors/webhooks-*.json) through the
Python reference (sigil/webhooks.py): python3 -m unittest discover -s
test-vectors/reference/python -p 'test_*.py'"""
import base64
import json
import os
import unittest

from sigil import webhooks

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(HERE, "..", "..")


def load(name):
    with open(os.path.join(VECTORS, name), encoding="utf-8") as f:
        return json.load(f)["vectors"]


def data(b):
    if b is None:
        return b""
    return b["utf8"].encode("utf-8") if "utf8" in b else base64.b64decode(b["base64"])


def run(v):
    return webhooks.verify(
        v["scheme"],
        [tuple(h) for h in v["request"]["headers"]],
        data(v["request"]["body"]),
        v["secrets"],
        v["now"],
        **({"tolerance_seconds": v["options"]["toleranceSeconds"]} if "options" in v and "toleranceSeconds" in v["options"] else {}),
    )


class WebhookVectors(unittest.TestCase):
    def test_corpus_is_present(self):
        self.assertGreater(len(load("webhooks-positive.json")), 20)
        self.assertGreater(len(load("webhooks-negative.json")), 50)

    def test_positive(self):
        for v in load("webhooks-positive.json"):
            with self.subTest(v["id"]):
                r = run(v)
                e = v["expected"]
                self.assertEqual(r.secret_index, e["secretIndex"])
                self.assertEqual(r.timestamp, e["timestamp"])
                self.assertEqual(r.message_id, e["messageId"])
                self.assertEqual(r.id_signed, e["idSigned"])
                self.assertEqual(r.signed_content, data(e["signedContent"]))
                self.assertEqual(r.replay_source, e["replay"]["source"])
                self.assertEqual(r.replay_key, e["replay"]["key"])

    def test_negative(self):
        for v in load("webhooks-negative.json"):
            with self.subTest(v["id"]):
                with self.assertRaises(webhooks.WebhookError) as caught:
                    run(v)
                self.assertEqual(caught.exception.code, v["expected"]["code"])

    def test_published_examples_by_independent_hmac(self):
        # The vendor examples once more, computed here without the module.
        import hashlib
        import hmac

        gh = hmac.new(b"It's a Secret to Everybody", b"Hello, World!", hashlib.sha256).hexdigest()
        self.assertEqual(gh, "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
        key = webhooks.standard_webhooks_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        sw = hmac.new(key, b'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}', hashlib.sha256).digest()
        self.assertEqual(base64.b64encode(sw).decode(), "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")

    def test_errors_never_show_the_secret(self):
        with self.assertRaises(webhooks.WebhookError) as caught:
            webhooks.standard_webhooks_key("whsec_hunter2-not-base64")
        self.assertNotIn("hunter2", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
