"""The Rasa event broker assembles the turn log from the events Rasa publishes; `advisor log` reads it.

Events are built with Rasa's own event classes and published as Rasa does (`as_dict()` plus
`sender_id`, rasa/core/tracker_store.py `_stream_new_events`).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.events import (
    ActionExecuted,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.utils.endpoints import EndpointConfig

from actions.render_payload import advice_payload, comparison_payload
from advisor.log_commands import log as log_command
from knowledge.catalog import Catalog
from knowledge.compare import compare
from knowledge.matching import recommend
from knowledge.needs import NeedsProfile
from rasa_plugins.event_broker import TurnLogBroker
from stores.turnlog import TurnLog

SHOPPER = "shopper-1"


def published(*events: Event, sender: str = SHOPPER) -> list[dict]:
    return [{"sender_id": sender, **event.as_dict()} for event in events]


def user(text: str, message_id: str, intent: str, confidence: float = 0.95, **entities):
    found = [{"entity": k, "value": v, "start": 0, "end": 1} for k, v in entities.items()]
    return UserUttered(
        text,
        {"name": intent, "confidence": confidence},
        found,
        input_channel="rest",
        message_id=message_id,
    )


def bot(text: str, response: str | None = None, custom: dict | None = None, **metadata):
    """A BotUttered shaped as rasa/core/actions/action.py create_bot_utterance makes it."""
    if response:
        metadata["utter_action"] = response
    data = {k: None for k in ("elements", "quick_replies", "buttons", "attachment", "image")}
    return BotUttered(text, {**data, "custom": custom}, metadata)


def script(shop: Catalog) -> list[list[dict]]:
    """A scripted conversation, as the batches of events Rasa publishes after each message."""
    fits = advice_payload(shop, recommend(shop, NeedsProfile.from_dict(shop.category, NEEDS)))
    tight = {"budget": 20000, "seats": 7}
    nothing = advice_payload(shop, recommend(shop, NeedsProfile.from_dict(shop.category, tight)))
    table = comparison_payload(compare(shop, [shop.by_id["a-big"], shop.by_id["c-big"]]))
    return [
        published(ActionExecuted("action_session_start"), SessionStarted()),
        published(
            ActionExecuted("action_listen"),
            user("hi", "m1", "greet"),
            ActionExecuted("action_greet"),
            bot("Hi! I'm a shopping advisor.", "utter_greet"),
        ),
        published(
            ActionExecuted("action_listen"),
            user("7 seats under 45k, I'm jo@example.com", "m2", "recommend", seats=7),
            SlotSet("seats", 7),
            SlotSet("budget", 45000),
            SlotSet("priorities", []),
            SlotSet("shown_products", ["ignored"]),
            ActionExecuted("action_recommend"),
            bot("2 cars meet your needs.", custom=fits),
        ),
        published(
            ActionExecuted("action_listen"),
            user("cheaper, under 20k", "m3", "refine_cheaper", budget="20k"),
            SlotSet("budget", 20000),
            ActionExecuted("action_refine"),
            bot("No car meets all of that.", custom=nothing),
        ),
        published(
            ActionExecuted("action_listen"),
            user("compare the Big and the Hauler", "m4", "compare"),
            SlotSet("budget", None),
            ActionExecuted("action_compare"),
            bot("Side by side:", custom=table),
        ),
        published(
            ActionExecuted("action_listen"),
            user("blorp", "m5", "nlu_fallback", confidence=0.3),
            ActionExecuted("action_handle_fallback"),
            bot("Sorry, I didn't get that.", "utter_default"),
        ),
        published(
            ActionExecuted("action_listen"),
            user("can I talk to a person", "m6", "human"),
            ActionExecuted("action_handoff"),
            bot("Connecting you to a person.", "utter_handoff"),
            ConversationPaused(),
        ),
        published(ActionExecuted("action_listen"), user("hello? call 555-123-4567", "m7", "greet")),
        published(bot("Hi, Sam here. Want a test drive?", staff=True, staff_name="Sam")),
        published(ConversationResumed()),
        published(
            ActionExecuted("action_listen"),
            user("thanks", "m8", "thank"),
            bot("You're welcome.", "utter_welcome"),
        ),
    ]


NEEDS = {"budget": 45000, "seats": 7}


def publish_all(broker: TurnLogBroker, batches: list[list[dict]]) -> None:
    for batch in batches:
        for event in batch:
            broker.publish(event)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "turns.db"


@pytest.fixture
def recorded(db: Path, tiny_catalog: Catalog) -> list[dict]:
    broker = TurnLogBroker(db)
    publish_all(broker, script(tiny_catalog))
    asyncio.run(broker.close())
    with TurnLog(db) as log:
        return log.conversation(SHOPPER)


def test_every_message_is_one_row_in_order(recorded: list[dict]) -> None:
    assert [(t["turn"], t["message_id"], t["role"]) for t in recorded] == [
        (1, "m1", "shopper"),
        (2, "m2", "shopper"),
        (3, "m3", "shopper"),
        (4, "m4", "shopper"),
        (5, "m5", "shopper"),
        (6, "m6", "shopper"),
        (7, "m7", "shopper"),
        (8, recorded[7]["message_id"], "staff"),
        (9, "m8", "shopper"),
    ]
    assert recorded[7]["message_id"].startswith("staff-")
    assert all(t["channel"] == "rest" for t in recorded)


def without_times(responses: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "ts"} for r in responses]


def test_each_answer_keeps_its_own_time(db: Path) -> None:
    """A note pushed after a person's reply (here the closing notice) is filed with the last
    shopper message but keeps its own time, so a transcript can put it after the reply."""
    broker = TurnLogBroker(path=db)
    asked = user("a person please", "m1", "human")
    staff = bot("Hi, Kim here.", staff=True, staff_name="Kim", message_id="staff-1")
    closing = bot("Kim has closed this support chat.", handoff="closed", message_id="pushed-1")
    asked.timestamp, staff.timestamp, closing.timestamp = 10.0, 20.0, 30.0
    publish_all(broker, [published(asked), published(staff), published(closing)])
    with TurnLog(db) as log:
        shopper, reply = log.conversation(SHOPPER)
    assert reply["role"] == "staff" and reply["ts"] == 20.0
    assert shopper["responses"] == [
        {"response": None, "text": "Kim has closed this support chat.", "ts": 30.0}
    ]


def test_user_message_fields_and_redaction(recorded: list[dict]) -> None:
    greet, wants = recorded[0], recorded[1]
    assert (greet["intent"], greet["confidence"], greet["text"]) == ("greet", 0.95, "hi")
    assert without_times(greet["responses"]) == [
        {"response": "utter_greet", "text": "Hi! I'm a shopping advisor."}
    ]
    assert wants["text"] == "7 seats under 45k, I'm [email]"
    assert wants["entities"] == [{"entity": "seats", "value": 7, "start": 0, "end": 1}]
    assert recorded[6]["text"] == "hello? call [phone]"


def test_needs_are_the_profile_after_each_turn(recorded: list[dict]) -> None:
    assert [t["needs"] for t in recorded[:5]] == [
        {},
        {"seats": 7, "budget": 45000},
        {"seats": 7, "budget": 20000},
        {"seats": 7},
        {"seats": 7},
    ]
    assert recorded[-1]["needs"] == {"seats": 7}


def test_products_and_nothing_fits_come_from_the_payloads(
    recorded: list[dict], tiny_catalog: Catalog
) -> None:
    advice = recommend(tiny_catalog, NeedsProfile.from_dict(tiny_catalog.category, NEEDS))
    assert recorded[1]["products"] == [
        {"id": m.product.id, "kind": "recommended", "fit": round(m.score, 4)}
        for m in advice.matches
    ]
    assert without_times(recorded[1]["responses"]) == [
        {"response": None, "text": "2 cars meet your needs."}
    ]
    nothing = recorded[2]["nothing_fits"]
    assert nothing["needs"] == {"budget": 20000.0, "seats": 7}
    assert [n["id"] for n in nothing["nearest"]] == ["a-small", "c-big", "a-big"]
    assert nothing["nearest"][1]["fails"][0]["text"] == "$21,000 over your budget"
    assert [(p["id"], p["kind"]) for p in recorded[2]["products"]] == [
        ("a-small", "near_miss"),
        ("c-big", "near_miss"),
        ("a-big", "near_miss"),
    ]
    assert recorded[3]["products"] == [
        {"id": "a-big", "kind": "compared", "fit": None},
        {"id": "c-big", "kind": "compared", "fit": None},
    ]
    assert recorded[3]["nothing_fits"] is None


def test_fallback_handoff_paused_and_staff(recorded: list[dict]) -> None:
    flags = [(t["fallback"], t["handoff"], t["paused"]) for t in recorded]
    assert flags == [
        (False, False, False),
        (False, False, False),
        (False, False, False),
        (False, False, False),
        (True, False, False),  # nlu_fallback + action_handle_fallback
        (False, True, False),  # paused in this turn: handed to a person
        (False, False, True),  # arrived while paused
        (False, False, True),  # the staff reply
        (False, False, False),  # after resume
    ]
    staff = recorded[7]
    assert staff["text"] == "Hi, Sam here. Want a test drive?" and staff["responses"] == []
    assert recorded[6]["responses"] == []  # the bot stays quiet while paused


def test_republished_events_change_nothing(db: Path, tiny_catalog: Catalog) -> None:
    broker = TurnLogBroker(db)
    batches = script(tiny_catalog)
    publish_all(broker, batches)
    with TurnLog(db) as log:
        before = log.conversation(SHOPPER)
    publish_all(broker, batches)  # the same events again, same process
    restarted = TurnLogBroker(db)  # and after a restart, with nothing remembered
    publish_all(restarted, batches[2:4])
    with TurnLog(db) as log:
        after = log.conversation(SHOPPER)
    unchanged = [{k: v for k, v in t.items() if k != "updated_ts"} for t in before]
    assert [{k: v for k, v in t.items() if k != "updated_ts"} for t in after] == unchanged


def test_a_restarted_broker_continues_the_conversation(db: Path, tiny_catalog: Catalog) -> None:
    batches = script(tiny_catalog)
    first = TurnLogBroker(db)
    publish_all(first, batches[:7])  # up to the pause
    second = TurnLogBroker(db)
    publish_all(second, batches[7:])
    with TurnLog(db) as log:
        rows = log.conversation(SHOPPER)
    assert [t["turn"] for t in rows] == list(range(1, 10))
    assert rows[6]["paused"] and rows[6]["needs"] == {"seats": 7}  # state rebuilt from the db
    assert not rows[8]["paused"]


def test_sessions_and_slot_resets_clear_the_needs(db: Path) -> None:
    broker = TurnLogBroker(db)
    for event in published(
        user("7 seats", "a", "recommend"),
        SlotSet("seats", 7),
        AllSlotsReset(),
        user("8 seats", "b", "recommend"),
        SlotSet("seats", 8),
        ConversationPaused(),
        SessionStarted(),
        user("hi again", "c", "greet"),
    ):
        broker.publish(event)
    with TurnLog(db) as log:
        rows = log.conversation(SHOPPER)
    assert [(t["needs"], t["paused"]) for t in rows] == [
        ({}, False),
        ({"seats": 8}, False),
        ({}, False),
    ]


def test_conversations_are_kept_apart(db: Path) -> None:
    broker = TurnLogBroker(db, max_conversations=1)  # forces state to be rebuilt from the db
    for i in range(3):
        for sender in ("x", "y"):
            for event in published(user(f"{sender}{i}", f"{sender}{i}", "greet"), sender=sender):
                broker.publish(event)
            broker.publish(published(SlotSet("seats", i), sender=sender)[0])
    with TurnLog(db) as log:
        for sender in ("x", "y"):
            rows = log.conversation(sender)
            assert [t["turn"] for t in rows] == [1, 2, 3]
            assert [t["needs"] for t in rows] == [{"seats": 0}, {"seats": 1}, {"seats": 2}]


def test_rasa_creates_the_broker_from_the_endpoint_config(db: Path) -> None:
    config = EndpointConfig(type="rasa_plugins.event_broker.TurnLogBroker", path=str(db))
    broker = asyncio.run(EventBroker.create(config))
    assert isinstance(broker, TurnLogBroker) and broker.path == db and broker.is_ready()
    asyncio.run(broker.close())


def test_events_from_the_tracker_store_are_recorded_once(db: Path) -> None:
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.from_dict({"slots": {"seats": {"type": "any", "mappings": []}}})
    store = InMemoryTrackerStore(domain, event_broker=TurnLogBroker(db))

    async def converse() -> None:
        tracker = DialogueStateTracker(SHOPPER, domain.slots)
        for n in range(3):
            tracker.update(user(f"message {n}", f"m{n}", "greet"))
            tracker.update(SlotSet("seats", n + 5))
            tracker.update(bot(f"reply {n}", "utter_greet"))
            await store.save(tracker)

    asyncio.run(converse())
    with TurnLog(db) as log:
        rows = log.conversation(SHOPPER)
    assert [(t["message_id"], t["needs"], len(t["responses"])) for t in rows] == [
        ("m0", {"seats": 5}, 1),
        ("m1", {"seats": 6}, 1),
        ("m2", {"seats": 7}, 1),
    ]


def test_an_unwritable_database_logs_one_error_per_event(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with caplog.at_level(logging.ERROR, logger="rasa_plugins.event_broker"):
        broker = TurnLogBroker(blocker / "turns.db")
        for event in published(user("hi", "m1", "greet"), bot("Hello", "utter_greet")):
            broker.publish(event)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 3  # at start-up, then once per event
    assert all("turn log" in r.getMessage() and "\n" not in r.getMessage() for r in errors)
    assert not broker.is_ready()


def test_a_full_database_logs_the_failure_and_recording_goes_on(
    db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broker = TurnLogBroker(db)
    broker.publish(published(user("hi", "m1", "greet"))[0])
    connection = broker._assembler.log.database  # the SQLite store's connection
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")
    with caplog.at_level(logging.ERROR, logger="rasa_plugins.event_broker"):
        broker.publish(published(user("x" * 100_000, "m2", "greet"))[0])
    assert [r.getMessage() for r in caplog.records if "full" in r.getMessage()]
    connection.execute("PRAGMA max_page_count = 1073741823")
    broker.publish(published(user("again", "m3", "greet"))[0])
    with TurnLog(db) as log:
        assert [t["message_id"] for t in log.conversation(SHOPPER)] == ["m1", "m3"]


def test_log_show_prints_a_readable_transcript(recorded: list[dict], db: Path) -> None:
    result = CliRunner().invoke(log_command, ["show", SHOPPER, "--db", str(db)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith(f"Conversation {SHOPPER}: 9 messages")
    assert "#2 shopper: 7 seats under 45k, I'm [email]" in out
    assert "intent: recommend (0.95)" in out and "needs: seats=7; budget=45000" in out
    assert "advisor [utter_greet]: Hi! I'm a shopping advisor." in out
    assert "a-big (fit 0.08) recommended" in out
    assert "nothing fits; nearest c-big: $21,000 over your budget" in out
    assert "#8 staff: Hi, Sam here." in out and "[fallback]" in out and "[handoff]" in out


def test_log_show_of_an_unknown_conversation_is_a_clear_error(
    recorded: list[dict], db: Path
) -> None:
    result = CliRunner().invoke(log_command, ["show", "nobody", "--db", str(db)])
    assert result.exit_code == 1
    assert "No conversation 'nobody'" in result.output and SHOPPER in result.output


def test_log_tail_prints_the_latest_turns(recorded: list[dict], db: Path) -> None:
    result = CliRunner().invoke(log_command, ["tail", "-n", "2", "--db", str(db)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2 and "#8 staff" in lines[0] and "#9 shopper" in lines[1]
    follow = ["tail", "-n", "1", "-f", "--interval", "0", "--polls", "1", "--db", str(db)]
    assert len(CliRunner().invoke(log_command, follow).output.splitlines()) == 1


def test_log_without_a_database_says_where_it_looked(tmp_path: Path) -> None:
    result = CliRunner().invoke(log_command, ["tail", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "No turn log at" in result.output


def test_importing_the_broker_reads_no_catalog(tmp_path):
    """The need slots come from the catalog at first use, not when Rasa imports the broker."""
    import os
    import subprocess
    import sys

    from ops.stack import ROOT

    env = dict(os.environ, ADVISOR_CATALOG=str(tmp_path / "missing"), PYTHONPATH=str(ROOT))
    code = "import rasa_plugins.event_broker as b; print(b.need_slots.cache_info().currsize)"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "0"


def test_a_clicked_button_is_logged_with_its_words_never_its_payload(
    db: Path, tiny_catalog: Catalog
) -> None:
    offer = BotUttered(
        "Would you like a person?",
        {"buttons": [{"title": "Talk to a person", "payload": "/ask_human"}]},
        {},
    )
    cards = advice_payload(tiny_catalog, recommend(tiny_catalog, NeedsProfile()))
    details = cards["items"][0]["actions"][1]
    broker = TurnLogBroker(db)
    publish_all(
        broker,
        [
            published(user("hi", "b1", "greet"), offer),
            published(user("/ask_human", "b2", "ask_human")),
            published(user("cars", "b3", "state_needs"), bot("Cards", custom=cards)),
            published(user(details["payload"], "b4", "ask_fact")),
            published(user("/deny", "b5", "deny")),  # offered no more: stays as sent
        ],
    )
    asyncio.run(broker.close())
    with TurnLog(db) as log:
        texts = [t["text"] for t in log.conversation(SHOPPER)]
    assert texts == ["hi", "Talk to a person", "cars", details["label"], "/deny"]
    assert details["label"].startswith("Details of the ")


def test_a_filled_in_form_payload_keeps_the_pages_words(db: Path) -> None:
    message = UserUttered(
        '/ask_cost_to_own{"product": "a-small", "own_years": 7}',
        {"name": "ask_cost_to_own", "confidence": 1.0},
        [],
        input_channel="socketio",
        message_id="f1",
        metadata={"shown": "Cost to own the Small over 7 years"},
    )
    broker = TurnLogBroker(db)
    publish_all(broker, [published(message)])
    asyncio.run(broker.close())
    with TurnLog(db) as log:
        assert log.conversation(SHOPPER)[0]["text"] == "Cost to own the Small over 7 years"


def test_buttons_are_logged_and_traffic_metadata_tags_the_conversation(db: Path) -> None:
    ask = bot("What's your budget?", "utter_ask_budget")
    ask.data["buttons"] = [{"title": "Under $30k", "payload": "under $30k"}]
    tagged = UserUttered(
        "hi", {"name": "greet", "confidence": 1.0}, [], message_id="t1",
        metadata={"traffic": "loadtest"},
    )  # fmt: skip
    odd = UserUttered("hi", {"name": "greet"}, [], message_id="o1", metadata={"traffic": "x"})
    broker = TurnLogBroker(db)
    publish_all(
        broker,
        [
            published(user("hi", "m1", "greet"), ask),
            published(tagged, bot("Hi!"), sender="load-1"),
            published(odd, bot("Hi!"), sender="odd-1"),
        ],
    )
    asyncio.run(broker.close())
    with TurnLog(db) as log:
        [greet] = log.conversation(SHOPPER)
        # each answer keeps its own time ("ts"), checked elsewhere
        assert [{k: v for k, v in r.items() if k != "ts"} for r in greet["responses"]] == [
            {
                "response": "utter_ask_budget",
                "text": "What's your budget?",
                "buttons": [{"title": "Under $30k", "payload": "under $30k"}],
            }
        ]
        assert log.tagged_traffic() == {"load-1": "loadtest"}  # an unknown kind tags nothing


def test_products_named_as_might_also_fit_are_logged_as_such(tiny_catalog: Catalog) -> None:
    from rasa_plugins.event_broker import products_of

    cards = advice_payload(
        tiny_catalog,
        recommend(tiny_catalog, NeedsProfile.from_dict(tiny_catalog.category, {"mpg": 30})),
    )
    assert [(p["id"], p["kind"]) for p in products_of(cards)] == [
        ("a-small", "recommended"),
        ("b-small", "recommended"),
        ("c-mid", "might_fit"),
    ]


def test_two_servers_on_one_shared_log_alternate_turns_without_stale_state(db: Path) -> None:
    """Two brokers (two Rasa servers) on one log in shared mode, taking turns of one conversation
    by turns: each rebuilds the needs, the pause and the buttons last offered from the log."""
    one, two = TurnLogBroker(db, shared=True), TurnLogBroker(db, shared=True)
    offer = BotUttered(
        "Would you like a person?",
        {"buttons": [{"title": "Talk to a person", "payload": "/ask_human"}]},
        {},
    )
    publish_all(one, [published(user("hi", "s1", "greet"))])  # one learns the conversation
    publish_all(two, [published(user("7 seats", "s2", "state_needs"), SlotSet("seats", 7))])
    publish_all(one, [published(user("under 40k", "s3", "state_needs"), SlotSet("budget", 40000))])
    publish_all(two, [published(user("help", "s4", "ask_human"), offer, ConversationPaused())])
    publish_all(one, [published(user("/ask_human", "s5", "ask_human"))])
    publish_all(two, [published(ConversationResumed(), user("thanks", "s6", "thanks"))])
    with TurnLog(db) as log:
        rows = log.conversation(SHOPPER)
    assert [r["message_id"] for r in rows] == ["s1", "s2", "s3", "s4", "s5", "s6"]
    assert rows[2]["needs"] == {"seats": 7, "budget": 40000}  # one saw two's seats
    assert rows[4]["text"] == "Talk to a person"  # two's buttons, rebuilt by one
    assert rows[4]["paused"] and not rows[5]["paused"]  # two's pause, seen by one


def test_a_database_url_makes_the_broker_shared(tmp_path: Path) -> None:
    assert not TurnLogBroker(tmp_path / "turns.db").shared
    assert TurnLogBroker(tmp_path / "turns.db", shared=True).shared
