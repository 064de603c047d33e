"""Commands that manage compiled stores: `store info | rebuild | clear`."""

from __future__ import annotations

import click

from diplograph.cli.app import CompileStatus, cli, graph_of, project_of
from diplograph.namespaces import compact


@cli.group()
def store() -> None:
    """Manage the compiled store (the sources compiled for fast queries)."""


@store.command()
@click.pass_context
def info(ctx: click.Context) -> None:
    """Where the current store is, and how many triples each graph holds."""
    graph = graph_of(ctx)
    info = graph.store_info()
    click.echo(f"store:    {info.path}")
    click.echo(f"project:  {graph.project.root}")
    found = info.consistency
    click.echo(f"reasoner: {found.engine}, "
               + ("consistent" if found.consistent else
                  f"inconsistent ({len(found.contradictions)} clash(es): `reason` lists them)"))
    click.echo(f"size:     {info.size / 2**20:.1f} MiB")
    click.echo(f"cache:    {info.cache_size / 2**20:.1f} MiB, stores: {info.stores} "
               "(files they share counted once; `store clear` empties it)")
    total = 0
    for name, count in info.counts.items():
        click.echo(f"{count:>10}  {compact(name.value)}")
        total += count
    click.echo(f"{total:>10}  triples in all")


@store.command("rebuild")
@click.pass_context
def rebuild_command(ctx: click.Context) -> None:
    """Compile the store again from the sources, even if they did not change."""
    with CompileStatus() as status:
        path = project_of(ctx).rebuild(status.update)
    click.echo(f"rebuilt {path}", err=True)


@store.command("clear")
@click.pass_context
def clear_command(ctx: click.Context) -> None:
    """Remove every compiled store from the cache folder (they are rebuilt on demand)."""
    removed = project_of(ctx).clear_cache()
    click.echo(f"removed {len(removed)} stores", err=True)
