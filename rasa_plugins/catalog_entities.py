"""The Rasa NLU component that finds catalog entities with spaCy (see knowledge/entities.py).

At training time it builds the lexicon from the catalog and stores it with the model; at run time
it loads that lexicon, so a model recognises exactly the catalog it was trained on.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.entities import EntityRecognizer
from knowledge.lexicon import Lexicon, build_lexicon
from knowledge.loader import catalog_fingerprint, load

LEXICON_FILE = "lexicon.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class CatalogEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Products, brands, attribute values, priorities and quantities from the catalog, with the
    shoppers' own phrasing: superlatives (`sort`), removals (a need set to 'any'), negations (the other
    values; a brand with the role 'excluded'), party sizes, hints (a priority with the role 'hint') and
    'did you mean' questions for near misspellings (`suggestion`)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"catalog": None}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The catalog's content, so Rasa's training cache never hands a model trained on one
        catalog (say, with $ADVISOR_CATALOG) the lexicon of another."""
        return catalog_fingerprint(config.get("catalog"))

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        lexicon: Lexicon | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._recognizer = EntityRecognizer(lexicon) if lexicon else None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CatalogEntityExtractor:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        lexicon = build_lexicon(load(self._config["catalog"]))
        self._recognizer = EntityRecognizer(lexicon)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / LEXICON_FILE).write_text(json.dumps(lexicon.to_dict()))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CatalogEntityExtractor:
        with model_storage.read_from(resource) as directory:
            lexicon = Lexicon.from_dict(json.loads((directory / LEXICON_FILE).read_text()))
        return cls(config, model_storage, resource, lexicon)

    def process(self, messages: list[Message]) -> list[Message]:
        if self._recognizer is None:
            raise RuntimeError("CatalogEntityExtractor used before training")
        for message in messages:
            text = message.get(TEXT) or ""
            found = []
            for e in self._recognizer.extract(text):
                entity = {
                    "entity": e.entity,
                    "value": e.value,
                    "start": e.start,
                    "end": e.end,
                    "confidence_entity": 1.0,
                }
                if e.role:  # 'excluded' brands, 'hint' priorities
                    entity["role"] = e.role
                found.append(entity)
            message.set(
                ENTITIES,
                message.get(ENTITIES, []) + self.add_extractor_name(found),
                add_to_output=True,
            )
        return messages
