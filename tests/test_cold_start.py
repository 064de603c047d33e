"""A named query in a fresh process loads only what it needs: the commands it does not
run, the templates it does not use and the libraries of validation, reasoning, plots
and the server stay unread."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from conftest import ROOT, Run
from diplograph.cli import cli
from diplograph.cli.app import COMMAND_MODULES
from diplograph.project import Project
from diplograph.sparql.header import HEADERS, read_header
from diplograph.store.cache import KnowledgeGraph

#: what a named query must not import (each costs tens to hundreds of milliseconds)
HEAVY = ("yaml", "rdflib", "pyshacl", "owlrl", "matplotlib", "starlette", "uvicorn", "httpx",
         "rich", "zstandard", "diplograph.reasoning.closure", "diplograph.store.compiler",
         "diplograph.validation.shacl", "diplograph.dumps.export", "diplograph.plots",
         "diplograph.server", "diplograph.cli.dumps", "diplograph.cli.facts",
         "diplograph.cli.plotting", "diplograph.cli.serving", "diplograph.cli.stores")

SHOW_IMPORTS = """import sys
from diplograph.cli import cli
code = cli.main(sys.argv[1:], prog_name="diplograph", standalone_mode=False)
print(__import__("json").dumps([code, sorted(sys.modules)]), file=sys.stderr)
"""


def imports_of(*args: str) -> tuple[int, str, set[str]]:
    """A command run in a fresh process: its exit code, its output and every module it
    imported."""
    done = subprocess.run([sys.executable, "-c", SHOW_IMPORTS, *args], capture_output=True,
                          text=True, timeout=120, check=False)
    code, modules = json.loads(done.stderr.splitlines()[-1])
    return code, done.stdout, set(modules)


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_a_named_query_imports_nothing_it_does_not_need(
        project: Project, store_dir: Path, graph: KnowledgeGraph) -> None:
    """Its first run checks the template with rdflib's parser and keeps the verdict in
    the cache folder; every later run, in a fresh process, loads none of the above."""
    args = ("--project", str(project.root), "--store", str(store_dir),
            "query", "timeline", "--a", "AZ", "--b", "UZ", "--format", "csv")
    assert imports_of(*args)[0] == 0
    code, out, modules = imports_of(*args)
    assert code == 0 and out.startswith("date,end,earliest,latest,kind,label,item\n1930,")
    assert heavy(modules) == []
    assert "pyoxigraph" in modules and "diplograph.cli.querying" in modules


def test_what_a_query_skips_is_loaded_when_used(
        project: Project, store_dir: Path, graph: KnowledgeGraph, tmp_path: Path) -> None:
    """The check of the imports above can fail: `export` loads its command's module and
    the dumps."""
    dumped = tmp_path / "graph.nt"
    code, _, modules = imports_of("--project", str(project.root), "--store", str(store_dir),
                                  "export", "--output", str(dumped))
    assert code == 0 and dumped.stat().st_size > 0
    assert {"diplograph.cli.dumps", "diplograph.dumps.export"} <= modules


def test_the_root_group_knows_every_command_of_its_modules() -> None:
    """`COMMAND_MODULES` names each top-level command and the module defining it: once
    every module is imported, the commands registered are exactly those named."""
    commands = cli.load_all()
    assert sorted(commands) == sorted(COMMAND_MODULES)
    for name, command in commands.items():
        assert command.callback is not None
        assert command.callback.__module__ == f"diplograph.cli.{COMMAND_MODULES[name]}", name


def test_help_lists_every_command_and_a_typo_gets_suggestions() -> None:
    code, out, _ = imports_of("--help")
    assert code == 0
    rows = out.split("Commands:\n")[1].splitlines()
    assert [r.split()[0] for r in rows if r[2] != " "] == sorted(COMMAND_MODULES)
    result = CliRunner().invoke(cli, ["qurey"])
    assert result.exit_code == 2
    assert "No such command 'qurey'" in result.output and "query" in result.output


def test_a_bad_template_stops_only_what_reads_it(
        run: Run, tmp_path: Path, store_dir: Path) -> None:
    """Running one query reads its template only: another's error does not stop it, but
    listing, showing and running the bad one still refuse it."""
    fork = tmp_path / "fork"
    for part in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / part, fork / part)
    (fork / "queries" / "broken.rq").write_text("SELECT ?x WHERE { ?x ?p ?o }\n")

    def on_fork(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, ["--project", str(fork), "--store", str(store_dir),
                                          *args])
        return result.exit_code, result.stdout, result.stderr

    code, out, _ = on_fork("query", "timeline", "--a", "AZ", "--b", "UZ", "--format", "csv")
    assert (code, out) == (0, run("query", "timeline", "--a", "AZ", "--b", "UZ",
                                  "--format", "csv").stdout)
    for args in (["queries"], ["queries", "show", "broken"], ["query", "broken"]):
        code, out, err = on_fork(*args)
        assert code == 3 and out == "", args
        assert err.startswith(f"error: {fork / 'queries' / 'broken.rq'}: ") and \
            "summary" in err, (args, err)


def test_kept_header_documents_read_as_the_yaml_does(project: Project, tmp_path: Path) -> None:
    """Every bundled header read from its kept JSON document is the header PyYAML reads;
    a damaged kept document is parsed again and kept anew."""
    templates = sorted(project.queries_dir.glob("*.rq"))
    for path in templates:
        text = path.read_text(encoding="utf-8")
        parsed = read_header(path, text)
        assert read_header(path, text, tmp_path) == parsed  # kept
        assert read_header(path, text, tmp_path) == parsed  # read from what was kept
    kept = sorted((tmp_path / HEADERS).iterdir())
    assert len(kept) == len(templates)
    kept[0].write_text("{damaged")
    assert [read_header(p, p.read_text(encoding="utf-8"), tmp_path) for p in templates] == \
        [read_header(p, p.read_text(encoding="utf-8")) for p in templates]
    assert kept[0].read_text().startswith("{\"")


def test_a_header_json_cannot_hold_exactly_is_not_kept(tmp_path: Path) -> None:
    """A date, or a number as a key, would come back from JSON as text: such a header is
    parsed each time, with the same result."""
    query = tmp_path / "q.rq"
    for header in ("#+ summary: On 1995-10-02\n#+ tags: [1995-10-02]\n",
                   "#+ summary: Numbers\n#+ tags: {1: one}\n"):
        first = read_header(query, header, tmp_path / "cache")
        assert read_header(query, header, tmp_path / "cache") == first
        assert not (tmp_path / "cache" / HEADERS).exists()
    assert read_header(query, "#+ summary: Text\n#+ tags: [a]\n", tmp_path / "cache").tags == \
        ("a",)
    assert len(list((tmp_path / "cache" / HEADERS).iterdir())) == 1
