"""Runs one Python documentation block as the program a reader would paste, on loopback only.

    /usr/bin/python3 tests/snippets/run_snippet.py FILE LINE < {"setup": ..., "code": ...}

The Python counterpart of run-snippet.ts, run by readme-snippets.test.ts:

- ``*.example.com`` resolves to SNIPPET_IP, where the test runs a real
  ``@sigil/verify`` (example-api.ts) on 443 (TLS, its certificate trusted
  through REQUESTS_CA_BUNDLE and SSL_CERT_FILE) and 80. Every other name but
  loopback fails to resolve, so a block can reach nothing else.
- ``app.run()`` and ``uvicorn.run()`` return at once. Then every application
  the block leaves at module level (a Flask app, a ``sigil.wsgi`` or
  ``sigil.asgi`` middleware, a FastAPI/Starlette app) is served on 127.0.0.1
  with a free port (Werkzeug's server for WSGI, uvicorn for ASGI), and each of
  its routes gets a request signed by this package's own client
  (``sigil.requests.SigilAuth``, key SIGIL_KEY_ID / SIGIL_SECRET), or for a
  webhook route a delivery signed for the scheme it verifies, then the same
  request unsigned.
- The block's code keeps its README line numbers in tracebacks; the hidden
  setup runs first, as ``FILE:LINE (hidden setup)``.
- The last stdout line is ``SNIPPET-REPORT <json>``: ``{"servers": [{"route",
  "signed", "unsigned"}]}``.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import socket
import sys
import threading
import time
import traceback
import uuid
from typing import Any, Callable, Dict, List, Optional, Tuple

ORDER = {"item": "book", "qty": 1}
LOOPBACK = re.compile(r"^(localhost|127(\.\d{1,3}){3}|::1)$")

# --- names: example.com to the test's verifier, loopback as it is, nothing else -------------

_getaddrinfo = socket.getaddrinfo


def _loopback_only(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode("ascii") if isinstance(host, bytes) else str(host)
    if re.search(r"(^|\.)example\.com\.?$", name, re.IGNORECASE):
        return _getaddrinfo(os.environ["SNIPPET_IP"], port, *args, **kwargs)
    if LOOPBACK.match(name):
        return _getaddrinfo(host, port, *args, **kwargs)
    raise socket.gaierror(socket.EAI_NONAME, f"{name} (snippets reach loopback only)")


socket.getaddrinfo = _loopback_only

# --- serving what the block defines ----------------------------------------------------------

Route = Tuple[str, str, Callable[..., Any]]  # method, path, view (for webhook schemes)


def _flask_routes(app: Any) -> List[Route]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.arguments:
            continue
        method = "POST" if "POST" in rule.methods else "GET"
        routes.append((method, rule.rule, app.view_functions[rule.endpoint]))
    return routes


def _asgi_routes(app: Any) -> List[Route]:
    routes = []
    for route in getattr(app, "routes", []):
        methods = getattr(route, "methods", None) or set()
        if not getattr(route, "include_in_schema", True) or not methods or "{" in route.path:
            continue
        routes.append(("POST" if "POST" in methods else "GET", route.path, route.endpoint))
    return routes


def applications(namespace: Dict[str, Any]) -> List[Tuple[str, Any, List[Route]]]:
    """(kind, app, routes) of each application object the block defines, each once, a wrapped one as its wrapper."""
    middleware = tuple(m.SigilMiddleware for m in (sys.modules.get("sigil.wsgi"), sys.modules.get("sigil.asgi")) if m)
    wrapped = {id(v) for value in namespace.values() if isinstance(value, middleware) for v in vars(value).values()}
    found: List[Tuple[str, Any, List[Route]]] = []
    seen = set()
    for value in namespace.values():
        if id(value) in seen or id(value) in wrapped:
            continue
        kind, routes = _kind(value)
        if kind:
            seen.add(id(value))
            found.append((kind, value, routes))
    return found


def _kind(value: Any) -> Tuple[Optional[str], List[Route]]:
    # Only what the block imported can be among its values: nothing more is imported to look.
    flask, starlette = sys.modules.get("flask"), sys.modules.get("starlette.applications")
    wsgi, asgi = sys.modules.get("sigil.wsgi"), sys.modules.get("sigil.asgi")
    if flask and isinstance(value, flask.Flask):
        return "wsgi", _flask_routes(value)
    if starlette and isinstance(value, starlette.Starlette):
        return "asgi", _asgi_routes(value)
    if wsgi and isinstance(value, wsgi.SigilMiddleware):
        return "wsgi", [("POST", "/orders", lambda: None)]
    if asgi and isinstance(value, asgi.SigilMiddleware):
        return "asgi", [("POST", "/orders", lambda: None)]
    return None, []


def serve(kind: str, app: Any) -> int:
    """Serves app on 127.0.0.1 in a daemon thread; returns its port once it accepts."""
    if kind == "wsgi":
        from werkzeug.serving import make_server
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return int(server.server_port)
    import uvicorn
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    asgi = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    threading.Thread(target=asgi.run, kwargs={"sockets": [sock]}, daemon=True).start()
    deadline = time.monotonic() + 10
    while not asgi.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    return int(sock.getsockname()[1])


# --- webhook deliveries, signed as each vendor signs -----------------------------------------

def _webhook_schemes(view: Callable[..., Any]) -> List[Any]:
    """The sigil.webhooks schemes a require_webhook view verifies (found in its closure)."""
    from sigil.verifier import Verifier
    from sigil.webhooks import WebhookScheme
    for cell in getattr(view, "__closure__", None) or ():
        value = cell.cell_contents
        if isinstance(value, Verifier):
            return [v for v in vars(value).get("_webhooks", ()) if isinstance(v, WebhookScheme)]
    return []


def webhook_headers(scheme: Any, body: bytes) -> Dict[str, str]:
    """The headers of a delivery of body signed for scheme with its first secret (SPEC section 10)."""
    key: bytes = scheme._keys[0]
    ts = str(int(time.time()))
    mac = lambda data: hmac.new(key, data, hashlib.sha256).digest()  # noqa: E731
    if scheme.name == "standard-webhooks":
        mid = f"msg_{uuid.uuid4().hex}"
        sig = base64.b64encode(mac(f"{mid}.{ts}.".encode() + body)).decode()
        return {"webhook-id": mid, "webhook-timestamp": ts, "webhook-signature": f"v1,{sig}"}
    if scheme.name == "stripe":
        return {"stripe-signature": f"t={ts},v1={mac(f'{ts}.'.encode() + body).hex()}"}
    if scheme.name == "github":
        return {"x-hub-signature-256": f"sha256={mac(body).hex()}", "x-github-delivery": str(uuid.uuid4())}
    if scheme.name == "slack":
        return {"x-slack-signature": f"v0={mac(f'v0:{ts}:'.encode() + body).hex()}", "x-slack-request-timestamp": ts}
    if scheme.name == "shopify":
        return {"x-shopify-hmac-sha256": base64.b64encode(mac(body)).decode()}
    raise ValueError(f"no signer for webhook scheme {scheme.name}")


def exercise(port: int, route: Route) -> Dict[str, Any]:
    """Status of a signed, then an unsigned request to one route."""
    import requests
    from sigil import decode_key
    from sigil.requests import SigilAuth
    method, path, view = route
    origin = f"http://127.0.0.1:{port}"
    body = json.dumps(ORDER).encode() if method == "POST" else b""
    headers = {"content-type": "application/json"} if body else {}
    schemes = _webhook_schemes(view)
    if schemes:
        signed = requests.request(method, origin + path, data=body, headers={**headers, **webhook_headers(schemes[0], body)}, timeout=10)
    else:
        auth = SigilAuth(os.environ["SIGIL_KEY_ID"], decode_key(os.environ["SIGIL_SECRET"], "base64url"), origins=[origin])
        signed = requests.request(method, origin + path, data=body or None, headers=headers, auth=auth, timeout=10)
    unsigned = requests.request(method, origin + path, data=body or None, headers=headers, timeout=10)
    return {"route": f"{method} {path}", "signed": signed.status_code, "unsigned": unsigned.status_code}


def main() -> int:
    file, line = sys.argv[1], int(sys.argv[2])
    block = json.load(sys.stdin)
    report: Dict[str, List[Dict[str, Any]]] = {"servers": []}
    try:
        source = block["setup"] + block["code"]
        if "flask" in source:
            import flask
            flask.Flask.run = lambda *a, **k: None  # type: ignore[method-assign]
        if "uvicorn" in source:
            import uvicorn
            uvicorn.run = lambda *a, **k: None
        namespace: Dict[str, Any] = {"__name__": "__main__"}
        if block["setup"]:
            exec(compile(block["setup"], f"{file}:{line} (hidden setup)", "exec"), namespace)
        # Padded so a traceback names the README line of the failing statement.
        exec(compile("\n" * line + block["code"], file, "exec"), namespace)
        for kind, app, routes in applications(namespace):
            port = serve(kind, app)
            report["servers"].extend(exercise(port, route) for route in routes)
    except BaseException:  # noqa: B902 - a block's SystemExit is a failure too
        traceback.print_exc()
        print(f"\nSNIPPET-REPORT {json.dumps(report)}", flush=True)
        return 1
    print(f"\nSNIPPET-REPORT {json.dumps(report)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
