"""Verifier parity: the same raw requests go to @sigil/verify (Node) and to
sigil.flask (the Python Verifier under Werkzeug), configured alike; the
status, the JSON body (the echo of what was verified, or the public error
code) and the headers that carry meaning must be the same.

Needs Flask, node and the built packages; skipped loudly without them,
never under CI."""

import json
import os
import time
import unittest

from sigil import b64url_encode
from sigil.keys import KeyEntry
from support import (NodeVerifier, ThreadedServer, flask_echo_app, needs, needs_node, open_request, read_response, rfc9421_signed,
                     signed_request)

MAIN, OLD, NEW, SCOPED, FUTURE, EXPIRED = (os.urandom(32) for _ in range(6))
HOST = "api.example.test"
NOW = int(time.time())


def node_keys():
    b = b64url_encode
    return {
        "main": b(MAIN),
        "rotating": [b(OLD), b(NEW)],
        "scoped": {"key": b(SCOPED), "scope": {"methods": ["GET", "POST"], "pathPrefixes": ["/v1/orders"]}},
        "future": {"key": b(FUTURE), "notBefore": NOW + 3600},
        "expired": {"key": b(EXPIRED), "notAfter": NOW - 3600},
    }


def python_keys():
    return {
        "main": MAIN,
        "rotating": [OLD, NEW],
        "scoped": KeyEntry(SCOPED, methods=["GET", "POST"], path_prefixes=["/v1/orders"]),
        "future": KeyEntry(FUTURE, not_before=NOW + 3600),
        "expired": KeyEntry(EXPIRED, not_after=NOW - 3600),
    }


def case(method="POST", target="/v1/orders", body=b'{"qty":1}', secret=MAIN, key_id="main", edit=None, extra=(), **signing):
    headers = signed_request(secret, method, target, body, host=HOST, key_id=key_id, **signing)
    if edit:
        headers = edit(headers)
    return method, target, [*headers, *extra, ("Content-Length", str(len(body)))], body


def with_signature(change):
    return lambda headers: [(n, change(v) if n == "Sigil-Signature" else v) for n, v in headers]


def without(name):
    return lambda headers: [(n, v) for n, v in headers if n != name]


def twice(name):
    return lambda headers: headers + [(n, v) for n, v in headers if n == name]


CASES = {
    "a valid POST": case(),
    "a valid GET with a percent-encoded, repeated query": case("GET", "/v1/orders?note=caf%C3%A9&t=a&t=b", b"", content_type=None),
    "no signature": case(edit=without("Sigil-Signature")),
    "a malformed signature": case(edit=with_signature(lambda v: v.replace("v=1;", "v=1;;"))),
    "an unsupported version": case(edit=with_signature(lambda v: v.replace("v=1;", "v=2;"))),
    "an unsupported algorithm": case(edit=with_signature(lambda v: v.replace("hmac-sha256", "hmac-md5"))),
    "two signature lines": case(edit=twice("Sigil-Signature")),
    "a stale timestamp": case(timestamp=NOW - 600),
    "a future timestamp": case(timestamp=NOW + 600),
    "an unknown key id": case(key_id="nobody"),
    "another key's MAC": case(secret=OLD),
    "a tampered MAC": case(edit=with_signature(lambda v: v[:-3] + ("AAA" if not v.endswith("AAA") else "BBB"))),
    "a signature in the query": case(target="/v1/orders?sigil-signature=x"),
    "host left unsigned": case(edit=with_signature(lambda v: v.replace("h=content-type,host", "h=content-type"))),
    "a declared body over the limit": (lambda m, t, h, b: (m, t, [(n, v) for n, v in h if n != "Content-Length"] +
                                                            [("Content-Length", str(2 * 1024 * 1024))], b""))(*case()),
    "the old secret during rotation": case(key_id="rotating", secret=OLD),
    "the new secret during rotation": case(key_id="rotating", secret=NEW),
    "a key not valid yet": case(key_id="future", secret=FUTURE),
    "an expired key": case(key_id="expired", secret=EXPIRED),
    "a scoped key inside its scope": case(key_id="scoped", secret=SCOPED, target="/v1/orders/7"),
    "a scoped key, another method": case("DELETE", key_id="scoped", secret=SCOPED),
    "a scoped key, a sibling path": case(key_id="scoped", secret=SCOPED, target="/v1/orders-admin"),
    "a scoped key, a dot segment": case(key_id="scoped", secret=SCOPED, target="/v1/orders/../admin"),
}
# Not compared: a lowercase method, which Node's HTTP parser answers with a
# bare 400 before any verifier runs.

COMPARED = ("www-authenticate", "cache-control", "content-type")


class _Answers:
    def answer(self, port, request):
        method, target, headers, body = request
        sock = open_request(port, method, target, headers)
        try:
            sock.sendall(body)
            response = read_response(sock)
        finally:
            sock.close()
        kept = {name: response.headers.get(name) for name in COMPARED}
        if kept["content-type"]:
            kept["content-type"] = kept["content-type"].replace(" ", "").lower()
        server_time = response.headers.get("sigil-server-time")
        return {"status": response.status, "body": json.loads(response.body) if response.body else None, "headers": kept,
                "server time": server_time is not None and abs(int(server_time) - time.time()) < 5}

    def both(self, request):
        node, flask = self.answer(self.node.port, request), self.answer(self.flask.port, request)
        if node["status"] == 200:  # the echo apps differ only in their own Content-Type wording
            node["headers"]["content-type"] = flask["headers"]["content-type"] = "echo"
        return node, flask


