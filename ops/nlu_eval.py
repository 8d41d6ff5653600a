"""NLU evaluation on the held-out set: `advisor nlu-eval`.

Uses the advisor's trained model (the one `advisor run` serves; trained only when its data changed),
runs `rasa test nlu` on tests/nlu/heldout.yml (never used for training) and reads Rasa's reports: the intent F1 (weighted average) and the entity F1 of the catalog
recogniser (weighted average over entity types, 'no_entity' excluded).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import click
import yaml

from knowledge.bot_domain import read_domain

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
NLU_DATA = ROOT / "bot" / "data" / "nlu.yml"
CONFIG = ROOT / "config.yml"
DOMAIN = ROOT / "bot" / "domain"  # core.yml + the needs.yml generated from the catalog
MODELS = ROOT / "models"
EXTRACTOR = "CatalogEntityExtractor"
# The files `rasa test nlu` (Rasa 3.6) writes into --out.
INTENT_REPORT = "intent_report.json"
ENTITY_REPORT = f"{EXTRACTOR}_report.json"
AGGREGATES = {"accuracy", "micro avg", "macro avg", "weighted avg"}
NO_ENTITY = "no_entity"
MIN_HELDOUT_PER_INTENT = 10
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass
class NluEvalResult:
    intent_f1: float
    entity_f1: float
    intent_threshold: float
    entity_threshold: float
    per_intent: dict[str, float] = field(default_factory=dict)  # intent -> F1
    per_entity: dict[str, float] = field(default_factory=dict)  # entity type -> F1
    confusions: list[tuple[str, str, int]] = field(default_factory=list)  # (true, predicted, n)
    examples: int = 0
    model: Path | None = None
    report_dir: Path | None = None
    trained: bool = False  # False: a cached model was reused
    train_seconds: float = 0.0
    test_seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.intent_f1 >= self.intent_threshold and self.entity_f1 >= self.entity_threshold

    def table(self, worst_below: float = 0.9, top: int = 8) -> str:
        def mark(ok: bool) -> str:
            return "ok" if ok else "FAIL"

        lines = [
            f"NLU held-out evaluation: {self.examples} examples",
            f"  {'intent F1':<26}{self.intent_f1:6.3f}   (gate {self.intent_threshold:.2f}) "
            f"{mark(self.intent_f1 >= self.intent_threshold)}",
            f"  {'entity F1':<26}{self.entity_f1:6.3f}   "
            f"(gate {self.entity_threshold:.2f}) {mark(self.entity_f1 >= self.entity_threshold)}",
        ]
        weak = sorted((f1, name) for name, f1 in self.per_intent.items() if f1 < worst_below)
        lines.append(f"  intents with F1 below {worst_below}: " + ("none" if not weak else ""))
        lines += [f"    {name:<24}{f1:6.3f}" for f1, name in weak]
        weak_entities = sorted(
            (f1, name) for name, f1 in self.per_entity.items() if f1 < worst_below
        )
        if weak_entities:
            lines.append(f"  entity types with F1 below {worst_below}:")
            lines += [f"    {name:<24}{f1:6.3f}" for f1, name in weak_entities]
        lines.append(
            "  top intent confusions (true -> predicted):" + ("" if self.confusions else " none")
        )
        lines += [f"    {n:>3} x  {true} -> {pred}" for true, pred, n in self.confusions[:top]]
        timing = "trained" if self.trained else "cached model"
        where = f"; reports in {self.report_dir}" if self.report_dir else ""
        lines.append(
            f"  {timing}: train {self.train_seconds:.0f}s, test {self.test_seconds:.0f}s{where}"
        )
        lines.append("PASS" if self.passed else "FAIL")
        return "\n".join(lines)


def _rasa_env() -> dict[str, str]:
    from ops.stack import rasa_env

    return rasa_env()


def _rasa_bin() -> str:
    from ops.stack import rasa_bin

    return rasa_bin()


def _run(command: list[str], log: Path, what: str) -> float:
    started = time.monotonic()
    with log.open("w") as out:
        done = subprocess.run(
            command, cwd=ROOT, env=_rasa_env(), stdout=out, stderr=subprocess.STDOUT
        )
    if done.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"{what} failed (exit {done.returncode}); log: {log}\n{tail}")
    return time.monotonic() - started


def ensure_nlu_model(echo=print) -> tuple[Path, bool, float]:
    """The advisor's model, whose NLU part is evaluated: (path, trained now?, seconds training).
    It is the same model `advisor run` serves, trained only when its data changed."""
    from ops.stack import ensure_model, model_fingerprint

    existed = (MODELS / f"advisor-{model_fingerprint()}.tar.gz").exists()
    started = time.monotonic()
    model = ensure_model(echo=echo)
    return model, not existed, 0.0 if existed else time.monotonic() - started


def _examples(path: Path) -> dict[str, list[str]]:
    """Intent -> example texts with entity annotations removed."""
    data = yaml.safe_load(path.read_text()) or {}
    found: dict[str, list[str]] = {}
    for block in data.get("nlu") or []:
        if "intent" not in block:
            continue
        lines = str(block.get("examples") or "").splitlines()
        texts = [_ANNOTATION.sub(r"\1", line.strip()[2:]) for line in lines if line.strip()]
        found.setdefault(block["intent"], []).extend(texts)
    return found


def _normal(text: str) -> str:
    words = " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())
    return words or text.strip()  # '???' stays itself


def heldout_problems(heldout: Path = HELDOUT, training: Path = NLU_DATA) -> list[str]:
    """Why the held-out set would not be a fair test: copied sentences, too few examples."""
    test, train = _examples(heldout), _examples(training)
    domain = read_domain(DOMAIN)
    intents = [i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents") or []]
    seen = {_normal(t) for texts in train.values() for t in texts}
    problems = []
    for intent, texts in test.items():
        problems += [
            f"{intent}: {text!r} is also in {training.name}"
            for text in texts
            if _normal(text) in seen
        ]
        if intent not in intents:
            problems.append(f"{intent}: not an intent of the domain")
    for intent in intents:
        if intent != "nlu_fallback" and len(test.get(intent, [])) < MIN_HELDOUT_PER_INTENT:
            problems.append(
                f"{intent}: {len(test.get(intent, []))} held-out examples, "
                f"need at least {MIN_HELDOUT_PER_INTENT}"
            )
    return problems


def _weighted_f1(report: dict, exclude: set[str]) -> tuple[float, dict[str, float]]:
    labels = {
        k: v
        for k, v in report.items()
        if k not in AGGREGATES and k not in exclude and isinstance(v, dict) and "support" in v
    }
    total = sum(v["support"] for v in labels.values())
    weighted = sum(v["f1-score"] * v["support"] for v in labels.values()) / total if total else 0.0
    return weighted, {k: v["f1-score"] for k, v in labels.items()}


def read_reports(report_dir: Path) -> dict:
    """Intent and entity F1, per-label F1 and the intent confusions from Rasa's report files."""
    intent_report = json.loads((report_dir / INTENT_REPORT).read_text())
    entity_path = report_dir / ENTITY_REPORT
    if not entity_path.exists():
        raise RuntimeError(f"{ENTITY_REPORT} not written: is {EXTRACTOR} in config.yml?")
    entity_report = json.loads(entity_path.read_text())
    intent_f1 = intent_report["weighted avg"]["f1-score"]
    _, per_intent = _weighted_f1(intent_report, set())
    entity_f1, per_entity = _weighted_f1(entity_report, {NO_ENTITY})
    confusions = [
        (intent, predicted, int(count))
        for intent, row in intent_report.items()
        if intent not in AGGREGATES and isinstance(row, dict)
        for predicted, count in (row.get("confused_with") or {}).items()
    ]
    confusions.sort(key=lambda c: (-c[2], c[0], c[1]))
    examples = sum(
        v["support"]
        for k, v in intent_report.items()
        if k not in AGGREGATES and isinstance(v, dict)
    )
    return {
        "intent_f1": intent_f1,
        "entity_f1": entity_f1,
        "per_intent": per_intent,
        "per_entity": per_entity,
        "confusions": confusions,
        "examples": int(examples),
    }


