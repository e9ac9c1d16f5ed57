"""sigil.httpx end to end, with httpx.Client and httpx.AsyncClient: the client
signs, @sigil/verify (Node) and the Flask integration (Werkzeug) verify,
over real sockets.

Needs httpx (Debian python3-httpx), Flask, node and the built packages;
skipped loudly without them, never under CI."""

import asyncio
import json
import os
import pickle
import time
import unittest

from support import Listener, NodeVerifier, ThreadedServer, assert_no_secret, flask_echo_app, needs, needs_node, sha

SECRET = os.urandom(32)
KEYS = {"py-client": SECRET}


@needs("httpx", "flask", hint="apt-get install python3-httpx python3-flask")
class HttpxClientContract:
    origin = ""
    asynchronous = False

    def auth(self, **options):
        from sigil.httpx import SigilAuth

        self.events = []
        options.setdefault("origins", [self.origin])
        return SigilAuth("py-client", SECRET, on_event=self.events.append, **options)

    def send(self, method, url, *, auth_options=None, client_options=None, stream=None, **kwargs):
        """One request through a fresh httpx.Client or AsyncClient."""
        import httpx

        auth = self.auth(**(auth_options or {}))
        if not self.asynchronous:
            if stream is not None:
                kwargs["content"] = (chunk for chunk in stream)
            with httpx.Client(auth=auth, **(client_options or {})) as client:
                return client.request(method, url, **kwargs)

        async def run():
            if stream is not None:
                async def chunks():
                    for chunk in stream:
                        yield chunk

                kwargs["content"] = chunks()
            async with httpx.AsyncClient(auth=auth, **(client_options or {})) as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(run())

    def test_signs_the_exact_bytes_of_json_form_multipart_files_and_streams(self):
        blob = os.urandom(3000)
        url = f"{self.origin}/orders?x=caf%C3%A9&tag=a&tag=b"
        cases = [
            ({"json": {"qty": 1, "note": "café"}}, "application/json", b'{"qty": 1, "note": "caf\\u00e9"}'),
            ({"data": {"a": "1", "b": "x y"}}, "application/x-www-form-urlencoded", b"a=1&b=x+y"),
            ({"files": {"doc": ("a.bin", blob)}, "data": {"k": "v"}}, "multipart/form-data", None),
            ({"content": b"raw bytes", "headers": {"Content-Type": "application/octet-stream"}}, "application/octet-stream", b"raw bytes"),
            ({"stream": [b"gen", b"erat", b"ed"], "headers": {"Content-Type": "text/plain"}}, "text/plain", b"generated"),
        ]
        for kwargs, content_type, sent in cases:
            response = self.send("POST", url, **kwargs)
            self.assertEqual(response.status_code, 200, (content_type, response.text))
            echo = response.json()
            self.assertTrue(echo["contentType"].startswith(content_type))
            self.assertEqual(echo["target"], "/orders?x=caf%C3%A9&tag=a&tag=b")
            self.assertIn("content-type", echo["signedHeaders"])
            if sent is not None:
                self.assertEqual(echo["bodySha256"], sha(sent), content_type)
            else:
                self.assertGreater(echo["bodyLength"], len(blob))
        self.assertEqual(self.send("GET", f"{self.origin}/plain").json()["bodyLength"], 0)

    def test_a_stream_over_the_limit_fails_clearly_before_anything_is_sent(self):
        from sigil import SigilError

        trap = Listener()
        self.addCleanup(trap.close)
        with self.assertRaises(SigilError) as caught:
            self.send("POST", f"{trap.origin}/upload", stream=[b"x" * 100] * 11,
                      auth_options={"origins": [trap.origin], "max_body_bytes": 1000})
        self.assertEqual(caught.exception.code, "body_too_large")
        time.sleep(0.1)
        self.assertEqual(trap.received, [])

    def test_attacker_origin_not_bound_to_the_key_receives_nothing(self):
        from sigil import SigilError

        trap = Listener()
        self.addCleanup(trap.close)
        with self.assertRaises(SigilError) as caught:
            self.send("POST", f"{trap.origin}/steal", json={"a": 1})
        self.assertEqual(caught.exception.code, "origin_not_allowed")
        with self.assertRaises(SigilError) as caught:
            self.send("GET", "http://api.example.test/", auth_options={"origins": "*"})
        self.assertEqual(caught.exception.code, "insecure_transport")
        time.sleep(0.1)
        self.assertEqual(trap.received, [])
        self.assertEqual(self.send("GET", f"{self.origin}/any", auth_options={"origins": "*"}).status_code, 200)

    def test_same_origin_redirect_is_re_signed_with_a_fresh_nonce(self):
        response = self.send("POST", f"{self.origin}/redirect?status=307&to=/orders%3Fhop%3D1", json={"qty": 2})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual((response.json()["target"], response.json()["bodySha256"]), ("/orders?hop=1", sha(b'{"qty": 2}')))
        see_other = self.send("POST", f"{self.origin}/redirect?status=303&to=/after", json={"qty": 2})
        self.assertEqual((see_other.status_code, see_other.json()["method"], see_other.json()["bodyLength"]), (200, "GET", 0))
        self.assertEqual([e["type"] for e in self.events], ["signed", "redirect", "signed"])

    def test_attacker_cross_origin_redirect_never_gets_the_signature(self):
        from sigil import SigilError

        evil = Listener()
        self.addCleanup(evil.close)
        with self.assertRaises(SigilError) as caught:
            self.send("GET", f"{self.origin}/redirect?status=302&to={evil.origin}/collect")
        self.assertEqual(caught.exception.code, "origin_not_allowed")
        with self.assertRaises(SigilError) as caught:
            self.send("GET", f"{self.origin}/redirect?status=307&to={evil.origin}/collect",
                      auth_options={"origins": [self.origin, evil.origin]})
        self.assertEqual(caught.exception.code, "redirect_cross_origin")
        # A client that follows redirects on its own: the guard refuses before sending.
        with self.assertRaises(SigilError) as caught:
            self.send("GET", f"{self.origin}/redirect?status=302&to={evil.origin}/collect",
                      client_options={"follow_redirects": True})
        self.assertEqual(caught.exception.code, "redirect_cross_origin")
        time.sleep(0.1)
        # The guard runs once the connection is open and before the header block: not one byte.
        self.assertEqual([data for data in evil.received if data], [])
        evil.received.clear()
        response = self.send("GET", f"{self.origin}/redirect?status=302&to={evil.origin}/collect",
                             auth_options={"cross_origin_redirect": "follow-unsigned"},
                             headers={"Authorization": "Bearer t", "Cookie": "c=1"})
        self.assertEqual(response.text, "ok")
        seen = evil.received[0].lower()
        for credential in (b"sigil-signature", b"authorization", b"cookie"):
            self.assertNotIn(credential, seen)

    def test_clock_skew_is_corrected_once_within_the_bound(self):
        ok = self.send("POST", f"{self.origin}/late", json={},
                       auth_options={"clock": lambda: time.time() - 400, "max_clock_skew": 900})
        self.assertEqual(ok.status_code, 200)
        self.assertEqual([e["type"] for e in self.events], ["signed", "retry", "signed"])
        refused = self.send("POST", f"{self.origin}/late", json={}, auth_options={"clock": lambda: time.time() - 400})
        self.assertEqual((refused.status_code, refused.json()), (401, {"error": "timestamp_out_of_window"}))
        self.assertEqual([(e["type"], e.get("reason")) for e in self.events], [("signed", None), ("clock_refused", "too_far")])

    def test_the_secret_never_shows_in_repr_events_or_exceptions(self):
        from sigil import SigilError

        auth = self.auth()
        texts = [repr(auth), str(auth)]
        with self.assertRaises(TypeError):
            pickle.dumps(auth)
        self.send("POST", f"{self.origin}/logged", json={"a": 1})
        try:
            self.send("GET", "https://elsewhere.test/")
        except SigilError as error:
            texts += [str(error), repr(error)]
        texts += [json.dumps(e) for e in self.events]
        assert_no_secret(self, SECRET, texts)


