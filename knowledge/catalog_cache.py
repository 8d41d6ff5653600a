"""The validated catalog, kept between runs of a short command (`advisor needs`, `advisor report`).

Reading and validating the vehicles catalog (35 YAML files, every figure's source checked) takes
most of a second; a command that mines a small log takes less than that. So a command may ask for
`cached_catalog(path)`: the catalog validated once and pickled to `<data dir>/cache/`, named by a
digest of everything that decides it: the catalog's files (names and bytes), the code that reads
them (every module of the knowledge package) and the Python version. Any change gives a new name,
so a stale catalog is never read; old files are removed when a new one is written. The file is
written atomically (a temporary file, then a rename), so two commands at once never read half of
one. When the folder cannot be written, the catalog is simply validated every time.

Only trusted files are read: the cache lives in the data folder beside the turn log.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from knowledge.catalog import Catalog
from knowledge.loader import catalog_files, default_catalog_path, get_catalog

PREFIX = "catalog-"
PACKAGE = Path(__file__).resolve().parent


def _where(path: Path | str | None) -> str:
    """A short name for the catalog's location: each catalog keeps one file of its own."""
    where = str(Path(path or default_catalog_path()).resolve())
    return hashlib.sha256(where.encode()).hexdigest()[:8]


def cache_key(path: Path | str | None = None) -> str:
    """A digest of the catalog's files, the knowledge package's code and the Python version."""
    digest = hashlib.sha256(sys.version.encode())
    for file in [*catalog_files(path), *sorted(PACKAGE.glob("**/*.py"))]:
        digest.update(str(file).encode())
        digest.update(file.read_bytes() if file.is_file() else b"")
    return digest.hexdigest()[:20]


def cache_dir() -> Path:
    from advisor.settings import current

    return current().data_dir / "cache"


def cached_catalog(path: Path | str | None = None, folder: Path | None = None) -> Catalog:
    """The catalog at `path` (knowledge.loader.get_catalog), from the cache when it is there;
    raises CatalogError as get_catalog does."""
    folder = folder or cache_dir()
    file = folder / f"{PREFIX}{_where(path)}-{cache_key(path)}.pickle"
    try:
        with open(file, "rb") as handle:
            found = pickle.load(handle)  # noqa: S301 - our own file in the data folder
        if isinstance(found, Catalog):
            return found
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    catalog = get_catalog(path)
    _write(folder, file, catalog, f"{PREFIX}{_where(path)}-")
    return catalog


def _write(folder: Path, file: Path, catalog: Catalog, prefix: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".catalog-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            pickle.dump(catalog, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, file)
    except OSError:
        return
    finally:
        Path(temporary).unlink(missing_ok=True)
    for stale in folder.glob(f"{prefix}*.pickle"):
        if stale != file:
            stale.unlink(missing_ok=True)
