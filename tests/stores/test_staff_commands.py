"""`advisor staff add/list/remove/reset` on a real database: the secret is printed once and works,
every change goes to the audit trail; `advisor log show` prints a conversation's rating."""

from __future__ import annotations

import re

from click.testing import CliRunner

from advisor.cli import cli
from stores.shared import open_audit_store, open_rating_store, open_staff_store, open_turn_store


def staff(db, *args):
    result = CliRunner().invoke(cli, ["staff", *args, "--db", str(db)])
    return result.exit_code, result.output


def secret_in(output: str) -> str:
    return re.search(r"^ {4}(\S+)$", output, re.M).group(1)


def test_add_prints_a_one_time_secret_that_logs_in(tmp_path):
    db = tmp_path / "turns.db"
    code, output = staff(db, "add", "  Alex   Kim ")
    assert code == 0 and "Staff account 'Alex Kim' created" in output
    secret = secret_in(output)
    with open_staff_store(db) as accounts:
        assert accounts.verify("alex kim", secret)["name"] == "Alex Kim"
    code, output = staff(db, "add", "ALEX KIM")
    assert code != 0 and "already a staff account" in output
    code, output = staff(db, "add", "")
    assert code != 0 and "Cannot add ''" in output


def test_list_reset_and_remove(tmp_path):
    db = tmp_path / "turns.db"
    code, output = staff(db, "list")
    assert code == 0 and "No staff accounts yet" in output
    old = secret_in(staff(db, "add", "Kim")[1])
    with open_staff_store(db) as accounts:
        accounts.verify("Kim", old)
        accounts.start_session("Kim", "Kim")
    code, output = staff(db, "list")
    assert code == 0
    [row] = [line for line in output.splitlines() if line.startswith("Kim")]
    assert row.split()[-1] == "1", "one live session"
    assert "never" not in row, "the last log-in is shown"

    code, output = staff(db, "reset", "kim")
    new = secret_in(output)
    assert code == 0 and "New secret for 'Kim'" in output and new != old
    with open_staff_store(db) as accounts:
        assert accounts.verify("Kim", old) is None and accounts.verify("Kim", new)
        assert accounts.accounts()[0]["sessions"] == 0, "the reset ended the session"

    code, output = staff(db, "remove", "KIM")
    assert code == 0 and "Removed 'Kim'" in output
    code, output = staff(db, "remove", "Kim")
    assert code != 0 and "No staff account 'Kim'" in output
    code, output = staff(db, "reset", "Kim")
    assert code != 0 and "No staff account 'Kim'" in output

    with open_audit_store(db) as audit:
        changes = [(e["detail"]["change"], e["detail"]["name"], e["via"]) for e in audit.entries()]
    assert changes[::-1] == [
        ("add", "Kim", "command line"),
        ("reset", "Kim", "command line"),
        ("remove", "Kim", "command line"),
    ]


def test_log_show_prints_the_rating_of_a_support_chat(tmp_path):
    db = tmp_path / "turns.db"
    with open_turn_store(db) as log:
        log.write_turn({"conversation_id": "c1", "message_id": "m1", "text": "a person please"})
    with open_rating_store(db) as ratings:
        ratings.rate(1, "c1", 4, "Quick and clear", staff="Dana")
    result = CliRunner().invoke(cli, ["log", "show", "c1", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "rating: 4/5 'Quick and clear' (support chat with Dana)" in result.output
