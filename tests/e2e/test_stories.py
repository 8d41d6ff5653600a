"""`rasa test` over the end-to-end conversations in tests/stories, failing on any wrong prediction."""

from __future__ import annotations

import json
import subprocess

import pytest

from ops.stack import ROOT, ensure_model, rasa_bin, rasa_env

pytestmark = pytest.mark.e2e


def test_every_conversation_is_predicted_exactly(tmp_path):
    model = ensure_model()
    result = subprocess.run(
        [
            rasa_bin(), "test", "core", "--model", str(model),
            "--stories", str(ROOT / "tests" / "stories"),
            "--fail-on-prediction-errors", "--out", str(tmp_path),
        ],
        cwd=ROOT, env=rasa_env(), capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, f"{result.stderr[-3000:]}\n{details[:6000]}"
    report = json.loads((tmp_path / "story_report.json").read_text())
    conversations = report["conversation_accuracy"]
    assert conversations["total"] >= 30 and conversations["correct"] == conversations["total"]
