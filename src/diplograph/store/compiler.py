"""Compiling the sources into a store. When an earlier store shares most of the sources'
bytes, a copy of it is updated: only changed files are parsed, only the triples that
differ are written, and the OWL RL closure is extended when facts were only added.
Otherwise the store is built from scratch. Oxigraph writes on a thread of its own (it
releases the GIL) while Python parses and reasons."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

from diplograph.processes import give_back_memory
from diplograph.rdf.reading import input_format, parse_file, read_triples
from diplograph.reasoning import consistency
from diplograph.reasoning.closure import (
    Entailed,
    entailed_ntriples,
    extended_ntriples,
    extension_in_store,
    joined,
)
from diplograph.reasoning.engines import Engine, default_engine
from diplograph.reasoning.intervals import (
    DERIVED_FROM,
    LINKS,
    PREDICATES,
    WANTED,
    LinesOf,
    LinkingTo,
    interval_ntriples,
    intervals_around,
    without_intervals,
)
from diplograph.store import void
from diplograph.store.folder import (
    COMPLETE,
    INFERRED,
    LINES,
    REASONING,
    SHAPES_BASE,
    compressed,
    decompressed,
    ends_file,
    integrity_problem,
    joined_sorted,
    lines_file,
    profile_file,
    read_kept,
    read_sources,
    sorted_lines,
    trivial_file,
    write_integrity,
    write_kept,
    write_sources,
    written_file,
)
from diplograph.store.frames import FramedLines, read_lines
from diplograph.store.labels import (
    IndexBuild,
    added_file,
    extend_index,
    holds_names,
    index_file,
    write_index,
)
from diplograph.store.sources import BUILD_PREFIX, Source
from diplograph.store.void import Profile

UNION = ox.DefaultGraph()  # what queries read: ontology, data and entailments together
_NT = ox.RdfFormat.N_TRIPLES
_MAX_PENDING = 2  # writes queued for the writer thread: the lines they hold stay in memory
_APPENDABLE = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES)  # what may be parsed from its end
_MAX_TIMED = 20_000  # linked facts whose time an update recomputes before it reads them all
_BOUNDS = tuple(ox.NamedNode(p[1:-1]) for p in sorted(PREDICATES))
_OWL = "http://www.w3.org/2002/07/owl#"

Progress = Callable[[str, float], None]  # a step, and how much of the compile is done


def _homes(graph: ox.NamedNode) -> tuple[ox.NamedNode | ox.DefaultGraph, ...]:
    """The graphs of the store that hold a named graph's triples: itself, and the union
    unless it holds shapes."""
    return (graph,) if graph.value.startswith(SHAPES_BASE) else (graph, UNION)


def closest_store(cache: Path, sources: list[Source]) -> Path | None:
    """The complete, undamaged store in `cache` that shares the most source bytes with
    `sources` (the first bytes of a file that only grew since it parsed them count), if
    that is at least half of them (updating it is then cheaper than a new build); among
    equals, the one whose other sources differ least in size, then the newest. Only the
    stores tried are checked for damage, best first."""
    scores: dict[Path, tuple[int, int, int]] = {}
    for folder in cache.iterdir() if cache.is_dir() else []:
        parsed_from, shared, drift = read_sources(folder), 0, 0
        for source in sources:
            digest, size = parsed_from.get(source.graph.value, ("", 0))
            if digest == source.digest:
                shared += source.size
            else:
                shared += size if _grew_from(source, digest, size) else 0
                drift += abs(source.size - size)
        with suppress(OSError):  # cleared meanwhile
            if parsed_from:
                scores[folder] = shared, -drift, (folder / COMPLETE).stat().st_mtime_ns
    needed = max(1, sum(s.size for s in sources) / 2)
    for folder in sorted(scores, key=scores.__getitem__, reverse=True):
        if scores[folder][0] < needed:
            break
        if integrity_problem(folder) is None:  # a damaged store is never copied
            return folder
    return None


def compile_store(sources: list[Source], target: Path, *, base: Path | None,
                  progress: Progress | None = None) -> None:
    """Compile `sources` into a store (updating a copy of `base` if given) and publish it
    at `target` atomically: a reader never sees a half-built store, and a build killed
    half-way leaves only a folder the next build removes."""
    say = progress or (lambda step, done: None)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_builds(target.parent)
    work = Path(tempfile.mkdtemp(prefix=f"{BUILD_PREFIX}{os.getpid()}-", dir=target.parent))
    folder = work / "store"
    try:
        copied = _copy(base, sources, folder) if base is not None else None
        if copied is None:
            _build(sources, folder, say)
        else:
            _update(sources, folder, *copied, say)
        write_sources(folder, {s.graph.value: (s.digest, s.size) for s in sources})
        write_integrity(folder, base if copied is not None else None)
        (folder / COMPLETE).write_text(target.name + "\n")
        with suppress(OSError):  # another process published the same store first
            os.replace(folder, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _build(sources: list[Source], folder: Path, say: Progress) -> None:
    """Parse every source into its graph and the union, then add the entailments. A
    source's lines are held only until they are written: the reasoner reads them back
    from their files."""
    store = ox.Store(str(folder))
    (folder / LINES).mkdir()
    with _Writer(store) as writer, IndexBuild(folder) as index:
        for source, done in _shares(sources, 0.4):
            say(f"parsing {source.shown_as}", done)
            lines = _parse(source, folder)
            _save(folder, source.graph, lines)
            writer.add(lines, *_homes(source.graph))
            del lines
        reasoned = [s for s in sources if s.reasoned]
        # the asserted names are indexed meanwhile, and the facts' time bounds written to
        # the union while the reasoner runs: each on a core it leaves idle (the inferred
        # graph takes them with the entailments, in one load: two loads into one named
        # graph left the 1M store 6% larger once compacted)
        index.start([s.graph for s in reasoned])
        say("dating the facts", 0.4)
        bounds = _dated(folder, reasoned)
        writer.add(bounds, UNION)
        dated = compressed(bounds)  # held so while the reasoner runs: 0.6 GB at 10M
        del bounds
        give_back_memory()  # what dating dropped, under the reasoner's peak
        say("reasoning (OWL 2 RL)", 0.45)
        entailed = entailed_ntriples(_LinesFiles(folder, reasoned))
        inferred = _keep_entailed(folder, entailed, reasoned,
                                  decompressed(dated, "the time bounds"))
        del dated
        # the union's copy after the sort: a bulk load beside it made the 10M peak
        writer.add(entailed.nontrivial, UNION)
        del entailed  # the writer's until written
        give_back_memory()  # before the inferred graph's load, the 1M peak
        writer.add(inferred, INFERRED)
        say("writing the store, indexing the labels", 0.75)
        index.finish([inferred])
    say("compacting the store", 0.95)
    store.optimize()


@dataclass(frozen=True)
class _Appended:
    """The bytes a source gained at its end since the earlier store parsed it, after
    the declarations in force there, and the earlier graph's VoID profile."""

    document: bytes
    profile: FramedLines


