"""Writing importer changes into catalog files: round-trip YAML (comments, order and quoting are
kept), checked as a whole catalog before anything is replaced, each file replaced atomically.

If the changed catalog would not validate, nothing is written and the problems are raised.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from knowledge.catalog import Catalog
from knowledge.errors import CatalogError

URL_CHARS = re.compile(r"[:?&#,\[\]{}]")
Edit = Callable[[CommentedMap], None]  # changes one product row in place


def round_trip() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def flow_map(items: dict[str, Any]) -> CommentedMap:
    """A one-line mapping. URLs are double-quoted (they hold characters flow style cannot), and
    each date is its own object (a shared one would be written as a YAML anchor and alias)."""
    node = CommentedMap(
        {
            k: DoubleQuotedScalarString(v)
            if isinstance(v, str) and URL_CHARS.search(v)
            else date.fromordinal(v.toordinal())
            if isinstance(v, date)
            else v
            for k, v in items.items()
        }
    )
    node.fa.set_flow_style()
    return node


def block_map(items: dict[str, Any]) -> CommentedMap:
    """A mapping written one key a line; text that needs quotes gets them."""
    return CommentedMap(
        {
            k: DoubleQuotedScalarString(v)
            if isinstance(v, str) and URL_CHARS.search(v) and k != "source"
            else v
            for k, v in items.items()
        }
    )


def figure_node(figures: list[dict[str, Any]]) -> Any:
    """One figure as a flow mapping; several as a block list of flow mappings."""
    if len(figures) == 1:
        return flow_map(figures[0])
    return CommentedSeq(flow_map(f) for f in figures)


def rewrite(catalog: Catalog, edits: dict[str, list[Edit]]) -> list[Path]:
    """Apply `edits` ({product id: edits}) to the catalog's files; returns the files changed."""
    by_file: dict[Path, dict[str, list[Edit]]] = {}
    for pid, changes in edits.items():
        by_file.setdefault(Path(catalog.by_id[pid].file), {})[pid] = changes
    yaml = round_trip()
    texts: dict[Path, str] = {}
    for file, products in by_file.items():
        original = file.read_text(encoding="utf-8")
        data = yaml.load(original)
        for row in data.get("products") or []:
            for edit in products.get(str(row.get("id")), []):
                edit(row)
        out = io.StringIO()
        yaml.dump(data, out)
        if out.getvalue() != original:
            texts[file] = out.getvalue()
    if texts:
        check_texts(catalog, texts)
        write_all_atomically(texts)
    return sorted(texts)


def check_texts(catalog: Catalog, texts: dict[Path, str]) -> None:
    """Validate a copy of the catalog holding the new texts; raise CatalogError if it fails. A
    changed source declaration must read too (it raises SourceFileError)."""
    from knowledge.loader import validate
    from knowledge.sources import SOURCES_DIR, read_spec

    root = Path(catalog.source)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / root.name
        shutil.copytree(root, copy)
        for file, text in texts.items():
            (copy / file.resolve().relative_to(root.resolve())).write_text(text, encoding="utf-8")
        report = validate(copy)
        for file in texts:
            if file.parent.name == SOURCES_DIR:
                read_spec(copy / SOURCES_DIR / file.name)
    if not report.ok:
        raise CatalogError(report.problems)


def write_atomically(file: Path, text: str) -> None:
    """Replace `file` with `text` in one step: a reader sees the old file or the new, never half."""
    write_all_atomically({file: text})


def write_all_atomically(texts: dict[Path, str]) -> None:
    """Write every text to a temporary file beside its target first, then move each into place:
    a failure while writing (disk full, no permission) leaves every file as it was."""
    temps: dict[Path, str] = {}
    try:
        for file, text in texts.items():
            handle, temp = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".tmp")
            temps[file] = temp
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            mode = os.stat(file).st_mode & 0o777 if file.exists() else 0o644
            os.chmod(temp, mode)
        for file, temp in temps.items():
            os.replace(temp, file)
    except BaseException:
        for temp in temps.values():
            Path(temp).unlink(missing_ok=True)
        raise
