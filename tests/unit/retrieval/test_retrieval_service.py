from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from retrieval import persist
from retrieval.embedders import HashEmbedder
from retrieval.service import SearchService
from tests.fakes.retrieval_corpus import add_doc, remove_doc


def doc_ids(service: SearchService, query: str, **kw: object) -> list[str]:
    return [h.doc_id for h in service.search(query, **kw)]  # type: ignore[arg-type]


def test_finds_vietnamese_with_and_without_diacritics_and_russian(service: SearchService) -> None:
    assert doc_ids(service, "hộ nghèo được hỗ trợ gì")[0] == "ho-ngheo"
    assert doc_ids(service, "ho ngheo duoc ho tro gi")[0] == "ho-ngheo"
    assert doc_ids(service, "hoc bong cho hs ngheo")[0] == "hoc-bong"
    assert doc_ids(service, "какие документы нужны для пособий")[0] == "posobie"


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_every_mode_returns_scored_hits_with_metadata(service: SearchService, mode: str) -> None:
    hits = service.search("giấy xác nhận hộ nghèo", k=2, mode=mode)
    assert hits and hits[0].doc_id == "ho-ngheo" and hits[0].chunk_id > 0
    assert hits[0].region == "danang" and hits[0].program == "poverty" and hits[0].lang == "vi"
    assert hits[0].score >= hits[-1].score
    assert set(hits[0].scores) == ({"bm25", "dense"} if mode == "hybrid" else {mode})


def test_unknown_mode_is_refused(service: SearchService) -> None:
    with pytest.raises(ValueError, match="unknown search mode"):
        service.search("x", mode="sparse")


def test_filters(service: SearchService) -> None:
    assert set(doc_ids(service, "hỗ trợ", k=5, lang="ru")) == {"posobie"}
    assert doc_ids(service, "hỗ trợ", k=5, region="hue") == ["hoc-bong"]
    assert doc_ids(service, "hỗ trợ", k=5, program="poverty")[0] == "ho-ngheo"
    assert doc_ids(service, "hỗ trợ", k=5, lang="vi", program="family") == []
    for mode in ("bm25", "dense"):
        assert set(doc_ids(service, "nghèo", k=5, region="danang", mode=mode)) == {"ho-ngheo"}


def test_results_are_document_diverse_first(service: SearchService) -> None:
    hits = service.search("hộ nghèo", k=3)
    assert len({h.doc_id for h in hits}) == 3  # three documents before a second chunk of one
    hits = service.search("hộ nghèo", k=5)
    assert [h.doc_id for h in hits].count("ho-ngheo") == 2 and len(hits) == 5


def test_incremental_add_and_remove_embed_only_new_texts(
    corpus: Engine, tmp_path: Path, embedder: HashEmbedder
) -> None:
    service = SearchService(corpus, tmp_path / "index", embedder)
    assert service.refresh() is True and embedder.embedded == 5
    assert service.refresh() is False  # same version: nothing to do
    add_doc(corpus, "nha-o", ["Hỗ trợ nhà ở cho hộ nghèo xây nhà mới."], program="housing")
    before = embedder.embedded
    assert service.refresh() is True
    assert embedder.embedded == before + 1
    assert doc_ids(service, "xây nhà mới")[0] == "nha-o"
    remove_doc(corpus, "nha-o")
    service.refresh()
    assert "nha-o" not in doc_ids(service, "xây nhà mới", k=10)
    assert service.stats()["chunks"] == 5 and service.stats()["documents"] == 3


def test_search_refreshes_itself_when_the_corpus_changes(service: SearchService, corpus: Engine) -> None:
    service.search("x")
    add_doc(corpus, "tro-cap", ["Trợ cấp thất nghiệp"])
    assert doc_ids(service, "trợ cấp thất nghiệp")[0] == "tro-cap"


def test_embedding_cache_is_shared_by_rebuilds_and_new_index_dirs(
    corpus: Engine, tmp_path: Path, embedder: HashEmbedder
) -> None:
    SearchService(corpus, tmp_path / "a", embedder).refresh()
    assert embedder.embedded == 5
    service = SearchService(corpus, tmp_path / "b", embedder)
    service.refresh()
    service.rebuild()
    assert embedder.embedded == 5  # every vector came from kb_embedding


def test_persisted_index_loads_without_embedding(corpus: Engine, tmp_path: Path) -> None:
    first = HashEmbedder(128)
    SearchService(corpus, tmp_path / "index", first).refresh()
    second = HashEmbedder(128)
    loaded = SearchService(corpus, tmp_path / "index", second)
    assert loaded.stats()["loaded_from_disk"] and loaded.corpus_version == 3
    assert doc_ids(loaded, "học bổng")[0] == "hoc-bong"
    assert second.embedded == 0 and second.queries == 1  # the query only
    manifest = persist.read_manifest(tmp_path / "index")
    assert manifest is not None and manifest["embedder"] == "hash:128" and manifest["chunk_count"] == 5


