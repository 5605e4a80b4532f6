"""`civicbot ask "QUESTION" [--lang vi|ru] [--country VN|KZ] [--json]` and
`civicbot ask --file QUESTIONS.jsonl [--json]`: the bot's answering path, from the terminal.

A batch file holds one JSON object per line, `{"id", "question", "lang"?, "country"?}`; the model is
loaded once and each question gets one JSON line out (`id` plus the fields of `ask --json`); a bad
line gets `{"id", "line", "error"}` and the run goes on.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.cli_common import check_lang, check_question, fail, print_json, state
from handlers.jsondata import JsonObject

if TYPE_CHECKING:
    from bot.app import App
    from handlers.i18n import Catalog
    from retrieval.answer import Answer

LANGS = ("vi", "ru")


def _catalog() -> Catalog:
    from handlers.i18n import Catalog

    return Catalog.load()


def to_json(result: Answer, catalog: Catalog) -> JsonObject:
    """`ask --json` of one answer: a mismatch's `answer` is the labelled reply in its language."""
    data = result.to_json()
    if result.mismatch is not None:
        from handlers.ask.mismatch import mismatch_text

        data["answer"] = mismatch_text(lambda key, **p: catalog.t(result.lang, key, **p), result)
    return data


def _print_human(result: Answer, catalog: Catalog) -> None:
    from handlers.ask.mismatch import citation_label, mismatch_text

    def t(key: str, **p: object) -> str:
        return catalog.t(result.lang, key, **p)

    if result.abstained and result.mismatch is None:
        typer.echo(f"(not sure — confidence {result.confidence:.2f})")
        if result.hits:
            typer.echo("Closest sources:")
            for h in result.hits[:3]:
                typer.echo(f"  • {h.title}" + (f" — {h.url}" if h.url else "") + f"  [{h.doc_id}]")
        return
    typer.echo(mismatch_text(t, result) if result.abstained else result.text)
    typer.echo(f"\nSources (confidence {result.confidence:.2f}):")
    for c in result.citations:
        line = f"  • {citation_label(t, c)}"
        if c.published:
            line += f" ({c.published})"
        if c.url:
            line += f" — {c.url}"
        typer.echo(line + f"  [{c.doc_id}]")


def _rows(path: Path) -> Iterator[tuple[int, JsonObject | None, str | None]]:
    """(line number, the parsed question or None, the error or None) for each non-blank line."""
    with path.open(encoding="utf-8", errors="replace") as fh:
        for n, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except ValueError as exc:
                yield n, None, f"not valid JSON: {exc}"
                continue
            if not isinstance(row, dict):
                yield n, None, "a line must be a JSON object with \"id\" and \"question\""
                continue
            question = row.get("question")
            if not isinstance(question, str) or not question.strip():
                yield n, row, "\"question\" must be a non-empty string"
            elif row.get("lang") is not None and row.get("lang") not in LANGS:
                yield n, row, f"\"lang\" must be one of {', '.join(LANGS)}"
            elif row.get("country") is not None and not isinstance(row.get("country"), str):
                yield n, row, "\"country\" must be a string like \"VN\""
            else:
                yield n, row, None


def _batch(app: App, path: Path, as_json: bool, country: str | None) -> None:
    catalog = _catalog()
    answered = failed = 0
    for n, row, error in _rows(path):
        qid = row.get("id") if row is not None else None
        if error is not None:
            failed += 1
            out: JsonObject = {"id": qid, "line": n, "error": error}
        else:
            assert row is not None
            try:
                result = app.answerer.answer(row["question"], row.get("lang"), country=row.get("country") or country)
            except Exception as exc:  # one bad question must not stop the batch
                failed += 1
                out = {"id": qid, "line": n, "error": f"could not answer: {type(exc).__name__}"}
            else:
                answered += 1
                if not as_json:
                    typer.echo(f"[{qid}] {row['question']}")
                    _print_human(result, catalog)
                    typer.echo("")
                    continue
                out = {"id": qid, **to_json(result, catalog)}
        if as_json:
            sys.stdout.write(json.dumps(out, ensure_ascii=False, default=str) + "\n")
            sys.stdout.flush()
        else:
            typer.echo(f"[{qid}] line {n}: error: {out['error']}")
    typer.echo(f"{answered} answered, {failed} failed", err=True)


def ask(
    ctx: typer.Context,
    question: str | None = typer.Argument(None, help="The question, in Vietnamese or Russian."),
    lang: str | None = typer.Option(None, "--lang", help="vi or ru: used when the question's language is unclear."),
    as_json: bool = typer.Option(False, "--json", help="Print the answer as JSON (one line per question with --file)."),
    file: Path | None = typer.Option(None, "--file", help="JSONL: one {\"id\", \"question\", \"lang\"?} a line."),
    country: str | None = typer.Option(None, "--country", help="The user's country (VN, KZ)."),
) -> None:
    """Answer a question (or a file of questions) from the knowledge base, with sources (or abstain)."""
    check_lang(lang, LANGS)
    if file is not None:
        if question is not None:
            fail("give either a QUESTION or --file, not both", 2)
        if not file.is_file():
            fail(f"no such file: {file}", 2)
        app = state(ctx).app
        app.search.refresh()
        _batch(app, file, as_json, country)
        return
    if question is None:
        fail("the question is empty", 2)
    check_question(question)
    app = state(ctx).app
    app.search.refresh()
    result = app.answerer.answer(question, lang, country=country)
    if as_json:
        print_json(to_json(result, _catalog()))
    else:
        _print_human(result, _catalog())


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
