"""The `#+` YAML header of a stored query: its summary, parameters, examples and tags,
read and checked against the header schema.

Loading PyYAML takes a cold command longer than opening the store, so a header's YAML
document, once read, is kept as JSON in the cache folder under the digest of its text;
a document JSON would not give back exactly (a date, a number as a key) is not kept."""

from __future__ import annotations

import hashlib
import json
import re
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from diplograph.atomic import write_atomically
from diplograph.errors import DiplographError, InputError

PARAMETER_TYPES = ("country", "entity", "date", "year", "iri", "string", "lang-string",
                   "integer", "enum", "lang")
HEADER_KEYS = ("summary", "description", "params", "examples", "tags")
PARAMETER_KEYS = ("type", "required", "default", "help", "values", "class", "example",
                  "column", "multi")
EXAMPLE_KEYS = ("params", "min_rows", "row")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
HEADERS = "query-headers"  # the cache subfolder: one JSON document per header text
_VERSION = b"yaml-header 1\n"  # change if the kept documents could differ


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of a named query, written `$name` in the SPARQL; its
    variable is left out of the results unless `column` says it is also a result column.
    A `multi` parameter takes several values (as a VALUES block)."""

    name: str
    type: str
    required: bool = False
    default: str | None = None
    help: str = ""
    values: tuple[str, ...] = ()
    entity_class: str | None = None
    example: str | None = None
    column: bool = False
    multi: bool = False

    @property
    def signature(self) -> str:
        """`name?:type` (optional) or `name:type...` (several values), as listed."""
        return (f"{self.name}{'' if self.required else '?'}:{self.type}"
                + ("..." if self.multi else ""))


@dataclass(frozen=True)
class Example:
    """A documented call of a query and what stays true of its result when facts are
    added: it gives at least `min_rows` rows, and a row with the values of `row`."""

    params: dict[str, tuple[str, ...]]
    min_rows: int = 0
    row: dict[str, str] | None = None

    @property
    def arguments(self) -> list[str]:
        """The example as command-line options."""
        return [a for k, vs in self.params.items() for v in vs for a in (f"--{k}", v)]

    @property
    def promise(self) -> str:
        """What the example promises, in words."""
        parts = [f"at least {self.min_rows} rows"] if self.min_rows or self.row is None else []
        if self.row is not None:
            parts.append("a row with " + ", ".join(f"{k}={v}" for k, v in self.row.items()))
        return " and ".join(parts)


@dataclass(frozen=True)
class Header:
    """What a query's header declares."""

    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    examples: tuple[Example, ...]
    tags: tuple[str, ...]


def template_error(path: Path, problem: str) -> InputError:
    """A stored query refused, pointing at the header format."""
    return InputError(f"{path}: {problem}", hint="see the header format in queries/README.md")


def read_header(path: Path, text: str, cache: Path | None = None) -> Header:
    """The header of a template's text (its `#+` lines), checked against the schema (its
    YAML document kept in, or read from, `cache`)."""
    header = _document(path, "\n".join(line[2:] for line in text.splitlines()
                                       if line.startswith("#+")), cache)
    if not isinstance(header, dict) or not header.get("summary"):
        raise template_error(path, "header needs at least `#+ summary: ...`")
    if set(header) - set(HEADER_KEYS):
        raise template_error(path, f"unknown header keys {sorted(set(header) - set(HEADER_KEYS))}")
    params = header.get("params") or {}
    if not isinstance(params, dict):
        raise template_error(path, "`params` must be a mapping of name to specification")
    parameters = tuple(_parameter(path, n, s) for n, s in params.items())
    return Header(
        summary=str(header["summary"]).strip(),
        description=str(header.get("description", "")).strip(),
        parameters=parameters,
        examples=tuple(_example(path, e, parameters) for e in header.get("examples") or ()),
        tags=tuple(str(t) for t in header.get("tags") or ()),
    )