@dataclass
class _Earlier:
    """What an update takes from the earlier store it copied: the lines of every graph
    that may change (changed or removed sources, the inferred graph) by name, the
    inferred graph's VoID profile, the trivial entailments (if kept), the reasoning
    record and the documents' written days."""

    graphs: dict[str, FramedLines]
    profile: FramedLines
    trivial: bytes | None
    reasoning: bytes
    written: bytes


def _copy(base: Path, sources: list[Source], folder: Path
          ) -> tuple[_Earlier, dict[str, _Appended]] | None:
    """Copy the store at `base` into `folder` (hard links: instant), link in the lines
    of the graphs whose source is unchanged, and return what the update takes from
    `base`, and what each source that only grew gained: nothing is read from `base`
    after this. None if `base` went away meanwhile (`store clear`)."""
    parsed_from = read_sources(base)
    unchanged = {s.graph.value for s in sources
                 if parsed_from.get(s.graph.value, ("", 0))[0] == s.digest}
    appended: dict[str, _Appended] = {}
    try:
        ox.Store.read_only(str(base)).backup(str(folder))
        (folder / LINES).mkdir()
        earlier = _Earlier({}, FramedLines.read(profile_file(base, INFERRED)),
                           read_kept(trivial_file(base)) if trivial_file(base).is_file() else None,
                           (base / REASONING).read_bytes(), read_kept(written_file(base)))
        for index in (index_file, added_file):
            if index(base).is_file():
                _link(index(base), index(folder))
        for name in [*parsed_from, INFERRED.value]:
            graph = ox.NamedNode(name)
            if name in unchanged:
                for file in (lines_file, profile_file):
                    _link(file(base, graph), file(folder, graph))
                if ends_file(base, graph).is_file():
                    _link(ends_file(base, graph), ends_file(folder, graph))
            else:
                earlier.graphs[name] = FramedLines.read(lines_file(base, graph))
        for source in sources:
            if source.graph.value in parsed_from and source.graph.value not in unchanged:
                grown = _appended(base, source, *parsed_from[source.graph.value])
                if grown is not None:
                    appended[source.graph.value] = grown
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    return earlier, appended


