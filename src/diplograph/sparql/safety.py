"""What a query may do, decided on a real parse before the engine sees it.

rdflib's SPARQL parser reads the query; the query is refused if it holds a `SERVICE`
(whatever names the service: an IRI, a variable, `SILENT`), a dataset clause (`FROM`,
`FROM NAMED`), if it is an update (`LOAD`, `INSERT` ...), if it nests deeper than
`MAX_NESTING`, or if rdflib cannot read it: a text the checker cannot read never
reaches the engine. Parsing costs rdflib's import and tens of milliseconds, so a text
found safe is remembered by its digest in the cache folder, and a stored query is
parsed once, not once per run."""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pyoxigraph as ox

from diplograph.errors import InputError, syntax_problem
from diplograph.rdf import quiet_rdflib
from diplograph.rdf.reading import blank_noise

MAX_NESTING = 64
#: The engine builds a chain (a/b/c, A UNION B UNION C, 1 + 2 + 3, a group's OPTIONALs
#: and BINDs) as a tree as deep as it is long, and recurses over it: 20k path steps or
#: unions overflow its stack (a crash, not an error)
MAX_CHAIN = 512
_CHAINS = {"PathSequence": "part", "PathAlternative": "part", "GroupOrUnionGraphPattern": "graph",
           "ConditionalOrExpression": "other", "ConditionalAndExpression": "other",
           "AdditiveExpression": "other", "MultiplicativeExpression": "other",
           "GroupGraphPatternSub": "part"}
_PARSER_FRAMES = 4000  # rdflib reads about 150 nested groups or 100 parentheses with them
CHECKED = "checked-queries"  # the cache subfolder: one empty file per safe text
_VERSION = b"sparqlcheck 2\n"  # change when the rules change: earlier verdicts lapse
# a tail no query can go on with (no quote, no `>`, a line break ending a comment):
# the engine stops at parsing, so its own syntax error is found without running anything
_NEVER_VALID = "\n)(}{"
_ERROR_AT = re.compile(r"error at (\d+):(\d+)")
_SAFE: set[str] = set()  # digests checked in this process
_ALLOWED = "SELECT, ASK, CONSTRUCT or DESCRIBE over the local graph, without SERVICE or FROM"


def _digest(text: str) -> str:
    return hashlib.sha256(_VERSION + text.encode("utf-8", "surrogatepass")).hexdigest()


def check_query(text: str, *, where: str = "query", cache: Path | None = None,
                code: str | None = None) -> None:
    """Refuse a query that could reach beyond the local graph, change it, or nest too
    deeply for the engine; `where` names it in errors. A verdict is kept in `cache`.
    `code` is the text already blanked (`blank_noise`), if the caller has it."""
    if known_safe(text, cache):
        return
    digest = _digest(text)
    verdict = cache / CHECKED / digest if cache is not None else None
    depth = nesting(blank_noise(text) if code is None else code)
    if depth > MAX_NESTING:
        raise InputError(f"{where}: groups or expressions nested {depth} deep, over the "
                         f"limit of {MAX_NESTING}", hint="write the query with less nesting")
    tree = _parse(text, where)
    length = chained(tree)
    if length > MAX_CHAIN:
        raise InputError(f"{where}: steps, branches or operators chained {length} long, over "
                         f"the limit of {MAX_CHAIN}",
                         hint="write the query with fewer of them (VALUES lists many values)")
    if dict.get(tree, "datasetClause"):  # CompValue.get answers the key itself if missing
        raise InputError(f"{where}: FROM is not allowed: queries only read the local graph",
                         hint=_ALLOWED)
    if any(node.name == "ServiceGraphPattern" for node in _nodes(tree)):
        raise InputError(f"{where}: SERVICE is not allowed: queries only read the local graph",
                         hint=_ALLOWED)
    _SAFE.add(digest)
    if verdict is not None:
        try:
            verdict.parent.mkdir(parents=True, exist_ok=True)
            verdict.touch()
        except OSError:
            pass  # a read-only cache: the text is parsed again next time


def known_safe(text: str, cache: Path | None = None) -> bool:
    """Whether the text was found safe before (by this process, or in `cache`)."""
    digest = _digest(text)
    if digest in _SAFE or (cache is not None and (cache / CHECKED / digest).is_file()):
        _SAFE.add(digest)
        return True
    return False


def nesting(code: str) -> int:
    """How deep groups, brackets and parentheses nest in a text whose strings and
    comments are blanked."""
    depth = deepest = 0
    for char in code:
        if char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})]":
            depth = max(0, depth - 1)
    return deepest


def _parse(text: str, where: str) -> Any:
    """rdflib's parse tree of the query (its form and clauses), or an error saying why
    the text cannot run."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    quiet_rdflib()
    limit, depth = sys.getrecursionlimit(), 0
    frame: FrameType | None = sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    # room for pyparsing's 20-30 frames a level: 64 levels and more, never so many
    # that the engine, which recurses too, could not take what rdflib read
    sys.setrecursionlimit(depth + _PARSER_FRAMES)
    try:
        return parseQuery(text)[1]
    except ParseBaseException as exc:
        try:
            parseUpdate(text)
        except (ParseBaseException, RecursionError):
            pass
        else:
            raise InputError(f"{where}: updates (LOAD, INSERT, DELETE ...) are not allowed: "
                             "queries only read the local graph", hint=_ALLOWED) from exc
        engine = _engine_error(text)
        if engine is not None:
            raise InputError(f"{where}: {syntax_problem(engine)}",
                             hint="check the SPARQL syntax") from exc
        raise InputError(f"{where}: the query does not parse (error at {exc.lineno}:{exc.col}: "
                         f"{' '.join(str(exc.msg).split())})",
                         hint="check the SPARQL syntax; a query runs only once it is checked"
                         ) from exc
    except RecursionError as exc:
        raise InputError(f"{where}: the query nests too deeply to be checked",
                         hint="write the query with less nesting") from exc
    finally:
        sys.setrecursionlimit(limit)


def _engine_error(text: str) -> SyntaxError | None:
    """The engine's own syntax error in `text`, if it lies within it (read by parsing
    `text` with a tail that can never be valid: nothing runs)."""
    try:
        ox.Store().query(text + _NEVER_VALID)
    except SyntaxError as exc:
        found = _ERROR_AT.search(str(exc.msg))
        if found and int(found.group(1)) <= text.count("\n") + 1:
            return exc
    return None


def chained(tree: Any) -> int:
    """How deep the engine's tree of a parsed query goes, each chain counted as long as it
    is: path steps and alternatives, unions, operators of one kind, a group's parts."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    deepest, stack = 0, [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, CompValue):
            links = dict.get(node, _CHAINS.get(node.name, ""))
            depth += 1 + (len(links) if isinstance(links, list | ParseResults) else 0)
            deepest = max(deepest, depth)
            stack.extend((child, depth) for child in node.values())
        elif isinstance(node, list | tuple | ParseResults):
            stack.extend((child, depth) for child in node)
    return deepest


def _nodes(tree: Any) -> Iterator[Any]:
    """Every named node of a parse tree (rdflib's CompValue), depth first."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(node.values())
        elif isinstance(node, list | tuple | ParseResults):
            stack.extend(node)
