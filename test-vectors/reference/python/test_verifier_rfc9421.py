"""The RFC 9421 scheme inside the policy Verifier (SPEC.md section 9.10), with
@sigil/verify's policy: scheme selection, the Sigil parameters, the window and
expires, required components and the content rules, the unknown-key decoy,
the nonce store and events. Standard library only; the same requests go to
@sigil/verify and to Flask over sockets in test_parity.py.

Every vector of test-vectors/rfc9421-*.json also runs through the Verifier
here, not only through the reference functions (test_rfc9421.py)."""

import os
import re
import unittest

from sigil import Request, b64url_encode, sign
from sigil.errors import SigilError
from sigil.nonce_store import MemoryNonceStore
from sigil.scheme_rfc9421 import Rfc9421Options
from sigil.syntax import NONCE
from sigil.verifier import Incoming, Rejected, Verified, Verifier
from sigil_rfc9421 import Rfc9421Error, sf
from support import rfc9421_signed
from test_rfc9421 import body as vector_body
from test_rfc9421 import load, secret

SECRET, OTHER = os.urandom(32), os.urandom(32)
NOW = 1_700_000_000
HOST = "api.example.com"


def incoming(headers, body=b"", method="POST", target="/v1/orders?dry_run=1", secure=False, reads=None, content_length=True):
    def read_body(limit):
        if reads is not None:
            reads.append(limit)
        return body

    return Incoming(method, target, headers, read_body, len(body) if content_length else None, secure, "127.0.0.1")


def signed(body=b'{"qty":1}', method="POST", target="/v1/orders?dry_run=1", **signing):
    signing.setdefault("created", NOW)
    return incoming(rfc9421_signed(signing.pop("secret", SECRET), method, target, body, host=HOST, **signing), body, method, target)


def verifier(**options):
    options.setdefault("nonce_store", MemoryNonceStore(clock=lambda: NOW))
    options.setdefault("schemes", ["rfc9421"])
    return Verifier(options.pop("keys", {"client-1": SECRET}), clock=lambda: options.pop("now", NOW), **options)


def replace(request, name, value):
    lines = [(n, v) for n, v in request.headers if n.lower() != name]
    return incoming(lines if value is None else [*lines, (name, value)], request.read_body(0), request.method, request.target)


class AcceptedRequests(unittest.TestCase):
    def test_a_signed_post_is_verified_with_its_components_label_and_no_nonce_or_mac(self):
        request = signed(label="mine")
        result = verifier().verify(request)
        self.assertIsInstance(result, Verified)
        self.assertEqual((result.scheme, result.key_id, result.algorithm, result.timestamp, result.label, result.key_index),
                         ("rfc9421", "client-1", "hmac-sha256", NOW, "mine", 0))
        self.assertEqual(result.components, ('"@method"', '"@authority"', '"@path"', '"@query"', '"content-digest"', '"content-type"'))
        self.assertEqual(result.signed_headers, ("content-digest", "content-type"))
        nonce = re.search(r'nonce="([^"]+)"', dict(request.headers)["Signature-Input"]).group(1)
        self.assertNotIn(nonce, repr(result))
        self.assertNotIn(dict(request.headers)["Signature"][6:-1], repr(result))

    def test_bodiless_methods_and_rotation_report_the_key_index(self):
        v = verifier(keys={"client-1": [OTHER, SECRET]})
        for method in ("GET", "HEAD", "OPTIONS", "DELETE"):
            self.assertEqual(v.verify(signed(b"", method=method)).key_index, 1, method)
        self.assertEqual(v.verify(signed(secret=OTHER)).key_index, 0)

    def test_expires_is_reported_and_honoured(self):
        self.assertEqual(verifier().verify(signed(expires=NOW + 30)).expires, NOW + 30)
        late = verifier().verify(signed(created=NOW - 10, expires=NOW - 1))
        self.assertEqual((late.code, late.server_time), ("timestamp_out_of_window", NOW))