def _appended(base: Path, source: Source, digest: str, size: int) -> _Appended | None:
    """What `source` gained since the store at `base` parsed it, if it only grew (see
    `_grew_from`) and is still the file digested."""
    header = declarations(base, source.graph)
    if header is None or not _grew_from(source, digest, size):
        return None
    data = source.path.read_bytes()
    if hashlib.sha256(data).hexdigest() != source.digest:
        return None
    return _Appended(header + data[size:], FramedLines.read(profile_file(base, source.graph)))


@lru_cache(maxsize=64)
def _grew_from(source: Source, digest: str, size: int) -> bool:
    """Whether `source` only grew since a store parsed it: its first `size` bytes are the
    ones parsed then (their digest is `digest`) and end a line, so the new bytes start
    a statement. Kept by the source's digest, which names its whole content."""
    if not 0 < size < source.size:
        return False
    try:
        with source.path.open("rb") as file:
            head = file.read(size)
    except OSError:  # gone meanwhile: compiled anew, which reports it
        return False
    return head.endswith(b"\n") and hashlib.sha256(head).hexdigest() == digest


def declarations(folder: Path, graph: ox.NamedNode) -> bytes | None:
    """The prefixes and base in force at the end of the Turtle or N-Triples source the
    store in `folder` parsed into `graph`, as Turtle (None if it did not keep them):
    Turtle appended to that source parses after them as it does in the whole file."""
    try:
        declared = json.loads(ends_file(folder, graph).read_bytes())
    except (OSError, ValueError):
        return None
    header = [f"@base <{declared['base']}> .\n"] if declared["base"] is not None else []
    header += [f"@prefix {name}: <{iri}> .\n" for name, iri in declared["prefixes"].items()]
    return "".join(header).encode()


