"""sigil.client, the library-neutral half of the signing clients (standard
library only): origin binding, transport, clock learning, redirects, body
buffering, redaction."""

import unittest

from sigil import Request, SigilError, verify
from sigil.client import Origin, Signer, collect, is_timestamp_rejection, redirect_request
from sigil.verify import Key, Policy

SECRET = bytes(range(32))
NOW = 1_700_000_000


def signer(**options):
    options.setdefault("origins", ["https://api.example.com"])
    options.setdefault("clock", lambda: NOW)
    return Signer("client-1", SECRET, **options)


class SignerTests(unittest.TestCase):
    def test_signs_what_the_reference_verifies_with_host_and_content_type(self):
        lines = signer(headers=["X-Tenant"]).sign("POST", "https://api.example.com/o?a=1", "/o?a=1",
                                                  [("Content-Type", "application/json"), ("X-Tenant", "t1")], b"{}")
        self.assertEqual(lines[0], ("Host", "api.example.com"))
        verify(Request("POST", "/o?a=1", lines, b"{}"), [Key("client-1", SECRET)], Policy(now=NOW))
        self.assertIn("h=content-type;host;x-tenant", lines[-1][1].replace(",", ";").replace(" ", ""))

    def test_every_attempt_gets_a_fresh_nonce(self):
        s = signer()
        headers = {s.sign("GET", "https://api.example.com/", "/", [], None)[-1][1] for _ in range(50)}
        self.assertEqual(len(headers), 50)

    def test_origins_exact_wildcard_and_star(self):
        s = signer(origins=["https://api.example.com", "https://*.example.org", "http://localhost:8080"])
        allowed = ["https://api.example.com/x", "https://API.example.com:443/", "https://a.example.org/", "https://a.b.example.org/",
                   "http://localhost:8080/"]
        refused = ["https://example.org/", "https://api.example.com:8443/", "http://api.example.com/", "https://evil.com/",
                   "https://api.example.com.evil.com/", "http://localhost/"]
        for url in allowed:
            self.assertEqual(str(s.check(url)), str(Origin.of(url)))
        for url in refused:
            with self.assertRaises(SigilError) as caught:
                s.check(url)
            self.assertIn(caught.exception.code, ("origin_not_allowed", "insecure_transport"), url)
        self.assertEqual(str(signer(origins="*").check("https://anything.test/")), "https://anything.test")

    def test_bad_origins_are_refused_at_construction(self):
        for origins in ([], ["*"], "https://api.example.com", ["https://api.example.com/path"], ["https://u:p@api.example.com"],
                        ["http://api.example.com"], ["https://*.com"], ["https://a.*.example.com"], [42], ["ftp://x.example.com"]):
            with self.assertRaises(SigilError) as caught:
                signer(origins=origins)
            self.assertEqual(caught.exception.code, "invalid_option", origins)
        self.assertIsNotNone(signer(origins=["http://api.example.com"], allow_insecure_http=True))

    def test_options_are_checked_at_construction(self):
        for options in ({"max_clock_skew": -1}, {"max_redirects": 21}, {"cross_origin_redirect": "follow"}, {"algorithm": "md5"},
                        {"headers": "content-type"}, {"on_event": 3}, {"max_body_bytes": True}):
            with self.assertRaises(SigilError):
                signer(**options)
        for secret in (b"short", "a text secret of enough length", None):
            with self.assertRaises(SigilError) as caught:
                Signer("k", secret, origins="*")
            self.assertEqual(caught.exception.code, "invalid_key")
        with self.assertRaises(SigilError):
            Signer("bad id", SECRET, origins="*")

    def test_https_required_except_loopback(self):
        s = signer(origins="*")
        for url in ("http://127.0.0.1:9/", "http://localhost/", "http://api.localhost/", "http://[::1]:8/", "http://127.8.0.1/"):
            s.check(url)
        for url in ("http://10.0.0.1/", "http://api.example.com/", "ftp://api.example.com/", "http://128.0.0.1/"):
            with self.assertRaises(SigilError) as caught:
                s.check(url)
            self.assertEqual(caught.exception.code, "insecure_transport", url)

    def test_attacker_on_a_plaintext_hop_cannot_shift_the_clock(self):
        events = []
        s = signer(origins="*", allow_insecure_http=True, on_event=events.append)
        plain = Origin.of("http://api.example.com")
        self.assertFalse(s.learn(plain, NOW + 200, "GET", "http://api.example.com/"))
        self.assertEqual(s.offset(plain), 0)
        tls = Origin.of("https://api.example.com")
        self.assertFalse(s.learn(tls, NOW + 30 * 86_400, "GET", "https://api.example.com/"))  # +30 days: refused
        self.assertFalse(s.learn(tls, NOW - 301, "GET", "https://api.example.com/"))
        self.assertTrue(s.learn(tls, NOW + 300, "GET", "https://api.example.com/"))
        self.assertEqual(s.offset(tls), 300)
        self.assertTrue(s.learn(Origin.of("http://127.0.0.1:8"), NOW - 10, "GET", "http://127.0.0.1:8/"))
        self.assertEqual([e.get("reason") for e in events if e["type"] == "clock_refused"], ["insecure", "too_far", "too_far"])

    def test_timestamp_rejection_needs_the_header_and_a_matching_code(self):
        headers = {"sigil-server-time": str(NOW)}
        self.assertEqual(is_timestamp_rejection(401, headers, b'{"error":"timestamp_out_of_window"}'), NOW)
        self.assertEqual(is_timestamp_rejection(401, headers, b"not json"), NOW)
        self.assertIsNone(is_timestamp_rejection(401, headers, b'{"error":"signature_invalid"}'))
        self.assertIsNone(is_timestamp_rejection(403, headers, b""))
        for bad in ("-1", "01", "1e9", "", "9" * 13, "١٢٣"):
            self.assertIsNone(is_timestamp_rejection(401, {"sigil-server-time": bad}, b""), bad)

    def test_redirects_follow_fetch_rules_and_never_carry_the_signature_away(self):
        headers = [("Content-Type", "application/json"), ("Authorization", "x"), ("Sigil-Signature", "v")]
        self.assertEqual(redirect_request(303, "PUT", headers, b"{}")[0::2], ("GET", None))
        self.assertEqual(redirect_request(302, "POST", headers, b"{}")[1], [("Authorization", "x"), ("Sigil-Signature", "v")])
        self.assertEqual(redirect_request(307, "POST", headers, b"{}"), ("POST", headers, b"{}"))
        start = Origin.of("https://api.example.com")
        s = signer(origins=["https://api.example.com", "https://other.example.com"])
        same = s.next_hop(307, "/next?a", "https://api.example.com/x", start, "POST", headers, b"{}", True)
        self.assertEqual((same[1], same[4]), ("https://api.example.com/next?a", True))
        for location, code in (("https://other.example.com/", "redirect_cross_origin"), ("https://evil.test/", "origin_not_allowed"),
                               ("http://api.example.com/", "origin_not_allowed")):
            with self.assertRaises(SigilError) as caught:
                s.next_hop(302, location, "https://api.example.com/x", start, "GET", headers, None, True)
            self.assertEqual(caught.exception.code, code, location)
        unsigned = signer(cross_origin_redirect="follow-unsigned").next_hop(
            302, "https://evil.test/", "https://api.example.com/x", start, "GET", headers, None, True)
        self.assertEqual((unsigned[2], unsigned[4]), ([("Content-Type", "application/json")], False))

    def test_streamed_bodies_are_buffered_up_to_the_limit(self):
        self.assertEqual(collect([b"ab", "cd", bytearray(b"e")], 5), b"abcde")
        with self.assertRaises(SigilError) as caught:
            collect((b"x" for _ in range(10 ** 9)), 1000)  # stops at the limit, not at the end
        self.assertEqual(caught.exception.code, "body_too_large")

    def test_the_secret_is_never_shown(self):
        events = []
        s = signer(on_event=events.append)
        s.sign("POST", "https://api.example.com/o?secret-query=1", "/o?secret-query=1", [("X-Token", "tok")], b"body")
        for text in (repr(s), str(s), repr(events)):
            self.assertNotIn(SECRET.hex(), text)
            self.assertNotIn(repr(SECRET), text)
        self.assertEqual(set(events[0]), {"type", "keyId", "method", "origin", "path"})
        self.assertEqual(events[0]["path"], "/o")
        with self.assertRaises(TypeError):
            __import__("pickle").dumps(s)
        self.assertNotIn(repr(SECRET), repr(vars(s)))


if __name__ == "__main__":
    unittest.main()
