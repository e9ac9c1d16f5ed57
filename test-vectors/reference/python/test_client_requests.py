"""sigil.requests end to end: the client signs, @sigil/verify (Node, over a
real socket) and the Flask integration (a real Werkzeug server) verify.

Needs requests (Debian python3-requests), Flask, node and the built
packages; skipped loudly without them, never under CI."""

import io
import json
import logging
import os
import pickle
import time
import unittest

from support import Listener, NodeVerifier, ThreadedServer, assert_no_secret, flask_echo_app, needs, needs_node, sha

SECRET = os.urandom(32)
KEYS = {"py-client": SECRET}


@needs("requests", "flask", hint="apt-get install python3-requests python3-flask")
class RequestsClientContract:
    """The SPEC section 8 rules, run against each verifier (subclasses give `origin`)."""

    origin = ""

    def auth(self, **options):
        from sigil.requests import SigilAuth

        self.events = []
        options.setdefault("origins", [self.origin])
        return SigilAuth("py-client", SECRET, on_event=self.events.append, **options)

    def session(self, **options):
        import requests

        session = requests.Session()
        session.auth = self.auth(**options)
        self.addCleanup(session.close)
        return session

    def test_signs_the_exact_bytes_of_json_form_multipart_files_and_generators(self):
        s = self.session()
        blob = os.urandom(3000)
        text = {"headers": {"Content-Type": "text/plain"}}
        cases = [
            (lambda: {"json": {"qty": 1, "note": "café"}}, "application/json", b'{"qty": 1, "note": "caf\\u00e9"}'),
            (lambda: {"data": {"a": "1", "b": "x y"}}, "application/x-www-form-urlencoded", b"a=1&b=x+y"),
            (lambda: {"files": {"doc": ("a.bin", blob)}, "data": {"k": "v"}}, "multipart/form-data", None),
            (lambda: {"data": io.BytesIO(b"file bytes" * 100), "headers": {"Content-Type": "application/octet-stream"}},
             "application/octet-stream", b"file bytes" * 100),
            (lambda: {"data": (c for c in [b"gen", b"erat", b"ed"]), **text}, "text/plain", b"generated"),
            (lambda: {"data": "latin text", **text}, "text/plain", b"latin text"),
        ]
        for kwargs, content_type, sent in cases:
            response = s.post(f"{self.origin}/orders?x=caf%C3%A9&tag=a&tag=b", **kwargs())
            self.assertEqual(response.status_code, 200, (content_type, response.text))
            echo = response.json()
            self.assertTrue(echo["contentType"].startswith(content_type))
            self.assertEqual(echo["target"], "/orders?x=caf%C3%A9&tag=a&tag=b")
            self.assertIn("content-type", echo["signedHeaders"])
            if sent is not None:
                self.assertEqual(echo["bodySha256"], sha(sent), content_type)
            else:
                self.assertGreater(echo["bodyLength"], len(blob))
        self.assertEqual(s.get(f"{self.origin}/plain").json()["bodyLength"], 0)

    def test_a_generator_over_the_limit_fails_clearly_before_anything_is_sent(self):
        from sigil import SigilError

        trap = Listener()
        self.addCleanup(trap.close)
        s = self.session(origins=[trap.origin], max_body_bytes=1000)
        with self.assertRaises(SigilError) as caught:
            s.post(f"{trap.origin}/upload", data=(b"x" * 100 for _ in range(11)))
        self.assertEqual(caught.exception.code, "body_too_large")
        self.assertIn("max_body_bytes=1000", str(caught.exception))
        time.sleep(0.1)
        self.assertEqual(trap.received, [])

    def test_attacker_origin_not_bound_to_the_key_receives_nothing(self):
        from sigil import SigilError

        trap = Listener()
        self.addCleanup(trap.close)
        s = self.session()
        with self.assertRaises(SigilError) as caught:
            s.post(f"{trap.origin}/steal", json={"a": 1})
        self.assertEqual(caught.exception.code, "origin_not_allowed")
        time.sleep(0.1)
        self.assertEqual(trap.received, [])
        self.assertEqual([e["type"] for e in self.events], ["refused"])
        # '*' written out opts out of the binding.
        self.assertEqual(self.session(origins="*").get(f"{self.origin}/any").status_code, 200)

    def test_https_required_except_to_loopback(self):
        from sigil import SigilError

        with self.assertRaises(SigilError) as caught:
            self.auth(origins=["http://api.example.test"])
        self.assertEqual(caught.exception.code, "invalid_option")
        with self.assertRaises(SigilError) as caught:
            self.session(origins="*").get("http://api.example.test/orders")  # refused before any DNS lookup
        self.assertEqual(caught.exception.code, "insecure_transport")
        self.assertEqual(self.session(origins=[self.origin.replace("127.0.0.1", "localhost")]).get(
            self.origin.replace("127.0.0.1", "localhost") + "/loopback").status_code, 200)

    def test_same_origin_redirect_is_re_signed_with_a_fresh_nonce(self):
        s = self.session()
        response = s.post(f"{self.origin}/redirect?status=307&to=/orders%3Fhop%3D1", json={"qty": 2})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["target"], "/orders?hop=1")
        self.assertEqual(response.json()["bodySha256"], sha(b'{"qty": 2}'))
        self.assertEqual([r.status_code for r in response.history], [307])
        see_other = s.post(f"{self.origin}/redirect?status=303&to=/after", json={"qty": 2})
        self.assertEqual((see_other.status_code, see_other.json()["method"], see_other.json()["bodyLength"]), (200, "GET", 0))
        self.assertEqual([e["type"] for e in self.events].count("signed"), 4)

    def test_attacker_cross_origin_redirect_never_gets_the_signature(self):
        from sigil import SigilError

        evil = Listener()
        self.addCleanup(evil.close)
        s = self.session()
        with self.assertRaises(SigilError) as caught:
            s.get(f"{self.origin}/redirect?status=302&to={evil.origin}/collect")
        self.assertEqual(caught.exception.code, "origin_not_allowed")
        both = self.session(origins=[self.origin, evil.origin])
        with self.assertRaises(SigilError) as caught:
            both.get(f"{self.origin}/redirect?status=307&to={evil.origin}/collect")
        self.assertEqual(caught.exception.code, "redirect_cross_origin")
        time.sleep(0.1)
        self.assertEqual(evil.received, [])
        unsigned = self.session(cross_origin_redirect="follow-unsigned")
        response = unsigned.get(f"{self.origin}/redirect?status=302&to={evil.origin}/collect",
                                headers={"Authorization": "Bearer t", "Cookie": "c=1"})
        self.assertEqual(response.text, "ok")
        self.assertEqual(len(evil.received), 1)
        seen = evil.received[0].lower()
        for credential in (b"sigil-signature", b"authorization", b"cookie"):
            self.assertNotIn(credential, seen)

    def test_requests_own_redirect_handling_never_forwards_the_signature(self):
        evil = Listener()
        self.addCleanup(evil.close)
        s = self.session(origins=[self.origin], follow_redirects=False)
        response = s.get(f"{self.origin}/redirect?status=302&to={evil.origin}/collect")
        self.assertEqual(response.text, "ok")  # requests followed it, unsigned
        self.assertNotIn(b"sigil-signature", evil.received[0].lower())

    def test_urllib3_retries_sign_every_attempt_afresh_through_sigil_adapter(self):
        from urllib3.util.retry import Retry

        from sigil.requests import SigilAdapter

        s = self.session()
        s.mount(self.origin, SigilAdapter(max_retries=Retry(total=2, status_forcelist=[503], allowed_methods=None,
                                                            backoff_factor=0)))
        # The first attempt was verified (its nonce stored), then answered 503:
        # resending its signature would be nonce_replayed.
        flaky = s.post(f"{self.origin}/flaky", json={"a": 1})
        self.assertEqual(flaky.status_code, 200, flaky.text)
        s.mount(self.origin, SigilAdapter(max_retries=Retry(total=2, read=2, allowed_methods=None, backoff_factor=0)))
        dropped = s.post(f"{self.origin}/drop", json={"a": 1})
        self.assertEqual(dropped.status_code, 200, dropped.text)
        self.assertEqual([e["type"] for e in self.events].count("signed"), 4)

    def test_an_adapter_with_urllib3_retries_is_refused(self):
        from requests.adapters import HTTPAdapter

        from sigil import SigilError

        s = self.session()
        s.mount(self.origin, HTTPAdapter(max_retries=3))
        with self.assertRaises(SigilError) as caught:
            s.get(f"{self.origin}/retrying")
        self.assertEqual(caught.exception.code, "invalid_option")
        self.assertIn("SigilAdapter", str(caught.exception))

    def test_clock_skew_is_corrected_once_within_the_bound(self):
        # Off by more than the verifier's 300 s window, within a raised bound.
        slow = self.session(clock=lambda: time.time() - 400, max_clock_skew=900)
        self.assertEqual(slow.post(f"{self.origin}/late", json={}).status_code, 200)
        self.assertEqual([e["type"] for e in self.events], ["signed", "retry", "signed"])
        self.assertEqual(slow.post(f"{self.origin}/late", json={}).status_code, 200)  # offset kept: no retry
        self.assertEqual([e["type"] for e in self.events][-1:], ["signed"])
        for skew, options in ((30 * 86_400, {"max_clock_skew": 900}), (400, {})):  # default bound: 300 s
            far = self.session(clock=lambda: time.time() - skew, **options)
            refused = far.post(f"{self.origin}/late", json={})
            self.assertEqual((refused.status_code, refused.json()), (401, {"error": "timestamp_out_of_window"}))
            self.assertEqual([(e["type"], e.get("reason")) for e in self.events], [("signed", None), ("clock_refused", "too_far")])

    def test_the_secret_never_shows_in_repr_logs_events_or_exceptions(self):
        from sigil import SigilError

        auth = self.auth()
        texts = [repr(auth), str(auth)]
        with self.assertRaises(TypeError):
            pickle.dumps(auth)
        with self.assertLogs(level=logging.DEBUG) as logs:
            logging.getLogger("urllib3").setLevel(logging.DEBUG)
            s = self.session()
            s.post(f"{self.origin}/logged", json={"a": 1})
            try:
                s.get("https://elsewhere.test/")
            except SigilError as error:
                texts += [str(error), repr(error)]
        texts += logs.output + [json.dumps(e) for e in self.events]
        assert_no_secret(self, SECRET, texts)
        self.assertIn("secret=<redacted>", repr(auth))


