"""python -m web --port 8000 --rasa-url http://127.0.0.1:5005

Tokens come from the environment or the git-ignored secrets file (advisor.settings): the Rasa API token
from $ADVISOR_API_TOKEN, the staff token from $ADVISOR_STAFF_TOKEN. The turn log (and support
queue) is $ADVISOR_TURN_LOG, else data/turns.db.
"""

from __future__ import annotations

import argparse
import logging

from aiohttp import web

from advisor.settings import api_token, current, staff_token
from web.server import Settings, create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m web", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--rasa-url", default=None, help="Rasa's HTTP API (default: $ADVISOR_RASA_URL)"
    )
    parser.add_argument(
        "--socket-url", default="", help="Rasa's socket.io as browsers reach it (default: rasa-url)"
    )
    args = parser.parse_args(argv)
    from analysis.feature_meaning import uses_sentences
    from analysis.sentence_vectors import ModelMissing

    try:
        uses_sentences()  # a setting that asks for what is not installed stops the start
    except ModelMissing as error:
        parser.error(str(error))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings(
        rasa_url=args.rasa_url or current().rasa_url,
        rasa_token=api_token(),
        staff_token=staff_token(),
        turn_log=current().turn_log,
        socket_url=args.socket_url,
        canned_replies=current().canned_replies,
        abandon_hours=current().abandon_hours,
        sample_log=current().sample_log,
        database=current().database,
    )
    web.run_app(create_app(settings), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
