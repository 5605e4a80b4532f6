"""Optional LLM rephrasing against a real local HTTP server (an OpenAI-compatible fake)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from retrieval.answer import Answerer
from retrieval.confidence import ConfidenceModel
from tests.fakes.llm import FakeLLM, start_llm

from .conftest import FakeSearch, make_hit

MODEL = ConfidenceModel({"cov_passage": 10.0}, -5.0)
PASSAGE = "Hộ nghèo được hỗ trợ 40 triệu đồng để xây nhà và 20 triệu đồng để sửa nhà."


@pytest.fixture
def llm_server() -> Iterator[FakeLLM]:
    server = start_llm()
    yield server
    server.stop()


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
