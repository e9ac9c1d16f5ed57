"""sigil.wsgi under gunicorn and sigil.asgi (FastAPI) under uvicorn: real
servers, signed by the Python clients, attacked over raw sockets. Each
verifies before the application reads the body and hands it the verified
bytes.

Needs gunicorn, requests, FastAPI, uvicorn and httpx (Debian packages);
skipped loudly without them, never under CI."""

import asyncio
import json
import os
import sys
import threading
import time
import unittest

from sigil import b64url_encode
from support import Spawned, free_port, needs, open_request, read_response, rfc9421_signed, sha, signed_request

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, "examples")
SECRET = os.urandom(32)
KEY_ID = "mw-client"
ENV = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": HERE, "SIGIL_KEY_ID": KEY_ID, "SIGIL_SECRET": b64url_encode(SECRET),
       "SIGIL_SCHEMES": "v1,rfc9421"}


class Attacks:
    """Raw-socket attacks every middleware must stop; subclasses start the server."""

    server: Spawned

    def send(self, target, body, headers):
        sock = open_request(self.server.port, "POST", target, headers, [("Content-Length", str(len(body)))])
        try:
            sock.sendall(body)
            return read_response(sock)
        finally:
            sock.close()

    def signed(self, target, body):
        return signed_request(SECRET, "POST", target, body, host=f"127.0.0.1:{self.server.port}", key_id=KEY_ID)

    def test_attacker_tampers_replays_or_omits_the_signature_the_app_never_runs(self):
        body = b'{"qty":1}'
        headers = self.signed(self.route, body)
        tampered = self.send(self.route, b'{"qty":9}', headers)
        self.assertEqual((tampered.status, json.loads(tampered.body)), (401, {"error": "signature_invalid"}))
        self.assertEqual(self.send(self.route, body, headers).status, 200)
        replay = self.send(self.route, body, headers)
        self.assertEqual((replay.status, json.loads(replay.body)), (401, {"error": "nonce_replayed"}))
        unsigned = self.send(self.route, body, [("Host", "x"), ("Content-Type", "application/json")])
        self.assertEqual((unsigned.status, unsigned.headers.get("www-authenticate")), (401, "Sigil"))
        for response in (tampered, replay, unsigned):
            self.assertNotIn("x-app", response.headers)
            self.assertEqual(response.headers.get("cache-control"), "no-store")

    def test_rfc9421_accepted_attacker_changes_the_body_or_replays_refused(self):
        body = b'{"qty":1}'
        headers = rfc9421_signed(SECRET, "POST", self.route, body, host=f"127.0.0.1:{self.server.port}", key_id=KEY_ID)
        tampered = self.send(self.route, b'{"qty":9}', headers)
        self.assertEqual((tampered.status, json.loads(tampered.body)), (401, {"error": "content_digest_mismatch"}))
        accepted = self.send(self.route, body, headers)
        self.assertEqual(accepted.status, 200)
        self.assertEqual(json.loads(accepted.body)["signedHeaders"], ["content-digest", "content-type"])  # the app's echo
        replay = self.send(self.route, body, headers)
        self.assertEqual((replay.status, json.loads(replay.body), replay.headers.get("www-authenticate")),
                         (401, {"error": "nonce_replayed"}, "Sigil"))

    def test_attacker_streams_a_chunked_upload_far_over_the_limit(self):
        headers = self.signed(self.route, b"{}")
        sock = open_request(self.server.port, "POST", self.route, headers, [("Transfer-Encoding", "chunked")])
        stop = threading.Event()

        def trickle():
            chunk = b"4000\r\n" + b"x" * 0x4000 + b"\r\n"
            try:
                for _ in range(4096):  # 64 MiB, never finished
                    if stop.is_set():
                        return
                    sock.sendall(chunk)
            except OSError:
                pass

        sender = threading.Thread(target=trickle, daemon=True)
        sender.start()
        try:
            response = read_response(sock, timeout=15)
        finally:
            stop.set()
            sock.close()
            sender.join(10)
        self.assertEqual((response.status, json.loads(response.body)), (413, {"error": "body_too_large"}))


