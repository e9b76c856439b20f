"""A real HTTP server on 127.0.0.1 for download tests, with faults the test switches on.

Each path serves bytes the test built; per path the server can drop the connection part way,
ignore ``Range``, answer an error status, redirect, stall, or hold the body until released.
With ``endless`` it sends the body and then filler without end (no ``Content-Length``) up to a
byte limit, so a test of a client that should stop reading still ends.
Every request is recorded (path, headers, bytes sent) so tests can assert what the client did.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What one path serves, and which faults it injects (counted per path, from 1)."""

    body: bytes = b""
    status: int = 200
    status_times: int = 1_000_000  # answer `status` to this many requests, then 200
    drop_after: int | None = None  # close the connection after this file offset ...
    drop_times: int = 1  # ... on this many requests
    ignore_range: bool = False  # answer 200 with the whole file even to a Range request
    stall: float = 0.0  # sleep before answering ...
    stall_after: int | None = None  # ... or after this file offset of the body ...
    stall_times: int = 1_000_000  # ... on this many requests
    redirect: str | None = None  # answer 302 to this path
    gate: threading.Event | None = None  # hold the body until this is set
    etag: str = '"v1"'
    endless: int | None = None  # no Content-Length: the body, then filler up to this many bytes


@dataclass
class Seen:
    """One request the server received."""

    path: str
    headers: dict[str, str]
    bytes_sent: int = 0  # as the handler goes
    finished: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)

    @property
    def sent(self) -> int:
        """The bytes sent for this request, once its handler is done: the client can have read
        them all before the server's thread records the count (seen under load, in CI)."""
        self.finished.wait(10)
        return self.bytes_sent


@dataclass
class FaultServer:
    """``with FaultServer() as server: server.add("/v.zip", data); url = server.url("/v.zip")``."""

    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.fault = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for route in self.routes.values():
            if route.gate is not None:
                route.gate.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def add(self, path: str, body: bytes = b"", **faults: object) -> str:
        """Serve ``body`` at ``path`` with the given faults; return its URL."""
        self.routes[path] = Route(body=body, **faults)  # type: ignore[arg-type]
        return self.url(path)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{path}"

    def requests(self, path: str | None = None) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if path is None or s.path == path]

    def record(self, seen: Seen) -> int:
        """Record a request; return how many requests this path has had, this one included."""
        with self._lock:
            self.seen.append(seen)
            return sum(s.path == seen.path for s in self.seen)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        server: FaultServer = self.server.fault  # type: ignore[attr-defined]
        path = self.path.split("?")[0]
        seen = Seen(path, dict(self.headers.items()))
        number = server.record(seen)
        try:
            self._answer(server, path, seen, number)
        finally:
            seen.finished.set()

    def _answer(self, server: FaultServer, path: str, seen: Seen, number: int) -> None:
        route = server.routes.get(path)
        if route is None:
            self._plain(404, b"not found")
            return
        if route.redirect is not None:
            self.send_response(302)
            self.send_header("Location", server.url(route.redirect))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if route.status != 200 and number <= route.status_times:
            self._plain(route.status, b"injected error")
            return
        stalls = number <= route.stall_times
        if route.stall and stalls and route.stall_after is None:
            server.stopping.wait(route.stall)
            self.close_connection = True
            return
        if route.endless is not None:
            self._endless(route.endless, route, seen)
            return
        body, start = route.body, 0
        wanted = self.headers.get("Range")
        if wanted and not route.ignore_range:
            start = int(wanted.removeprefix("bytes=").split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body) - start))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", route.etag)
        self.end_headers()
        if route.gate is not None:
            route.gate.wait(120)
        end = len(body)
        if route.drop_after is not None and number <= route.drop_times:
            end = max(route.drop_after, start)
        if route.stall_after is not None and stalls:
            end = max(route.stall_after, start)
        self.wfile.write(body[start:end])
        self.wfile.flush()
        seen.bytes_sent = end - start
        if route.stall_after is not None and stalls:
            server.stopping.wait(route.stall)
        if end < len(body):
            self.close_connection = True

    def _endless(self, limit: int, route: Route, seen: Seen) -> None:
        """The body, then zeros, with no length announced, until ``limit`` bytes were
        sent or the client hung up (``seen.bytes_sent`` counts as it goes)."""
        self.send_response(200)
        self.send_header("ETag", route.etag)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        filler = b"\0" * (1 << 16)
        data = route.body
        try:
            while seen.bytes_sent < limit:
                piece = (data or filler)[: limit - seen.bytes_sent]
                self.wfile.write(piece)
                seen.bytes_sent += len(piece)
                data = b""
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _plain(self, status: int, text: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)
