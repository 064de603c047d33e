"""The stored query catalog: `queries/*.rq`, each SPARQL with a `#+` YAML header."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from diplograph.errors import InputError

PARAMETER_TYPES = ("country", "entity", "date", "iri", "string", "integer", "enum", "lang")
_FORBIDDEN = re.compile(
    r"(?<![?$\w])(SERVICE|LOAD|FROM|INSERT|DELETE|CLEAR|DROP|CREATE|COPY|MOVE|ADD|WITH)\b", re.I
)
# strings, IRIs and comments are blanked before looking for keywords or variables
_NOISE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'
                    r"'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>|#[^\n]*")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of a named query, written `$name` in the SPARQL; its
    variable is left out of the results unless `column` says it is also a result column."""

    name: str
    type: str
    required: bool = False
    default: str | None = None
    help: str = ""
    values: tuple[str, ...] = ()
    entity_class: str | None = None
    example: str | None = None
    column: bool = False


@dataclass(frozen=True)
class Example:
    """A documented call of a query and how many rows it gives on the bundled graph."""

    params: dict[str, str]
    rows: int


@dataclass(frozen=True)
class NamedQuery:
    """A stored SPARQL template; its parameters are the `$name` variables."""

    name: str
    path: Path
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    examples: tuple[Example, ...]
    tags: tuple[str, ...]
    text: str

    @property
    def header(self) -> str:
        """The `#+` header lines, as written."""
        return "\n".join(line for line in self.text.splitlines() if line.startswith("#+"))

    def parameter(self, name: str) -> Parameter:
        """The declared parameter of that name."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise InputError(f"query {self.name!r} has no parameter {name!r}")


def forbidden_keyword(sparql: str) -> str | None:
    """The first keyword that would reach out (SERVICE, LOAD, FROM) or change data."""
    found = _FORBIDDEN.search(_NOISE.sub(" ", sparql))
    return found.group(1).upper() if found else None


def _fail(path: Path, problem: str) -> InputError:
    return InputError(f"{path}: {problem}", hint="see the header format in queries/README.md")


def _parameter(path: Path, name: str, spec: Any) -> Parameter:
    if not isinstance(spec, dict) or not _NAME.match(str(name)):
        raise _fail(path, f"parameter {name!r} must be a lower-case name with a mapping")
    unknown = set(spec) - {"type", "required", "default", "help", "values", "class", "example",
                       "column"}
    if unknown:
        raise _fail(path, f"parameter {name!r}: unknown keys {sorted(unknown)}")
    kind = spec.get("type")
    if kind not in PARAMETER_TYPES:
        raise _fail(path, f"parameter {name!r}: type must be one of {', '.join(PARAMETER_TYPES)}")
    values = tuple(str(v) for v in spec.get("values", ()))
    if (kind == "enum") != bool(values):
        raise _fail(path, f"parameter {name!r}: `values` goes with type enum, and only there")
    if (kind == "entity") != ("class" in spec):
        raise _fail(path, f"parameter {name!r}: `class` goes with type entity, and only there")
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
    )


def load_query(path: Path) -> NamedQuery:
    """Read and check one template: a valid header, no remote access, no update, and
    declared parameters exactly the variables the query is given."""
    text = path.read_text(encoding="utf-8")
    header_lines = [line[2:] for line in text.splitlines() if line.startswith("#+")]
    try:
        header = yaml.safe_load("\n".join(header_lines)) or {}
    except yaml.YAMLError as exc:
        raise _fail(path, f"header is not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(header, dict) or not header.get("summary"):
        raise _fail(path, "header needs at least `#+ summary: ...`")
    params = header.get("params") or {}
    if not isinstance(params, dict):
        raise _fail(path, "`params` must be a mapping of name to specification")
    parameters = tuple(_parameter(path, n, s) for n, s in params.items())
    body = _NOISE.sub(" ", text)
    forbidden = forbidden_keyword(text)
    if forbidden:
        raise _fail(path, f"{forbidden} is not allowed in a stored query")
    used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", body))
    declared = {p.name for p in parameters}
    if used - declared:
        raise _fail(path, f"${sorted(used - declared)[0]} is used but not declared in `params`")
    select = re.search(r"\bSELECT\b(.*?)(\bWHERE\b|\{)", body, re.I | re.S)
    for name in declared:
        if name not in used:
            raise _fail(path, f"parameter {name!r} is declared but the query never uses ${name}")
        if re.search(rf"\?{name}\b", body):
            raise _fail(path, f"write parameter {name!r} as ${name} everywhere, not ?{name}")
        if select is None or not re.search(rf"\${name}\b", select.group(1)):
            raise _fail(path, f"parameter ${name} must be in the SELECT list to be bound")
    examples = tuple(
        Example(params={str(k): str(v) for k, v in (e.get("params") or {}).items()},
                rows=int(e["rows"]))
        for e in header.get("examples") or ()
    )
    return NamedQuery(
        name=path.stem,
        path=path,
        summary=str(header["summary"]).strip(),
        description=str(header.get("description", "")).strip(),
        parameters=parameters,
        examples=examples,
        tags=tuple(str(t) for t in header.get("tags") or ()),
        text=text,
    )


@dataclass(frozen=True)
class Catalog:
    """Every named query of a project, by name."""

    queries: dict[str, NamedQuery]

    @classmethod
    def load(cls, folder: Path) -> Catalog:
        """Load `folder/*.rq`, refusing the whole catalog if one template is bad."""
        return cls({q.name: q for q in map(load_query, sorted(folder.glob("*.rq")))})

    def get(self, name: str) -> NamedQuery:
        """The query of that name, or an error suggesting the closest names."""
        if name in self.queries:
            return self.queries[name]
        close = difflib.get_close_matches(name, self.queries, n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "`diplograph queries` lists them"
        raise InputError(f"no query named {name!r}", hint=hint)
