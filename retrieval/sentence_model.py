"""The fitted sentence scorer: P(this sentence holds the answer) from the extractor's features.

A logistic model (the same form as the confidence model, retrieval/confidence.py) over the features
`retrieval.candidates._score` computes for each candidate sentence. Fitted by
`benchmarks/fit_confidence.py` on the `fit` part of the frozen split only (XQuAD articles and the
in-domain questions; label = the sentence contains the gold answer). Two models are kept in
`sentence_model.json`: one with the dense sentence similarity for the embedder it was fitted with,
and a lexical one (`"embedder": "*"`) for any other embedder or when sentence vectors are missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from retrieval.confidence import ConfidenceModel, load_models, pick

SENTENCE_MODEL_PATH = Path(__file__).with_name("sentence_model.json")

LEXICAL_FEATURES: tuple[str, ...] = (
    "cov",  # IDF-weighted share of the question's words in the sentence (title words count less)
    "bigram",  # the same for the question's adjacent word pairs
    "tri",  # share of the question's character trigrams
    "cov_rel",  # cov minus the best cov among the candidates
    "rank",  # 1 / (1 + rank of the sentence's document in the search results)
    "num",  # a how-much/when question and the sentence has a number the question lacks
    "num_missing",  # a how-much/when question and the sentence has no such number
    "short", "title", "heading", "long",  # shape: < 25 chars, the title line, a heading, length over 200
    "novel",  # words of the sentence that are not the question's (an answer says something new)
    "first",  # the first sentence of its passage
    "near",  # best coverage of a neighbouring sentence
)
DENSE_FEATURES: tuple[str, ...] = LEXICAL_FEATURES + (
    "dense",  # cosine of the question's vector with the sentence's vector
    "dense_rel",  # that minus the best among the candidates
)


class SentenceModel(ConfidenceModel):
    @classmethod
    def load(cls, path: Path = SENTENCE_MODEL_PATH, embedder: str | None = None) -> SentenceModel:
        """The model fitted for `embedder` (by name), else the lexical one, else a hand-set prior."""
        models: Sequence[ConfidenceModel] = load_models(path) if path.exists() else [prior()]
        m = pick(models, embedder)
        return cls(m.weights, m.bias, m.mean, m.scale, m.meta)

    @property
    def uses_dense(self) -> bool:
        return "dense" in self.weights


def prior() -> ConfidenceModel:
    """Before any fit: roughly the former hand-set sentence score, through a logistic."""
    w = {"cov": 3.9, "bigram": 1.7, "tri": 0.8, "rank": 1.2, "num": 1.2, "short": -0.8, "title": -2.4,
         "long": -0.64, "near": 0.4}
    return ConfidenceModel(w, -4.0, meta={"fitted": False, "embedder": "*"})
