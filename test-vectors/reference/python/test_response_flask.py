"""Response signing end to end (SPEC.md section 11): Flask signs its answers
(``sign_responses=True``) on a real Werkzeug server; a ``requests`` client with
``verify_responses=True`` verifies each one, and refuses each attack by name.
The attacks are applied by an ``after_request`` hook, after the signature, as
a proxy between the two would."""

import os
import unittest

from support import ThreadedServer, needs

SECRET = os.urandom(32)
KEYS = {"py-client": SECRET}


@needs("requests", "flask", hint="apt-get install python3-requests python3-flask")
class ResponseSigningTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from flask import Flask, redirect, request

        from sigil.flask import require_signature, send_unsigned
        from sigil.nonce_store import MemoryNonceStore

        app = Flask(__name__)
        signed = require_signature(keys=KEYS, nonce_store=MemoryNonceStore(), allow_insecure_http=True, sign_responses=True,
                                   max_response_bytes=64 * 1024)
        cls.captured = {}

        @app.get("/stream")
        @signed
        def stream():
            return app.response_class((f"chunk {i}\n" for i in range(3)), mimetype="text/plain")

        @app.get("/events")
        @signed
        def events():
            return send_unsigned(app.response_class((f"data: {i}\n\n" for i in range(3)), mimetype="text/event-stream"))

        @app.get("/big")
        @signed
        def big():
            return app.response_class((b"x" * 1024 for _ in range(100)), mimetype="application/octet-stream")

        @app.post("/orders")
        @signed
        def orders():
            return {"id": 1, "qty": request.get_json()["qty"]}, 201

        @app.get("/go")
        @signed
        def go():
            return redirect("/orders/1", 302)

        @app.get("/orders/1")
        @signed
        def order():
            return {"id": 1}

        @app.get("/unsigned")
        def unsigned():
            return {"id": 1}

        @app.after_request
        def proxy(response):
            attack = request.headers.get("X-Attack")
            if attack == "body":
                response.set_data(b'{"id": 666}')
            elif attack == "status":
                response.status_code = 200
            elif attack == "header":
                response.headers["Content-Type"] = "text/html"
            elif attack == "location" and "Location" in response.headers:
                response.headers["Location"] = "/elsewhere"
            elif attack == "strip":
                response.headers.pop("Sigil-Response-Signature", None)
            elif attack == "capture":
                cls.captured["response"] = (response.get_data(), response.headers.get("Sigil-Response-Signature"))
            elif attack == "replay":
                body, signature = cls.captured["response"]
                response.set_data(body)
                response.headers["Sigil-Response-Signature"] = signature
            return response

        cls.server = ThreadedServer(app)
        cls.origin = f"http://{cls.server.host}"

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def session(self, verify=True, **options):
        import requests

        from sigil.requests import SigilAuth

        self.events = []
        s = requests.Session()
        s.auth = SigilAuth("py-client", SECRET, origins=[self.origin], on_event=self.events.append, verify_responses=verify, **options)
        self.addCleanup(s.close)
        return s

    def refused(self, code, method, path, **kwargs):
        from sigil.errors import SigilError

        with self.assertRaises(SigilError) as caught:
            getattr(self.session(), method)(f"{self.origin}{path}", **kwargs)
        self.assertEqual(caught.exception.code, code)
        # The error carries the code only: no body, no header value.
        self.assertNotIn("666", str(caught.exception))
        self.assertIn({"type": "response-refused", "code": code}, [{"type": e["type"], "code": e.get("code")} for e in self.events])

    def test_a_signed_request_gets_a_signed_response_the_client_verifies(self):
        response = self.session().post(f"{self.origin}/orders", json={"qty": 2})
        self.assertEqual((response.status_code, response.json()), (201, {"id": 1, "qty": 2}))
        self.assertIn("h=content-type", response.headers["Sigil-Response-Signature"])
        self.assertIn("response-verified", [e["type"] for e in self.events])

    def test_a_signed_redirect_is_verified_before_it_is_followed(self):
        response = self.session().get(f"{self.origin}/go")
        self.assertEqual((response.status_code, response.json()), (200, {"id": 1}))
        self.assertEqual([e["type"] for e in self.events].count("response-verified"), 2)

    def test_attack_changed_body_is_refused(self):
        self.refused("response_signature_invalid", "post", "/orders", json={"qty": 1}, headers={"X-Attack": "body"})

    def test_attack_changed_status_is_refused(self):
        self.refused("response_signature_invalid", "post", "/orders", json={"qty": 1}, headers={"X-Attack": "status"})

    def test_attack_changed_signed_header_is_refused(self):
        self.refused("response_signature_invalid", "post", "/orders", json={"qty": 1}, headers={"X-Attack": "header"})

    def test_attack_changed_location_is_refused_before_the_redirect_is_followed(self):
        self.refused("response_signature_invalid", "get", "/go", headers={"X-Attack": "location"})

    def test_attack_stripped_signature_is_refused(self):
        self.refused("response_signature_missing", "post", "/orders", json={"qty": 1}, headers={"X-Attack": "strip"})

    def test_attack_downgrade_to_an_unsigned_endpoint_is_refused(self):
        self.refused("response_signature_missing", "get", "/unsigned")

    def test_attack_response_replayed_from_another_request_is_refused(self):
        self.session().post(f"{self.origin}/orders", json={"qty": 1}, headers={"X-Attack": "capture"})
        self.refused("response_signature_invalid", "post", "/orders", json={"qty": 1}, headers={"X-Attack": "replay"})

    def test_a_client_ten_minutes_behind_learns_the_clock_from_a_signed_timestamp_rejection(self):
        import time

        behind = self.session(clock=lambda: time.time() - 600, max_clock_skew=900)
        response = behind.post(f"{self.origin}/orders", json={"qty": 3})
        self.assertEqual((response.status_code, response.json()), (201, {"id": 1, "qty": 3}))
        # The 401 was verified (its Sigil-Server-Time signed) before the clock was learnt, then the retry's answer.
        self.assertEqual([e["type"] for e in self.events].count("response-verified"), 2)

    def test_attack_an_unsigned_clock_correction_is_refused_before_it_is_learnt(self):
        import time

        from sigil.errors import SigilError

        behind = self.session(clock=lambda: time.time() - 600, max_clock_skew=900)
        with self.assertRaises(SigilError) as caught:
            behind.post(f"{self.origin}/orders", json={"qty": 3}, headers={"X-Attack": "strip"})
        self.assertEqual(caught.exception.code, "response_signature_missing")
        self.assertNotIn("clock_refused", [e["type"] for e in self.events])
        from sigil.client import Origin

        self.assertEqual(behind.auth._signer.offset(Origin.of(self.origin)), 0)

    def test_a_replayed_request_is_answered_with_a_signed_401(self):
        import requests

        sent = {}
        s = self.session()
        s.hooks["response"].append(lambda r, **kw: sent.update(request=r.request) and None)
        s.post(f"{self.origin}/orders", json={"qty": 1})
        first = sent["request"]
        again = requests.post(first.url, data=first.body, headers=dict(first.headers))
        self.assertEqual((again.status_code, again.json()), (401, {"error": "nonce_replayed"}))
        self.assertIn("h=content-type;", again.headers["Sigil-Response-Signature"])

    def test_an_unbindable_failure_is_plainly_unsigned(self):
        import requests

        for headers in ({}, {"Sigil-Signature": "v=1;alg=hmac-sha256;kid=py-client;ts=1;nonce=AAAAAAAAAAAAAAAAAAAAAA;h=host;mac=AAAA"}):
            answer = requests.post(f"{self.origin}/orders", json={"qty": 1}, headers=headers)
            self.assertEqual(answer.status_code, 401)
            self.assertNotIn("Sigil-Response-Signature", answer.headers)

    def test_a_streamed_body_is_buffered_and_signed(self):
        response = self.session().get(f"{self.origin}/stream")
        self.assertEqual((response.status_code, response.text), (200, "chunk 0\nchunk 1\nchunk 2\n"))
        self.assertIn("response-verified", [e["type"] for e in self.events])

    def test_a_route_marked_send_unsigned_streams_unsigned_and_a_verifying_client_refuses_it(self):
        self.refused("response_signature_missing", "get", "/events")
        response = self.session(verify=False).get(f"{self.origin}/events")
        self.assertEqual(response.text, "data: 0\n\ndata: 1\n\ndata: 2\n\n")
        self.assertNotIn("Sigil-Response-Signature", response.headers)

    def test_a_body_over_the_limit_is_replaced_by_a_signed_500_never_sent_unsigned(self):
        response = self.session().get(f"{self.origin}/big")
        self.assertEqual((response.status_code, response.json()), (500, {"error": "response_too_large"}))
        self.assertIn("response-verified", [e["type"] for e in self.events])

    def test_without_the_opt_in_nothing_is_verified(self):
        self.assertEqual(self.session(verify=False).get(f"{self.origin}/unsigned").status_code, 200)



