"""`advisor run`, `advisor chat` and `advisor settings`."""

from __future__ import annotations

import json
import signal
import time
import urllib.request
import uuid

import click

from knowledge.loader import validate


@click.command("run")
@click.option("--port", "web_port", default=8000, show_default=True, help="The web app's port.")
@click.option("--rasa-port", default=5005, show_default=True)
@click.option("--action-port", default=5055, show_default=True)
def run(web_port: int, rasa_port: int, action_port: int) -> None:
    """Start the advisor: train if the data changed, start the action server, the Rasa server and
    the web app (shopper chat at /, support console at /support, insights at /insights).

    Stops everything on Ctrl-C; reports and stops if a server dies.

    Example: advisor run
    """
    from advisor.settings import api_token, current, staff_token
    from ops.stack import Stack, ensure_model

    report = validate()
    if not report.ok:
        for problem in report.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"Refusing to start: {len(report.problems)} catalog problem(s)")
    model = ensure_model(echo=click.echo)
    staff_token()  # made now, so the staff know where to find it before the first login
    stack = Stack(rasa_port=rasa_port, action_port=action_port, web_port=web_port)
    settings = current()
    # A service manager stops with SIGTERM (and a background job ignores SIGINT): stop the children
    # the same way as on Ctrl-C, never leave them running.
    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGHUP, stop_on_signal)
    try:
        stack.start(model, api_token(), log_dir=settings.log_dir)
        stack.wait_healthy()
        click.echo(f"\nThe advisor is running: {stack.web_url}/")
        click.echo(
            "Staff pages: /support and /insights. Give each person an account with "
            "`advisor staff add NAME`; until the first one exists, log in with the staff token "
            f"($ADVISOR_STAFF_TOKEN or STAFF_TOKEN in {settings.secrets_file}). "
            "Ctrl-C here stops everything."
        )
        while not stack.dead():
            time.sleep(1)
        raise click.ClickException(
            f"{stack.describe_dead()} stopped unexpectedly; everything is stopped. See {settings.log_dir}/"
        )
    except KeyboardInterrupt:
        click.echo("\nStopping...")
    except (RuntimeError, TimeoutError) as error:
        raise click.ClickException(f"{error}; see {settings.log_dir}/") from error
    finally:
        stack.stop()


def stop_on_signal(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def send(url: str, sender: str, text: str, traffic: str | None = None) -> list[dict]:
    body = {"sender": sender, "message": text}
    if traffic:  # the event broker tags the conversation; insights leave it out
        body["metadata"] = {"traffic": traffic}
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


@click.command("chat")
@click.option(
    "--url",
    default=None,
    help="The running Rasa server (default: $ADVISOR_RASA_URL or http://127.0.0.1:5005).",
)
@click.option(
    "--traffic",
    default="staff",
    show_default=True,
    type=click.Choice(["staff", "test", "shopper"]),
    help="How the conversation is tagged: staff and test traffic are left out of insights.",
)
def chat(url: str | None, traffic: str) -> None:
    """Talk to a running advisor in the terminal (start it with `advisor run`). The conversation
    is tagged as staff traffic unless told otherwise, so trying the bot does not count as a
    shopper in the insights.

    Example: advisor chat --traffic shopper
    """
    from advisor.settings import current

    url = url or current().rasa_url
    sender = f"cli-{uuid.uuid4().hex[:8]}"
    click.echo("Type a message (Ctrl-D to leave).")
    while True:
        try:
            text = click.prompt("you", prompt_suffix="> ")
        except (EOFError, click.Abort):
            click.echo()
            return
        try:
            replies = send(url, sender, text, None if traffic == "shopper" else traffic)
        except OSError as error:
            raise click.ClickException(f"Cannot reach the advisor at {url}: {error}") from error
        for reply in replies:
            if reply.get("text"):
                click.echo(f"advisor> {reply['text']}")
            for button in reply.get("buttons") or []:
                click.echo(f"   [{button.get('title')}]")


@click.command("settings")
def settings_cmd() -> None:
    """Print the paths, URLs and secrets files in force, and the variables that set them.

    Example: ADVISOR_DATA_DIR=/var/lib/advisor advisor settings
    """
    from advisor.settings import VARIABLES, current

    for name, value in current().as_rows():
        click.echo(f"{name:<14} {value}")
    click.echo("\nSet with:")
    for variable, what, default in VARIABLES:
        click.echo(f"  {variable:<24} {what} (default: {default})")


COMMANDS = (run, chat, settings_cmd)
