"""Runs every RFC 9421 vector (test-vectors/rfc9421-*.json) through the
Python reference: python3 -m unittest discover -s test-vectors/reference/python -p 'test_*.py'"""
import base64
import hashlib
import hmac
import json
import os
import unittest

from sigil_rfc9421 import Request, Rfc9421Error, content_digest, signature_base, verify
from sigil_rfc9421 import sf

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(HERE, "..", "..")


def load(name):
    with open(os.path.join(VECTORS, name), encoding="utf-8") as f:
        return json.load(f)["vectors"]


def body(b):
    if b is None:
        return None
    return b["utf8"].encode("utf-8") if "utf8" in b else base64.b64decode(b["base64"])


def secret(key):
    text, enc = key["secret"], key["encoding"]
    if enc == "utf8":
        return text.encode("utf-8")
    if enc == "hex":
        return bytes.fromhex(text)
    if enc == "base64url":
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return base64.b64decode(text)


def request(r, extra=()):
    return Request(r["method"], r["scheme"], r["target"], [tuple(h) for h in r["headers"]] + list(extra),
                   body(r["body"]), r.get("authority"))


def lookup(keys):
    return lambda keyid: [(k["algorithm"], secret(k)) for k in keys if k["id"] == keyid]


class Rfc8941Examples(unittest.TestCase):
    def test_round_trips(self):
        for text, canonical in [
            ('en="Applepie", da=:w4ZibGV0w6ZydGU=:', None),
            ("a=?0, b, c; foo=bar", "a=?0, b, c;foo=bar"),
            ("rating=1.5, feelings=(joy sadness)", None),
            ("a=(1 2), b=3, c=4;aa=bb, d=(5 6);valid", None),
        ]:
            self.assertEqual(sf.serialize_dictionary(sf.parse_dictionary(text)), canonical or text)
        self.assertEqual(sf.serialize_list(sf.parse_list('("foo"; a=1;b=2);lvl=5, ("bar" "baz");lvl=1')),
                         '("foo";a=1;b=2);lvl=5, ("bar" "baz");lvl=1')
        self.assertEqual(sf.parse_item(":cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:").value, b"pretend this is binary content.")

    def test_rejects(self):
        for text in ["a=1,", "A=1", "a=1.2345", "a=:YQ:", "a=?2", 'a="\u00e9"', "a=1234567890123456"]:
            with self.assertRaises(Rfc9421Error):
                sf.parse_dictionary(text)


class PositiveVectors(unittest.TestCase):
    def test_b25_is_the_published_signature(self):
        (v,) = [v for v in load("rfc9421-positive.json") if v["id"] == "rfc9421-b-2-5"]
        self.assertEqual(v["expected"]["signature"], "sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:")

    def test_all(self):
        for v in load("rfc9421-positive.json"):
            with self.subTest(v["id"]):
                if v["kind"] == "digest":
                    self.assertEqual(content_digest(body(v["body"]), v["algorithm"]), v["expected"]["contentDigest"])
                    continue
                exp = v["expected"]
                ((label, inner),) = sf.parse_dictionary(exp["signatureInput"]).items()
                types = v.get("structuredFields") or {}
                base = signature_base(request(v["request"]), inner, types)
                self.assertEqual(base, exp["base"])
                mac = hmac.new(secret(v["key"]), base.encode("ascii"), hashlib.sha256).digest()
                self.assertEqual(exp["signature"], label + "=:" + base64.b64encode(mac).decode("ascii") + ":")
                received = request(v["request"], [("Signature-Input", exp["signatureInput"]), ("Signature", exp["signature"])])
                result = verify(received, lookup([v["key"]]), label=label, required=[], types=types)
                self.assertEqual(result["base"], base)


class NegativeVectors(unittest.TestCase):
    def test_all(self):
        for v in load("rfc9421-negative.json"):
            with self.subTest(v["id"]):
                o = v["options"]
                with self.assertRaises(Rfc9421Error) as ctx:
                    verify(request(v["request"]), lookup(v["keys"]), o.get("label"), o.get("tag"),
                           o.get("requiredComponents"), o.get("structuredFields"))
                self.assertEqual(ctx.exception.code, v["expected"]["error"])


if __name__ == "__main__":
    unittest.main()
