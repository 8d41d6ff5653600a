"""The Rasa server, started with this project's plugins: `python -m rasa_plugins run [RASA ARGS]`.

Rasa 3.6 has no plugin discovery, so this launcher does what a plugin system would: it installs
every patch (rasa_plugins.patches, each checked against the Rasa version), reads the HTTP API token
from $ADVISOR_API_TOKEN or the secrets file (so it never appears on a command line), and hands over
to Rasa's own entry point. The channels, the event broker and the NLU component are ordinary Rasa
extension points named in bot/credentials.yml, bot/endpoints.yml and config.yml.

Other Rasa commands (`python -m rasa_plugins train`, `test`, `data validate`) go straight to Rasa;
they work from a checkout with plain `rasa` too.
"""

from __future__ import annotations

import os
import sys

TOKEN_FLAG = "--auth-token"


class LaunchError(SystemExit):
    pass


def rasa_argv(argv: list[str], token: str | None) -> list[str]:
    """The arguments Rasa's entry point sees: the token added for `run`, never taken from argv."""
    if any(arg == TOKEN_FLAG or arg.startswith(TOKEN_FLAG + "=") for arg in argv):
        raise LaunchError(
            "[E202] Do not pass --auth-token on the command line (other users of this machine "
            "can read it): set $ADVISOR_API_TOKEN or let the secrets file provide it."
        )
    if argv[:1] == ["run"] and argv[1:2] != ["actions"] and token:
        return ["rasa", *argv, TOKEN_FLAG, token]
    return ["rasa", *argv]


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    token = None
    if argv[:1] == ["run"] and argv[1:2] != ["actions"]:
        from advisor.settings import api_token, current
        from rasa_plugins.patches import UnsupportedRasaVersion, install_all

        try:
            install_all()
        except UnsupportedRasaVersion as error:
            raise LaunchError(str(error)) from error
        token = api_token()
        trackers = current().tracker_store.resolve()
        trackers.parent.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("ADVISOR_TRACKER_STORE", str(trackers))
    sys.argv = rasa_argv(argv, token)
    from rasa.__main__ import main as rasa_main

    rasa_main()
