"""Staff accounts and log-in sessions, on every backend: secrets shown once and stored hashed,
names unique regardless of case, sessions that expire, removal and reset that end sessions."""

from __future__ import annotations

import pytest

from stores import desk_rules
from stores.staff import SCHEMA_VERSION


def test_an_account_gets_a_secret_that_only_its_hash_is_kept_of(staff, backend):
    secret = staff.add_account("Alex", now=100.0)
    assert len(secret) >= 24
    [row] = backend.raw("SELECT name, secret_hash FROM staff_accounts")
    assert row[0] == "Alex" and secret not in row[1] and row[1].startswith("scrypt$")
    assert staff.verify("Alex", secret, now=200.0)["name"] == "Alex"
    assert staff.verify("alex", secret)["name"] == "Alex", "names match regardless of case"
    assert staff.verify("Alex", secret + "x") is None
    assert staff.verify("Sam", secret) is None
    [account] = staff.accounts()
    assert account["last_login_ts"] is not None and "secret_hash" not in account


@pytest.mark.parametrize("name", ["", "   ", "x" * 41, "\u202e\x00", 7])
def test_a_bad_name_is_refused(staff, name):
    with pytest.raises(ValueError, match="staff name"):
        staff.add_account(name)
    assert staff.accounts() == []


def test_two_accounts_cannot_share_a_name(staff):
    staff.add_account("Alex")
    with pytest.raises(ValueError, match="already a staff account"):
        staff.add_account("ALEX")
    assert [a["name"] for a in staff.accounts()] == ["Alex"]


def test_a_session_lasts_until_it_expires_or_idles(staff):
    staff.add_account("Alex")
    token = staff.start_session("Alex", "Alex", now=1000.0)
    live = staff.session(token, now=1000.0 + 60)
    assert live["name"] == "Alex" and live["account"] == "Alex"
    assert staff.accounts(now=1100.0)[0]["sessions"] == 1
    assert staff.session(token, now=1000.0 + desk_rules.IDLE_SECONDS + 61) is None, "idle"
    assert staff.session(token, now=1200.0) is None, "an expired session is deleted"

    kept = staff.start_session("Alex", "Alex", now=0.0)
    for hour in range(1, 12):  # active all day: each request within the idle limit
        assert staff.session(kept, now=hour * 3600.0) is not None
    assert staff.session(kept, now=desk_rules.SESSION_SECONDS + 1.0) is None, "a working day"


def test_a_session_token_is_stored_hashed(staff, backend):
    token = staff.start_session("Kim", None)
    [(key,)] = backend.raw("SELECT key FROM staff_sessions")
    assert token != key and desk_rules.session_key(token) == key
    assert staff.session(token)["account"] is None, "a first-start session has no account"
    staff.end_session(token)
    assert staff.session(token) is None


def test_reset_and_remove_end_the_accounts_sessions(staff):
    old = staff.add_account("Alex")
    token = staff.start_session("Alex", "Alex")
    other = staff.start_session("Kim", None)
    new = staff.reset_secret("alex")
    assert new != old and staff.verify("Alex", old) is None and staff.verify("Alex", new)
    assert staff.session(token) is None
    assert staff.session(other) is not None, "other sessions stay"
    token = staff.start_session("Alex", "Alex")
    assert staff.remove_account("Alex")
    assert staff.session(token) is None and staff.accounts() == []
    assert not staff.remove_account("Alex")
    with pytest.raises(KeyError):
        staff.reset_secret("Alex")
    assert not staff.has_accounts()


def test_purging_deletes_only_expired_sessions(staff):
    staff.start_session("A", None, now=0.0)
    live = staff.start_session("B", None, now=10_000.0)
    assert staff.purge_sessions(now=10_001.0) == 1
    assert staff.session(live, now=10_002.0) is not None


def test_the_staff_tables_have_their_own_schema_version(staff):
    assert staff.schema_version() == SCHEMA_VERSION == 1