def evaluate(
    heldout: Path | str = HELDOUT,
    intent_threshold: float = 0.90,
    entity_threshold: float = 0.85,
    out: Path | str | None = None,
    echo=print,
) -> NluEvalResult:
    """Train (or reuse) the NLU model, test it on the held-out set and read the F1 figures."""
    heldout = Path(heldout).resolve()
    problems = heldout_problems(heldout)
    if problems:
        raise ValueError("The held-out set is not usable:\n  " + "\n  ".join(problems))
    model, trained, train_seconds = ensure_nlu_model(echo=echo)
    report_dir = Path(out) if out else Path(tempfile.mkdtemp(prefix="nlu-eval-"))
    if report_dir.exists():
        for name in (INTENT_REPORT, ENTITY_REPORT):
            (report_dir / name).unlink(missing_ok=True)
    report_dir.mkdir(parents=True, exist_ok=True)
    echo(f"Testing on {heldout.relative_to(ROOT) if heldout.is_relative_to(ROOT) else heldout}...")
    command = [
        _rasa_bin(), "test", "nlu", "--nlu", str(heldout), "--model", str(model),
        "--domain", str(DOMAIN), "--out", str(report_dir), "--no-plot",
    ]  # fmt: skip
    test_seconds = _run(command, report_dir / "test.log", "rasa test nlu")
    figures = read_reports(report_dir)
    return NluEvalResult(
        intent_threshold=intent_threshold,
        entity_threshold=entity_threshold,
        model=model,
        report_dir=report_dir,
        trained=trained,
        train_seconds=train_seconds,
        test_seconds=test_seconds,
        **figures,
    )