def _update(sources: list[Source], folder: Path, earlier: _Earlier,
            appended: dict[str, _Appended], say: Progress) -> None:
    """Change the copied store in `folder` where it differs: parse the sources whose
    lines are not there yet (of a source that only grew, only what was `appended`), and
    take their graphs, the removed sources' graphs and the entailments from their
    `earlier` lines to the new ones. When facts were only added, the earlier closure is
    extended instead of computed anew."""
    unchanged = sum(lines_file(folder, s.graph).exists() for s in sources)
    say(f"updating an earlier store: {unchanged} of {len(sources)} sources unchanged", 0.0)
    store = ox.Store(str(folder))
    reasoned = [s for s in sources if s.reasoned]
    documents = _LinesFiles(folder, reasoned)  # read only if the closure is computed anew
    changed: dict[Source, FramedLines] = {}  # the earlier lines of the reasoned sources parsed
    additions, went = [], []  # went: lines that may leave the union
    arrived: list[bytes] = []  # lines that came into the union
    with _Writer(store) as writer:
        writer.hold()  # the store keeps the earlier closure until it is extended
        for source, share in _shares(sources, 0.4):
            if lines_file(folder, source.graph).exists():
                came = b""
            else:
                previous = earlier.graphs.pop(source.graph.value, None) or FramedLines.of(b"")
                grown = appended.get(source.graph.value)
                say(f"parsing {'what was appended to ' if grown else ''}{source.shown_as}", share)
                tail = _parse_appended(source, grown, folder) if grown is not None else None
                if grown is not None and tail is not None:
                    came = b"".join(line for line in tail.splitlines(True)
                                    if not previous.holds(line))
                    _keep(folder, source.graph, previous.edited((), came.splitlines(True)),
                          void.edited(grown.profile, b"", came, lambda s: True))
                    writer.add(came, *_homes(source.graph))
                    gone = b""
                else:
                    lines = _parse(source, folder)
                    _save(folder, source.graph, lines)
                    gone, came = _change(writer, previous.whole(), lines, source.graph)
                went.append(gone)
                arrived.append(came if source.reasoned else b"")
                if source.reasoned:
                    changed[source] = previous
            if source.reasoned:
                additions.append(came)
        trivial, inferred = earlier.trivial, earlier.graphs.pop(INFERRED.value)
        consistent = consistency.Consistency.from_json(earlier.reasoning).consistent
        for name, removed in earlier.graphs.items():  # the removed sources
            went.append(_change(writer, removed.whole(), b"", ox.NamedNode(name))[0])
        entailed, in_place = None, None
        if trivial is not None and not any(went):
            say("reasoning (OWL 2 RL): extending the earlier closure in the store", 0.4)
            extension = extension_in_store(store, additions, Entailed(b"", trivial)) \
                if consistent else None
            if extension is not None:
                in_place = _inferred_in_place(folder, store, extension, additions, reasoned,
                                              inferred, earlier)
                if in_place is None:
                    new, held = extension  # only a held addition was an entailment
                    entailed = joined(Entailed(without_intervals(inferred.whole()), trivial),
                                      new, additions if held else [])
            if entailed is None and in_place is None:
                closure = Entailed(without_intervals(inferred.whole()), trivial)
                say("reasoning (OWL 2 RL): extending the earlier closure in memory", 0.4)
                before = (changed[s].whole() if s in changed else read_lines(folder, s.graph)
                          for s in reasoned)
                entailed = extended_ntriples(before, additions, closure)
        writer.release()
        if in_place is not None:
            gone, came_inferred = in_place
            writer.remove(gone, INFERRED)
            writer.add(came_inferred, *_homes(INFERRED))
        else:
            if entailed is None:
                say("reasoning (OWL 2 RL)", 0.4)
                entailed = entailed_ntriples(documents)
            now = _keep_entailed(folder, entailed, reasoned, _dated(folder, reasoned))
            gone, came_inferred = _change(writer, inferred.whole(), now, INFERRED)
        went.append(gone)
        writer.prune_union(b"".join(went))
        say("writing the store", 0.8)
        if not index_file(folder).is_file() or any(holds_names(lines) for lines in went):
            writer.beside(write_index, folder,
                          chain(documents, [read_lines(folder, INFERRED)]))
        elif any(holds_names(lines) for lines in [*arrived, came_inferred]):
            writer.beside(extend_index, folder, [*arrived, came_inferred])
    store.flush()


def _shares(sources: list[Source], of: float) -> list[tuple[Source, float]]:
    """Each source with the share of the compile done when its turn comes, parsing
    taking `of` of it, split by size."""
    total, before, shares = max(1, sum(s.size for s in sources)), 0, []
    for source in sources:
        shares.append((source, of * before / total))
        before += source.size
    return shares


