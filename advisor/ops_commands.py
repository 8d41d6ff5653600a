"""`advisor run`, `advisor chat` and `advisor settings`."""

from __future__ import annotations

import json
import signal
import time
import urllib.request
import uuid
from pathlib import Path

import click

from knowledge.loader import validate


@click.command("run")
@click.option("--port", "web_port", default=8000, show_default=True, help="The web app's port.")
@click.option(
    "--rasa-port", default=5005, show_default=True, help="The Rasa server's (or balancer's) port."
)
@click.option("--action-port", default=5055, show_default=True)
@click.option(
    "--rasa-servers",
    type=click.IntRange(1, 16),
    default=None,
    help="Run this many Rasa servers behind HAProxy (needs --database postgresql://... and Redis).",
)
@click.option("--action-servers", type=click.IntRange(1, 16), default=None)
@click.option(
    "--database",
    default=None,
    help="The stores' and trackers' database for a scaled run: postgresql://host/db[?schema=NAME]"
    " (default: $ADVISOR_DATABASE).",
)
@click.option(
    "--redis",
    default=None,
    help="Redis for the lock store and the chat sockets (default: $ADVISOR_REDIS_URL, else "
    "redis://127.0.0.1:6379/0).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A YAML file with any of rasa_servers, action_servers, database, redis, port, "
    "rasa_port, action_port (flags win).",
)
def run(
    web_port: int,
    rasa_port: int,
    action_port: int,
    rasa_servers: int | None,
    action_servers: int | None,
    database: str | None,
    redis: str | None,
    config_file: Path | None,
) -> None:
    """Start the advisor: train if the data changed, start the action server, the Rasa server and
    the web app (shopper chat at /, support console at /support, insights at /insights). With
    --rasa-servers N: N Rasa servers and M action servers behind HAProxy, on PostgreSQL and
    Redis (README, "Scaling out").

    Stops everything on Ctrl-C or SIGTERM; reports and stops if a server dies.

    Example: advisor run --rasa-servers 2 --database postgresql://postgres@127.0.0.1/advisor
    """
    from advisor.settings import api_token, current, staff_token
    from ops.stack import Stack, ensure_model

    options = run_options(
        config_file,
        rasa_servers=rasa_servers,
        action_servers=action_servers,
        database=database,
        redis=redis,
        port=web_port,
        rasa_port=rasa_port,
        action_port=action_port,
    )

    report = validate()
    if not report.ok:
        for problem in report.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"Refusing to start: {len(report.problems)} catalog problem(s)")
    # A service manager stops with SIGTERM (and a background job ignores SIGINT): stop the children
    # the same way as on Ctrl-C, never leave them running (training included).
    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGHUP, stop_on_signal)
    model = ensure_model(echo=click.echo)
    staff_token()  # made now, so the staff know where to find it before the first login
    settings = current()
    if options["rasa_servers"] or options["action_servers"]:
        from ops.scaled import ScaledStack

        try:
            stack: Stack = ScaledStack(
                rasa_port=options["rasa_port"],
                action_port=options["action_port"],
                web_port=options["port"],
                rasa_servers=options["rasa_servers"] or 1,
                action_servers=options["action_servers"] or 1,
                database=options["database"] or "",
                redis=options["redis"],
            )
        except ValueError as error:
            raise click.ClickException(str(error)) from error
    else:
        stack = Stack(
            rasa_port=options["rasa_port"],
            action_port=options["action_port"],
            web_port=options["port"],
        )
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
        while True:
            revive = getattr(stack, "revive", None)  # a scaled run brings a dead server back
            for name in revive(model, settings.log_dir) if revive else []:
                click.echo(f"{name} stopped; started it again (HAProxy routes around it meanwhile)")
            if stack.dead():
                break
            stack.rotate_logs()
            time.sleep(1)
        raise click.ClickException(
            f"{stack.describe_dead()} stopped unexpectedly; everything is stopped. See {settings.log_dir}/"
        )
    except KeyboardInterrupt:
        click.echo("\nStopping...")
    except (RuntimeError, TimeoutError) as error:
        raise click.ClickException(f"{error}; see {settings.log_dir}/") from error
    finally:
        for name in ("SIGINT", "SIGTERM", "SIGHUP"):  # a second signal must not cut the stop short
            signal.signal(getattr(signal, name), signal.SIG_IGN)
        stack.stop()


RUN_OPTIONS = (
    "rasa_servers", "action_servers", "database", "redis", "port", "rasa_port", "action_port",
)  # fmt: skip


def run_options(config_file: Path | None, **flags: object) -> dict:
    """`advisor run`'s settings: the flags given, else the config file's, else the environment's
    ($ADVISOR_DATABASE, $ADVISOR_REDIS_URL), else the defaults. Ports given as flags that equal
    their defaults count as not given, so a config file can set them."""
    import os

    import yaml

    from_file: dict = {}
    if config_file is not None:
        from_file = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
        if not isinstance(from_file, dict) or set(from_file) - set(RUN_OPTIONS):
            unknown = (
                sorted(set(from_file) - set(RUN_OPTIONS)) if isinstance(from_file, dict) else []
            )
            raise click.ClickException(
                f"{config_file}: a mapping of {', '.join(RUN_OPTIONS)}; unknown: {unknown}"
            )
    defaults = {"port": 8000, "rasa_port": 5005, "action_port": 5055}
    options = {}
    for name in RUN_OPTIONS:
        flag = flags.get(name)
        if flag is not None and flag != defaults.get(name):
            options[name] = flag
        elif name in from_file:
            options[name] = from_file[name]
        else:
            options[name] = flag
    options["database"] = options["database"] or os.environ.get("ADVISOR_DATABASE") or None
    options["redis"] = (
        options["redis"] or os.environ.get("ADVISOR_REDIS_URL") or "redis://127.0.0.1:6379/0"
    )
    return options


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
