"""`civicbot search` and `civicbot eval retrieval`."""

from __future__ import annotations

import functools
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.cli_common import check_lang, check_question, fail, print_json, state
from handlers.jsondata import JsonObject

if TYPE_CHECKING:
    from retrieval.evaluate import LabelledQuery

MODES = ("hybrid", "bm25", "dense")
ProgressFn = Callable[[int, int], None]


@contextmanager
def progress_bar(label: str, quiet: bool) -> Iterator[ProgressFn | None]:
    """A rich progress bar on a terminal; nothing with --json or when output is piped."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield update


@contextmanager
def index_progress(json_output: bool) -> Iterator[ProgressFn]:
    """Bringing the search index up to date before a search. Silent when nothing needs embedding;
    otherwise (passages missing from the embedding cache, e.g. after an interrupted `kb add`) it says
    so on stderr, then shows progress: a bar on a terminal, else a line every few seconds (stdout,
    the results or the JSON, stays clean)."""
    bar_wanted = not json_output and sys.stderr.isatty()
    with progress_bar("embedding passages", not bar_wanted) as bar:
        told = {"total": 0, "at": 0.0}

        def update(done: int, total: int) -> None:
            if total <= 0:
                return
            now = time.monotonic()
            if not told["total"]:
                told.update(total=total, at=now)
                typer.echo(f"search index: {total} passage(s) are not embedded yet (an interrupted or new "
                           f"indexing run); embedding them now, which can take minutes. To do it ahead of "
                           f"searching, run: civicbot kb rebuild", err=True)
            if bar is not None:
                bar(done, total)
            elif done == total or now - told["at"] >= PROGRESS_EVERY_S:
                told["at"] = now
                typer.echo(f"embedding: {done}/{total} ({100 * done // total}%)", err=True)

        yield update


PROGRESS_EVERY_S = 2.0


def _search(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="The question or keywords."),
    k: int = typer.Option(5, "--k", min=1, max=100, help="Number of results."),
    lang: str | None = typer.Option(None, "--lang", help="Only documents in this language (vi, ru)."),
    region: str | None = typer.Option(None, "--region", help="Only documents of this region."),
    program: str | None = typer.Option(None, "--program", help="Only documents of this program."),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid, bm25 or dense."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Search the knowledge base."""
    check_lang(lang, ("vi", "ru"))
    if mode not in MODES:
        fail(f"--mode must be one of {', '.join(MODES)}, not {mode!r}")
    check_question(query, "the query")
    service = state(ctx).app.search
    with index_progress(as_json) as progress:
        service.refresh(progress=progress)
    hits = service.search(query, k=k, lang=lang, region=region, program=program, mode=mode)
    if as_json:
        print_json({"query": query, "results": [h.to_json() for h in hits]})
        return
    if not hits:
        typer.echo("no results")
    for i, h in enumerate(hits, 1):
        snippet = " ".join(h.text.split())[:200]
        typer.echo(f"{i}. [{h.score:.3f}] {h.title} ({h.doc_id}, {h.lang}, chunk {h.chunk_id})\n   {snippet}")


def _eval_retrieval(
    ctx: typer.Context,
    corpus: Path = typer.Option(..., "--corpus", help="Corpus JSONL: {id, text, lang, title?}."),
    queries: Path = typer.Option(..., "--queries", help="Queries JSONL: {id, text, lang, relevant, answers}."),
    k: int = typer.Option(10, "--k", min=1, max=100, help="Results retrieved per query (metrics use @1..@10)."),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid, bm25, dense, or all (one result per mode)."),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Index here and reuse what is already indexed (default: a fresh temporary dir)."
    ),
    strip: bool = typer.Option(False, "--strip-diacritics", help="Remove diacritics from the queries first."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Measure retrieval quality and latency on a labelled query set."""
    from retrieval.evaluate import EvalInputError, load_queries

    modes = list(MODES) if mode == "all" else [mode]
    if mode != "all" and mode not in MODES:
        fail(f"--mode must be hybrid, bm25, dense or all, not {mode!r}")
    for path in (corpus, queries):
        if not path.is_file():
            fail(f"{path}: no such file")
    try:
        labelled = load_queries(queries)
    except EvalInputError as exc:
        fail(str(exc))
    with _eval_dir(data_dir) as directory:
        results = _run_eval(ctx, directory, corpus, labelled, modes, k, strip, as_json)
    out: object = results if mode == "all" else results[mode]
    if as_json:
        print_json(out)
        return
    for name, metrics in results.items():
        typer.echo(f"{name}: " + "  ".join(f"{key}={value}" for key, value in metrics.items()))


@contextmanager
def _eval_dir(data_dir: Path | None) -> Iterator[Path]:
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        yield data_dir
        return
    with tempfile.TemporaryDirectory(prefix="civicbot-eval-") as tmp:
        yield Path(tmp)


def _run_eval(
    ctx: typer.Context, directory: Path, corpus: Path, labelled: list[LabelledQuery], modes: list[str],
    k: int, strip: bool, quiet: bool,
) -> dict[str, JsonObject]:  # fmt: skip
    from bot.app import App
    from knowledge.errors import CivicError
    from retrieval.eval_corpus import import_corpus
    from retrieval.evaluate import evaluate

    # The evaluation always uses its own SQLite database, never the configured DATABASE_URL.
    settings = state(ctx).settings.model_copy(update={"data_dir": directory, "database_url": None})
    app = App(settings)
    try:
        with progress_bar("importing corpus", quiet) as progress:
            import_corpus(app.engine, corpus, progress)
    except CivicError as exc:
        fail(str(exc))
    service = app.search
    with progress_bar("embedding passages", quiet) as progress:
        service.refresh(progress=progress)
    results: dict[str, JsonObject] = {}
    for mode in modes:
        with progress_bar(f"evaluating {mode}", quiet) as progress:
            results[mode] = evaluate(
                functools.partial(service.timed_search, k=max(k, 10), mode=mode),
                labelled, strip=strip, progress=progress,
            )  # fmt: skip
    return results


def register(app: typer.Typer) -> None:
    app.command("search")(_search)
    eval_app = typer.Typer(help="Evaluations.", no_args_is_help=True)
    eval_app.command("retrieval")(_eval_retrieval)
    app.add_typer(eval_app, name="eval")
