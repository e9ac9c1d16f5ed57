"""Properties of the reference itself, beyond the shared vectors.

Seeded random inputs: the parsers raise SigilError and nothing else, and
the strict codecs accept exactly one text per byte string.
"""

import random
import unittest

from sigil import Key, Policy, Request, SigilError, b64url_decode, b64url_encode, decode_key, has_signature_in_query
from sigil import parse_signature_header, sign, verify

ALPHABET = "v=1;alg=hmac-sha256kid,ts0123456789nonce_-h+/ \t\r\n%&?#é\x00AZaz"
VALID = ("v=1;alg=hmac-sha256;kid=client-1;ts=1700000000;nonce=AAECAwQFBgcICQoLDA0ODw"
         ";h=host;mac=INORV-7sWrwc23ohLoCO4J3IPVi7ShTmpJYs6BQRtpA")


def mutations(rng: random.Random, count: int):
    for _ in range(count):
        chars = list(VALID)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(chars) + 1)
            op = rng.random()
            if op < 0.4 and i < len(chars):
                chars[i] = rng.choice(ALPHABET)
            elif op < 0.7:
                chars.insert(i, rng.choice(ALPHABET))
            elif i < len(chars):
                del chars[i]
        yield "".join(chars)
    for _ in range(count):
        yield "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 60)))


class ParserTests(unittest.TestCase):
    def test_parse_raises_only_sigil_errors(self):
        rng = random.Random(1)
        for text in mutations(rng, 2000):
            try:
                parse_signature_header(text)
            except SigilError:
                pass

    def test_verify_raises_only_sigil_errors(self):
        rng = random.Random(2)
        key = Key("client-1", bytes(range(32)))
        for text in mutations(rng, 500):
            request = Request("GET", rng.choice(["/", "/x?kid=1&mac=2", "/é", "x"]), [("host", "a"), ("Sigil-Signature", text)])
            try:
                verify(request, [key], Policy(now=1_700_000_000))
            except SigilError:
                pass

    def test_query_check_never_raises(self):
        rng = random.Random(3)
        for _ in range(2000):
            target = "/?" + "".join(rng.choice("kidmacsigl-%2D3d=&+\ud800é") for _ in range(rng.randint(0, 30)))
            self.assertIsInstance(has_signature_in_query(target), bool)
        self.assertTrue(has_signature_in_query("/x?Sigil%2DSignature=1"))
        self.assertFalse(has_signature_in_query("/x?kid=1"))

    def test_decode_key_raises_only_sigil_errors(self):
        rng = random.Random(4)
        for _ in range(2000):
            text = "".join(rng.choice("AZaz09-_+/=é \ud800") for _ in range(rng.randint(0, 50)))
            for encoding in ("base64url", "base64", "hex", "utf8", "latin1"):
                try:
                    self.assertGreaterEqual(len(decode_key(text, encoding)), 16)
                except SigilError as error:
                    self.assertEqual(error.code, "invalid_key")


class CodecTests(unittest.TestCase):
    def test_rfc4648_vectors(self):
        for raw, text in [(b"", ""), (b"f", "Zg"), (b"fo", "Zm8"), (b"foo", "Zm9v"), (b"foobar", "Zm9vYmFy"), (b"\xfb\xff", "-_8")]:
            self.assertEqual(b64url_encode(raw), text)
            self.assertEqual(b64url_decode(text), raw)

    def test_one_text_per_byte_string(self):
        for text in ["Zh", "Zm9=", "Zm9v=", "Z", "Zm+v", "Zm/v", "-_9"]:
            self.assertIsNone(b64url_decode(text), text)

    def test_sign_refuses_what_a_verifier_would_refuse(self):
        with self.assertRaises(SigilError) as caught:
            sign(Request("GET", "/", [("host", "a\nb")]), bytes(32), "k", 1, "A" * 22)
        self.assertEqual(caught.exception.code, "header_value_invalid")


if __name__ == "__main__":
    unittest.main(verbosity=2)