@needs("flask", hint="apt-get install python3-flask")
@needs_node()
class SameRequestsSameAnswers(_Answers, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = NodeVerifier(node_keys(), SIGIL_EVENTS="1")
        cls.flask_events = []
        cls.flask = ThreadedServer(flask_echo_app(python_keys(), on_event=cls.flask_events.append))

    @classmethod
    def tearDownClass(cls):
        cls.node.close()
        cls.flask.close()

    def test_every_case_gets_the_same_status_code_headers_and_event_from_both(self):
        for name, request in CASES.items():
            with self.subTest(name):
                seen = (len(self.node.events), len(self.flask_events))
                node, flask = self.both(request)
                self.assertEqual(flask, node)
                deadline = time.monotonic() + 5
                while len(self.node.events) == seen[0] and time.monotonic() < deadline:
                    time.sleep(0.01)  # the event line travels through a pipe
                self.assertEqual((len(self.node.events), len(self.flask_events)), (seen[0] + 1, seen[1] + 1))
                node_event, flask_event = self.node.events[-1], self.flask_events[-1]
                self.assertEqual(set(flask_event), set(node_event))
                self.assertEqual({k: v for k, v in flask_event.items() if k != "latencyMs"},
                                 {k: v for k, v in node_event.items() if k != "latencyMs"})

    def test_a_replay_is_refused_alike(self):
        request = case()
        for port in (self.node.port, self.flask.port):
            self.assertEqual(self.answer(port, request)["status"], 200)
            replay = self.answer(port, request)
            self.assertEqual((replay["status"], replay["body"]), (401, {"error": "nonce_replayed"}))


def proxied(xfp=("https",), tenant=True):
    signed = [("X-Tenant", "t1")] if tenant else []
    headers = signed_request(MAIN, "POST", "/v1/orders", b"{}", host=HOST, key_id="main", also_signed=signed)
    headers += [("X-Forwarded-Proto", value) for value in xfp]
    if not tenant:
        headers.append(("X-Tenant", "t1"))
    return "POST", "/v1/orders", [*headers, ("Content-Length", "2")], b"{}"


PROXY_CASES = {
    "https at every hop, the required header signed": proxied(),
    "the required header sent but not signed": proxied(tenant=False),
    "a hop in plain HTTP": proxied(xfp=("https, http",)),
    "two X-Forwarded-Proto lines, one plain": proxied(xfp=("https", "http")),
    "no X-Forwarded-Proto from the loopback proxy": proxied(xfp=()),
}


@needs("flask", hint="apt-get install python3-flask")
@needs_node()
class BehindATrustedProxyWithRequiredHeaders(_Answers, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = NodeVerifier(node_keys(), SIGIL_TRUST_PROXY="1", SIGIL_REQUIRED="x-tenant")
        cls.flask = ThreadedServer(flask_echo_app(python_keys(), trust_proxy=True, required_headers=["x-tenant"]))

    @classmethod
    def tearDownClass(cls):
        cls.node.close()
        cls.flask.close()

    def test_trust_proxy_and_required_headers_answer_alike(self):
        statuses = {}
        for name, request in PROXY_CASES.items():
            with self.subTest(name):
                node, flask = self.both(request)
                self.assertEqual(flask, node)
                statuses[name] = node["status"]
        self.assertEqual(list(statuses.values()), [200, 401, 403, 403, 403])


def rfc9421_case(method="POST", target="/v1/orders?dry_run=1", body=b'{"qty":1}', secret=MAIN, key_id="main", edit=None,
                 new_body=None, **signing):
    signing.setdefault("created", int(time.time()))
    headers = rfc9421_signed(secret, method, target, body, host=HOST, key_id=key_id, **signing)
    if edit:
        headers = edit(headers)
    sent = body if new_body is None else new_body
    return method, target, [*headers, ("Content-Length", str(len(sent)))], sent


def with_input(change):
    return lambda headers: [(n, change(v) if n == "Signature-Input" else v) for n, v in headers]


V1_SIGNATURE = [v for n, v in case()[2] if n == "Sigil-Signature"][0]
UNCOVERED_DIGEST = ["@method", "@authority", "@path", "@query", "content-type"]

RFC9421_CASES = {
    "a valid POST": rfc9421_case(),
    "a valid GET with a percent-encoded query": rfc9421_case("GET", "/v1/orders?note=caf%C3%A9&t=a", b""),
    "v1 still verifies beside it": case(),
    "no signature of either scheme": rfc9421_case(edit=lambda h: [(n, v) for n, v in h if n not in ("Signature-Input", "Signature")]),
    "both schemes' signatures": rfc9421_case(edit=lambda h: [*h, ("Sigil-Signature", V1_SIGNATURE)]),
    "no Signature member": rfc9421_case(edit=without("Signature")),
    "no nonce": rfc9421_case(nonce=None),
    "a nonce that is not base64url": rfc9421_case(nonce="not a sigil nonce!!!!!!"),
    "no created": rfc9421_case(created=NOW, edit=with_input(lambda v: v.replace(f";created={NOW}", ""))),
    "an unknown alg": rfc9421_case(edit=with_input(lambda v: v.replace("hmac-sha256", "ed25519"))),
    "a keyid outside the key id syntax": rfc9421_case(key_id="has space"),
    "a stale created": rfc9421_case(created=NOW - 600),
    "a future created": rfc9421_case(created=NOW + 600),
    "an expires in the past": rfc9421_case(created=NOW - 5, expires=NOW - 2),
    "a default component left out": rfc9421_case(components=["@method", "@authority", "@path", "content-digest", "content-type"]),
    "content without a covered Content-Digest": rfc9421_case(digest=False, components=UNCOVERED_DIGEST),
    "content-type left out": rfc9421_case(components=["@method", "@authority", "@path", "@query", "content-digest"]),
    "an unknown key id": rfc9421_case(key_id="nobody"),
    "another key's MAC": rfc9421_case(secret=OLD),
    "a body changed under its digest": rfc9421_case(new_body=b'{"qty":9}'),
    "a signature in the query": rfc9421_case(target="/v1/orders?sigil-signature=x"),
    "the old secret during rotation": rfc9421_case(key_id="rotating", secret=OLD),
    "the new secret during rotation": rfc9421_case(key_id="rotating", secret=NEW),
    "an expired key": rfc9421_case(key_id="expired", secret=EXPIRED),
    "a scoped key inside its scope": rfc9421_case(key_id="scoped", secret=SCOPED, target="/v1/orders/7"),
    "a scoped key, a sibling path": rfc9421_case(key_id="scoped", secret=SCOPED, target="/v1/orders-admin"),
    "two signatures and no label to choose": rfc9421_case(edit=lambda h: [(n, f"{v}, {v.replace('sig1', 'sig2')}")
                                                                           if n in ("Signature-Input", "Signature") else (n, v) for n, v in h]),
    "a declared body over the limit": (lambda m, t, h, b: (m, t, [(n, v) for n, v in h if n != "Content-Length"] +
                                                            [("Content-Length", str(2 * 1024 * 1024))], b""))(*rfc9421_case()),
}


@needs("flask", hint="apt-get install python3-flask")
@needs_node()
class Rfc9421SameRequestsSameAnswers(_Answers, unittest.TestCase):
    """Both verifiers accept v1 and RFC 9421 (SPEC 9.10): the same answers, headers and events."""

    @classmethod
    def setUpClass(cls):
        cls.node = NodeVerifier(node_keys(), SIGIL_EVENTS="1", SIGIL_SCHEMES="v1,rfc9421")
        cls.flask_events = []
        cls.flask = ThreadedServer(flask_echo_app(python_keys(), on_event=cls.flask_events.append, schemes=["v1", "rfc9421"]))

    @classmethod
    def tearDownClass(cls):
        cls.node.close()
        cls.flask.close()

    def test_every_rfc9421_case_gets_the_same_status_code_headers_and_event_from_both(self):
        statuses = {}
        for name, request in RFC9421_CASES.items():
            with self.subTest(name):
                seen = (len(self.node.events), len(self.flask_events))
                node, flask = self.both(request)
                self.assertEqual(flask, node)
                statuses[name] = (node["status"], (node["body"] or {}).get("error"))
                deadline = time.monotonic() + 5
                while len(self.node.events) == seen[0] and time.monotonic() < deadline:
                    time.sleep(0.01)
                node_event, flask_event = self.node.events[-1], self.flask_events[-1]
                self.assertEqual({k: v for k, v in flask_event.items() if k != "latencyMs"},
                                 {k: v for k, v in node_event.items() if k != "latencyMs"})
        # The cases test what they name (not only that both agree).
        self.assertEqual(statuses["a valid POST"][0], 200)
        self.assertEqual(statuses["both schemes' signatures"], (401, "signature_header_malformed"))
        self.assertEqual(statuses["no created"], (401, "signature_header_malformed"))
        self.assertEqual(statuses["content without a covered Content-Digest"], (401, "header_not_signed"))
        self.assertEqual(statuses["an unknown key id"], (401, "signature_invalid"))
        self.assertEqual(statuses["a body changed under its digest"], (401, "content_digest_mismatch"))
        self.assertEqual(statuses["an expires in the past"], (401, "timestamp_out_of_window"))

    def test_an_rfc9421_replay_is_refused_alike(self):
        request = rfc9421_case()
        for port in (self.node.port, self.flask.port):
            self.assertEqual(self.answer(port, request)["status"], 200)
            replay = self.answer(port, request)
            self.assertEqual((replay["status"], replay["body"], replay["headers"]["www-authenticate"]),
                             (401, {"error": "nonce_replayed"}, "Sigil"))


if __name__ == "__main__":
    unittest.main()
