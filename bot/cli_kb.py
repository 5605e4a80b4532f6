"""`civicbot kb ...`: add, import, list, show, remove, rebuild and load the sample knowledge base.

Every change is followed by `app.search.refresh()` so the indexes follow the database. Long
operations show a progress bar on a terminal and stay quiet with `--json`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.cli_common import fail, print_json, state
from handlers.jsondata import JsonObject
from knowledge.errors import CivicError
from knowledge.types import AddResult, DocInfo, DocMeta

if TYPE_CHECKING:
    from knowledge.store import KnowledgeBase
    from retrieval.service import SearchService

kb_app = typer.Typer(help="The knowledge base: documents the bot answers from.", no_args_is_help=True)
ProgressFn = Callable[[int, int], None]

JSON_OPT = typer.Option(False, "--json", help="Machine-readable output, no progress bars.")


def register(app: typer.Typer) -> None:
    app.add_typer(kb_app, name="kb")


# ---- helpers ------------------------------------------------------------------------------------


@contextmanager
def progress_bar(label: str, quiet: bool) -> Iterator[ProgressFn | None]:
    """A rich progress callback `progress(done, total)` on a terminal; None when quiet or piped."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _search(ctx: typer.Context) -> SearchService:
    return state(ctx).app.search


def refresh_indexes(ctx: typer.Context, quiet: bool) -> None:
    with progress_bar("Indexing", quiet) as progress:
        _search(ctx).refresh(progress=progress)


def _kb(ctx: typer.Context) -> KnowledgeBase:
    return state(ctx).app.kb


def _echo_results(results: list[AddResult], as_json: bool) -> None:
    if as_json:
        print_json([r.to_json() for r in results])
        return
    for r in results:
        version = f"v{r.previous_version} → v{r.version}" if r.previous_version is not None else f"v{r.version}"
        typer.echo(f"{r.action:<9} {r.doc_id}  [{r.lang}] {r.chunks} chunks, {version}  {r.title}")
    changed = sum(1 for r in results if r.action != "unchanged")
    typer.echo(f"{len(results)} document(s), {changed} changed, {sum(r.chunks for r in results)} chunks.")


def _doc_json(d: DocInfo) -> JsonObject:
    data = d.to_json()
    data.pop("meta", None)
    return data


def shared_dir() -> Path:
    """`$CIVICBOT_SHARED_DIR`, else `<repo>/../shared`."""
    env = os.environ.get("CIVICBOT_SHARED_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"


def sample_paths() -> list[Path]:
    """The sample knowledge base: the shared seeds and knowledge/corpus/ (what exists of them)."""
    import knowledge

    candidates = [shared_dir() / "seeds", Path(knowledge.__file__).resolve().parent / "corpus"]
    return [p for p in candidates if p.is_dir() and any(p.iterdir())]


# ---- commands -----------------------------------------------------------------------------------


@kb_app.command("add")
def add(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Files (.txt .md .html .pdf .docx) or folders."),
    lang: str | None = typer.Option(None, "--lang", help="vi or ru (default: detected)."),
    title: str | None = typer.Option(None, "--title", help="Title (one file only)."),
    region: str | None = typer.Option(None, "--region"),
    program: str | None = typer.Option(None, "--program"),
    url: str | None = typer.Option(None, "--url", help="Source URL (one file only)."),
    published: str | None = typer.Option(None, "--published", help="Publication date, YYYY-MM-DD."),
    effective: str | None = typer.Option(None, "--effective", help="Date in force, YYYY-MM-DD."),
    doc_id: str | None = typer.Option(None, "--id", help="The document's id (one file only); default: the "
                                                         "front matter's id, else the normalized file name."),
    as_json: bool = JSON_OPT,
) -> None:
    """Add (or replace) documents. A document's identity is its id (front matter or --id), else its
    normalized file name: adding b/quy-x.md after a/quy-x.md replaces it (history kept)."""
    from knowledge.ingest.meta import parse_date

    if (title or url or doc_id) and (len(paths) > 1 or any(p.is_dir() for p in paths)):
        fail("--title, --url and --id apply to a single file; add the files one by one")
    try:
        meta = DocMeta(
            title=title, lang=lang, url=url, region=region, program=program, doc_id=doc_id,
            published=parse_date(published, file="--published", what="--published"),
            effective=parse_date(effective, file="--effective", what="--effective"),
        )  # fmt: skip
        with progress_bar("Reading", as_json) as progress:
            results = _kb(ctx).add_paths(paths, meta, progress=progress)
    except CivicError as exc:
        fail(str(exc))
    if any(r.action != "unchanged" for r in results):
        refresh_indexes(ctx, as_json)
    _echo_results(results, as_json)


@kb_app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help='JSONL: one {"id","text","lang","title"?,"url"?} per line.'),
    as_json: bool = JSON_OPT,
) -> None:
    """Import a JSONL corpus (ids kept); a malformed line aborts the whole import."""
    try:
        with progress_bar("Importing", as_json) as progress:
            results = _kb(ctx).import_jsonl(file, progress=progress)
    except CivicError as exc:
        fail(str(exc))
    if any(r.action != "unchanged" for r in results):
        refresh_indexes(ctx, as_json)
    _echo_results(results, as_json)