def _change(writer: _Writer, before: bytes, after: bytes,
            graph: ox.NamedNode) -> tuple[bytes, bytes]:
    """Take `graph` (and the union, unless it holds shapes) from `before`'s lines to
    `after`'s, and return the lines that went and those that came. A graph left empty is
    dropped, as a full build never makes one. The union is only added to here: the lines
    that went leave it in `_Writer.prune_union`, if no other graph holds them."""
    old, new = set(before.splitlines(True)), set(after.splitlines(True))
    went, came = b"".join(sorted(old - new)), b"".join(sorted(new - old))
    if new:
        writer.remove(went, graph)
        writer.add(came, *_homes(graph))
    elif old:
        writer.drop(graph)
    return (went if UNION in _homes(graph) else b""), came


def _dated(folder: Path, reasoned: list[Source]) -> bytes:
    """The time bounds of the dated facts of the `reasoned` sources (recomputed from all
    their lines at each compile), as N-Triples; the documents' written days are kept."""
    bounds, written = interval_ntriples(_LinesFiles(folder, reasoned))
    write_kept(written_file(folder), json.dumps(written).encode())
    return bounds


def _keep_entailed(folder: Path, entailed: Entailed, reasoned: list[Source],
                   bounds: bytes) -> bytes:
    """Save the entailments beside the store (the trivial ones, for a later update to
    extend, if the native engine found them) with the consistency they show, and return
    the inferred graph's lines: the non-trivial entailments and the `bounds`."""
    _record(folder, entailed, reasoned)
    lines = entailed.nontrivial.splitlines(True)
    lines += bounds.splitlines(True)
    del bounds  # each held no longer than it is read: hundreds of MB at 10M
    inferred = joined_sorted(lines)
    del lines
    _save(folder, INFERRED, inferred)
    if entailed.engine is Engine.NATIVE:
        write_kept(trivial_file(folder), entailed.trivial)
    return inferred


def _record(folder: Path, entailed: Entailed, reasoned: list[Source]) -> None:
    """Save the consistency the entailments show, each contradiction located."""
    located = [consistency.Located(s.shown_as, s.path.read_text(encoding="utf-8",
                                                                errors="replace"),
                                   read_lines(folder, s.graph))
               for s in reasoned] if entailed.clashes else []
    consistency.record(folder, default_engine(), entailed.engine, entailed.clashes, located)


def _inferred_in_place(folder: Path, store: ox.Store, extension: tuple[Entailed, bool],
                       additions: list[bytes], reasoned: list[Source], inferred: FramedLines,
                       earlier: _Earlier) -> tuple[bytes, bytes] | None:
    """Take the inferred graph's `inferred` lines (and its `earlier` VoID profile, trivial
    entailments, written days, the consistency) to what a full compile would give, from
    the `extension` of the closure by the `additions` and the bounds of the facts linked
    to them (read from `store`, which holds the earlier graphs), and return the lines that
    go and come. None where no rule could entail a bound is not sure, or too many facts
    are linked: the inferred graph is then made anew."""
    new, held = extension
    stated = {line for lines in additions for line in lines.splitlines(True)} if held else set()
    asserted = {s.graph for s in reasoned}
    if any(f" {p} ".encode() in lines for p in PREDICATES
           for lines in [new.nontrivial, *additions]) or not _bounds_only_computed(store, asserted):
        return None
    around = intervals_around(b"".join(additions), *_earlier_graph(store, asserted),
                              json.loads(earlier.written), _MAX_TIMED)
    if around is None:
        return None
    timed, bounds, days = around
    before = {line for term in timed for line in inferred.starting_with(f"{term} ".encode())
              if line.split(b" ", 2)[1].decode() in PREDICATES}
    now = set(bounds.splitlines(True))
    gone = sorted((before - now) | {line for line in stated if inferred.holds(line)})
    came = sorted((now - before) | set(new.nontrivial.splitlines(True)))
    lines = inferred.edited(gone, came)
    went, arrived = b"".join(gone), b"".join(came)
    profile = void.edited(earlier.profile, went, arrived,
                          lambda s: bool(lines.starting_with(f"{s} ".encode())))
    _keep(folder, INFERRED, lines, profile)
    kept = b"".join(line for line in (earlier.trivial or b"").splitlines(True)
                    if line not in stated)
    write_kept(trivial_file(folder), kept + new.trivial)
    write_kept(written_file(folder), json.dumps(days).encode())
    _record(folder, new, reasoned)
    return went, arrived


