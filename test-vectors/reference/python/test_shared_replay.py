"""Replay protection shared across processes and languages through Redis:
1,000 concurrent copies of one signed request against gunicorn with 4
workers are accepted exactly once, and a request accepted by a Node verifier
(@sigil/redis) is refused as a replay by Flask (sigil.redis), and vice versa.

Needs redis-py, Flask, gunicorn, a Redis server, node and the built
packages; skipped loudly without them, never under CI."""

import asyncio
import json
import os
import subprocess
import sys
import time
import unittest
import uuid

from sigil import b64url_encode
from support import (NodeVerifier, ThreadedServer, flask_echo_app, free_port, needs, needs_node, needs_redis,
                     open_request, read_response, redis_client, rfc9421_signed, signed_request, REDIS_URL)

HERE = os.path.dirname(os.path.abspath(__file__))
SECRET = os.urandom(32)
KEY_ID = "fleet-client"


def raw(method, target, headers, body):
    block = "".join(f"{n}: {v}\r\n" for n, v in headers)
    return f"{method} {target} HTTP/1.1\r\n{block}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body


async def send_all(port, data, copies):
    async def one():
        for attempt in range(3):
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.05 * (attempt + 1))
        else:
            return None, None, b""
        writer.write(data)
        await writer.drain()
        response = await reader.read()
        writer.close()
        head, _, body = response.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
        return int(lines[0].split(" ")[1]), headers.get("x-worker"), body

    return await asyncio.gather(*(one() for _ in range(copies)))


class _Prefix:
    def prefix(self):
        value = f"test:py-shared:{uuid.uuid4()}:"
        client = redis_client()
        self.addCleanup(client.close)
        self.addCleanup(lambda: [client.delete(k) for k in client.scan_iter(f"{value}*")])
        return value


@needs_redis()
@needs("flask", "gunicorn", hint="apt-get install python3-flask gunicorn")
class ReplaysAcrossGunicornWorkers(_Prefix, unittest.TestCase):
    def test_attacker_sends_1000_concurrent_copies_to_4_workers_one_is_accepted(self):
        port = free_port()
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": HERE, "SIGIL_KEY_ID": KEY_ID,
               "SIGIL_SECRET": b64url_encode(SECRET), "SIGIL_REDIS_URL": REDIS_URL, "SIGIL_REDIS_PREFIX": self.prefix()}
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "4", "--preload", "--backlog", "2048",
                                   "-b", f"127.0.0.1:{port}", "--chdir", os.path.join(HERE, "examples"), "gunicorn_app:app"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(server.stderr.close)
        self.addCleanup(server.wait)
        self.addCleanup(server.terminate)
        booted = 0
        deadline = time.monotonic() + 20
        while booted < 4 and time.monotonic() < deadline:
            line = server.stderr.readline().decode()
            self.assertTrue(line, "gunicorn exited before its workers booted")
            booted += "Booting worker" in line
        self.assertEqual(booted, 4)
        body = b'{"qty":1}'
        headers = signed_request(SECRET, "POST", "/orders", body, host=f"127.0.0.1:{port}", key_id=KEY_ID)
        results = asyncio.run(send_all(port, raw("POST", "/orders", headers, body), 1000))
        statuses = [status for status, _, _ in results]
        self.assertEqual(statuses.count(201), 1, {s: statuses.count(s) for s in set(statuses)})
        self.assertEqual(statuses.count(401), 999)
        self.assertTrue(all(json.loads(b) == {"error": "nonce_replayed"} for s, _, b in results if s == 401))
        workers = {worker for _, worker, _ in results}
        self.assertGreaterEqual(len(workers), 2, "the copies did not spread over the workers")


@needs_redis()
@needs_node()
@needs("flask", hint="apt-get install python3-flask")
class ReplaysAcrossNodeAndFlask(_Prefix, unittest.TestCase):
    def setUp(self):
        from sigil.redis import RedisNonceStore

        prefix = self.prefix()
        self.node = NodeVerifier({KEY_ID: SECRET}, SIGIL_REDIS_URL=REDIS_URL, SIGIL_PREFIX=prefix, SIGIL_SCHEMES="v1,rfc9421")
        self.addCleanup(self.node.close)
        client = redis_client()
        self.addCleanup(client.close)
        self.flask = ThreadedServer(flask_echo_app({KEY_ID: SECRET}, nonce_store=RedisNonceStore(client, prefix=prefix),
                                                   schemes=["v1", "rfc9421"]))
        self.addCleanup(self.flask.close)

    def send(self, port, headers, body):
        sock = open_request(port, "POST", "/orders", headers, [("Content-Length", str(len(body)))])
        sock.sendall(body)
        try:
            return read_response(sock)
        finally:
            sock.close()

    def test_a_request_accepted_by_node_is_a_replay_for_flask_and_vice_versa(self):
        body = b'{"qty":1}'
        # One Host for the whole fleet, as behind a load balancer.
        for first, second in ((self.node.port, self.flask.port), (self.flask.port, self.node.port)):
            headers = signed_request(SECRET, "POST", "/orders", body, host="api.example.test", key_id=KEY_ID)
            self.assertEqual(self.send(first, headers, body).status, 200)
            replay = self.send(second, headers, body)
            self.assertEqual((replay.status, json.loads(replay.body)), (401, {"error": "nonce_replayed"}))
            self.assertEqual(replay.headers.get("www-authenticate"), "Sigil")

    def test_an_rfc9421_request_accepted_by_node_is_a_replay_for_flask_and_vice_versa(self):
        body = b'{"qty":1}'
        for first, second in ((self.node.port, self.flask.port), (self.flask.port, self.node.port)):
            headers = rfc9421_signed(SECRET, "POST", "/orders", body, host="api.example.test", key_id=KEY_ID)
            self.assertEqual(self.send(first, headers, body).status, 200)
            replay = self.send(second, headers, body)
            self.assertEqual((replay.status, json.loads(replay.body)), (401, {"error": "nonce_replayed"}))


if __name__ == "__main__":
    unittest.main()
