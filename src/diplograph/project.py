"""Where a graph's ontology, data and queries live."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from diplograph.errors import UsageError

PROJECT_ENV = "DIPLOGRAPH_PROJECT"
PARTS = ("ontology", "data", "queries")
SHAPES_FILE = "shapes.ttl"


def _is_project(path: Path) -> bool:
    return all((path / part).is_dir() for part in PARTS)


def bundled_root() -> Path:
    """The graph shipped with the package (or the source checkout it runs from)."""
    package = Path(__file__).resolve().parent
    shipped = package / "_bundled"
    return shipped if _is_project(shipped) else package.parents[1]


@dataclass(frozen=True)
class Project:
    """A folder holding `ontology/`, `data/` and `queries/`."""

    root: Path

    @classmethod
    def locate(cls, explicit: Path | None = None) -> Project:
        """The project named by `--project`, else $DIPLOGRAPH_PROJECT, else the working
        directory if it is one, else the bundled graph."""
        named = explicit or (Path(os.environ[PROJECT_ENV]) if os.environ.get(PROJECT_ENV) else None)
        if named is not None:
            if not _is_project(named):
                raise UsageError(
                    f"{named}: not a diplograph project",
                    hint="a project folder holds ontology/, data/ and queries/",
                )
            return cls(named.resolve())
        cwd = Path.cwd()
        return cls(cwd.resolve() if _is_project(cwd) else bundled_root())

    @property
    def is_bundled(self) -> bool:
        """True for the graph shipped inside the installed package."""
        return self.root.name == "_bundled"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def shapes_files(self) -> tuple[Path, ...]:
        """SHACL shapes: `ontology/shapes.ttl`."""
        shapes = self.root / "ontology" / SHAPES_FILE
        return (shapes,) if shapes.is_file() else ()

    @property
    def shapes_context(self) -> Path:
        """The CONSTRUCT query giving what the shapes read beyond a node's neighbours."""
        return self.root / "ontology" / "shapes-context.rq"

    @property
    def ontology_files(self) -> tuple[Path, ...]:
        """The TBox and vocabularies: every `ontology/*.ttl` but the shapes."""
        files = sorted((self.root / "ontology").glob("*.ttl"))
        return tuple(f for f in files if f.name != SHAPES_FILE)

    @property
    def data_dir(self) -> Path:
        """The data folder: facts in `*.ttl`, the texts of source documents below it."""
        return self.root / "data"

    @property
    def data_files(self) -> tuple[Path, ...]:
        """The facts: every `data/*.ttl`."""
        return tuple(sorted((self.root / "data").glob("*.ttl")))

    @property
    def source_files(self) -> tuple[Path, ...]:
        """Every RDF file the compiled store is built from."""
        return self.ontology_files + self.shapes_files + self.data_files

    def relative(self, path: Path) -> str:
        """A path as shown to users and used in graph names: relative to the project."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
