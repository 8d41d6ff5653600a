"""A dialogue policy for near misspellings: a message with a `suggestion` entity (a word close to
a product name, but not close enough to take; see knowledge/spelling.py) is answered first with
"did you mean ...?" (`action_did_you_mean`), whatever was asked, and the bot then listens.

Rasa's policies are its extension point for "which action next"; this one outranks the rules only
for that turn, and predicts nothing otherwise.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction, confidence_scores_for
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

ACTION = "action_did_you_mean"
ENTITY = "suggestion"
# Above the RulePolicy's (4) so the question comes first, even during the needs interview.
PRIORITY = 5


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class SpellingPolicy(Policy):
    """Asks about a near misspelling before anything else."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": PRIORITY}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SpellingPolicy:
        return cls(
            {**cls.get_default_config(), **config}, model_storage, resource, execution_context
        )

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        return self._resource  # nothing to learn: the recogniser decides what is uncertain

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        return self._prediction(next_action(tracker, domain))


def next_action(tracker: DialogueStateTracker, domain: Domain) -> list[float]:
    """Certain of `action_did_you_mean` right after a message with a suggestion, and of listening
    right after asking; no opinion otherwise."""
    if ACTION not in domain.action_names_or_texts:
        return [0.0] * domain.num_actions
    latest = tracker.latest_action_name
    if latest == ACTION:
        return confidence_scores_for(ACTION_LISTEN_NAME, 1.0, domain)
    message = tracker.latest_message
    asked = message is not None and any(e.get("entity") == ENTITY for e in message.entities)
    if latest == ACTION_LISTEN_NAME and asked:
        return confidence_scores_for(ACTION, 1.0, domain)
    return [0.0] * domain.num_actions
