from __future__ import annotations

import numpy as np

from retrieval.fusion import fuse, ranks, rrf, top_indices, zscores

rng = np.random.default_rng(7)


def _case() -> tuple[np.ndarray, np.ndarray]:
    return rng.gamma(2.0, 3.0, 50), rng.uniform(0.7, 0.9, 50)


def _fused(lex: np.ndarray, dense: np.ndarray, weight: float = 1.0) -> np.ndarray:
    return fuse(lex, np.sort(lex)[::-1], dense, np.sort(dense)[::-1], weight)


def test_zscores_of_flat_reference_are_zero() -> None:
    assert zscores(np.array([0.0, 0.0, 3.0]), np.zeros(10)).tolist() == [0.0, 0.0, 0.0]
    assert zscores(np.array([1.0]), np.zeros(0)).tolist() == [0.0]


def test_fusion_is_invariant_to_each_retrievers_scale_and_shift() -> None:
    lex, dense = _case()
    base = np.argsort(-_fused(lex, dense))
    assert (np.argsort(-_fused(lex * 7.5, dense * 0.1 + 3)) == base).all()


def test_zero_lexical_weight_leaves_the_dense_ranking() -> None:
    lex, dense = _case()
    assert (np.argsort(-_fused(lex, dense, 0.0)) == np.argsort(-dense)).all()


def test_raising_one_score_never_lowers_that_candidate() -> None:
    lex, dense = _case()
    for i in range(0, 50, 7):
        before = ranks(_fused(lex, dense))[i]
        bumped = lex.copy()
        bumped[i] += 5.0
        assert ranks(_fused(bumped, dense))[i] <= before


def test_agreeing_retrievers_keep_their_common_winner() -> None:
    lex, dense = _case()
    lex[3], dense[3] = lex.max() + 1, dense.max() + 0.01
    assert int(np.argmax(_fused(lex, dense, 0.5))) == 3


def test_a_standout_beats_a_flat_runner_up() -> None:
    # dense is flat (no opinion); BM25 has one clear winner -> the winner leads the fusion
    lex = np.array([1.0, 1.1, 0.9, 9.0, 1.0])
    dense = np.array([0.801, 0.800, 0.802, 0.800, 0.799])
    assert int(np.argmax(_fused(lex, dense))) == 3


def test_rrf_and_ranks() -> None:
    r1, r2 = np.array([1, 2, 3]), np.array([3, 1, 2])
    assert ranks(np.array([0.1, 0.9, 0.5])).tolist() == [3, 1, 2]
    fused = rrf([r1, r2], k=60)
    assert int(np.argmax(fused)) == 1
    assert np.isclose(fused[0], 1 / 61 + 1 / 63)


def test_top_indices_matches_a_full_sort() -> None:
    scores = rng.normal(size=200)
    assert top_indices(scores, 10).tolist() == np.argsort(-scores)[:10].tolist()
    assert top_indices(scores, 500).tolist() == np.argsort(-scores).tolist()
    assert top_indices(scores, 0).tolist() == []
