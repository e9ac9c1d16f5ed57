"""Runs every Sigil v1 vector file (test-vectors/v1-*.json) against the reference.

From the repository root:

    python3 -m unittest discover -s test-vectors/reference/python -p 'test_*.py' -v

or directly: python3 test-vectors/reference/python/test_vectors.py
"""

import base64
import json
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sigil import Key, Policy, Request, SigilError, canonicalize, decode_key, parse_signature_header, sign, verify  # noqa: E402

VECTOR_DIR = Path(__file__).resolve().parents[2]
# Only files of this scheme: other schemes (rfc9421-*.json) have their own tests.
# v1-response-*.json are response vectors (SPEC 11), run by test_response.py.
VECTOR_FILES = sorted(p for p in VECTOR_DIR.glob("v1-*.json") if not p.name.startswith("v1-response-"))


def to_request(raw: dict, extra_header=None) -> Request:
    body = raw["body"]
    if body is None:
        data = None
    elif "utf8" in body:
        data = body["utf8"].encode("utf-8")
    else:
        data = base64.b64decode(body["base64"], validate=True)
    headers = [tuple(line) for line in raw["headers"]]
    if extra_header is not None:
        headers.append(extra_header)
    return Request(raw["method"], raw["target"], headers, data)


def to_key(raw: dict) -> Key:
    return Key(raw["id"], decode_key(raw["secret"], raw["encoding"]))


class VectorTests(unittest.TestCase):
    """One test method per vector, added below, named test_<file>_<id>."""

    def check_positive(self, v: dict) -> None:
        params, expected = v["params"], v["expected"]
        request = to_request(v["request"])
        key = to_key(v["key"])
        signed = sign(request, key.secret, key.key_id, params["timestamp"], params["nonce"],
                      params["algorithm"], params["headers"])
        self.assertEqual(signed.canonical, expected["canonical"])
        self.assertEqual(signed.mac, expected["mac"])
        self.assertEqual(signed.header, expected["header"])
        self.assertEqual(canonicalize(request, parse_signature_header(expected["header"]).params), expected["canonical"])
        received = to_request(v["request"], ("Sigil-Signature", expected["header"]))
        if "verify" in v:
            p = v["verify"]["policy"]
            policy = Policy(p["now"], p["toleranceSeconds"], p["requiredHeaders"], p.get("maxBodyBytes"))
            keys = [to_key(k) for k in v["verify"]["keys"]]
        else:
            policy, keys = Policy(now=params["timestamp"]), [key]
        self.assertEqual(verify(received, keys, policy), expected["canonical"])

    def check_negative(self, v: dict) -> None:
        p = v["policy"]
        policy = Policy(p["now"], p["toleranceSeconds"], p["requiredHeaders"], p.get("maxBodyBytes"))
        keys = [to_key(k) for k in v["keys"]]
        with self.assertRaises(SigilError) as caught:
            verify(to_request(v["request"]), keys, policy)
        self.assertEqual(caught.exception.code, v["expected"]["error"])


def _add_tests() -> int:
    count = 0
    for path in VECTOR_FILES:
        document = json.loads(path.read_text(encoding="utf-8"))
        stem = path.stem.replace("-", "_")
        for vector in document["vectors"]:
            check = VectorTests.check_positive if vector["kind"] == "positive" else VectorTests.check_negative

            def test(self, vector=vector, check=check):
                check(self, vector)

            test.__doc__ = f"{path.name} {vector['id']}: {vector['title']}"
            setattr(VectorTests, f"test_{stem}_{vector['id'].replace('-', '_')}", test)
            count += 1
    return count


VECTOR_COUNT = _add_tests()


class VectorDiscoveryTests(unittest.TestCase):
    def test_vector_files_found(self):
        names = [p.name for p in VECTOR_FILES]
        self.assertIn("v1-positive.json", names)
        self.assertIn("v1-negative.json", names)
        self.assertGreaterEqual(VECTOR_COUNT, 60)


if __name__ == "__main__":
    unittest.main(verbosity=2)
