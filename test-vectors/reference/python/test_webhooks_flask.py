"""Webhooks verified by the Flask integration over real sockets (Werkzeug on
127.0.0.1, a random port): each scheme's published example and generated
deliveries of the shared corpus (test-vectors/webhooks-*.json) sent as raw
HTTP, refusals with their codes, replays refused, the raw body verified
before Flask's parser and handed to it, and the Redis key layout of a
remembered delivery. examples/test/webhooks-flask.e2e.test.ts drives the
same app with the vendors' own npm libraries and @sigil/webhooks' sender.

Needs Flask; skipped loudly without it, never under CI."""

import hashlib
import hmac
import json
import os
import sys
import time
import unittest
import uuid

from support import ThreadedServer, needs, needs_redis, open_request, read_response, redis_client
from test_webhooks import data, load
from test_webhooks_verifier import scheme_of

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "examples"))


def post(port, target, headers, body):
    sock = open_request(port, "POST", target, headers, [("Content-Length", str(len(body)))])
    try:
        sock.sendall(body)
        return read_response(sock)
    finally:
        sock.close()


class _Server:
    def serve(self, secrets, now=None, **options):
        from webhook_app import create_app

        clock = time.time if now is None else (lambda: float(now))
        server = ThreadedServer(create_app(secrets, clock=clock, **options))
        self.addCleanup(server.close)
        return server


