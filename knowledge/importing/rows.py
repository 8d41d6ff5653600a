"""Reading a public data file: a CSV, or a zip holding one, of rows with a header.

The file is checked before anything is used: it must be a readable zip or CSV, hold every column
its declaration lists, and every row must have as many fields as the header (a truncated file
does not). Every problem names the file and the row.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from knowledge.errors import SourceFileError
from knowledge.sources import SourceSpec


@dataclass(frozen=True)
class Row:
    """One data row: its line in the file (for messages) and the declared columns."""

    line: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells[column]

    def get(self, column: str, default: str = "") -> str:
        return self.cells.get(column, default)


class Table:
    """The rows of one file, found by the declaration's key columns and model year."""

    def __init__(self, file: Path, spec: SourceSpec, rows: list[Row]):
        self.file, self.spec, self.rows = file, spec, rows
        self._index: dict[tuple, list[Row]] = {}
        for row in rows:
            self._index.setdefault(self._key(row.cells), []).append(row)

    def _key(self, cells: dict[str, str]) -> tuple:
        columns = ([self.spec.year] if self.spec.year else []) + list(self.spec.key)
        return tuple(cells.get(c, "").strip().lower() for c in columns)

    def select(self, selector: dict[str, str], year: int | None) -> list[Row]:
        """The rows whose key columns (and model year, when declared) are those of `selector`."""
        cells = dict(selector)
        if self.spec.year and self.spec.year not in cells:
            cells[self.spec.year] = str(year)
        return self._index.get(self._key(cells), [])

    def has(self, selector: dict[str, str]) -> bool:
        """Whether any row, of any model year, has the key columns of `selector`."""
        wanted = tuple(selector.get(c, "").strip().lower() for c in self.spec.key)
        return any(key[-len(wanted) :] == wanted for key in self._index)

    def of_year(self, year: int | None) -> list[Row]:
        if not self.spec.year:
            return self.rows
        return [r for r in self.rows if r.get(self.spec.year).strip() == str(year)]


def read_table(file: Path | str, spec: SourceSpec) -> Table:
    """Read `file` (a .zip holding the declared CSV member, or a CSV) into a Table."""
    path = Path(file)
    text = _text(path, spec)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise SourceFileError(path, "the file is empty: expected a CSV header") from None
    except csv.Error as error:
        raise SourceFileError(path, f"not a CSV file ({error})", 1) from error
    header = [h.strip().lstrip("\ufeff") for h in header]
    missing = [c for c in spec.columns if c not in header]
    if missing:
        raise SourceFileError(
            path,
            f"missing column(s) {', '.join(missing)} that {spec.file.name} declares "
            f"(the header has {len(header)} columns: is this the {spec.name} file?)",
            1,
        )
    wanted = [(c, header.index(c)) for c in spec.columns]
    rows = []
    try:
        for cells in reader:
            if not cells:
                continue
            if len(cells) != len(header):
                raise SourceFileError(
                    path,
                    f"{len(cells)} fields where the header has {len(header)} "
                    "(a truncated or damaged file?)",
                    reader.line_num,
                )
            rows.append(Row(reader.line_num, {c: cells[i] for c, i in wanted}))
    except csv.Error as error:
        raise SourceFileError(path, f"unreadable CSV ({error})", reader.line_num) from error
    return Table(path, spec, rows)


def _text(path: Path, spec: SourceSpec) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceFileError(path, f"cannot read the file ({error.strerror})") from error
    if data[:2] == b"PK" or path.suffix.lower() == ".zip":
        data = _member(path, data, spec)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceFileError(path, f"not UTF-8 text at byte {error.start}") from error


def _member(path: Path, data: bytes, spec: SourceSpec) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            name = spec.member if spec.member in archive.namelist() else None
            if name is None and not spec.member and len(names) == 1:
                name = names[0]
            if name is None:
                expected = spec.member or "one .csv file"
                raise SourceFileError(path, f"the zip holds {names or 'no CSV'}, not {expected}")
            return archive.read(name)
    except (zipfile.BadZipFile, EOFError, zlib.error) as error:
        raise SourceFileError(path, f"not a readable zip archive ({error})") from error