class SchemeSelection(unittest.TestCase):
    def v1_request(self):
        body = b'{"qty":1}'
        headers = [("Host", HOST), ("Content-Type", "application/json")]
        header = sign(Request("POST", "/v1/orders", headers, body), SECRET, "client-1", NOW, b64url_encode(os.urandom(16)),
                      headers=["content-type"]).header
        return incoming([*headers, ("Sigil-Signature", header)], body, target="/v1/orders")

    def test_v1_only_by_default_an_rfc9421_request_is_signature_missing(self):
        self.assertEqual(verifier(schemes=["v1"]).verify(signed()).code, "signature_missing")
        self.assertEqual(Verifier({"client-1": SECRET}, replay=False, clock=lambda: NOW).verify(signed()).code, "signature_missing")

    def test_rfc9421_only_a_v1_request_is_signature_missing(self):
        self.assertEqual(verifier().verify(self.v1_request()).code, "signature_missing")

    def test_attacker_adds_a_second_scheme_signature_both_accepted_is_refused_as_ambiguous(self):
        v = verifier(schemes=["v1", "rfc9421"])
        self.assertEqual(v.verify(self.v1_request()).scheme, "v1")
        self.assertEqual(v.verify(signed()).scheme, "rfc9421")
        sigil = dict(self.v1_request().headers)["Sigil-Signature"]
        self.assertEqual(v.verify(replace(signed(), "sigil-signature", sigil)).code, "signature_header_malformed")
        # A field of a scheme the verifier does not accept is ignored.
        v1 = self.v1_request()
        self.assertIsInstance(verifier(schemes=["v1"]).verify(replace(v1, "signature-input", "x=();created=1")), Verified)


