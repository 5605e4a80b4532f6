"""Ingestion: files and texts → cleaned text, metadata and chunks, ready for the store.

- :mod:`~knowledge.ingest.loaders` (txt, md, html) and :mod:`~knowledge.ingest.binary` (pdf, docx)
- :mod:`~knowledge.ingest.meta`: front matter and `<file>.meta.yaml` sidecars, dates
- :mod:`~knowledge.ingest.clean`: NFC, whitespace, web boilerplate
- :mod:`~knowledge.ingest.lang`: vi / ru / other detection
- :mod:`~knowledge.ingest.sentences` and :mod:`~knowledge.ingest.chunking`
- :mod:`~knowledge.ingest.pipeline` (`prepare_file`, `prepare_text`) and :mod:`~knowledge.ingest.jsonl`

Nothing here writes to the database; :class:`knowledge.store.KnowledgeBase` does, in one transaction.
"""

from knowledge.ingest.chunking import ChunkSpan, chunk_text
from knowledge.ingest.clean import clean_text, normalize
from knowledge.ingest.jsonl import parse_jsonl
from knowledge.ingest.lang import detect_language
from knowledge.ingest.pipeline import Prepared, iter_files, prepare_file, prepare_text
from knowledge.ingest.sentences import sentence_spans, split_sentences

__all__ = [
    "ChunkSpan",
    "Prepared",
    "chunk_text",
    "clean_text",
    "detect_language",
    "iter_files",
    "normalize",
    "parse_jsonl",
    "prepare_file",
    "prepare_text",
    "sentence_spans",
    "split_sentences",
]