def _document(path: Path, yaml_text: str, cache: Path | None) -> Any:
    """The YAML document of a header's text, from `cache` if it was read before."""
    digest = hashlib.sha256(_VERSION + yaml_text.encode("utf-8", "surrogatepass")).hexdigest()
    kept = cache / HEADERS / f"{digest}.json" if cache is not None else None
    if kept is not None:
        try:
            return json.loads(kept.read_bytes())
        except (OSError, ValueError):
            pass  # not read before (or damaged): parsed again
    import yaml  # here, not at start-up: only a header not read before pays for it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 7x faster
    try:
        document = yaml.load(yaml_text, Loader=loader) or {}
    except yaml.YAMLError as exc:
        raise template_error(path, f"header is not valid YAML ({exc.__class__.__name__})") \
            from exc
    if kept is not None:
        try:
            data = json.dumps(document)
        except (TypeError, ValueError):
            return document  # a date, binary data ...: JSON cannot keep it
        if json.loads(data) == document:  # not a number as a key, not NaN
            with suppress(OSError, DiplographError):  # a read-only cache: parsed next time
                write_atomically(kept, data.encode())
    return document


def _parameter(path: Path, name: Any, spec: Any) -> Parameter:
    if not isinstance(spec, dict) or not _NAME.match(str(name)):
        raise template_error(path, f"parameter {name!r} must be a lower-case name with a "
                                   "mapping")
    unknown = set(spec) - set(PARAMETER_KEYS)
    if unknown:
        raise template_error(path, f"parameter {name!r}: unknown keys {sorted(unknown)}")
    kind = spec.get("type")
    if kind not in PARAMETER_TYPES:
        raise template_error(path, f"parameter {name!r}: type must be one of "
                                   f"{', '.join(PARAMETER_TYPES)}")
    values = tuple(str(v) for v in spec.get("values", ()))
    if (kind == "enum") != bool(values):
        raise template_error(path, f"parameter {name!r}: `values` goes with type enum, and "
                                   "only there")
    if (kind == "entity") != ("class" in spec):
        raise template_error(path, f"parameter {name!r}: `class` goes with type entity, and "
                                   "only there")
    default = spec.get("default")
    example = spec.get("example")
    return Parameter(
        name=str(name),
        type=kind,
        required=bool(spec.get("required", False)),
        default=None if default is None else str(default),
        help=str(spec.get("help", "")),
        values=values,
        entity_class=spec.get("class"),
        example=None if example is None else str(example),
        column=bool(spec.get("column", False)),
        multi=bool(spec.get("multi", False)),
    )


def _example(path: Path, spec: Any, parameters: tuple[Parameter, ...]) -> Example:
    if not isinstance(spec, dict) or set(spec) - set(EXAMPLE_KEYS) \
            or not ({"min_rows", "row"} & set(spec)):
        raise template_error(path, f"example {spec!r} must say what stays true when facts are "
                                   "added: `min_rows: N` (at least N rows) and/or `row: "
                                   "{column: value, ...}` (a row with those values)")
    min_rows = spec.get("min_rows", 0)
    row = spec.get("row")
    if not isinstance(min_rows, int) or isinstance(min_rows, bool) or min_rows < 0:
        raise template_error(path, f"example {spec!r}: `min_rows` is a number of rows")
    if row is not None and (not isinstance(row, dict) or not row):
        raise template_error(path, f"example {spec!r}: `row` maps columns to values")
    given = spec.get("params") or {}
    declared = {p.name: p for p in parameters}
    if not isinstance(given, dict) or set(given) - set(declared):
        raise template_error(path, f"example {spec!r} gives parameters the query does not "
                                   "declare")
    params: dict[str, tuple[str, ...]] = {}
    for name, value in given.items():
        values = tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)
        if len(values) != 1 and not declared[name].multi:
            raise template_error(path, f"example {spec!r} gives several values to single "
                                       f"{name!r}")
        params[str(name)] = values
    return Example(params=params, min_rows=min_rows,
                   row=None if row is None else {str(k): str(v) for k, v in row.items()})
