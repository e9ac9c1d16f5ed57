"""Attacks on the Flask integration (issue 11 items 2 and 8, issue 15), each
driven over a raw socket against a real Werkzeug server running a Flask app.

Run by examples/test/python.e2e.test.ts under Debian's /usr/bin/python3
(python3-flask); skipped loudly elsewhere, never under CI.
"""

import json
import os
import threading
import time
import unittest

from support import ThreadedServer, counting, needs, open_request, read_response, signed_request

SECRET = os.urandom(32)
LIMIT = 64 * 1024


@needs("flask", hint="apt-get install python3-flask")
class AttackerAgainstFlask(unittest.TestCase):
    def setUp(self):
        import flask

        from sigil.flask import require_signature
        from sigil.nonce_store import MemoryNonceStore

        app = flask.Flask("attacked")
        self.runs = []
        signed = require_signature(keys={"client-1": SECRET}, nonce_store=MemoryNonceStore(), tolerance=1,
                                   max_body_bytes=LIMIT)

        @app.post("/orders")
        @signed
        def orders():
            self.runs.append(flask.request.get_data())
            return {"order": flask.request.get_json()}, 201

        self.read = [0]
        self.server = ThreadedServer(counting(app, self.read))

    def tearDown(self):
        self.server.close()

    def send_whole(self, headers, body):
        sock = open_request(self.server.port, "POST", "/orders", headers, [("Content-Length", str(len(body)))])
        sock.sendall(body)
        try:
            return read_response(sock)
        finally:
            sock.close()

    def test_attacker_replays_a_captured_request_trickling_its_body_past_the_nonce_expiry(self):
        body = b'{"transfer":"all-of-it"}'
        for _ in range(5):  # a loaded machine may need another go to start the replay inside the window
            timestamp = int(time.time())
            headers = signed_request(SECRET, "POST", "/orders", body, host=self.server.host, timestamp=timestamp)
            self.assertEqual(self.send_whole(headers, body).status, 201)  # the victim's request
            if time.time() - timestamp < 1.5:
                break
            self.runs.clear()
        # The replay starts inside the window (|now - ts| <= 1 s) ...
        sock = open_request(self.server.port, "POST", "/orders", headers, [("Content-Length", str(len(body)))])
        try:
            sock.sendall(body[:5])
            # ... and ends after the first request's nonce record expired at (ts + 1 + 1) s.
            time.sleep(max(0.0, timestamp + 2.3 - time.time()))
            sock.sendall(body[5:])
            replay = read_response(sock)
        finally:
            sock.close()
        self.assertEqual((replay.status, json.loads(replay.body)), (401, {"error": "timestamp_out_of_window"}))
        self.assertEqual(replay.headers.get("www-authenticate"), "Sigil")
        self.assertGreaterEqual(int(replay.headers["sigil-server-time"]), timestamp + 2)
        self.assertEqual(self.runs, [body])  # the view ran once, for the victim only

    def test_attacker_streams_a_chunked_upload_far_over_the_limit(self):
        headers = signed_request(SECRET, "POST", "/orders", b"{}", host=self.server.host)
        sock = open_request(self.server.port, "POST", "/orders", headers, [("Transfer-Encoding", "chunked")])
        planned = 64 * 1024 * 1024  # 1,024 times the limit; never finished
        stop = threading.Event()
        sent = [0]

        def trickle():
            chunk = b"%x\r\n%s\r\n" % (16 * 1024, b"x" * 16 * 1024)
            try:
                while sent[0] < planned and not stop.is_set():
                    sock.sendall(chunk)
                    sent[0] += 16 * 1024
            except OSError:
                pass  # the server closed the connection: it stopped reading

        sender = threading.Thread(target=trickle, daemon=True)
        sender.start()
        try:
            response = read_response(sock, timeout=10)  # answered without the rest of the upload
        finally:
            stop.set()
            sock.close()
            sender.join(10)
        self.assertEqual((response.status, json.loads(response.body)), (413, {"error": "body_too_large"}))
        self.assertNotIn("www-authenticate", response.headers)
        self.assertLessEqual(self.read[0], LIMIT + 1)  # what the application pulled from the stream
        self.assertLess(sent[0], planned)
        self.assertEqual(self.runs, [])

    def test_a_401_carries_the_sigil_challenge_like_sigil_verify(self):
        unsigned = self.send_whole([("Host", self.server.host), ("Content-Type", "application/json")], b"{}")
        self.assertEqual((unsigned.status, json.loads(unsigned.body)), (401, {"error": "signature_missing"}))
        self.assertEqual(unsigned.headers.get("www-authenticate"), "Sigil")
        self.assertEqual(unsigned.headers.get("cache-control"), "no-store")
        stale = self.send_whole(signed_request(SECRET, "POST", "/orders", b"{}", host=self.server.host,
                                               timestamp=int(time.time()) - 60), b"{}")
        self.assertEqual((stale.status, stale.headers.get("www-authenticate")), (401, "Sigil"))


if __name__ == "__main__":
    unittest.main()
