"""`diplograph serve`: the graph over HTTP, SPARQL endpoint, query API and web page."""

from __future__ import annotations

import signal
import socket

import click

from diplograph.cli.app import CompileStatus, Seconds, cli, project_of
from diplograph.errors import UsageError


def _listen(host: str, port: int) -> socket.socket:
    """A socket listening on host:port, or a usage error saying why not."""
    sock = None
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(info[0], socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(info[4])
        sock.listen(2048)
    except OSError as exc:
        if sock is not None:
            sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         hint="choose another --port, or stop what uses it") from exc
    return sock


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--timeout", type=Seconds(0.1), default=10.0, show_default=True,
              help="Seconds a query may run before it is answered with 503.")
@click.option("--max-rows", type=click.IntRange(1), default=100_000, show_default=True,
              help="Most rows (or triples) one answer may hold.")
@click.option("--workers", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Worker processes: queries run at once.")
@click.option("--memory", type=click.IntRange(16), default=2048, show_default=True,
              help="MiB each worker may grow by once the graph is open; a query past "
                   "it gets 503.")
@click.option("--access-log", is_flag=True, help="Log every request on stderr.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, timeout: float, max_rows: int,
          workers: int, memory: int, access_log: bool) -> None:
    """Serve the graph over HTTP: a web page at /, a read-only SPARQL 1.1 endpoint at
    /sparql, the stored queries at /api/queries (OpenAPI at /openapi.json, try it at
    /api/docs). Runs until interrupted (Ctrl+C)."""
    import uvicorn  # here: other commands start without the web stack

    from diplograph.server import Limits, create_app
    from diplograph.server.pool import MIB

    graph = project_of(ctx)
    sock = _listen(host, port)  # first: a port in use is said before the graph is opened
    try:
        with CompileStatus() as status:
            graph.compile(status.update)
            web = create_app(graph, Limits(timeout=timeout, max_rows=max_rows, workers=workers,
                                           memory=memory * MIB, room=16 * workers))
    except BaseException:
        sock.close()
        raise
    bound = sock.getsockname()
    shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    click.echo(f"serving {graph.project.root} at http://{shown}:{bound[1]}/ "
               "(SPARQL at /sparql, API at /api/docs; Ctrl+C stops)", err=True)
    config = uvicorn.Config(web, log_level="warning", access_log=access_log,
                            timeout_graceful_shutdown=2)
    # uvicorn stops gracefully on SIGTERM, then raises it again: with the default action
    # the server ends by the signal, as a service manager expects of a clean stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    uvicorn.Server(config).run(sockets=[sock])
