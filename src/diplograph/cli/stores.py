"""Commands that manage compiled stores: `store info | rebuild | clear`."""

from __future__ import annotations

import click

from diplograph.cli.app import CompileStatus, app_of, cli
from diplograph.namespaces import compact
from diplograph.reasoning import consistency
from diplograph.store.cache import clear, default_cache_dir, disk_use, rebuild
from diplograph.store.folder import COMPLETE


@cli.group()
def store() -> None:
    """Manage the compiled store (the sources compiled for fast queries)."""


@store.command()
@click.pass_context
def info(ctx: click.Context) -> None:
    """Where the current store is, and how many triples each graph holds."""
    graph = app_of(ctx).graph
    stores = [p for p in graph.path.parent.iterdir() if (p / COMPLETE).is_file()]
    click.echo(f"store:    {graph.path}")
    click.echo(f"project:  {app_of(ctx).project.root}")
    found = consistency.read(graph.path)
    click.echo(f"reasoner: {found.engine}, "
               + ("consistent" if found.consistent else
                  f"inconsistent ({len(found.contradictions)} clash(es): `reason` lists them)"))
    click.echo(f"size:     {disk_use([graph.path]) / 2**20:.1f} MiB")
    click.echo(f"cache:    {disk_use(stores) / 2**20:.1f} MiB, stores: {len(stores)} "
               "(files they share counted once; `store clear` empties it)")
    total = 0
    for name, count in graph.counts().items():
        click.echo(f"{count:>10}  {compact(name.value)}")
        total += count
    click.echo(f"{total:>10}  triples in all")


@store.command("rebuild")
@click.pass_context
def rebuild_command(ctx: click.Context) -> None:
    """Compile the store again from the sources, even if they did not change."""
    app = app_of(ctx)
    with CompileStatus() as status:
        graph = rebuild(app.project, app.store_dir, progress=status.update)
    click.echo(f"rebuilt {graph.path}", err=True)


@store.command("clear")
@click.pass_context
def clear_command(ctx: click.Context) -> None:
    """Remove every compiled store from the cache folder (they are rebuilt on demand)."""
    removed = clear(app_of(ctx).store_dir or default_cache_dir())
    click.echo(f"removed {len(removed)} stores", err=True)
