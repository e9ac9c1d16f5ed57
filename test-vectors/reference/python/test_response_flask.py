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

        from sigil.flask import require_signature
        from sigil.nonce_store import MemoryNonceStore

        app = Flask(__name__)
        signed = require_signature(keys=KEYS, nonce_store=MemoryNonceStore(), allow_insecure_http=True, sign_responses=True)
        cls.captured = {}

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

    def session(self, verify=True):
        import requests

        from sigil.requests import SigilAuth

        self.events = []
        s = requests.Session()
        s.auth = SigilAuth("py-client", SECRET, origins=[self.origin], on_event=self.events.append, verify_responses=verify)
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

    def test_without_the_opt_in_nothing_is_verified(self):
        self.assertEqual(self.session(verify=False).get(f"{self.origin}/unsigned").status_code, 200)


if __name__ == "__main__":
    unittest.main()
