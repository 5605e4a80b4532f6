"""Index files in the data directory, written so that a crash never leaves a broken index.

Layout of `index_dir`:
  manifest.json          {"format", "embedder", "dim", "corpus_version", "chunk_count",
                          "generation", "files": {"meta": ..., "tokens": ..., "dense": ...}}
  meta-<generation>.json   chunk records and the BM25 vocabulary
  tokens-<generation>.npz  BM25 token ids of every chunk (flat int32 + offsets)
  dense-<generation>.faiss
Each save writes a new generation's files (temporary name, fsync, rename), then replaces the
manifest the same way, and only then deletes older generations. Until the manifest is renamed
the previous generation stays complete and is what a loader sees.
"""

from __future__ import annotations

import io
import json
import os
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import faiss
import numpy as np

from knowledge.jsontypes import JSONDict, as_list, as_object
from retrieval.bm25 import Vocabulary
from retrieval.dense import DenseIndex
from retrieval.hybrid import HybridIndex
from retrieval.types import ChunkRecord

FORMAT_VERSION = 2
MANIFEST = "manifest.json"


class IndexFormatError(Exception):
    """The files on disk are missing, corrupt or from another format version."""


def _fsync_replace(tmp: Path, path: Path) -> None:
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_bytes(data)
    _fsync_replace(tmp, path)


@dataclass(frozen=True, slots=True)
class Manifest:
    """The manifest of a saved index, checked: what the loaders need of it."""

    embedder: str
    dim: int
    corpus_version: int
    chunk_count: int
    files: dict[str, str]
    """`meta`, `tokens`, `dense` → file name in the index directory."""

    @classmethod
    def of(cls, raw: dict[str, object], path: Path) -> Manifest:
        """`raw` (as `read_manifest` returns it) checked field by field, else IndexFormatError."""
        try:
            files = as_object(raw.get("files"), "files")
            return cls(_str(raw.get("embedder")), _int(raw.get("dim")), _int(raw.get("corpus_version")),
                       _int(raw.get("chunk_count")), {k: _str(files.get(k)) for k in ("meta", "tokens", "dense")})
        except ValueError as exc:
            raise IndexFormatError(f"{path}: {exc}") from exc


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {type(value).__name__}")
    return value


def _opt_str(value: object) -> str | None:
    return None if value is None else _str(value)


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"expected an integer, got {type(value).__name__}")
    return value


def _record_json(r: ChunkRecord) -> JSONDict:
    return {
        "chunk_id": r.chunk_id, "doc_id": r.doc_id, "title": r.title, "lang": r.lang, "text": r.text,
        "text_hash": r.text_hash, "position": r.position, "url": r.url,
        "published": r.published.isoformat() if r.published else None,
        "region": r.region, "program": r.program, "kind": r.kind,
    }  # fmt: skip


def _record_from(value: object) -> ChunkRecord:
    d = as_object(value, "record")
    published = d.get("published")
    return ChunkRecord(
        chunk_id=_int(d.get("chunk_id")), doc_id=_str(d.get("doc_id")), title=_str(d.get("title")),
        lang=_str(d.get("lang")), text=_str(d.get("text")), text_hash=_str(d.get("text_hash")),
        position=_int(d.get("position", 0)), url=_opt_str(d.get("url")),
        published=date.fromisoformat(_str(published)) if published else None,
        region=_opt_str(d.get("region")), program=_opt_str(d.get("program")), kind=_str(d.get("kind", "document")),
    )  # fmt: skip