def _bounds_only_computed(store: ox.Store, asserted: set[ox.NamedNode]) -> bool:
    """Whether the inferred graph's time bounds are all computed ones: no source states
    one, and no axiom could entail one (a bound is the object of no triple, and the
    subject of none whose predicate is OWL's: sameAs, inverseOf, equivalentProperty,
    propertyChainAxiom ...)."""
    for bound in _BOUNDS:
        if any(next(store.quads_for_pattern(None, bound, None, graph), None) is not None
               for graph in asserted):
            return False
        if next(store.quads_for_pattern(None, None, bound, UNION), None) is not None:
            return False
        if any(q.predicate.value.startswith(_OWL)
               for q in store.quads_for_pattern(bound, None, None, UNION)):
            return False
    return True


def _earlier_graph(store: ox.Store, asserted: set[ox.NamedNode]
                   ) -> tuple[LinesOf, LinkingTo]:
    """Terms' lines that time reads, and the terms that link to them, in the asserted
    graphs of `store` (see `intervals_around`)."""
    def lines_of(terms: set[str]) -> bytes:
        return _matching(store, terms, WANTED, asserted)

    def linking_to(terms: set[str], opened: set[str]) -> set[str]:
        linking = {s for s, _, _ in _triples(store, terms, LINKS - {DERIVED_FROM}, asserted,
                                             reverse=True)}
        return linking | {s for s, _, _ in _triples(store, terms & opened, {DERIVED_FROM},
                                                     asserted, reverse=True)}

    return lines_of, linking_to


def _matching(store: ox.Store, subjects: Collection[str], predicates: Collection[str],
              graphs: Collection[ox.NamedNode]) -> bytes:
    """The N-Triples lines of `graphs` (each graph's, so a line two hold comes twice)
    whose subject is one of `subjects` and predicate one of `predicates`."""
    return "".join(f"{s} {p} {o} .\n"
                   for s, p, o in _triples(store, subjects, predicates, graphs)).encode()


def _triples(store: ox.Store, terms: Collection[str], predicates: Collection[str],
             graphs: Collection[ox.NamedNode], *, reverse: bool = False
             ) -> Iterator[tuple[str, str, str]]:
    """The triples (in N-Triples) of `graphs` whose subject (object if `reverse`) is one
    of `terms`, IRIs or blank nodes in N-Triples, and predicate one of `predicates`: one
    query for the IRIs (the engine filters, not Python), a lookup for each blank node."""
    iris = " ".join(t for t in terms if t.startswith("<"))
    if iris:
        pattern = "?o ?p ?s" if reverse else "?s ?p ?o"
        found = cast(ox.QuerySolutions, store.query(
            f"SELECT ?s ?p ?o {{ VALUES ?s {{ {iris} }} GRAPH ?g {{ {pattern} }} "
            f"FILTER(?p IN ({', '.join(predicates)}) && ?g IN ({', '.join(map(str, graphs))})) }}"))
        for s, p, o in found:
            yield (str(o), str(p), str(s)) if reverse else (str(s), str(p), str(o))
    wanted, named = set(predicates), set(graphs)
    for term in terms:
        if term.startswith("_:"):
            node = ox.BlankNode(term[2:])
            for q in store.quads_for_pattern(*((None, None, node) if reverse
                                               else (node, None, None))):
                if q.graph_name in named and str(q.predicate) in wanted:
                    yield str(q.subject), str(q.predicate), str(q.object)


