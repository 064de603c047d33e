"""Adding validated facts to a data file without risk to what is there.

Under a lock on the project's data folder: validate the whole batch against the
current graph, leave out facts the graph already holds, append the rest to the
target file as a Turtle block (the existing bytes stay as they are), check that the
result parses to exactly old + new, and replace the file atomically."""

from __future__ import annotations

import datetime
import hashlib
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from diplograph.atomic import writable_target, write_atomically
from diplograph.errors import InputError, UsageError
from diplograph.namespaces import PREFIXES
from diplograph.project import Project
from diplograph.rdf.reading import parse_turtle
from diplograph.store.cache import KnowledgeGraph, open_graph
from diplograph.store.compiler import declarations
from diplograph.store.folder import asserted_graph, read_sources
from diplograph.validation.severity import Severity
from diplograph.validation.shacl import NewFacts, ValidationReport, validate_facts

DEFAULT_TARGET = "additions.ttl"
LOCK_FILE = ".diplograph.lock"
_PREFIX_LINE = re.compile(r"^@prefix\s+([\w.-]*):\s*<([^>]*)>\s*\.\s*$", re.M)


@dataclass(frozen=True)
class Addition:
    """What an add did (or, on a dry run, would do)."""

    report: ValidationReport
    target: Path
    added: tuple[ox.Triple, ...] = ()
    block: str = ""


def target_file(project: Project, to: Path | None) -> Path:
    """The data file facts go to: `--to`, or data/additions.ttl; it must be a Turtle
    file in the project's data folder."""
    if project.is_bundled:
        raise UsageError("the bundled graph is read-only",
                         hint="give --project DIR (a copy of the graph) to add facts to")
    data = (project.root / "data").resolve()
    target = writable_target(to if to is not None else data / DEFAULT_TARGET)
    if target.parent != data or target.suffix != ".ttl":
        raise UsageError(f"{to}: facts go to a .ttl file directly in {data}",
                         hint=f"e.g. --to {data / DEFAULT_TARGET}")
    return target


@contextmanager
def locked(project: Project) -> Iterator[None]:
    """Hold the project's add lock (an OS file lock, on Windows too); concurrent adds
    wait their turn."""
    from filelock import FileLock

    with FileLock(project.root / "data" / LOCK_FILE):
        yield


def already_known(graph: KnowledgeGraph, triples: tuple[ox.Triple, ...]) -> set[ox.Triple]:
    """The triples some asserted source already states."""
    asserted = set(graph.graphs(inference=False))
    return {t for t in triples
            if any(q.graph_name in asserted
                   for q in graph.store.quads_for_pattern(t.subject, t.predicate, t.object))}


def turtle_block(triples: list[ox.Triple], existing: bytes, note: str,
                 in_force: bytes | None = None) -> str:
    """The triples as readable Turtle, under a comment, declaring only the prefixes the
    existing file does not already declare the same way (those `in_force` at its end,
    when known: then the file is not searched)."""
    declared = dict(_PREFIX_LINE.findall((existing if in_force is None else in_force)
                                         .decode("utf-8")))
    body = (ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.TURTLE,
                         prefixes=PREFIXES) or b"").decode("utf-8")
    lines = [line for line in body.splitlines()
             if not ((m := _PREFIX_LINE.match(line)) and declared.get(m[1]) == m[2])]
    used = [line.replace("\t", "    ") for line in lines
            if line.strip() and not _PREFIX_LINE.match(line)]
    needed = sorted(line for line in lines if (m := _PREFIX_LINE.match(line))
                    and re.search(rf"(?<![\w-]){re.escape(m[1])}:", "\n".join(used)))
    return "\n".join([f"# {note}", *needed, "", *used]) + "\n"


def add_files(
    project: Project,
    paths: list[Path],
    *,
    to: Path | None = None,
    store_dir: Path | None = None,
    dry_run: bool = False,
    fail_on: Severity = Severity.VIOLATION,
    open_namespaces: Sequence[str] = (),
) -> Addition:
    """Validate the files' facts and append the new ones to the target data file."""
    target = target_file(project, to)
    facts = NewFacts.read(paths)
    blank = next((t for t in facts.triples if isinstance(t.subject, ox.BlankNode)
                  or isinstance(t.object, ox.BlankNode)), None)
    if blank is not None:
        where = facts.locations.get(str(blank.subject), ", ".join(facts.files))
        raise InputError(f"{where}: blank nodes cannot be added (they have no identity "
                         "to find them again)", hint="name the node with an IRI (dgr:...)")
    with locked(project):
        graph = open_graph(project, store_dir)
        report = validate_facts(graph, project, facts, open_namespaces)
        if not report.conforms(fail_on):
            return Addition(report, target)
        known = already_known(graph, facts.triples)
        fresh = sorted({t for t in facts.triples if t not in known}, key=str)
        if not fresh:
            return Addition(report, target)
        old = target.read_bytes() if target.exists() else _new_file_header(target)
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        note = f"added {stamp} from {', '.join(Path(f).name for f in facts.files)}"
        in_force = _declared_at_end(graph, project, target, old)
        block = turtle_block(fresh, old, note, in_force)
        joined = old + (b"" if old.endswith(b"\n") or not old else b"\n") + b"\n" + block.encode()
        _check_result(target, old, joined, fresh, in_force)
        if not dry_run:
            write_atomically(target, joined)
            _sync_folder(target.parent)
        return Addition(report, target, tuple(fresh), block)


def _new_file_header(target: Path) -> bytes:
    return (f"# {target.name}: facts added with `diplograph add`.\n"
            "# Each block below says when and from which file.\n").encode()


def _declared_at_end(graph: KnowledgeGraph, project: Project, target: Path,
                     old: bytes) -> bytes | None:
    """The prefixes and base in force at the end of the target's `old` bytes, if the
    store compiled exactly those bytes and kept them."""
    name = asserted_graph(project.relative(target))
    if read_sources(graph.path).get(name.value) != (hashlib.sha256(old).hexdigest(), len(old)):
        return None
    return declarations(graph.path, name)


def _check_result(target: Path, old: bytes, joined: bytes, fresh: list[ox.Triple],
                  declared: bytes | None) -> None:
    """Refuse to write unless the new file parses to exactly the old triples + the new.
    When the old bytes are a document the store compiled and the `declared` prefixes
    and base in force at its end are known, the appended bytes alone are parsed after
    them: they start a statement and name no blank node, so that is what parsing the
    whole file gives them."""
    if declared is not None and joined.startswith(old):
        appended = set(parse_turtle(declared + joined[len(old):], str(target)))
        if appended == set(fresh):
            return
    before = set(parse_turtle(old, str(target)))
    after = set(parse_turtle(joined, str(target)))
    if after != before | set(fresh):
        raise InputError(f"{target}: appending would not give old + new facts",
                         hint="the file was left as it was; report this as a bug")


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
