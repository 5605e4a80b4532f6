"""Answer width, jurisdiction of general-knowledge documents, and the fitted abstention threshold
(issue 10 item 3: answers that hold on text nobody here wrote)."""

from __future__ import annotations

from retrieval import jurisdiction
from retrieval.answer import Answerer
from retrieval.confidence import ConfidenceModel
from retrieval.extract import Scored, _runner_up

from .conftest import FakeSearch, make_hit

TEXT = "Câu một. Câu hai. Câu ba. Câu bốn. Câu năm. Câu sáu. Câu bảy."


def _sentences(scores: list[float]) -> list[Scored]:
    hit = make_hit("d", TEXT)
    out, pos = [], 0
    for i, part in enumerate(TEXT.split(". ")):
        part = part.rstrip(".") + "."
        start = TEXT.index(part, pos)
        pos = start + len(part)
        out.append(Scored(hit, 0, i, start, pos, part, score=scores[i] if i < len(scores) else 0.0))
    return out


def test_every_close_sentence_of_the_document_is_shown_when_the_scorer_is_unsure() -> None:
    sents = _sentences([0.5, 0.0, 0.3, 0.0, 0.2, 0.0, 0.01])
    extra = _runner_up(sents[0], [sents[0]], sents, 600)
    assert [s.index for s in extra] == [2, 4]  # both close ones (one runner-up before), not the far-off one


def test_a_likely_best_sentence_is_not_padded_with_unlikely_ones() -> None:
    sents = _sentences([0.9, 0.0, 0.15, 0.0, 0.1])
    assert _runner_up(sents[0], [sents[0]], sents, 600) == []


def test_runner_ups_stay_within_the_answer_length() -> None:
    sents = _sentences([0.5, 0.0, 0.4, 0.0, 0.4])
    assert _runner_up(sents[0], [sents[0]], sents, len(sents[0].text) + len(sents[2].text) + 2) == [sents[2]]


def test_documents_of_countries_the_bot_does_not_serve_are_never_excluded() -> None:
    ctx = jurisdiction.Context("VN", "language")
    assert ctx.allows("IT")  # a history article about Italy is general knowledge, not another jurisdiction
    assert not ctx.allows("KZ")  # Kazakhstan's rules still do not answer a Vietnamese household
    assert ctx.allows("VN") and ctx.allows(None)


def test_the_threshold_comes_with_the_fitted_model_unless_set() -> None:
    model = ConfidenceModel({"cov_passage": 10.0}, -5.0, meta={"threshold": 0.67})
    search = FakeSearch([make_hit("d", TEXT)])
    assert Answerer(search, model=model).threshold == 0.67  # type: ignore[arg-type]
    assert Answerer(search, threshold=0.4, model=model).threshold == 0.4  # type: ignore[arg-type]
    assert Answerer(search, model=ConfidenceModel({}, 0.0)).threshold == 0.5  # type: ignore[arg-type]
