"""Coded error messages, kept in one place so every message names what was wrong and how to fix it.

A leaf module: it imports nothing from the project, so every other module can import it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class Errors:
    """Message templates. Codes are stable: tests and people can refer to them."""

    E100 = "[E100] Cannot read YAML: {detail}"
    E101 = "[E101] Unknown attribute '{name}': the category declares {known}"
    E102 = "[E102] Wrong type: expected {expected}, got {got!r}"
    E103 = "[E103] Wrong unit: expected '{expected}', got '{got}'"
    E104 = "[E104] Duplicate product id '{id}' (first seen in {first})"
    E105 = "[E105] Missing source: give at least one URL under 'sources'"
    E106 = "[E106] Value {value} out of the declared range [{low}, {high}]"
    E107 = "[E107] Missing required field '{field}'"
    E108 = "[E108] Unknown value {value!r}: expected one of {allowed}"
    E109 = "[E109] Bad date {value!r}: expected YYYY-MM-DD"
    E110 = "[E110] Unknown field '{field}': expected one of {allowed}"
    E111 = "[E111] Bad source {value!r}: expected an http(s) URL"
    E112 = "[E112] Bad category declaration: {detail}"
    E113 = "[E113] No catalog found at {path}: expected category.yml (+ products/*.yml) or one YAML file"
    E114 = "[E114] Bad known issue: {detail}"
    E115 = "[E115] Bad role declaration: {detail}"
    E116 = "[E116] Bad cost-to-own declaration: {detail}"
    E117 = "[E117] Bad interview declaration: {detail}"
    E118 = "[E118] Bad figure: {detail}"
    E119 = "[E119] Figure source does not fit its declaration: {detail}"
    E120 = "[E120] Bad source declaration: {detail}"
    W121 = "[W121] Source on a low-quality site ({why}): {url}"
    W122 = (
        "[W122] No maker site for brand '{brand}' under 'makers' in sites.yml: an answer about a "
        "figure not on file cannot point to where it is published"
    )
    E123 = "[E123] Bad price list: {detail}"
    E130 = "[E130] Bad model-name list: {detail}"
    E122 = "[E122] Bad phrasing declaration: {detail}"
    E131 = "[E131] Bad feature vocabulary: {detail}"
    E132 = "[E132] Bad concept: {detail}"


@dataclass(frozen=True)
class CatalogProblem:
    """One problem found in a catalog: where it is and what was expected."""

    file: str
    message: str
    product: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.product:
            where += f": product '{self.product}'"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


@dataclass
class Problems:
    """Every problem found so far (the loader's Report adds the catalog, when usable)."""

    problems: list[CatalogProblem] = field(default_factory=list)

    def add(
        self, file: Path | str, message: str, product: str | None = None, field: str | None = None
    ):
        self.problems.append(CatalogProblem(str(file), message, product, field))

    def wrong_type(
        self,
        file: Path | str,
        expected: str,
        got: object,
        product: str | None = None,
        field: str | None = None,
    ) -> None:
        self.add(file, Errors.E102.format(expected=expected, got=got), product, field)

    @property
    def ok(self) -> bool:
        return not self.problems


class CatalogError(Exception):
    """Raised when a catalog has problems; carries all of them, not just the first."""

    def __init__(self, problems: list[CatalogProblem]):
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the catalog:\n{lines}")


class UnknownProductError(LookupError):
    """A product name that matches nothing in the catalog; carries the nearest names."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"I don't have data on '{name}'.{hint}")


class NeedsError(ValueError):
    """A need that the category does not declare or a value it cannot take."""


class SourceFileError(ValueError):
    """A data file or source declaration that cannot be used: names the file, row and field."""

    def __init__(self, file: Path | str, message: str, row: int | None = None, field: str = ""):
        self.file, self.row, self.field, self.detail = str(file), row, field, message
        where = str(file)
        if row is not None:
            where += f", row {row}"
        if field:
            where += f", field '{field}'"
        super().__init__(f"{where}: {message}")