@click.command("nlu-eval")
@click.option(
    "--heldout",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=HELDOUT,
    show_default=True,
    help="Held-out NLU test data (Rasa YAML), never used for training.",
)
@click.option("--intent-threshold", default=0.90, show_default=True, help="Minimum intent F1.")
@click.option("--entity-threshold", default=0.85, show_default=True, help="Minimum entity F1.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to keep Rasa's reports (default: a temporary folder).",
)
@click.option(
    "--needs",
    "needs_mode",
    is_flag=True,
    help="Evaluate what messages mean instead: the needs held-out set, parsed into needs the "
    "way the running bot does (ops/needs_eval.py).",
)
@click.option(
    "--needs-heldout",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Held-out needs set (default tests/nlu/needs_heldout.yml).",
)
@click.option(
    "--needs-threshold",
    default=0.95,
    show_default=True,
    help="Minimum share of messages parsed to exactly their labelled needs.",
)
def nlu_eval(
    heldout: Path,
    intent_threshold: float,
    entity_threshold: float,
    out: Path | None,
    needs_mode: bool,
    needs_heldout: Path | None,
    needs_threshold: float,
):
    """Evaluate intents and entities on the held-out set; exit 1 below the thresholds.

    Uses the advisor's model (models/advisor-<hash>.tar.gz), training it only if the data changed.
    With --needs, parses the needs held-out set with each catalog's model instead and reports the
    share of messages parsed exactly, per phenomenon; exit 1 below --needs-threshold.

    Example: advisor nlu-eval --out results/nlu
    """
    if needs_mode:
        from ops.needs_eval import NEEDS_HELDOUT, evaluate_needs

        try:
            found = evaluate_needs(needs_heldout or NEEDS_HELDOUT, needs_threshold, echo=click.echo)
        except (ValueError, RuntimeError) as error:
            raise click.ClickException(str(error)) from error
        click.echo(found.table())
        if not found.passed:
            raise SystemExit(1)
        return
    try:
        result = evaluate(heldout, intent_threshold, entity_threshold, out=out, echo=click.echo)
    except (ValueError, RuntimeError) as error:
        raise click.ClickException(str(error)) from error
    if out is None and result.passed and result.report_dir:
        shutil.rmtree(result.report_dir, ignore_errors=True)  # kept only to inspect a failure
        result.report_dir = None
    click.echo(result.table())
    if not result.passed:
        raise SystemExit(1)


if __name__ == "__main__":
    nlu_eval()
