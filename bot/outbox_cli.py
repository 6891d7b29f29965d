"""`taskforce outbox …`: what an operator does about messages that did not go out."""

from __future__ import annotations

import sys

import typer

from bot import catalog

outbox_app = typer.Typer(no_args_is_help=True, help="The outbox: messages waiting to go out.")


@outbox_app.command("retry")
def retry(
    ids: list[int] = typer.Argument(None, help="Message ids (taskforce status shows them)."),
    failed: bool = typer.Option(False, "--failed", help="Every message that failed for good."),
) -> None:
    """Re-queue messages: due now, with a fresh round of retries."""
    from bot.cli import _settings
    from bot.runtime import build
    from storage import outbox_ops
    from storage.engine import transaction

    settings = _settings()
    locale = settings.locale or "en"
    if not ids and not failed:
        typer.echo(catalog.text(locale, "outbox_cli.none"), err=True)
        raise typer.Exit(2)
    runtime = build(settings)
    with transaction(runtime.engine) as db:
        done, left = outbox_ops.requeue(db, ids or [], failed, runtime.clock.now())
    shown = ", ".join(f"#{i}" for i in done) or "-"
    sys.stdout.write(catalog.text(locale, "outbox_cli.requeued", count=len(done), ids=shown) + "\n")
    if left:
        missing = ", ".join(f"#{i}" for i in left)
        typer.echo(catalog.text(locale, "outbox_cli.not_requeued", ids=missing), err=True)
        raise typer.Exit(1)