@needs("requests", "flask", hint="apt-get install python3-requests python3-flask")
class InitAppResponseSigningTests(unittest.TestCase):
    """``init_app(sign_responses=True)``: every answer of the app, failures included, in an after_request hook."""

    @classmethod
    def setUpClass(cls):
        from flask import Flask

        from sigil.flask import init_app
        from sigil.nonce_store import MemoryNonceStore

        app = Flask(__name__)
        init_app(app, keys=KEYS, nonce_store=MemoryNonceStore(), allow_insecure_http=True, sign_responses=True)

        @app.post("/orders")
        def orders():
            return {"id": 1}, 201

        cls.server = ThreadedServer(app)
        cls.origin = f"http://{cls.server.host}"

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_every_answer_to_a_verified_request_is_signed_and_verified(self):
        import time

        import requests

        from sigil.requests import SigilAuth

        events = []
        with requests.Session() as s:
            s.auth = SigilAuth("py-client", SECRET, origins=[self.origin], on_event=events.append, verify_responses=True,
                               clock=lambda: time.time() + 600, max_clock_skew=900)
            self.assertEqual(s.post(f"{self.origin}/orders", json={}).status_code, 201)  # a signed 401 first, then the retry
            self.assertEqual(s.get(f"{self.origin}/missing").status_code, 404)  # the app's own 404, signed too
        self.assertEqual([e["type"] for e in events].count("response-verified"), 3)


if __name__ == "__main__":
    unittest.main()