@kb_app.command("list")
def list_(
    ctx: typer.Context,
    history: bool = typer.Option(False, "--history", help="Include replaced and removed versions."),
    as_json: bool = JSON_OPT,
) -> None:
    """List documents, newest first."""
    docs = _kb(ctx).list_documents(include_history=history)
    if as_json:
        print_json([_doc_json(d) for d in docs])
        return
    for d in docs:
        status = "" if d.status == "active" else f" ({d.status})"
        typer.echo(f"{d.doc_id}  [{d.lang}] {d.chunks} chunks, v{d.version}{status}  {d.title}")
    typer.echo(f"{len(docs)} document(s).")


@kb_app.command("show")
def show(
    ctx: typer.Context,
    doc_id: str = typer.Argument(...),
    chunks: bool = typer.Option(False, "--chunks", help="Also print the chunks."),
    as_json: bool = JSON_OPT,
) -> None:
    """Show one document (its active version and its history)."""
    kb = _kb(ctx)
    history = kb.history(doc_id)
    if not history:
        fail(f"no document with id {doc_id}")
    doc = kb.get(doc_id) or history[0]
    parts = kb.chunks(doc_id) if chunks else []
    if as_json:
        data = _doc_json(doc)
        data["history"] = [{"version": h.version, "status": h.status, "created_at": h.created_at.isoformat()}
                           for h in history]  # fmt: skip
        if chunks:
            data["chunk_list"] = [{"chunk_id": c.chunk_id, "position": c.position, "char_start": c.char_start,
                                   "char_end": c.char_end, "text": c.text} for c in parts]  # fmt: skip
        print_json(data)
        return
    for key, value in _doc_json(doc).items():
        typer.echo(f"{key:>12}: {value}")
    typer.echo(f"{'history':>12}: " + ", ".join(f"v{h.version} {h.status}" for h in history))
    for c in parts:
        typer.echo(f"\n--- chunk {c.position} (#{c.chunk_id}, {c.char_start}-{c.char_end})\n{c.text}")


@kb_app.command("remove")
def remove(ctx: typer.Context, doc_id: str = typer.Argument(...), as_json: bool = JSON_OPT) -> None:
    """Remove a document (kept in history) and its chunks from every index."""
    if not _kb(ctx).remove(doc_id):
        fail(f"no active document with id {doc_id}")
    refresh_indexes(ctx, as_json)
    if as_json:
        print_json({"doc_id": doc_id, "removed": True})
    else:
        typer.echo(f"removed {doc_id}")


@kb_app.command("rebuild")
def rebuild(
    ctx: typer.Context,
    rechunk: bool = typer.Option(False, "--rechunk", help="Re-cut every document into chunks first."),
    as_json: bool = JSON_OPT,
) -> None:
    """Rebuild the search indexes from the database."""
    kb = _kb(ctx)
    if rechunk:
        with progress_bar("Chunking", as_json) as progress:
            kb.rechunk(progress=progress)
    with progress_bar("Indexing", as_json) as progress:
        _search(ctx).rebuild(progress=progress)
    info = {"documents": kb.count_documents(), "chunks": kb.count_chunks(), "corpus_version": kb.corpus_version()}
    if as_json:
        print_json(info)
    else:
        typer.echo(f"rebuilt: {info['documents']} documents, {info['chunks']} chunks (v{info['corpus_version']}).")


@kb_app.command("sample")
def sample(
    ctx: typer.Context,
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing when documents exist."),
    as_json: bool = JSON_OPT,
) -> None:
    """Load the sample knowledge base (shared seeds + knowledge/corpus)."""
    kb = _kb(ctx)
    if if_empty and kb.count_documents() > 0:
        if as_json:
            print_json([])
        else:
            typer.echo(f"the knowledge base already has {kb.count_documents()} document(s); nothing loaded.")
        return
    paths = sample_paths()
    results: list[AddResult] = []
    if paths:
        try:
            with progress_bar("Reading", as_json) as progress:
                results = kb.add_paths(paths, progress=progress)
        except CivicError as exc:
            fail(str(exc))
    if any(r.action != "unchanged" for r in results):
        refresh_indexes(ctx, as_json)
    _echo_results(results, as_json)
