"""A local OpenAI-compatible `/chat/completions` server for the LLM tests and benchmarks.

`mode`: "ok" (answers `reply`), "slow" (waits `delay_s`, then answers), "error" (HTTP 500),
"garbage" (a body that is not JSON). Every request is recorded (path, body, Authorization).
`start_llm()` runs it in a daemon thread; `stop()` shuts it down.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeLLM(ThreadingHTTPServer):
    daemon_threads = True
    mode = "ok"
    delay_s = 1.0
    reply = "Bạn được hỗ trợ 40 triệu đồng để xây nhà."
    requests: list[dict[str, Any]]

    @property
    def base_url(self) -> str:
        host, port = str(self.server_address[0]), int(self.server_address[1])
        return f"http://{host}:{port}/v1"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class Handler(BaseHTTPRequestHandler):
    server: FakeLLM

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        if self.server.mode == "slow":
            time.sleep(self.server.delay_s)
        if self.server.mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        payload = (b"not json" if self.server.mode == "garbage" else
                   json.dumps({"choices": [{"message": {"role": "assistant", "content": self.server.reply}}]}).encode())
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def start_llm(host: str = "127.0.0.1", port: int = 0) -> FakeLLM:
    server = FakeLLM((host, port), Handler)
    server.requests = []
    threading.Thread(target=server.serve_forever, daemon=True, name="fake-llm").start()
    return server