@needs("flask", hint="apt-get install python3-flask")
class CorpusOverSockets(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        """One server for the corpus: each vector's app (its secrets, tolerance and clock) mounted at /<vector id>."""
        from werkzeug.middleware.dispatcher import DispatcherMiddleware

        from webhook_app import create_app

        cls.vectors = [v for v in load("webhooks-positive.json") + load("webhooks-negative.json")
                       if v["expected"].get("code") != "invalid_key"]  # refused at configuration (test_webhooks_verifier)
        mounts = {f"/{v['id']}": create_app({v["scheme"]: scheme_of(v)}, clock=lambda now=v["now"]: float(now)) for v in cls.vectors}
        cls.server = ThreadedServer(DispatcherMiddleware(lambda environ, start: [], mounts))

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def send(self, v):
        return post(self.server.port, f"/{v['id']}/hooks/{v['scheme']}", [tuple(h) for h in v["request"]["headers"]],
                    data(v["request"]["body"]))

    def test_published_examples_and_every_positive_vector_are_accepted_once_then_refused_as_replays(self):
        published = set()
        for v in self.vectors:
            if v["kind"] != "positive":
                continue
            with self.subTest(v["id"]):
                response = self.send(v)
                self.assertEqual(response.status, 200, response.body)
                echo = json.loads(response.body)
                e = v["expected"]
                self.assertEqual((echo["scheme"], echo["secretIndex"], echo["messageId"], echo["idSigned"], echo["timestamp"],
                                  echo["replaySource"], echo["bodySha256"]),
                                 (v["scheme"], e["secretIndex"], e["messageId"], e["idSigned"], e["timestamp"], e["replay"]["source"],
                                  hashlib.sha256(data(v["request"]["body"])).hexdigest()))
                replay = self.send(v)
                self.assertEqual((replay.status, json.loads(replay.body)), (401, {"error": "nonce_replayed"}))
                if v["source"].startswith("https://"):
                    published.add(v["scheme"])
        self.assertEqual(published, {"standard-webhooks", "github", "slack"})  # the vendors that publish one

    def test_every_negative_vector_is_refused_with_its_code_and_the_view_never_runs(self):
        codes = set()
        for v in self.vectors:
            if v["kind"] != "negative":
                continue
            with self.subTest(v["id"]):
                response = self.send(v)
                self.assertEqual((response.status, json.loads(response.body)), (401, {"error": v["expected"]["code"]}))
                self.assertEqual(response.headers.get("cache-control"), "no-store")
                if v["expected"]["code"] == "timestamp_out_of_window":
                    self.assertEqual(response.headers.get("sigil-server-time"), str(v["now"]))
                codes.add(v["expected"]["code"])
        self.assertTrue({"signature_invalid", "timestamp_out_of_window", "signature_missing", "signature_header_malformed",
                         "webhook_header_missing", "webhook_header_malformed", "unsupported_version"} <= codes)


SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def slack_delivery(body, ts, secret=SLACK_SECRET):
    mac = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return [("X-Slack-Signature", f"v0={mac}"), ("X-Slack-Request-Timestamp", str(ts)),
            ("Content-Type", "application/x-www-form-urlencoded")]


@needs("flask", hint="apt-get install python3-flask")
class RawBodyAndAttacks(_Server, unittest.TestCase):
    def test_the_raw_form_body_is_verified_before_flask_parses_it_then_the_view_parses_it(self):
        server = self.serve({"slack": [SLACK_SECRET]})
        body = b"token=x&team_id=T1&text=caf%C3%A9+%2B+more&command=%2Fdeploy"
        response = post(server.port, "/hooks/slack", slack_delivery(body, int(time.time())), body)
        self.assertEqual(response.status, 200, response.body)
        self.assertEqual(json.loads(response.body)["parsed"], {"token": "x", "team_id": "T1", "text": "café + more", "command": "/deploy"})

    def test_attacker_tampers_replays_goes_stale_or_guesses_the_secret_refused(self):
        server = self.serve({"slack": ["rotated-old", SLACK_SECRET]})
        now = int(time.time())
        body = b"text=pay+10"
        cases = {
            "tampered body": (slack_delivery(body, now), b"text=pay+99", "signature_invalid"),
            "stale timestamp": (slack_delivery(body, now - 301), body, "timestamp_out_of_window"),
            # +310, not +301: the server reads its clock later, possibly a second on, and still must refuse
            "future timestamp": (slack_delivery(body, now + 310), body, "timestamp_out_of_window"),
            "wrong secret": (slack_delivery(body, now, "guessed"), body, "signature_invalid"),
            "no signature": ([("X-Slack-Request-Timestamp", str(now))], body, "signature_missing"),
            "malformed signature": ([("X-Slack-Signature", "v0=xyz"), ("X-Slack-Request-Timestamp", str(now))], body,
                                    "signature_header_malformed"),
            "no timestamp": (slack_delivery(body, now)[:1], body, "webhook_header_missing"),
            "malformed timestamp": ([slack_delivery(body, now)[0], ("X-Slack-Request-Timestamp", f"0{now}")], body,
                                    "webhook_header_malformed"),
        }
        for name, (headers, sent, code) in cases.items():
            with self.subTest(name):
                response = post(server.port, "/hooks/slack", headers, sent)
                self.assertEqual((response.status, json.loads(response.body)), (401, {"error": code}))
        good = slack_delivery(body, now)
        first = post(server.port, "/hooks/slack", good, body)
        self.assertEqual((first.status, json.loads(first.body)["secretIndex"]), (200, 1))  # rotation: the second secret
        replay = post(server.port, "/hooks/slack", good, body)
        self.assertEqual((replay.status, json.loads(replay.body)), (401, {"error": "nonce_replayed"}))

    def test_a_declared_body_over_the_limit_is_refused_before_reading(self):
        server = self.serve({"slack": [SLACK_SECRET]})
        sock = open_request(server.port, "POST", "/hooks/slack", slack_delivery(b"", int(time.time())),
                            [("Content-Length", str(10 * 1024 * 1024))])
        try:
            response = read_response(sock)
        finally:
            sock.close()
        self.assertEqual((response.status, json.loads(response.body)), (413, {"error": "body_too_large"}))


def _echo_wsgi(environ, start_response):
    delivery = environ["sigil.verified"]
    body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
    payload = json.dumps({"scheme": delivery.scheme, "bodySha256": hashlib.sha256(body).hexdigest()}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


class _Middleware:
    def check(self, port):
        body = b"text=from+a+middleware"
        headers = [("Host", f"127.0.0.1:{port}"), *slack_delivery(body, int(time.time()))]
        accepted = post(port, "/hooks", headers, body)
        self.assertEqual((accepted.status, json.loads(accepted.body)), (200, {"scheme": "slack", "bodySha256": hashlib.sha256(body).hexdigest()}))
        replay = post(port, "/hooks", headers, body)
        self.assertEqual((replay.status, json.loads(replay.body)), (401, {"error": "nonce_replayed"}))
        tampered = post(port, "/hooks", [("Host", f"127.0.0.1:{port}"), *slack_delivery(body, int(time.time()))], b"text=changed")
        self.assertEqual((tampered.status, json.loads(tampered.body)), (401, {"error": "signature_invalid"}))


@needs("werkzeug", hint="apt-get install python3-werkzeug")
class WsgiMiddlewareVerifiesWebhooks(_Middleware, unittest.TestCase):
    def test_sigil_wsgi_takes_webhook_schemes(self):
        from sigil.nonce_store import MemoryNonceStore
        from sigil.webhooks import slack
        from sigil.wsgi import SigilMiddleware

        server = ThreadedServer(SigilMiddleware(_echo_wsgi, schemes=[slack([SLACK_SECRET])], nonce_store=MemoryNonceStore()))
        self.addCleanup(server.close)
        self.check(server.port)


@needs("starlette", "uvicorn", hint="apt-get install python3-starlette python3-uvicorn")
class AsgiMiddlewareVerifiesWebhooks(_Middleware, unittest.TestCase):
    def test_sigil_asgi_takes_webhook_schemes_under_uvicorn(self):
        import threading

        import uvicorn
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        from sigil.asgi import SigilMiddleware
        from sigil.nonce_store import MemoryNonceStore
        from sigil.webhooks import slack
        from support import free_port

        async def hooks(request: Request) -> JSONResponse:
            body = await request.body()
            return JSONResponse({"scheme": request.state.sigil.scheme, "bodySha256": hashlib.sha256(body).hexdigest()})

        app = Starlette(routes=[Route("/hooks", hooks, methods=["POST"])])
        app.add_middleware(SigilMiddleware, schemes=[slack([SLACK_SECRET])], nonce_store=MemoryNonceStore())
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 10)
        self.addCleanup(setattr, server, "should_exit", True)
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertTrue(server.started)
        self.check(port)


@needs_redis()
@needs("flask", hint="apt-get install python3-flask")
class RedisReplayState(_Server, unittest.TestCase):
    def test_a_delivery_is_remembered_under_prefix_scheme_replay_key_for_the_retention(self):
        from sigil.redis import RedisNonceStore
        from sigil.webhooks import replay_key

        prefix = f"test:py-webhooks:{uuid.uuid4()}:"
        client = redis_client()
        self.addCleanup(client.close)
        self.addCleanup(lambda: [client.delete(k) for k in client.scan_iter(f"{prefix}*")])
        server = self.serve({"slack": [SLACK_SECRET]}, nonce_store=RedisNonceStore(client, prefix=prefix))
        now = int(time.time())
        body = b"text=hello"
        self.assertEqual(post(server.port, "/hooks/slack", slack_delivery(body, now), body).status, 200)
        key = f"{prefix}slack:{replay_key('slack', 'content', f'v0:{now}:'.encode() + body)}"
        self.assertEqual(client.exists(key), 1)
        self.assertAlmostEqual(client.pttl(key) / 1000, 600, delta=5)  # Slack's default retention
        # A second Flask worker sharing the Redis refuses the replay.
        other = self.serve({"slack": [SLACK_SECRET]}, nonce_store=RedisNonceStore(client, prefix=prefix))
        replay = post(other.port, "/hooks/slack", slack_delivery(body, now), body)
        self.assertEqual((replay.status, json.loads(replay.body)), (401, {"error": "nonce_replayed"}))


if __name__ == "__main__":
    unittest.main()
