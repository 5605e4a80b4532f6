"""Optional LLM rephrasing against a real local HTTP server (an OpenAI-compatible fake)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from retrieval.answer import Answerer
from retrieval.confidence import ConfidenceModel

from .conftest import FakeSearch, make_hit

MODEL = ConfidenceModel({"cov_passage": 10.0}, -5.0)
PASSAGE = "Hộ nghèo được hỗ trợ 40 triệu đồng để xây nhà và 20 triệu đồng để sửa nhà."


class FakeLLM(ThreadingHTTPServer):
    mode = "ok"
    reply = "Bạn được hỗ trợ 40 triệu đồng để xây nhà."
    requests: list[dict[str, Any]]


class Handler(BaseHTTPRequestHandler):
    server: FakeLLM

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        if self.server.mode == "slow":
            time.sleep(1.0)
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


@pytest.fixture
def llm_server() -> Iterator[FakeLLM]:
    server = FakeLLM(("127.0.0.1", 0), Handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _answerer(server: FakeLLM, timeout: float = 5.0) -> Answerer:
    host, port = str(server.server_address[0]), int(server.server_address[1])
    return Answerer(FakeSearch([make_hit("housing", PASSAGE)]), threshold=0.5, llm_base_url=f"http://{host}:{port}/v1",
                    llm_model="fake-model", llm_api_key="sk-test", llm_timeout_s=timeout, model=MODEL)


QUESTION = "hộ nghèo được hỗ trợ bao nhiêu tiền xây nhà"


def test_rephrased_from_passages_with_citations_kept(llm_server: FakeLLM) -> None:
    ans = _answerer(llm_server).answer(QUESTION)
    assert ans.generated and ans.text == FakeLLM.reply
    assert [c.doc_id for c in ans.citations] == ["housing"]
    req = llm_server.requests[0]
    assert req["path"] == "/v1/chat/completions" and req["auth"] == "Bearer sk-test"
    assert req["body"]["model"] == "fake-model"
    assert PASSAGE in req["body"]["messages"][-1]["content"]


@pytest.mark.parametrize("mode", ["error", "garbage", "slow"])
def test_falls_back_to_the_extractive_answer(llm_server: FakeLLM, mode: str) -> None:
    llm_server.mode = mode
    ans = _answerer(llm_server, timeout=0.3).answer(QUESTION)
    assert not ans.generated and not ans.abstained
    assert ans.text in PASSAGE and "40 triệu" in ans.text
    assert len(llm_server.requests) == 1


def test_a_number_not_in_the_passages_is_rejected(llm_server: FakeLLM) -> None:
    llm_server.reply = "Bạn được hỗ trợ 50 triệu đồng."
    ans = _answerer(llm_server).answer(QUESTION)
    assert not ans.generated and ans.text in PASSAGE


def test_unreachable_endpoint_falls_back() -> None:
    answerer = Answerer(FakeSearch([make_hit("housing", PASSAGE)]), llm_base_url="http://127.0.0.1:9",
                        llm_model="m", llm_timeout_s=0.5, model=MODEL)
    ans = answerer.answer(QUESTION)
    assert not ans.generated and "40 triệu" in ans.text


def test_off_by_default_and_abstentions_never_call_the_llm(llm_server: FakeLLM) -> None:
    assert Answerer(FakeSearch([]), model=MODEL).llm is None
    ans = _answerer(llm_server).answer("Thời tiết Moskva hôm nay ra sao?")
    assert ans.abstained and llm_server.requests == []