class OneFailurePerStep(unittest.TestCase):
    def test_4_created_nonce_keyid_required_alg_known(self):
        v = verifier()
        self.assertEqual(v.verify(signed(nonce=None)).code, "signature_header_malformed")
        self.assertEqual(v.verify(signed(nonce="short")).code, "signature_header_malformed")
        bad_id = v.verify(signed(key_id="has space"))
        self.assertEqual((bad_id.code, bad_id.response()[2]), ("key_unknown", b'{"error":"signature_invalid"}'))
        request = signed()
        line = dict(request.headers)["Signature-Input"]
        self.assertEqual(v.verify(replace(request, "signature-input", re.sub(r";created=\d+", "", line))).code, "signature_header_malformed")
        self.assertEqual(v.verify(replace(request, "signature-input", line.replace("hmac-sha256", "ed25519"))).code, "unsupported_algorithm")
        self.assertEqual(v.verify(replace(request, "signature", "sig1=:bm90IGJhc2U2NA")).code, "signature_header_malformed")
        self.assertEqual(v.verify(replace(request, "signature", None)).code, "signature_missing")

    def test_5_created_too_old_or_too_new_answers_with_the_server_time(self):
        v = verifier(tolerance=60)
        for created in (NOW - 61, NOW + 61):
            result = v.verify(signed(created=created))
            self.assertEqual((result.code, result.server_time), ("timestamp_out_of_window", NOW))
            self.assertEqual(result.response()[1]["Sigil-Server-Time"], str(NOW))
        self.assertIsInstance(v.verify(signed(created=NOW - 10, expires=NOW + 5)), Verified)

    def test_6_attacker_drops_a_default_component_or_required_header_refused_before_the_body_is_read(self):
        v = verifier(required_headers=["x-request-id"])
        reads = []
        partial = rfc9421_signed(SECRET, "POST", "/v1/orders", b"{}", host=HOST, created=NOW,
                                 components=["@method", "@authority", "@path", "content-digest", "content-type"])
        self.assertEqual(v.verify(incoming(partial, b"{}", target="/v1/orders", reads=reads)).code, "header_not_signed")
        # No Content-Digest covered while the head announces content: refused before the body is read.
        undigested = rfc9421_signed(SECRET, "POST", "/v1/orders", b"{}", host=HOST, created=NOW, digest=False,
                                    extra=[("X-Request-Id", "r1")],
                                    components=["@method", "@authority", "@path", "@query", "content-type", "x-request-id"])
        for announce in (("Content-Length", "2"), ("Transfer-Encoding", "chunked")):
            request = incoming([*undigested, announce], b"{}", target="/v1/orders", reads=reads, content_length=False)
            self.assertEqual(v.verify(request).code, "header_not_signed", announce)
        self.assertEqual(reads, [])
        self.assertEqual(v.verify(signed(extra=[("X-Request-Id", "r1")])).code, "header_not_signed")
        with_id = signed(extra=[("X-Request-Id", "r1")], components=["@method", "@authority", "@path", "@query", "content-digest",
                                                                     "content-type", "x-request-id"])
        self.assertEqual(v.verify(with_id).signed_headers, ("content-digest", "content-type", "x-request-id"))

    def test_6_attacker_sends_content_without_a_covered_digest_refused_even_when_the_head_hides_it(self):
        request = signed(digest=False, components=["@method", "@authority", "@path", "@query", "content-type"])
        hidden = incoming(request.headers, request.read_body(0), content_length=False)
        self.assertEqual(verifier().verify(hidden).code, "header_not_signed")

    def test_6_required_components_replace_the_base_list_never_the_content_components(self):
        v = verifier(rfc9421={"required_components": ["@method", "@target-uri"]})
        self.assertIsInstance(v.verify(signed(components=["@method", "@target-uri", "content-digest", "content-type"])), Verified)
        self.assertEqual(v.verify(signed(components=["@method", "@target-uri", "content-type"])).code, "header_not_signed")
        self.assertEqual(v.verify(signed(components=["@method", "@target-uri", "content-digest"])).code, "header_not_signed")
        self.assertEqual(v.verify(signed()).code, "header_not_signed")

    def test_6_content_components_are_dropped_only_by_name(self):
        no_digest = verifier(rfc9421=Rfc9421Options(required_components=("@method", "@target-uri"), allow_unsigned_content=True))
        self.assertIsInstance(no_digest.verify(signed(digest=False, components=["@method", "@target-uri", "content-type"])), Verified)
        neither = verifier(allow_unsigned_content_type=True, rfc9421={"allow_unsigned_content": True})
        self.assertIsInstance(neither.verify(signed(digest=False, components=["@method", "@authority", "@path", "@query"])), Verified)

    def test_7_attacker_probes_key_ids_an_unknown_keyid_reads_the_body_and_answers_like_a_bad_mac(self):
        reads = []
        unknown = signed(key_id="nobody")
        request = incoming(unknown.headers, unknown.read_body(0), reads=reads)
        result = verifier().verify(request)
        bad_mac = verifier().verify(signed(secret=OTHER))
        self.assertEqual((result.code, bad_mac.code), ("key_unknown", "signature_invalid"))
        self.assertEqual(reads, [1024 * 1024])
        self.assertEqual(result.response(), bad_mac.response())

    def test_8_the_body_limit_is_v1s(self):
        self.assertEqual(verifier(max_body_bytes=4).verify(signed()).code, "body_too_large")

    def test_10_attacker_changes_the_body_content_digest_mismatch_or_signature_invalid(self):
        v = verifier()
        request = signed()
        other = b'{"qty":9}'
        changed = incoming(request.headers, other)
        self.assertEqual(v.verify(changed).code, "content_digest_mismatch")
        from sigil_rfc9421 import content_digest

        redigested = replace(changed, "content-digest", content_digest(other, "sha-256"))
        self.assertEqual(v.verify(incoming(redigested.headers, other)).code, "signature_invalid")

    def test_12_attacker_replays_a_request_nonce_replayed_through_the_store_shared_with_v1(self):
        store = MemoryNonceStore(clock=lambda: NOW)
        v = verifier(nonce_store=store, schemes=["v1", "rfc9421"])
        request = signed()
        self.assertIsInstance(v.verify(request), Verified)
        replay = v.verify(request)
        self.assertEqual((replay.code, replay.status), ("nonce_replayed", 401))
        nonce = re.search(r'nonce="([^"]+)"', dict(request.headers)["Signature-Input"]).group(1)
        self.assertFalse(store.check_and_store("client-1", nonce, (NOW + 10) * 1000))  # the same (keyid, nonce) record as v1

    def test_key_scope_applies(self):
        from sigil.keys import KeyEntry

        v = verifier(keys={"client-1": KeyEntry(SECRET, methods=["GET"])})
        self.assertEqual(v.verify(signed()).code, "key_scope_denied")

    def test_events_and_the_401_challenge(self):
        events = []
        v = verifier(on_event=events.append)
        v.verify(signed())
        rejected = v.verify(signed(secret=OTHER))
        self.assertEqual([{k: e[k] for k in e if k != "latencyMs"} for e in events], [
            {"type": "accepted", "keyId": "client-1", "method": "POST", "path": "/v1/orders"},
            {"type": "rejected", "code": "signature_invalid", "keyId": "client-1", "method": "POST", "path": "/v1/orders"},
        ])
        self.assertEqual(rejected.response()[1]["WWW-Authenticate"], "Sigil")

    def test_at_scheme_reads_the_trusted_transport(self):
        https = rfc9421_signed(SECRET, "GET", "/", host=HOST, created=NOW, scheme="https",
                               components=["@method", "@authority", "@path", "@query", "@scheme"])
        proxied = [*https, ("X-Forwarded-Proto", "https")]
        self.assertIsInstance(verifier(trust_proxy=True).verify(incoming(proxied, method="GET", target="/")), Verified)
        self.assertEqual(verifier().verify(incoming(proxied, method="GET", target="/")).code, "signature_invalid")
        self.assertIsInstance(verifier().verify(incoming(https, method="GET", target="/", secure=True)), Verified)

    def test_options_are_checked_at_construction(self):
        bad = [
            dict(schemes=[]), dict(schemes=["v2"]), dict(schemes=["v1", "v1"]), dict(schemes="rfc9421"),
            dict(schemes=["v1"], rfc9421={"label": "x"}), dict(rfc9421={"required_components": ["NOT a component"]}),
            dict(rfc9421={"structured_fields": {"x": "set"}}), dict(rfc9421={"unknown": 1}), dict(rfc9421={"label": ""}),
            dict(allow_unsigned_content_type="yes"),
        ]
        for options in bad:
            with self.subTest(options), self.assertRaises(SigilError) as ctx:
                verifier(**options)
            self.assertEqual(ctx.exception.code, "invalid_option")


