"""Real HTTP servers on loopback for tests: no stubs, no internet.

Usage (``tests/`` is not a package; pytest puts it on ``sys.path``)::

    from servers import serve, slow, sequence, reset_mid_body

    routes = {
        "/": (200, {"Content-Type": "text/html; charset=utf-8"}, "<title>首页</title>"),
        "/slow": slow(3.0, (200, {}, b"late")),
        "/flaky": sequence([(500, {}, b"down"), (200, {}, b"up")]),
        "/reset": reset_mid_body(b"partial", declared_length=100_000),
    }
    with serve(routes) as base:          # base == "http://127.0.0.1:PORT"
        requests.get(base + "/")

A route value is either a static ``(status, headers, body)`` response or a callable
``handler(request) -> response | None``. A handler that returns ``None`` has written (or
deliberately broken) the response itself through ``request.handler`` (the
:class:`http.server.BaseHTTPRequestHandler`). ``headers`` is a dict or a list of pairs;
``body`` is bytes or str (str is sent as UTF-8). Content-Length is added unless the
headers carry Content-Length or ``Transfer-Encoding: chunked`` (then the body is sent
chunked, as given).

Routes match the full path with query first, then the path alone, then ``"*"``;
anything else is a 404. Every request is appended to ``log`` when a list is passed.
``host`` may be any loopback address (127.0.0.1, 127.0.0.2, ...). Slow handlers should
wait on ``request.stopping`` so that leaving the ``with`` block ends them promptly.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeAlias

Headers: TypeAlias = Mapping[str, str] | Sequence[tuple[str, str]]
Response: TypeAlias = tuple[int, Headers, bytes | str]
Handler: TypeAlias = Callable[["Request"], Response | None]
Route: TypeAlias = Response | Handler

__all__ = [
    "Request",
    "Response",
    "Route",
    "closed_port_url",
    "redirect",
    "reset_mid_body",
    "send_response",
    "sequence",
    "serve",
    "slow",
    "slow_body",
]


@dataclass
class Request:
    """One request as the server saw it."""

    method: str
    path: str  # with the query string
    headers: dict[str, str]
    body: bytes
    handler: BaseHTTPRequestHandler = field(repr=False)
    stopping: threading.Event = field(repr=False)


def _header_pairs(headers: Headers) -> list[tuple[str, str]]:
    if isinstance(headers, Mapping):
        return [(str(k), str(v)) for k, v in headers.items()]
    return [(str(k), str(v)) for k, v in headers]


def send_response(request: Request, response: Response) -> None:
    """Write ``response`` to the client (chunked when the headers say so)."""
    status, headers, body = response
    data = body.encode("utf-8") if isinstance(body, str) else body
    pairs = _header_pairs(headers)
    names = {k.lower() for k, _ in pairs}
    chunked = any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in pairs)
    h = request.handler
    h.send_response(status)
    for key, value in pairs:
        h.send_header(key, value)
    if not chunked and "content-length" not in names:
        h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    if request.method == "HEAD":
        return
    if chunked:
        step = 4096
        for i in range(0, len(data), step):
            part = data[i : i + step]
            h.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        h.wfile.write(b"0\r\n\r\n")
    else:
        h.wfile.write(data)
    h.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, addr: tuple[str, int], routes: Mapping[str, Route], log: list[Request] | None
    ):
        self.routes = dict(routes)
        self.log = log
        self.stopping = threading.Event()
        super().__init__(addr, _RequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that give up early (timeouts, size caps) are expected: stay quiet."""


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            path=self.path,
            headers={k: v for k, v in self.headers.items()},
            body=body,
            handler=self,
            stopping=self.server.stopping,
        )
        if self.server.log is not None:
            self.server.log.append(request)
        routes = self.server.routes
        route = routes.get(self.path) or routes.get(self.path.split("?", 1)[0]) or routes.get("*")
        if route is None:
            send_response(request, (404, {"Content-Type": "text/plain; charset=utf-8"}, "未找到"))
            return
        response = route(request) if callable(route) else route
        if response is not None:
            send_response(request, response)

    do_GET = _dispatch
    do_HEAD = _dispatch
    do_POST = _dispatch


@contextmanager
def serve(
    routes: Mapping[str, Route], *, host: str = "127.0.0.1", log: list[Request] | None = None
) -> Iterator[str]:
    """Run a threaded HTTP server on ``host`` (a free port); yield ``"http://host:port"``."""
    if not host.startswith("127."):
        raise ValueError("test servers listen on loopback only")
    server = _Server((host, 0), routes, log)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port_url(host: str = "127.0.0.1") -> str:
    """A URL on a port nobody listens on (bound, then released): connections are refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port = sock.getsockname()[1]
    return f"http://{host}:{port}"


# -- behaviours ------------------------------------------------------------------------------


def slow(seconds: float, response: Response) -> Handler:
    """Wait ``seconds`` before answering (ends early when the server stops)."""

    def handler(request: Request) -> Response | None:
        if request.stopping.wait(seconds):
            return None
        return response

    return handler


def slow_body(first: bytes, seconds: float, rest: bytes, headers: Headers = ()) -> Handler:
    """Send headers and ``first`` at once, then ``rest`` after ``seconds`` (a stalled body)."""

    def handler(request: Request) -> None:
        h = request.handler
        h.send_response(200)
        for key, value in _header_pairs(headers):
            h.send_header(key, value)
        h.send_header("Content-Length", str(len(first) + len(rest)))
        h.end_headers()
        h.wfile.write(first)
        h.wfile.flush()
        if not request.stopping.wait(seconds):
            h.wfile.write(rest)
        h.close_connection = True

    return handler


def reset_mid_body(first: bytes, *, declared_length: int, headers: Headers = ()) -> Handler:
    """Promise ``declared_length`` bytes, send ``first``, then reset the TCP connection."""

    def handler(request: Request) -> None:
        h = request.handler
        h.send_response(200)
        for key, value in _header_pairs(headers):
            h.send_header(key, value)
        h.send_header("Content-Length", str(declared_length))
        h.end_headers()
        h.wfile.write(first)
        h.wfile.flush()
        h.close_connection = True
        sock = h.connection
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()

    return handler


def sequence(responses: Sequence[Route]) -> Handler:
    """Answer the n-th request with ``responses[n]``; the last one repeats."""
    lock = threading.Lock()
    count = [0]

    def handler(request: Request) -> Response | None:
        with lock:
            index = min(count[0], len(responses) - 1)
            count[0] += 1
        route = responses[index]
        return route(request) if callable(route) else route

    return handler


def redirect(location: str, status: int = 302) -> Response:
    """A redirect response to ``location`` (absolute or relative)."""
    return (status, {"Location": location, "Content-Type": "text/plain"}, b"")
