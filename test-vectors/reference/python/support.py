"""Shared helpers of the Python tests (not a test module: no ``test_`` prefix).

``needs("flask", ...)`` skips a test class loudly when an optional module is
missing. With ``SIGIL_PYTHON_EXTRAS=required`` (set by the vitest runner
examples/test/python.e2e.test.ts under CI=true) a missing module is an error
instead, so CI never passes by skipping.
"""

import importlib
import os
import socket
import sys
import threading
import time
import unittest
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from sigil import Request, b64url_encode, sign

_warned = set()


def needs(*modules: str, hint: str = "") -> Callable[[Any], Any]:
    """A class decorator: skip (loudly) or, when extras are required, fail."""
    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if not missing:
        return lambda cls: cls
    why = f"missing {', '.join(missing)} in {sys.executable}" + (f" ({hint})" if hint else "")
    if os.environ.get("SIGIL_PYTHON_EXTRAS") == "required":
        raise ImportError(f"SIGIL_PYTHON_EXTRAS=required but {why}")
    if why not in _warned:
        _warned.add(why)
        bar = "!" * 72
        sys.stderr.write(f"\n{bar}\n!! SKIPPING Python tests: {why}\n!! Debian's /usr/bin/python3 runs them "
                         f"(examples/test/python.e2e.test.ts); CI never skips.\n{bar}\n")
    return unittest.skip(why)


def signed_request(secret: bytes, method: str, target: str, body: bytes = b"", *, host: str, key_id: str = "client-1",
                   timestamp: Optional[int] = None, content_type: Optional[str] = "application/json",
                   nonce: Optional[str] = None, also_signed: Sequence[Tuple[str, str]] = ()) -> List[Tuple[str, str]]:
    """Header lines (Host first) of a request signed by the reference signer (``also_signed`` lines signed too)."""
    headers = [("Host", host)]
    signed_names = []
    if content_type is not None:
        headers.append(("Content-Type", content_type))
        signed_names.append("content-type")
    headers.extend(also_signed)
    signed_names.extend(name for name, _ in also_signed)
    header = sign(Request(method, target, headers, body), secret, key_id,
                  int(time.time()) if timestamp is None else timestamp,
                  nonce or b64url_encode(os.urandom(16)), headers=signed_names).header
    return [*headers, ("Sigil-Signature", header)]


