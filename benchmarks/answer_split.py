"""The frozen fit/test split of the answer benchmarks (XQuAD by article; in-domain by base question).

XQuAD: its 48 Wikipedia articles are assigned to `fit` or `test` by the SHA-256 of the article
title (first byte even → `fit`), so vi and ru (parallel, same titles) share one split and no
paragraph of a test article is ever seen while fitting. In-domain questions keep the `split` field
written by benchmarks/make_answer_questions.py (by base question, so variants stay together).

The split is recorded in benchmarks/data/answer_split.json with a hash of its content;
`load_split()` refuses a file whose hash does not match, so the split cannot drift silently.

    .venv/bin/python -m benchmarks.answer_split          # writes the file once (refuses to overwrite)
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from benchmarks.answer_common import SHARED

SPLIT_FILE = Path(__file__).parent / "data" / "answer_split.json"
XQUAD_DIR = SHARED / "data" / "xquad"


def _digest(body: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def make_split() -> dict[str, object]:
    titles: list[str] = []
    for line in (XQUAD_DIR / "vi" / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        title = json.loads(line)["title"]
        if title not in titles:
            titles.append(title)
    articles = {t: ("fit" if hashlib.sha256(t.encode()).digest()[0] % 2 == 0 else "test") for t in titles}
    body: dict[str, object] = {"rule": "xquad article -> fit when sha256(title)[0] is even, else test",
                               "xquad_articles": articles}
    return {**body, "sha256": _digest(body)}


def load_split(path: Path = SPLIT_FILE) -> dict[str, str]:
    """XQuAD article title → `fit` | `test`, checked against the recorded hash."""
    data = json.loads(path.read_text(encoding="utf-8"))
    body = {k: v for k, v in data.items() if k != "sha256"}
    if _digest(body) != data.get("sha256"):
        raise SystemExit(f"{path}: content does not match its recorded sha256 (the frozen split was edited)")
    return {str(k): str(v) for k, v in data["xquad_articles"].items()}


def main() -> None:
    if SPLIT_FILE.exists():
        print(f"{SPLIT_FILE} exists (frozen); not rewritten", file=sys.stderr)
        return
    data = make_split()
    SPLIT_FILE.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    arts = data["xquad_articles"]
    assert isinstance(arts, dict)
    print(f"wrote {SPLIT_FILE}: {sum(v == 'fit' for v in arts.values())} fit / "
          f"{sum(v == 'test' for v in arts.values())} test articles, sha256 {data['sha256']}")


if __name__ == "__main__":
    main()
