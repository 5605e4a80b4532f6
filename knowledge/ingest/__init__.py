"""Ingestion: files and texts → cleaned text, metadata and chunks, ready for the store.

- :mod:`~knowledge.ingest.loaders` (txt, md, html) and :mod:`~knowledge.ingest.binary` (pdf, docx)
- :mod:`~knowledge.ingest.meta`: front matter and `<file>.meta.yaml` sidecars, dates
- :mod:`~knowledge.ingest.clean`: web boilerplate
- :mod:`~knowledge.ingest.chunking` (sentences, language, Unicode: the text toolkit, :mod:`knowledge.text`)
- :mod:`~knowledge.ingest.pipeline` (`prepare_file`, `prepare_text`) and :mod:`~knowledge.ingest.jsonl`

Nothing here writes to the database; :class:`knowledge.store.KnowledgeBase` does, in one transaction.
"""

from knowledge.ingest.chunking import ChunkSpan, chunk_text
from knowledge.ingest.clean import clean_text
from knowledge.ingest.jsonl import parse_jsonl
from knowledge.ingest.pipeline import Prepared, iter_files, prepare_file, prepare_text

__all__ = [
    "ChunkSpan",
    "Prepared",
    "chunk_text",
    "clean_text",
    "iter_files",
    "parse_jsonl",
    "prepare_file",
    "prepare_text",
]
