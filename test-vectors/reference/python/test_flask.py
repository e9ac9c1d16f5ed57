"""sigil.flask through Flask's test client (skipped when Flask is absent;
the end-to-end test in examples/test/flask.e2e.test.ts drives a real server
from the TypeScript signing fetch)."""

import os
import time
import unittest

from sigil import Request, b64url_encode, sign

try:
    import flask
except ImportError:  # pragma: no cover
    flask = None

SECRET = os.urandom(32)


def signed_headers(method, target, body=b"", timestamp=None, key_id="client-1", host="localhost"):
    headers = [("Host", host), ("Content-Type", "application/json")]
    header = sign(Request(method, target, headers, body), SECRET, key_id, int(timestamp or time.time()),
                  b64url_encode(os.urandom(16)), headers=["content-type"]).header
    return {"Content-Type": "application/json", "Sigil-Signature": header}


@unittest.skipUnless(flask, "Flask is not installed (Debian: apt-get install python3-flask)")
class FlaskTests(unittest.TestCase):
    def setUp(self):
        from sigil.flask import init_app, require_signature
        from sigil.nonce_store import MemoryNonceStore

        app = flask.Flask("decorated")

        @app.route("/orders", methods=["POST"])
        @require_signature(keys={"client-1": SECRET}, nonce_store=MemoryNonceStore(), max_body_bytes=100)
        def orders():
            return {"keyId": flask.g.sigil.key_id, "order": flask.request.get_json()}, 201

        @app.get("/open")
        def open_route():
            return "anyone"

        every = flask.Flask("every")
        init_app(every, keys={"client-1": SECRET}, replay=False)
        self.client = app.test_client()
        self.every = every.test_client()

    def post(self, target="/orders", body=b'{"qty":1}', headers=None, **kwargs):
        return self.client.post(target, data=body, headers=headers or signed_headers("POST", target, body), **kwargs)

    def test_accepts_once_and_the_view_reads_the_verified_body(self):
        headers = signed_headers("POST", "/orders?note=caf%C3%A9&x", b'{"qty":1}')
        first = self.post("/orders?note=caf%C3%A9&x", headers=headers)
        self.assertEqual((first.status_code, first.get_json()), (201, {"keyId": "client-1", "order": {"qty": 1}}))
        replay = self.post("/orders?note=caf%C3%A9&x", headers=headers)
        self.assertEqual((replay.status_code, replay.get_json()), (401, {"error": "nonce_replayed"}))

    def test_rejections_carry_the_typescript_codes_and_headers(self):
        tampered = self.post(body=b'{"qty":9}', headers=signed_headers("POST", "/orders", b'{"qty":1}'))
        self.assertEqual(tampered.get_json(), {"error": "signature_invalid"})
        stale = self.post(headers=signed_headers("POST", "/orders", b'{"qty":1}', timestamp=time.time() - 600))
        self.assertEqual((stale.status_code, stale.get_json()), (401, {"error": "timestamp_out_of_window"}))
        self.assertAlmostEqual(int(stale.headers["Sigil-Server-Time"]), time.time(), delta=5)
        unknown = self.post(headers=signed_headers("POST", "/orders", b'{"qty":1}', key_id="nobody"))
        self.assertEqual(unknown.get_json(), {"error": "signature_invalid"})
        self.assertEqual(self.client.post("/orders", data=b"{}").get_json(), {"error": "signature_missing"})
        big = b'{"pad":"' + b"x" * 200 + b'"}'
        too_big = self.post(body=big, headers=signed_headers("POST", "/orders", big))
        self.assertEqual((too_big.status_code, too_big.get_json()), (413, {"error": "body_too_large"}))
        self.assertEqual(self.client.get("/open").data, b"anyone")

    def test_https_required_except_from_loopback(self):
        remote = self.post(environ_base={"REMOTE_ADDR": "203.0.113.9"})
        self.assertEqual((remote.status_code, remote.get_json()), (403, {"error": "insecure_transport"}))
        tls = self.post(environ_base={"REMOTE_ADDR": "203.0.113.9"}, base_url="https://localhost")
        self.assertEqual(tls.status_code, 201)

    def test_init_app_verifies_every_request_even_unknown_routes(self):
        self.assertEqual(self.every.get("/nope").status_code, 401)
        ok = self.every.post("/nope", data=b"{}", headers=signed_headers("POST", "/nope", b"{}"))
        self.assertEqual(ok.status_code, 404)  # verified, then Flask's own 404

    def test_options_are_checked_when_the_decorator_is_built(self):
        from sigil import SigilError
        from sigil.flask import require_signature

        with self.assertRaises(SigilError) as caught:
            require_signature(keys={"client-1": SECRET})  # no nonce store
        self.assertEqual(caught.exception.code, "invalid_option")


if __name__ == "__main__":
    unittest.main()