@needs_node()
class RequestsAgainstSigilVerify(RequestsClientContract, unittest.TestCase):
    """@sigil/verify (Node) verifies what sigil.requests signs."""

    @classmethod
    def setUpClass(cls):
        cls.node = NodeVerifier(KEYS)
        cls.origin = cls.node.origin

    @classmethod
    def tearDownClass(cls):
        cls.node.close()


class RequestsAgainstFlask(RequestsClientContract, unittest.TestCase):
    """sigil.flask verifies what sigil.requests signs."""

    @classmethod
    def setUpClass(cls):
        from flask import Flask, redirect, request

        echo = flask_echo_app(KEYS)
        firsts = set()

        @echo.before_request
        def routes():
            from flask import g

            if not hasattr(g, "sigil"):
                return None
            first = request.path not in firsts
            firsts.add(request.path)
            if request.path == "/redirect":
                return redirect(request.args["to"], code=int(request.args["status"]))
            if request.path == "/flaky" and first:
                return "try again", 503
            if request.path == "/drop" and first:
                request.environ["werkzeug.socket"].shutdown(2)
                return "", 500
            return None

        assert isinstance(echo, Flask)
        cls.server = ThreadedServer(echo)
        cls.origin = f"http://{cls.server.host}"

    @classmethod
    def tearDownClass(cls):
        cls.server.close()


if __name__ == "__main__":
    unittest.main()
