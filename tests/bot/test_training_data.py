"""`rasa data validate` must be clean. Rasa cannot see responses sent by custom actions or asked by
forms, so its 'utterance not used in any story or rule' warning is accepted only for a response that
an action in actions/ sends or that asks a form's required slot — and such a response is proven used."""

from __future__ import annotations

import re
import subprocess

import pytest

from knowledge.bot_domain import read_domain
from ops.stack import ROOT, rasa_bin, rasa_env

pytestmark = pytest.mark.e2e
UNUSED = re.compile(r"The utterance '(\w+)' is not used in any story or rule\.")


def responses_used_outside_stories() -> set[str]:
    sent = set()
    for source in (ROOT / "actions").glob("*.py"):
        sent |= set(re.findall(r"response=\"(utter_\w+)\"", source.read_text()))
    domain = read_domain(ROOT / "bot" / "domain")
    for form in (domain.get("forms") or {}).values():
        sent |= {f"utter_ask_{slot}" for slot in form.get("required_slots", [])}
    return sent


def test_rasa_data_validate_is_clean():
    result = subprocess.run(
        [rasa_bin(), "data", "validate", "--config", "config.yml", "--domain", "bot/domain",
         "--data", "bot/data"],
        cwd=ROOT, env=rasa_env(), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    warnings = [line for line in result.stderr.splitlines() if "UserWarning" in line]
    allowed = responses_used_outside_stories()
    unexplained = [w for w in warnings if not (UNUSED.search(w) and UNUSED.search(w)[1] in allowed)]
    assert not unexplained, "\n".join(unexplained)
    domain = read_domain(ROOT / "bot" / "domain")
    assert allowed <= set(domain["responses"]), "an action sends a response the domain lacks"