def test_another_embedder_takes_vectors_from_cache_or_embeds(corpus: Engine, tmp_path: Path) -> None:
    SearchService(corpus, tmp_path / "index", HashEmbedder(128)).refresh()
    other = HashEmbedder(64)
    service = SearchService(corpus, tmp_path / "index", other)
    assert other.embedded == 5 and service.stats()["dim"] == 64
    assert doc_ids(service, "học bổng")[0] == "hoc-bong"
    manifest = persist.read_manifest(tmp_path / "index")
    assert manifest is not None and manifest["embedder"] == "hash:64"


def test_crash_mid_write_leaves_the_old_index_loadable(
    corpus: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = SearchService(corpus, tmp_path / "index", HashEmbedder(128))
    service.refresh()
    add_doc(corpus, "moi", ["Văn bản mới về bảo hiểm y tế"])
    real = persist.write_atomic

    def crash_on_manifest(path: Path, data: bytes) -> None:
        if path.name == persist.MANIFEST:
            path.with_name(".manifest.json.partial.tmp").write_bytes(data[: len(data) // 2])
            raise KeyboardInterrupt("power cut")
        real(path, data)

    monkeypatch.setattr(persist, "write_atomic", crash_on_manifest)
    with pytest.raises(KeyboardInterrupt):
        service.refresh()
    monkeypatch.setattr(persist, "write_atomic", real)
    embedder = HashEmbedder(128)
    reloaded = SearchService(corpus, tmp_path / "index", embedder, auto_refresh=False)
    assert reloaded.stats()["loaded_from_disk"] and reloaded.corpus_version == 3
    assert embedder.embedded == 0
    reloaded.refresh()  # catches up with the new document
    assert doc_ids(reloaded, "bảo hiểm y tế")[0] == "moi"
    assert not list((tmp_path / "index").glob("*.tmp"))  # the next save cleans up


@pytest.mark.parametrize("victim", ["dense", "meta", "manifest"])
def test_corrupt_index_is_rebuilt_from_the_database(corpus: Engine, tmp_path: Path, victim: str) -> None:
    SearchService(corpus, tmp_path / "index", HashEmbedder(128)).refresh()
    manifest = persist.read_manifest(tmp_path / "index")
    assert manifest is not None
    name = persist.MANIFEST if victim == "manifest" else manifest["files"][victim]
    (tmp_path / "index" / name).write_bytes(b"\x00garbage{")
    service = SearchService(corpus, tmp_path / "index", HashEmbedder(128))
    assert not service.stats()["loaded_from_disk"]
    assert doc_ids(service, "học bổng")[0] == "hoc-bong"
    assert persist.read_manifest(tmp_path / "index") is not None


def test_empty_corpus_and_empty_query(engine: Engine, tmp_path: Path) -> None:
    service = SearchService(engine, tmp_path / "index", HashEmbedder(32))
    assert service.search("anything") == []
    add_doc(engine, "a", ["một văn bản"])
    assert service.search("   ") == []


def test_searches_run_while_another_thread_refreshes(service: SearchService, corpus: Engine) -> None:
    service.refresh()
    errors: list[BaseException] = []
    stop = threading.Event()

    def searcher() -> None:
        try:
            while not stop.is_set():
                hits = service.search("hộ nghèo", k=3)
                assert hits and hits[0].doc_id == "ho-ngheo"
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=searcher) for _ in range(3)]
    for t in threads:
        t.start()
    for i in range(8):
        add_doc(corpus, f"extra-{i}", [f"Thông báo số {i} về lịch làm việc"])
        service.refresh()
    stop.set()
    for t in threads:
        t.join()
    assert not errors
    assert service.stats()["documents"] == 11


def test_search_does_not_wait_for_a_writer_holding_the_database(service: SearchService, corpus: Engine) -> None:
    """SQLite transactions start with BEGIN IMMEDIATE; the per-search version check must not queue
    behind one (it would wait for the 30 s busy timeout and then fail)."""
    from sqlmodel import Session

    service.refresh()
    with Session(corpus) as session, session.begin():
        session.connection()  # BEGIN IMMEDIATE: this connection now holds the write lock
        assert doc_ids(service, "học bổng")[0] == "hoc-bong"


def test_metadata_change_without_new_chunks_is_picked_up(service: SearchService, corpus: Engine) -> None:
    from sqlalchemy import update
    from sqlmodel import Session

    from knowledge.models import Document
    from tests.fakes.retrieval_corpus import bump_version

    service.refresh()
    with Session(corpus) as session, session.begin():
        session.execute(update(Document).where(Document.doc_id == "hoc-bong").values(title="Học bổng 2025"))  # type: ignore[arg-type]
        bump_version(session)
    assert service.search("học bổng")[0].title == "Học bổng 2025"
