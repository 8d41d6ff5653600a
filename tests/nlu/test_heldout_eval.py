"""NLU on the held-out set (tests/nlu/heldout.yml): intent and entity F1 above the gates.

The evaluation trains an NLU-only model (minutes, reused while its inputs are unchanged) and runs
`rasa test nlu`, so it is marked e2e. The check that the held-out set is a fair one is instant.
"""

from __future__ import annotations

import pytest

from ops.nlu_eval import HELDOUT, evaluate, heldout_problems

INTENT_GATE = 0.90
ENTITY_GATE = 0.85


def test_heldout_set_is_disjoint_from_training_and_covers_every_intent():
    assert heldout_problems(HELDOUT) == []


@pytest.mark.e2e
def test_heldout_intent_and_entity_f1_meet_the_gates(tmp_path):
    result = evaluate(
        HELDOUT, intent_threshold=INTENT_GATE, entity_threshold=ENTITY_GATE, out=tmp_path
    )
    print()
    print(result.table())
    assert result.intent_f1 >= INTENT_GATE, f"intent F1 {result.intent_f1:.3f} < {INTENT_GATE}"
    assert result.entity_f1 >= ENTITY_GATE, f"entity F1 {result.entity_f1:.3f} < {ENTITY_GATE}"
    assert result.passed