def _options(o):
    names = {"label": "label", "tag": "tag", "requiredComponents": "required_components", "structuredFields": "structured_fields"}
    return {names[k]: v for k, v in o.items() if k in names}


def _through_verifier(v, headers, keys, options):
    r = v["request"]
    created = [int(m.group(1)) for n, value in headers if n.lower() == "signature-input"
               for m in re.finditer(r";created=(\d+)", value)]
    data = vector_body(r["body"]) or b""
    verifier_ = Verifier({k["id"]: secret(k) for k in keys}, MemoryNonceStore(clock=lambda: created[0] if created else NOW),
                         schemes=["rfc9421"], rfc9421=options, clock=lambda: created[0] if created else NOW)
    return verifier_.verify(Incoming(r["method"], r["target"], headers, lambda limit: data, len(data), r["scheme"] == "https", "127.0.0.1"))


def _sigil_params(headers, label=None):
    """Whether the selected signature has what the Sigil profile requires (created, a base64url nonce, keyid)."""
    lines = [value for n, value in headers if n.lower() == "signature-input"]
    try:
        members = sf.parse_dictionary(", ".join(lines)) if lines else {}
    except Rfc9421Error:
        return True  # the field does not parse: refused with the vector's code
    chosen = [m for key, m in members.items() if label is None or key == label]
    if len(chosen) != 1 or not isinstance(chosen[0], sf.InnerList):
        return True  # selection fails first, as in the reference
    params = chosen[0].params
    nonce = params.get("nonce")
    return "created" in params and isinstance(nonce, str) and NONCE.fullmatch(nonce) is not None and "keyid" in params


class VectorsThroughTheVerifier(unittest.TestCase):
    def test_positive_vectors_that_meet_the_profile_are_accepted_the_others_refused_at_step_4(self):
        accepted = 0
        for v in load("rfc9421-positive.json"):
            if v["kind"] == "digest":
                continue
            with self.subTest(v["id"]):
                exp = v["expected"]
                headers = [tuple(h) for h in v["request"]["headers"]] + [("Signature-Input", exp["signatureInput"]),
                                                                         ("Signature", exp["signature"])]
                if v["request"].get("authority") is not None:
                    # An HTTP/2 :authority: the Verifier reads Host (WSGI and ASGI carry it), so it goes there.
                    headers = [("Host", v["request"]["authority"]), *headers]
                label = exp["signatureInput"].split("=", 1)[0]
                result = _through_verifier(v, headers, [v["key"]], {"required_components": [], "label": label,
                                                                    "structured_fields": v.get("structuredFields") or {}})
                if _sigil_params(headers, label):
                    self.assertIsInstance(result, Verified, getattr(result, "code", ""))
                    accepted += 1
                else:
                    self.assertEqual(result.code, "signature_header_malformed")
        self.assertGreaterEqual(accepted, 15)

    def test_negative_vectors_are_refused_with_their_code_or_at_step_4_for_a_non_sigil_signature(self):
        same = 0
        for v in load("rfc9421-negative.json"):
            with self.subTest(v["id"]):
                headers = [tuple(h) for h in v["request"]["headers"]]
                options = _options(v["options"])
                result = _through_verifier(v, headers, v["keys"], options)
                self.assertIsInstance(result, Rejected)
                if _sigil_params(headers, options.get("label")):
                    self.assertEqual(result.code, v["expected"]["error"])
                    same += 1
                else:
                    self.assertEqual(result.code, "signature_header_malformed")
        self.assertGreaterEqual(same, 50)


if __name__ == "__main__":
    unittest.main()
