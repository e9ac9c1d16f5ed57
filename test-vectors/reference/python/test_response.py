"""Runs the v1 response vectors (test-vectors/v1-response-*.json, SPEC.md section 11) against the reference."""

import base64
import json
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sigil import Key, SigilError, decode_key  # noqa: E402
from sigil.response import BoundRequest, Response, parse_response_signature_header, sign_response, verify_response  # noqa: E402

VECTOR_DIR = Path(__file__).resolve().parents[2]


def to_response(raw: dict, extra=None) -> Response:
    body = raw["body"]
    data = None if body is None else body["utf8"].encode("utf-8") if "utf8" in body else base64.b64decode(body["base64"], validate=True)
    headers = [tuple(line) for line in raw["headers"]] + ([extra] if extra else [])
    return Response(raw["status"], headers, data)


def to_key(raw: dict) -> Key:
    return Key(raw["id"], decode_key(raw["secret"], raw["encoding"]))


def load(name: str) -> list:
    return json.loads((VECTOR_DIR / name).read_text("utf-8"))["vectors"]


class ResponseVectorTests(unittest.TestCase):
    """One test method per vector, added below."""

    def check_positive(self, v: dict) -> None:
        params, expected, key = v["params"], v["expected"], to_key(v["key"])
        bound = BoundRequest(v["request"]["nonce"], v["request"]["mac"])
        signed = sign_response(to_response(v["response"]), key.secret, key.key_id, params["timestamp"], bound,
                               params["algorithm"], params["headers"])
        self.assertEqual((signed.canonical, signed.mac, signed.header), (expected["canonical"], expected["mac"], expected["header"]))
        policy = v.get("verify", {}).get("policy", {"now": params["timestamp"], "toleranceSeconds": 300, "requiredHeaders": []})
        keys = [to_key(k) for k in v["verify"]["keys"]] if "verify" in v else [key]
        received = to_response(v["response"], ("Sigil-Response-Signature", expected["header"]))
        canonical = verify_response(received, keys, bound, policy["now"], policy["toleranceSeconds"], policy["requiredHeaders"])
        self.assertEqual(canonical, expected["canonical"])

    def check_negative(self, v: dict) -> None:
        policy = v["policy"]
        bound = BoundRequest(v["request"]["nonce"], v["request"]["mac"])
        with self.assertRaises(SigilError) as caught:
            verify_response(to_response(v["response"]), [to_key(k) for k in v["keys"]], bound,
                            policy["now"], policy["toleranceSeconds"], policy["requiredHeaders"])
        self.assertEqual(caught.exception.code, v["expected"]["error"])

    def test_files_are_not_empty(self) -> None:
        self.assertGreater(len(load("v1-response-positive.json")), 5)
        self.assertGreater(len(load("v1-response-negative.json")), 15)

    def test_parser_raises_only_sigil_errors(self) -> None:
        for value in ["", ";", "v=1;v=1", "h=" * 3000, "v=1;alg=hmac-sha256;kid=k;ts=01;h=;mac=A", "\x00", "v=1;alg=hmac-sha256;kid=k;ts=1;h=;mac=A;x=1"]:
            with self.assertRaises(SigilError):
                parse_response_signature_header(value)


def _add(kind: str, v: dict) -> None:
    method = ResponseVectorTests.check_positive if kind == "positive" else ResponseVectorTests.check_negative
    setattr(ResponseVectorTests, f"test_{kind}_{v['id'].replace('-', '_')}", lambda self, v=v: method(self, v))


for _kind in ("positive", "negative"):
    for _v in load(f"v1-response-{_kind}.json"):
        _add(_kind, _v)

if __name__ == "__main__":
    unittest.main()