def read_manifest(index_dir: Path) -> dict[str, object] | None:
    """The manifest as written (its format version checked), None when there is none."""
    path = index_dir / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexFormatError(f"{path}: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise IndexFormatError(f"{path}: unknown index format")
    return {str(k): v for k, v in manifest.items()}


def manifest(index_dir: Path) -> Manifest | None:
    """The checked manifest of the index in `index_dir`, None when there is none."""
    raw = read_manifest(index_dir)
    return Manifest.of(raw, index_dir / MANIFEST) if raw is not None else None


def save(index: HybridIndex, index_dir: Path, embedder_name: str) -> None:
    index_dir.mkdir(parents=True, exist_ok=True)
    generation = f"{index.version}-{uuid.uuid4().hex[:10]}"
    meta_name, dense_name = f"meta-{generation}.json", f"dense-{generation}.faiss"
    tokens_name = f"tokens-{generation}.npz"
    meta: JSONDict = {"records": [_record_json(r) for r in index.records], "vocab": index.vocab.words}
    write_atomic(index_dir / meta_name, json.dumps(meta, ensure_ascii=False).encode("utf-8"))
    write_atomic(index_dir / tokens_name, _tokens_npz(index.tokens))
    dense_tmp = index_dir / f".{dense_name}.tmp"
    index.dense.save(dense_tmp)
    _fsync_replace(dense_tmp, index_dir / dense_name)
    written: JSONDict = {
        "format": FORMAT_VERSION, "embedder": embedder_name, "dim": index.dense.dim,
        "corpus_version": index.version, "chunk_count": len(index.records), "generation": generation,
        "files": {"meta": meta_name, "tokens": tokens_name, "dense": dense_name},
    }  # fmt: skip
    write_atomic(index_dir / MANIFEST, json.dumps(written, indent=2).encode("utf-8"))
    _cleanup(index_dir, keep={meta_name, tokens_name, dense_name, MANIFEST})


def _cleanup(index_dir: Path, keep: set[str]) -> None:
    for path in index_dir.iterdir():
        stale = path.name.startswith(("meta-", "tokens-", "dense-")) or path.name.endswith(".tmp")
        if stale and path.name not in keep:
            path.unlink(missing_ok=True)


def _tokens_npz(tokens: list[np.ndarray]) -> bytes:
    flat = np.concatenate(tokens).astype(np.int32) if tokens else np.zeros(0, dtype=np.int32)
    offsets = np.cumsum([0] + [len(t) for t in tokens]).astype(np.int64)
    buf = io.BytesIO()
    np.savez(buf, flat=flat, offsets=offsets)
    return buf.getvalue()


def load_meta(index_dir: Path, manifest: Manifest) -> tuple[list[ChunkRecord], list[np.ndarray], Vocabulary]:
    path = index_dir / manifest.files["meta"]
    try:
        meta = as_object(json.loads(path.read_text("utf-8")), "meta")
        records = [_record_from(d) for d in as_list(meta.get("records"), "records")]
        vocab = Vocabulary([str(w) for w in as_list(meta.get("vocab"), "vocab")])
        path = index_dir / manifest.files["tokens"]
        with np.load(path) as npz:
            flat, offsets = npz["flat"], npz["offsets"]
        tokens = [flat[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)]
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        raise IndexFormatError(f"{path}: {exc}") from exc
    if len(records) != len(tokens) or len(records) != manifest.chunk_count:
        raise IndexFormatError(f"{path}: {len(records)} records, manifest says {manifest.chunk_count}")
    if len(flat) and (int(flat.max()) >= len(vocab) or int(flat.min()) < 0):
        raise IndexFormatError(f"{path}: token ids outside the vocabulary")
    return records, tokens, vocab


def load(index_dir: Path, manifest: Manifest) -> HybridIndex:
    """The snapshot the manifest describes, vectors included (same embedder assumed)."""
    records, tokens, vocab = load_meta(index_dir, manifest)
    path = index_dir / manifest.files["dense"]
    try:
        dense = DenseIndex.load(path, manifest.dim)
        stored = np.sort(faiss.vector_to_array(dense.index.id_map))  # type: ignore[attr-defined]
        if not np.array_equal(stored, np.array(sorted(r.chunk_id for r in records), dtype=np.int64)):
            raise ValueError("the vector ids do not match the chunk records")
        return HybridIndex(manifest.corpus_version, records, tokens, vocab, dense)
    except (OSError, RuntimeError, ValueError) as exc:
        raise IndexFormatError(f"{path}: {exc}") from exc
