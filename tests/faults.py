"""Misbehaving loopback endpoints for the reliability tests (on top of ``servers.py``).

Every fault here is real: real sockets on 127.0.0.x, nothing patched. Units: seconds and
bytes.
"""

from __future__ import annotations

import socket
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from servers import Handler, Request

__all__ = [
    "DNS_FAILURE_HOST",
    "drip",
    "gzip_bomb",
    "unaccepting_port",
    "truncated",
]

# RFC 2606 reserves .invalid: the local resolver answers "no such name", nothing is sent out.
DNS_FAILURE_HOST = "no-such-site.invalid"


def gzip_bomb(inflated_mib: int) -> bytes:
    """A gzip body of about ``inflated_mib`` / 1000 MiB that inflates to ``inflated_mib`` MiB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
    zeros = b"\0" * (1 << 20)
    parts = [compressor.compress(zeros) for _ in range(inflated_mib)]
    parts.append(compressor.flush())
    return b"".join(parts)


def truncated(body: bytes, *, declared_length: int, content_type: str = "text/html") -> Handler:
    """Promise ``declared_length`` bytes, send ``body`` (shorter), then close cleanly (FIN)."""

    def handler(request: Request) -> None:
        h = request.handler
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(declared_length))
        h.end_headers()
        h.wfile.write(body)
        h.wfile.flush()
        h.close_connection = True

    return handler


def drip(interval: float, *, declared_length: int = 1_000_000) -> Handler:
    """A slow drip: one byte every ``interval`` seconds, until the client or server gives up."""

    def handler(request: Request) -> None:
        h = request.handler
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(declared_length))
        h.end_headers()
        h.close_connection = True
        for _ in range(declared_length):
            if request.stopping.wait(interval):
                return
            try:
                h.wfile.write(b" ")
                h.wfile.flush()
            except OSError:  # the client hung up: the point of the test
                return

    return handler


@contextmanager
def unaccepting_port(host: str = "127.0.0.1") -> Iterator[int]:
    """A port whose accept queue is full: new connections hang in SYN, so they time out.

    The listener never calls accept(); a backlog of 0 plus a few filler connections fills
    the queue, after which Linux drops further SYNs (a connect timeout, not a refusal).
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    fillers: list[socket.socket] = []
    try:
        listener.bind((host, 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        for _ in range(3):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            fillers.append(filler)
            with suppress(BlockingIOError):  # non-blocking: the handshake completes later
                filler.connect((host, port))
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
