"""`civicbot ask "QUESTION" [--lang vi|ru] [--json]`: the bot's answering path, from the terminal."""

from __future__ import annotations

from typing import Any

import typer

from bot.cli_common import check_lang, check_question, print_json, state

LANGS = ("vi", "ru")


def _print_human(result: Any) -> None:
    if result.abstained:
        typer.echo(f"(not sure — confidence {result.confidence:.2f})")
        if result.hits:
            typer.echo("Closest sources:")
            for h in result.hits[:3]:
                typer.echo(f"  • {h.title}" + (f" — {h.url}" if h.url else "") + f"  [{h.doc_id}]")
        return
    typer.echo(result.text)
    typer.echo(f"\nSources (confidence {result.confidence:.2f}):")
    for c in result.citations:
        line = f"  • {c.title}"
        if c.published:
            line += f" ({c.published})"
        if c.url:
            line += f" — {c.url}"
        typer.echo(line + f"  [{c.doc_id}]")


def ask(
    ctx: typer.Context,
    question: str = typer.Argument(..., help="The question, in Vietnamese or Russian."),
    lang: str | None = typer.Option(None, "--lang", help="vi or ru: used when the question's language is unclear."),
    as_json: bool = typer.Option(False, "--json", help="Print the answer as JSON."),
) -> None:
    """Answer a question from the knowledge base, with its sources (or abstain)."""
    check_lang(lang, LANGS)
    check_question(question)
    app = state(ctx).app
    app.search.refresh()
    result = app.answerer.answer(question, lang)
    if as_json:
        print_json(result.to_json())
    else:
        _print_human(result)


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
