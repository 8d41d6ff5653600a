"""A Rasa server's HTTP side with the chat channels of bot/credentials.yml and no model:
`python -m tests.e2e.channel_server --port 5006`. It is Rasa's own app (rasa.core.run
configure_app) with the channels registered as `rasa run` registers them, so two of them stand in
for two Rasa servers when the test is about the channel's socket side path, not about
conversations (tests/e2e/test_typing_across_servers.py)."""

from __future__ import annotations

import argparse

from rasa.core.run import configure_app, create_http_input_channels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--credentials", default="bot/credentials.yml")
    args = parser.parse_args()
    channels = create_http_input_channels(None, args.credentials)
    app = configure_app(channels, enable_api=False, port=args.port)
    app.run(host="127.0.0.1", port=args.port, access_log=False, workers=1)


if __name__ == "__main__":
    main()
