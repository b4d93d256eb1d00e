"""A real webhook receiver on 127.0.0.1 that records what reaches it, and can be down, failing,
redirecting or slow."""
from __future__ import annotations

import http.server
import json
import select
import socket
import threading
import time
from typing import Callable


class Receiver:
    """Answers `answer` to every POST after `delay(body)` seconds; records each request as it
    arrives (`arrived`) and as it is answered (`received`), and the order of all that in
    `timeline`. A request for which `hold(body)` is true is never answered: it is held until the
    sender hangs up (`("abandoned", event id)` in the timeline)."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/baclowatch"
        self.answer = 200
        self.delay: Callable[[dict], float] = lambda body: 0
        self.hold: Callable[[dict], bool] = lambda body: False
        self.timeline: list[tuple[str, str]] = []
        self.arrived: list[str] = []
        self.received: list[dict] = []
        self.followed: list[str] = []
        self.server = None
        self.lock = threading.Lock()

    def start(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                event_id = self.headers["Baclowatch-Event-Id"]
                with receiver.lock:
                    receiver.arrived.append(event_id)
                    receiver.timeline.append(("arrived", event_id))
                if receiver.hold(json.loads(body)):
                    self._until_hung_up()
                    with receiver.lock:
                        receiver.timeline.append(("abandoned", event_id))
                    return
                pause = receiver.delay(json.loads(body))
                if pause:
                    time.sleep(pause)
                answer = receiver.answer
                record = {"headers": dict(self.headers), "body": body, "answer": answer}
                # Recorded before the answer leaves: the sender may count it delivered and the
                # test look here before this thread runs again.
                with receiver.lock:
                    receiver.received.append(record)
                    receiver.timeline.append(("answered", event_id))
                try:
                    self.send_response(answer)
                    if 300 <= answer < 400:
                        self.send_header("Location", "/elsewhere")
                    self.end_headers()
                except OSError:  # the sender gave up waiting: this one did not arrive
                    with receiver.lock:
                        receiver.received.remove(record)
                        receiver.timeline.remove(("answered", event_id))

            def _until_hung_up(self):
                for _ in range(600):  # a minute at most
                    readable, _, _ = select.select([self.connection], [], [], 0.1)
                    if readable and self.connection.recv(1, socket.MSG_PEEK) == b"":
                        return

            def do_GET(self):  # where a redirect would lead
                receiver.followed.append(self.path)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def delivered(self) -> list[dict]:
        return [r for r in self.received if 200 <= r["answer"] < 300]

    def delivered_ids(self) -> list[str]:
        return [r["headers"]["Baclowatch-Event-Id"] for r in self.delivered()]

    def delivered_flags(self) -> list[str]:
        return [json.loads(r["body"])["data"]["flag_id"] for r in self.delivered()]