@needs("gunicorn", "requests", hint="apt-get install gunicorn python3-requests")
class WsgiMiddlewareUnderGunicorn(Attacks, unittest.TestCase):
    route = "/orders"

    @classmethod
    def setUpClass(cls):
        port = free_port()
        cls.server = Spawned([sys.executable, "-m", "gunicorn", "-w", "1", "--threads", "4", "-b", f"127.0.0.1:{port}",
                              "--chdir", EXAMPLES, "wsgi_app:application"], ENV, "Booting worker", port)
        time.sleep(0.5)  # the worker imports the app after it says it boots

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_the_app_reads_exactly_the_verified_bytes_json_form_and_multipart(self):
        import requests

        from sigil.requests import SigilAuth

        auth = SigilAuth(KEY_ID, SECRET, origins=[self.server.origin])
        url = f"{self.server.origin}/orders?x=caf%C3%A9"
        for kwargs in ({"json": {"qty": 1}}, {"data": {"a": "b c"}}, {"files": {"f": ("f.bin", os.urandom(2000))}}):
            prepared = requests.Request("POST", url, auth=auth, **kwargs).prepare()
            with requests.Session() as session:
                response = session.send(prepared)
            self.assertEqual(response.status_code, 200, response.text)
            self.assertEqual(response.headers["x-app"], "1")
            echo = response.json()
            self.assertEqual((echo["keyId"], echo["target"], echo["bodySha256"]), (KEY_ID, "/orders?x=caf%C3%A9", sha(prepared.body)))


@needs("fastapi", "uvicorn", "httpx", hint="apt-get install python3-fastapi python3-uvicorn python3-httpx")
class AsgiMiddlewareUnderUvicorn(Attacks, unittest.TestCase):
    route = "/orders"

    @classmethod
    def setUpClass(cls):
        port = free_port()
        cls.server = Spawned([sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port), "--app-dir", EXAMPLES,
                              "--no-access-log", "fastapi_app:app"], ENV, "Uvicorn running on", port)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_attacker_withholding_bodies_cannot_exhaust_the_verifier_threads(self):
        # Far more stalled uploads than the default executor has threads
        # (min(32, cpus + 4)): the body is awaited on the event loop, not in a thread.
        stalled = []
        for _ in range(40):
            headers = self.signed(self.route, b'{"qty":1}')
            stalled.append(open_request(self.server.port, "POST", self.route, headers, [("Content-Length", "9")]))
        self.addCleanup(lambda: [sock.close() for sock in stalled])
        time.sleep(0.5)
        started = time.monotonic()
        response = self.send(self.route, b'{"qty":2}', self.signed(self.route, b'{"qty":2}'))
        self.assertEqual(response.status, 200)
        self.assertLess(time.monotonic() - started, 10)

    def test_fastapi_views_read_the_verified_bytes_every_route_is_verified(self):
        import httpx

        from sigil.httpx import SigilAuth

        async def run():
            auth = SigilAuth(KEY_ID, SECRET, origins=[self.server.origin])
            async with httpx.AsyncClient(auth=auth, base_url=self.server.origin) as client:
                order = await client.post("/orders", json={"qty": 3})
                form = await client.post("/form", data={"a": "b c"})
            async with httpx.AsyncClient(base_url=self.server.origin) as anonymous:
                docs = await anonymous.get("/docs")
            return order, form, docs

        order, form, docs = asyncio.run(run())
        self.assertEqual(order.status_code, 200, order.text)
        self.assertEqual((order.json()["keyId"], order.json()["order"], order.json()["bodySha256"]),
                         (KEY_ID, {"qty": 3}, sha(b'{"qty": 3}')))
        self.assertEqual(form.json(), {"keyId": KEY_ID, "fields": {"a": "b c"}})
        self.assertEqual((docs.status_code, docs.json(), docs.headers["www-authenticate"]), (401, {"error": "signature_missing"}, "Sigil"))


if __name__ == "__main__":
    unittest.main()
