"""Real HTTP receivers on loopback for webhook tests: one that answers, one that never does."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next status in ``statuses`` (200 once they run out)."""

    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/earshot"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class DeadReceiver:
    """Accepts connections and never answers: the worst kind of receiver."""

    def start(self) -> DeadReceiver:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/never"
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()

        def accept_forever() -> None:
            self.sock.settimeout(0.2)
            while not self._stop.is_set():
                try:
                    connection, _ = self.sock.accept()
                except OSError:
                    continue
                self.accepted.append(connection)  # held open, never read, never answered

        threading.Thread(target=accept_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for connection in self.accepted:
            connection.close()
        self.sock.close()