class RawResponse:
    def __init__(self, status: int, headers: Dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body


def read_response(sock: socket.socket, timeout: float = 10.0) -> RawResponse:
    """Reads one HTTP/1.1 response (Content-Length bodies or up to EOF)."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed before a response: {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while not rest.endswith(b"0\r\n\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        body = b""
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                break
            body, rest = body + rest[:size], rest[size + 2:]
        return RawResponse(status, headers, body)
    length = int(headers.get("content-length", "-1"))
    while length >= 0 and len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return RawResponse(status, headers, rest[:length] if length >= 0 else rest)


def open_request(port: int, method: str, target: str, headers: Sequence[Tuple[str, str]],
                 extra: Sequence[Tuple[str, str]] = ()) -> socket.socket:
    """Connects and sends the request line and header block only."""
    sock = socket.create_connection(("127.0.0.1", port))
    block = "".join(f"{n}: {v}\r\n" for n, v in [*headers, *extra])
    sock.sendall(f"{method} {target} HTTP/1.1\r\n{block}\r\n".encode("latin-1"))
    return sock


class ThreadedServer:
    """A real Werkzeug server for a WSGI app on 127.0.0.1, in a thread of this process."""

    def __init__(self, app: Any) -> None:
        from werkzeug.serving import WSGIRequestHandler, make_server

        class Quiet(WSGIRequestHandler):
            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass

        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
        self.port = self.server.port
        self.host = f"127.0.0.1:{self.port}"
        # A short poll: close() returns at once rather than after up to half a second.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


class CountingInput:
    """Wraps wsgi.input and counts the bytes the application pulled from it."""

    def __init__(self, raw: Any, counter: List[int]) -> None:
        self._raw, self._counter = raw, counter

    def read(self, *args: Any) -> bytes:
        data = self._raw.read(*args)
        self._counter[0] += len(data)
        return data

    def readline(self, *args: Any) -> bytes:
        data = self._raw.readline(*args)
        self._counter[0] += len(data)
        return data

    def __iter__(self) -> Any:
        return iter(self.readline, b"")


def counting(app: Any, counter: List[int]) -> Any:
    def middleware(environ: Dict[str, Any], start_response: Any) -> Any:
        environ["wsgi.input"] = CountingInput(environ["wsgi.input"], counter)
        return app(environ, start_response)

    return middleware


REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
NODE_SERVER = os.path.join(REPO, "tests", "python", "verify-server.mjs")
_BUILT = [os.path.join(REPO, "packages", p, "dist", "index.js") for p in ("core", "verify", "redis")]


def needs_node() -> Callable[[Any], Any]:
    """Skips (or fails, when extras are required) without node and the built packages."""
    import shutil

    missing = [] if shutil.which("node") else ["node on PATH"]
    missing += [os.path.relpath(p, REPO) for p in _BUILT if not os.path.exists(p)]
    if not missing:
        return lambda cls: cls
    why = f"missing {', '.join(missing)} (run `npx -y pnpm@10 run build`)"
    if os.environ.get("SIGIL_PYTHON_EXTRAS") == "required":
        raise ImportError(f"SIGIL_PYTHON_EXTRAS=required but {why}")
    sys.stderr.write(f"\n{'!' * 72}\n!! SKIPPING Python tests against @sigil/verify: {why}\n{'!' * 72}\n")
    return unittest.skip(why)


class NodeVerifier:
    """tests/python/verify-server.mjs: @sigil/verify on 127.0.0.1, a random port."""

    def __init__(self, keys: Dict[str, Any], **env: str) -> None:
        """``keys``: key id to secret bytes, or to the JSON form verify-server.mjs reads."""
        import json
        import subprocess

        config = {k: b64url_encode(v) if isinstance(v, bytes) else v for k, v in keys.items()}
        environment = {"PATH": os.environ.get("PATH", ""), "SIGIL_KEYS": json.dumps(config)}
        environment.update(env)
        self.process = subprocess.Popen(["node", NODE_SERVER], cwd=REPO, env=environment, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.process.stdout.readline().decode()
        if not line.startswith("ready "):
            self.process.kill()
            raise RuntimeError(f"verify-server.mjs did not start: {line}{self.process.stderr.read().decode()}")
        self.port = int(line.split()[1])
        self.origin = f"http://127.0.0.1:{self.port}"
        #: The verifier's events (with SIGIL_EVENTS=1), in order.
        self.events: List[Dict[str, Any]] = []
        threading.Thread(target=self._read_events, daemon=True).start()

    def _read_events(self) -> None:
        import json

        for raw in iter(self.process.stdout.readline, b""):
            line = raw.decode()
            if line.startswith("event "):
                self.events.append(json.loads(line[len("event "):]))

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5)
        except Exception:
            self.process.kill()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            stream.close()


class Listener:
    """A raw TCP listener standing for another origin: records what reaches it."""

    def __init__(self, answer: bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok") -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.received: List[bytes] = []
        self.answer = answer
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                data = b""
                try:
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    self.received.append(data)
                    conn.sendall(self.answer)
                except OSError:
                    self.received.append(data)

    def close(self) -> None:
        self.sock.close()


def assert_no_secret(test: unittest.TestCase, secret: bytes, texts: Sequence[str]) -> None:
    """No text holds the secret in any of its usual spellings."""
    from sigil import b64url_encode

    for text in texts:
        for form in (secret.hex(), repr(secret), b64url_encode(secret)):
            test.assertNotIn(form, text)


def sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def flask_echo_app(keys: Dict[str, bytes], **options: Any) -> Any:
    """A Flask app verifying every request (init_app) and echoing what it verified."""
    import hashlib

    import flask

    from sigil.flask import init_app
    from sigil.nonce_store import MemoryNonceStore

    app = flask.Flask("echo")
    options.setdefault("nonce_store", MemoryNonceStore())
    init_app(app, keys=keys, **options)

    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def echo(path: str) -> Any:
        verified = flask.g.sigil
        return {"keyId": verified.key_id, "method": flask.request.method, "target": flask.request.environ.get("RAW_URI"),
                "contentType": flask.request.content_type, "bodySha256": hashlib.sha256(verified.body).hexdigest(),
                "bodyLength": len(verified.body), "signedHeaders": list(verified.signed_headers)}

    return app


REDIS_URL = os.environ.get("SIGIL_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379"


def needs_redis() -> Callable[[Any], Any]:
    """Skips (or fails, when extras are required) without redis-py or a reachable Redis."""
    decorate = needs("redis", hint="apt-get install python3-redis")
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1).ping()
    except ImportError:
        return decorate
    except Exception as error:
        why = f"no Redis at {REDIS_URL} ({type(error).__name__})"
        if os.environ.get("SIGIL_PYTHON_EXTRAS") == "required":
            raise ImportError(f"SIGIL_PYTHON_EXTRAS=required but {why}")
        sys.stderr.write(f"\n{'!' * 72}\n!! SKIPPING Python Redis tests: {why}\n{'!' * 72}\n")
        return unittest.skip(why)
    return decorate


def redis_client() -> Any:
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Spawned:
    """A server process on 127.0.0.1:``port``, ready once ``ready`` appears on its stderr."""

    def __init__(self, command: Sequence[str], env: Dict[str, str], ready: str, port: int, timeout: float = 30) -> None:
        import subprocess

        self.port = port
        self.origin = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(list(command), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        seen = ""
        deadline = time.monotonic() + timeout
        while ready not in seen:
            line = self.process.stderr.readline().decode()
            if not line or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"{command[2] if len(command) > 2 else command[0]} did not start: {seen}")
            seen += line
        # Keep draining stderr so the server never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in iter(self.process.stderr.readline, b"")], daemon=True).start()

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except Exception:
            self.process.kill()
            self.process.wait(5)
        self.process.stderr.close()


DEFAULT_COMPONENTS = ("@method", "@authority", "@path", "@query")


def rfc9421_signed(secret: bytes, method: str, target: str, body: bytes = b"", *, host: str, key_id: str = "client-1",
                   created: Optional[int] = None, nonce: Optional[str] = "", expires: Optional[int] = None,
                   components: Optional[Sequence[str]] = None, content_type: Optional[str] = "application/json",
                   scheme: str = "http", label: str = "sig1", tag: Optional[str] = None, digest: bool = True,
                   extra: Sequence[Tuple[str, str]] = ()) -> List[Tuple[str, str]]:
    """Header lines (Host first) of a request signed with RFC 9421 as Sigil's signer does (SPEC 9):
    the default components, Content-Digest with content, content-type when present. A test signer
    over the reference's signature base; ``nonce=None`` leaves the nonce out."""
    import base64
    import hashlib
    import hmac as _hmac

    from sigil_rfc9421 import content_digest, sf, signature_base
    from sigil_rfc9421.message import Request as Rfc9421Request

    headers = [("Host", host)]
    if content_type is not None and body:
        headers.append(("Content-Type", content_type))
    if body and digest:
        headers.append(("Content-Digest", content_digest(body, "sha-256")))
    headers.extend(extra)
    if components is None:
        components = [*DEFAULT_COMPONENTS, *(["content-digest"] if body and digest else []),
                      *(["content-type"] if content_type is not None and body else [])]
    params: Dict[str, Any] = {"created": int(time.time()) if created is None else created}
    if expires is not None:
        params["expires"] = expires
    params["keyid"] = key_id
    params["alg"] = "hmac-sha256"
    if nonce is not None:
        params["nonce"] = nonce or b64url_encode(os.urandom(16))
    if tag is not None:
        params["tag"] = tag
    inner = sf.InnerList([sf.Item(c, {}) for c in components], params)
    base = signature_base(Rfc9421Request(method, scheme, target, headers, body), inner)
    mac = _hmac.new(secret, base.encode("ascii"), hashlib.sha256).digest()
    return [*headers, ("Signature-Input", f"{label}={sf.serialize_inner_list(inner)}"),
            ("Signature", f"{label}=:{base64.b64encode(mac).decode('ascii')}:")]
