"""`workbench serve`: the annotator in a browser."""

from __future__ import annotations

import click

from .base import EXIT_INPUT, Context, errors_reported, fail, pass_ctx
from .documents import _init_if_new


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but loopback lets whoever reaches the port "
    "annotate as you.",
)
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@click.option(
    "--public-url",
    help="The address browsers use, when it is not http://HOST:PORT (a proxy, or a "
    "tunnel to another local port).",
)
@pass_ctx
def serve(ctx: Context, host: str, port: int, public_url: str | None) -> None:
    """Serve the annotator to a browser (needs `pip install 'workbench[serve]'`).

    Every browser session runs the same annotator as `workbench annotate`, on the same
    database, as the account that started the server. It listens on loopback unless
    --host says otherwise: from a laptop, forward the port over SSH with
    `ssh -L 8000:localhost:8000 server` and open http://localhost:8000.
    """
    from ..jobs.serve import (
        Served,
        ServeUnavailable,
        annotator_command,
        browser_key_clashes,
        is_loopback,
        make_server,
    )

    with errors_reported():  # a bad [keys] table: one line now, not in every browser
        keys = _keys_in_effect(ctx)
    command = annotator_command(ctx.db_path, ctx.config.path, ctx.annotator)
    served = Served(command, host, port, public_url.rstrip("/") if public_url else None)
    try:
        server = make_server(served, title=f"workbench: {ctx.db_path.name}")
    except ServeUnavailable as e:
        fail(str(e), EXIT_INPUT)
    if not is_loopback(host):
        click.echo(
            f"workbench: warning: listening on {host}:{port}: anyone who reaches this port "
            f"works as this account ({ctx.annotator}), on {ctx.db_path}. Prefer the default "
            f"127.0.0.1 and `ssh -L {port}:localhost:{port} server`.",
            err=True,
        )
        if public_url is None and host in ("0.0.0.0", "::"):
            click.echo(
                "workbench: warning: pages will ask for the app at "
                f"{served.url}; give --public-url http://NAME:{port} with the name "
                "browsers use for this machine",
                err=True,
            )
    for binding, key in browser_key_clashes(keys):
        click.echo(
            f"workbench: warning: [keys] {binding} = {key}: a browser keeps {key} for itself",
            err=True,
        )
    _init_if_new(ctx)  # once here, not in each browser session at the same time
    with errors_reported():
        click.echo(f"Open {served.url} in a browser (Ctrl+C stops the server).", err=True)
        if is_loopback(host) and public_url is None:
            click.echo(
                f"From another machine: ssh -L {port}:localhost:{port} THIS-SERVER, then "
                f"open http://localhost:{port} there.",
                err=True,
            )
        server.serve()


def _keys_in_effect(ctx: Context) -> dict[str, str]:
    """Binding id -> its keys after the configuration's [keys] (ConfigError for a typo)."""
    from ..tui.bindings import all_bindings, keymap

    remapped = keymap(ctx.config)
    return {b.id: remapped.get(b.id, b.key) for b in all_bindings(ctx.config) if b.id}
