"""The process-wide stores (stores.shared) and the interface every backend implements."""

from __future__ import annotations

from pathlib import Path

import pytest

from stores import shared
from stores.interface import HandoffStore, TurnStore
from stores.support_queue import SupportQueue
from stores.turnlog import PATH_ENV, TurnLog
from tests.stores.conftest import StoreBackend


def test_the_process_has_one_store_per_database(backend: StoreBackend) -> None:
    location = backend.location()
    assert shared.handoff_store(location) is shared.handoff_store(location)
    assert shared.turn_store(location) is shared.turn_store(location)
    assert shared.turn_store(location) is not shared.turn_store(backend.location("other"))


def test_the_schema_is_checked_once_per_process(
    backend: StoreBackend, migration_checks: list[str]
) -> None:
    location = backend.location()
    for _ in range(3):
        shared.handoff_store(location).enqueue("c1", {})
        shared.turn_store(location).is_paused("c1")
    assert sorted(migration_checks) == ["support_queue", "turn_log"]


def test_two_spellings_of_one_sqlite_file_are_one_store(tmp_path: Path) -> None:
    path = tmp_path / "data" / "turns.db"
    same = shared.handoff_store(f"sqlite:///{path}")
    assert shared.handoff_store(path) is same
    assert shared.handoff_store(tmp_path / "data" / ".." / "data" / "turns.db") is same


def test_the_default_location_is_the_configured_turn_log(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(PATH_ENV, str(tmp_path / "configured.db"))
    store = shared.turn_store()
    assert isinstance(store, TurnLog) and store.path == tmp_path / "configured.db"


def test_closing_a_process_wide_store_leaves_it_open(backend: StoreBackend) -> None:
    with shared.turn_store(backend.location()) as log:
        log.write_turn({"conversation_id": "c1", "message_id": "m1"})
    shared.handoff_store(backend.location()).close_db()
    assert shared.turn_store(backend.location()).turn("c1", "m1") is not None
    assert shared.handoff_store(backend.location()).open_handoffs() == []


def test_close_all_closes_them_and_the_next_call_opens_anew(backend: StoreBackend) -> None:
    first = shared.turn_store(backend.location())
    shared.close_all()
    again = shared.turn_store(backend.location())
    assert again is not first and again.recent() == []


def test_a_store_that_cannot_be_opened_is_tried_again_at_the_next_call(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be")
    with pytest.raises(OSError):
        shared.handoff_store(blocker / "turns.db")
    blocker.unlink()
    assert shared.handoff_store(blocker / "turns.db").open_handoffs() == []


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("mysql://db.example/advisor", "no store backend for 'mysql'"),
        ("sqlite://relative.db", "sqlite:///path"),
        ("", "not an empty string"),
    ],
)
def test_a_location_no_backend_opens_is_refused(location: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        shared.turn_store(location)


def test_the_sqlite_stores_implement_the_interface(tmp_path: Path) -> None:
    with TurnLog(tmp_path / "turns.db") as log, SupportQueue(tmp_path / "turns.db") as queue:
        assert isinstance(log, TurnStore) and isinstance(queue, HandoffStore)


def test_an_implementation_missing_a_method_cannot_be_made() -> None:
    class Incomplete(TurnStore):
        def release(self) -> None:
            pass

    with pytest.raises(TypeError, match="abstract"):
        Incomplete()
