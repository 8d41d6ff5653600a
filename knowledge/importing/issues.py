"""Planning known issues from a file of documents: rows are grouped into campaigns (the declared
`group` column); each campaign of a mapped product's make, model and model year becomes one known
issue, its summary taken from the preferred document, its date only where the text gives one.

The rules (document preference, text to strip, date pattern) are declared under `issues:`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from knowledge.catalog import Catalog, KnownIssue
from knowledge.errors import Errors, SourceFileError
from knowledge.importing.rows import Row, Table
from knowledge.importing.values import CONFIRMED, CONFLICT, CORRECTED, FILLED, Outcome, Plan
from knowledge.importing.values import unmapped_products as _unmapped
from knowledge.sources import SourceSpec

SPACE = re.compile(r"\s+")
SENTENCE_END = re.compile(r"(?<=[.!?])\s")


@dataclass(frozen=True)
class NewIssue:
    kind: str
    id: str
    year: int | None
    summary: str
    date: date | None
    source: str

    def same_as(self, issue: KnownIssue) -> bool:
        return (issue.kind, issue.id, issue.year, issue.summary, issue.date, issue.source) == (
            self.kind,
            self.id,
            self.year,
            self.summary,
            self.date,
            self.source,
        )

    def fields(self) -> dict:
        out = {"kind": self.kind, "id": self.id, "year": self.year, "summary": self.summary}
        if self.date:
            out["date"] = self.date
        out["source"] = self.source
        return {k: v for k, v in out.items() if v is not None}


class IssueRules:
    """The declared `issues:` rules of one source, checked when read."""

    def __init__(self, spec: SourceSpec):
        rules = spec.issues

        def bad(detail: str) -> SourceFileError:
            return SourceFileError(spec.file, Errors.E120.format(detail=f"issues: {detail}"))

        if not spec.group:
            raise bad("source.group must name the column that identifies a campaign")
        try:
            self.kind = str(rules.get("kind", "recall"))
            year = rules.get("year") or {}
            self.year_column, self.year_add = year.get("column"), int(year.get("add", 0))
            self.year_pattern = re.compile(year.get("pattern", r"^(\d+)"))
            document = rules["document"]
            self.document_column = document["column"]
            self.prefer = [str(p) for p in document.get("prefer", [])]
            self.min_chars = int(document.get("min_chars", 0))
            self.skip = [re.compile(p, re.I) for p in document.get("skip", [])]
            self.require = re.compile(document.get("require", ""), re.I)
            summary = rules["summary"]
            self.summary_column = summary["column"]
            self.strip = [re.compile(p, re.I) for p in summary.get("strip", [])]
            self.max_chars = int(summary.get("max_chars", 300))
            when = rules.get("date") or {}
            self.date_pattern = re.compile(when["pattern"]) if when else None
            self.date_format = when.get("format", "%Y-%m-%d")
        except (KeyError, TypeError, ValueError, re.error) as error:
            raise bad(
                f"{error!r}: see FORMAT.md for kind, year, document, summary, date"
            ) from error
        used = [self.document_column, self.summary_column, self.year_column]
        missing = [c for c in used if c and c not in spec.columns]
        if missing:
            raise bad(f"columns {', '.join(missing)} must be listed under source.columns")

    def issue(self, spec: SourceSpec, campaign: str, documents: list[Row]) -> NewIssue:
        chosen = self._document(documents)
        return NewIssue(
            kind=self.kind,
            id=campaign,
            year=self._year(chosen),
            summary=self._summary(chosen.get(self.summary_column)),
            date=self._date(documents),
            source=spec.citation(chosen.cells),
        )

    def _rank(self, row: Row) -> int:
        name = row.get(self.document_column)
        return next((i for i, p in enumerate(self.prefer) if name.startswith(p)), len(self.prefer))

    def _document(self, documents: list[Row]) -> Row:
        """The first document, by preference, whose text describes a defect and is no cover
        note; else the first that is no cover note; else the one with the longest text."""
        ordered = sorted(documents, key=lambda r: (self._rank(r), r.line))
        texts = {id(r): self._clean(r.get(self.summary_column)) for r in ordered}
        plain = [
            r
            for r in ordered
            if len(texts[id(r)]) >= self.min_chars
            and not any(p.search(texts[id(r)]) for p in self.skip)
        ]
        describing = [r for r in plain if self.require.search(texts[id(r)])]
        return (describing or plain or [max(ordered, key=lambda r: len(texts[id(r)]))])[0]

    def _clean(self, text: str) -> str:
        text = SPACE.sub(" ", text).strip()
        for pattern in self.strip:
            text = pattern.sub("", text).strip()
        return text

    def _summary(self, text: str) -> str:
        """The cleaned text, cut at the last sentence end within max_chars (or a word, with …)."""
        text = self._clean(text)
        if len(text) <= self.max_chars:
            return text
        head = text[: self.max_chars]
        ends = [m.start() for m in SENTENCE_END.finditer(head)]
        if ends and ends[-1] > self.max_chars // 3:
            return head[: ends[-1]].strip()
        return head.rsplit(" ", 1)[0].rstrip(",;:") + "…"

    def _year(self, row: Row) -> int | None:
        match = (
            self.year_pattern.search(row.get(self.year_column or "")) if self.year_column else None
        )
        return int(match.group(1)) + self.year_add if match else None

    def _date(self, documents: list[Row]) -> date | None:
        if self.date_pattern is None:
            return None
        found = []
        for row in documents:
            for text in self.date_pattern.findall(row.get(self.summary_column)):
                try:
                    found.append(datetime.strptime(text, self.date_format).date())
                except ValueError:
                    continue  # a misspelt month in NHTSA's text is no date
        return min(found) if found else None


def plan_issues(catalog: Catalog, spec: SourceSpec, table: Table, accept: bool = False) -> Plan:
    """One outcome per campaign of each mapped product; raises SourceFileError for a mapping that
    names a make and model the file never mentions."""
    rules = IssueRules(spec)
    plan = Plan(spec, str(table.file), unmapped=_unmapped(catalog, spec))
    for pid, pin in spec.products.items():
        product = catalog.by_id[pid]
        rows: list[Row] = []
        for _, selector in pin.rows:
            if not table.has(selector):
                named = ", ".join(f"{k} {v!r}" for k, v in selector.items())
                raise SourceFileError(
                    spec.file, f"{named} is not in {table.file}", field=f"products.{pid}"
                )
            rows += table.select(selector, product.year)
        campaigns: dict[str, list[Row]] = {}
        for row in rows:
            campaigns.setdefault(row.get(spec.group or ""), []).append(row)
        for campaign, documents in sorted(campaigns.items()):
            new = rules.issue(spec, campaign, documents)
            old = tuple(i for i in product.known_issues if i.id == campaign)
            if not old:
                status, writes = FILLED, True
            elif new.same_as(old[0]):
                status, writes = CONFIRMED, False
            else:
                status, writes = (CORRECTED, True) if accept else (CONFLICT, False)
            outcome = Outcome(pid, "known_issues", status, old, (new,), writes)
            outcome.rows = tuple(documents)
            plan.outcomes.append(outcome)
    return plan