def flask_app():
    import flask

    app = flask_echo_app(KEYS)

    @app.before_request
    def routes():
        if hasattr(flask.g, "sigil") and flask.request.path == "/redirect":
            return flask.redirect(flask.request.args["to"], code=int(flask.request.args["status"]))
        return None

    return app


class _Node:
    @classmethod
    def setUpClass(cls):
        cls.node = NodeVerifier(KEYS)
        cls.origin = cls.node.origin

    @classmethod
    def tearDownClass(cls):
        cls.node.close()


class _Flask:
    @classmethod
    def setUpClass(cls):
        cls.server = ThreadedServer(flask_app())
        cls.origin = f"http://{cls.server.host}"

    @classmethod
    def tearDownClass(cls):
        cls.server.close()


@needs_node()
class HttpxClientAgainstSigilVerify(_Node, HttpxClientContract, unittest.TestCase):
    pass


@needs_node()
class HttpxAsyncClientAgainstSigilVerify(_Node, HttpxClientContract, unittest.TestCase):
    asynchronous = True


class HttpxClientAgainstFlask(_Flask, HttpxClientContract, unittest.TestCase):
    pass


class HttpxAsyncClientAgainstFlask(_Flask, HttpxClientContract, unittest.TestCase):
    asynchronous = True


if __name__ == "__main__":
    unittest.main()