def _save(folder: Path, graph: ox.NamedNode, lines: bytes) -> None:
    """Keep a graph's sorted lines and their VoID profile beside the store, for export."""
    _keep(folder, graph, FramedLines.of(lines), FramedLines.of(Profile.of(lines).to_lines()))


def _keep(folder: Path, graph: ox.NamedNode, lines: FramedLines, profile: FramedLines) -> None:
    """Keep a graph's framed lines and the framed lines of its VoID `profile` beside the
    store."""
    lines.write(lines_file(folder, graph))
    profile.write(profile_file(folder, graph))


class _LinesFiles(Collection[bytes]):
    """Graphs' lines read from their files each time they are iterated, one at a time."""

    def __init__(self, folder: Path, sources: list[Source]) -> None:
        self.folder, self.graphs = folder, [s.graph for s in sources]

    def __len__(self) -> int:
        return len(self.graphs)

    def __iter__(self) -> Iterator[bytes]:
        return (read_lines(self.folder, graph) for graph in self.graphs)

    def __contains__(self, lines: object) -> bool:
        return any(lines == held for held in self)


class _Writer:
    """Writes to a store on one background thread, in the order asked."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.aside = ThreadPoolExecutor(max_workers=1)
        self.pending: list[Future[None]] = []  # the writes, a few at most (_MAX_PENDING)
        self.besides: list[Future[None]] = []  # the other work
        self.held: list[tuple[Callable[..., None], tuple[Any, ...]]] | None = None

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        for pool in (self.pool, self.aside):
            pool.shutdown(wait=True, cancel_futures=kind is not None)
        if kind is None:
            for work in [*self.pending, *self.besides]:
                work.result()  # raises what the work raised

    def hold(self) -> None:
        """Keep the writes asked from now on until `release`."""
        self.held = []

    def release(self) -> None:
        """Start the writes held since `hold`, in the order asked."""
        held, self.held = self.held, None
        for write, args in held or []:
            self._submit(write, *args)

    def _submit(self, write: Callable[..., None], *args: Any) -> None:
        if self.held is not None:
            self.held.append((write, args))
            return
        while len(self.pending) > _MAX_PENDING:
            self.pending.pop(0).result()  # wait: the queued lines are held until written
        for finished in [f for f in self.pending if f.done()]:
            finished.result()  # raises what an earlier write raised
            self.pending.remove(finished)
        self.pending.append(self.pool.submit(write, *args))

    def beside(self, work: Callable[..., None], *args: Any) -> None:
        """Run other work on a thread of its own meanwhile (SQLite, like Oxigraph,
        releases the GIL), finished (and its error raised) when the writer is."""
        self.besides.append(self.aside.submit(work, *args))

    def add(self, ntriples: bytes, *graphs: ox.NamedNode | ox.DefaultGraph) -> None:
        """Add N-Triples lines to each graph. Lines with blank nodes keep their labels
        (bulk_load would rename them), so that they can be removed by label later."""
        self._submit(self._add, ntriples, graphs)

    def _add(self, ntriples: bytes, graphs: tuple[ox.NamedNode | ox.DefaultGraph, ...]) -> None:
        lines = ntriples.splitlines(True) if b"_:" in ntriples else []
        labelled = b"".join(line for line in lines if b"_:" in line)
        plain = b"".join(line for line in lines if b"_:" not in line) if lines else ntriples
        for graph in graphs:
            if plain:
                self.store.bulk_load(plain, _NT, to_graph=graph)
            if labelled:
                self.store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, graph)
                                       for q in ox.parse(labelled, _NT))

    def remove(self, ntriples: bytes, graph: ox.NamedNode | ox.DefaultGraph) -> None:
        """Remove N-Triples lines from a graph."""
        self._submit(self._remove, ntriples, graph)

    def _remove(self, ntriples: bytes, graph: ox.NamedNode | ox.DefaultGraph) -> None:
        for q in ox.parse(ntriples, _NT):
            self.store.remove(ox.Quad(q.subject, q.predicate, q.object, graph))

    def drop(self, graph: ox.NamedNode) -> None:
        """Remove a named graph, name and all."""
        self._submit(self.store.remove_graph, graph)

    def prune_union(self, ntriples: bytes) -> None:
        """Remove from the union each line no asserted or inferred graph still holds."""
        self._submit(self._prune_union, ntriples)

    def _prune_union(self, ntriples: bytes) -> None:
        for q in ox.parse(ntriples, _NT):
            held = self.store.quads_for_pattern(q.subject, q.predicate, q.object)
            if not any(isinstance(h.graph_name, ox.NamedNode)
                       and not h.graph_name.value.startswith(SHAPES_BASE) for h in held):
                self.store.remove(ox.Quad(q.subject, q.predicate, q.object, UNION))


def _parse(source: Source, folder: Path) -> bytes:
    """A source's triples as sorted N-Triples lines, its blank nodes renamed apart from
    those of every other source. On any problem `read_triples` reads the file again to
    raise its precise error (file:line:column)."""
    fmt = input_format(source.path)
    try:
        quads = parse_file(source.path, fmt)
        ntriples = ox.serialize((q.triple for q in quads), format=_NT) or b""
    except (SyntaxError, OSError, UnicodeDecodeError):
        read_triples(source.path, source.shown_as)
        raise
    return _kept(source, folder, quads, fmt, ntriples)


def _parse_appended(source: Source, appended: _Appended, folder: Path) -> bytes | None:
    """The sorted lines of what a source gained at its end, as parsing the whole file
    would give them; None on any problem (the whole file is then parsed, to report it)."""
    fmt = input_format(source.path)
    try:
        quads = ox.parse(appended.document, format=fmt)
        ntriples = ox.serialize((q.triple for q in quads), format=_NT) or b""
    except (SyntaxError, OSError, UnicodeDecodeError):
        return None
    return _kept(source, folder, quads, fmt, ntriples)


def _kept(source: Source, folder: Path, parser: ox.QuadParser, fmt: ox.RdfFormat,
          ntriples: bytes) -> bytes:
    """Parsed N-Triples as sorted lines, blank nodes renamed apart; the prefixes and
    base the parser ended with are kept for a later append (see `_appended`)."""
    if fmt in _APPENDABLE:
        ends = {"base": parser.base_iri, "prefixes": parser.prefixes}
        ends_file(folder, source.graph).write_text(json.dumps(ends))
    if b"_:" in ntriples:
        ntriples = _renamed_apart(ntriples, source.shown_as)
    return sorted_lines(ntriples)


def _renamed_apart(ntriples: bytes, salt: str) -> bytes:
    """The document with each blank node label replaced by a digest of it and `salt`:
    `_:x` in two files stays two nodes in the union."""
    def rename(term: Any) -> Any:
        if isinstance(term, ox.BlankNode):
            return ox.BlankNode(hashlib.sha256(f"{salt}\0{term.value}".encode()).hexdigest()[:32])
        return term

    triples = (ox.Triple(rename(q.subject), q.predicate, rename(q.object))
               for q in ox.parse(ntriples, _NT))
    return ox.serialize(triples, format=_NT) or b""


def _link(source: Path, copy: Path) -> None:
    """Share an unchanged file with the earlier store (a copy across file systems)."""
    try:
        os.link(source, copy)
    except OSError:
        shutil.copyfile(source, copy)


def _remove_abandoned_builds(cache: Path) -> None:
    """Delete build folders whose process is gone (killed half-way)."""
    for work in cache.glob(BUILD_PREFIX + "*"):
        pid = work.name.removeprefix(BUILD_PREFIX).split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(work, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
