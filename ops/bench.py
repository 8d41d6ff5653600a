"""`advisor bench`: turn latency and throughput over the REST channel, against a stock Rasa bot.

Both bots run on this machine in the same run: the advisor (Rasa server + action server) and the
bot `rasa init` creates (cached under models/stock-bot, trained once). Each simulated shopper sends
its turns one after another with its own sender id; `concurrency` shoppers run at once.
"""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import click

from advisor.settings import api_token
from ops.stack import ROOT, Stack, ensure_model, free_port, rasa_bin, rasa_env

ADVISOR_SCRIPT = (
    "hi",
    "I want a 7-seat hybrid SUV under 45k",
    "cheaper",
    "compare the RAV4 Hybrid and the CR-V Hybrid",
    "any recalls on the Ioniq 5?",
    "thanks",
)
STOCK_SCRIPT = ("hi", "I am sad", "yes", "great", "bye", "are you a bot?")
STOCK_DIR = ROOT / "models" / "stock-bot"


@dataclass(frozen=True)
class Result:
    bot: str
    concurrency: int
    turns: int
    failures: int
    seconds: float
    latencies: tuple[float, ...]

    @property
    def throughput(self) -> float:
        return self.turns / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _shopper(session, url: str, script: tuple[str, ...], latencies: list, failures: list):
    sender = f"bench-{uuid.uuid4().hex[:10]}"
    for text in script:
        started = time.perf_counter()
        try:
            body = {"sender": sender, "message": text, "metadata": {"traffic": "loadtest"}}
            async with session.post(url, json=body) as response:
                await response.read()
                if response.status != 200:
                    failures.append(response.status)
                    continue
        except Exception as error:  # noqa: BLE001 - every failure is counted and reported
            failures.append(repr(error))
            continue
        latencies.append(time.perf_counter() - started)


async def drive(url: str, script: tuple[str, ...], concurrency: int, shoppers: int) -> Result:
    import aiohttp

    latencies: list[float] = []
    failures: list = []
    queue = list(range(shoppers))
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def worker():
            while queue:
                queue.pop()
                await _shopper(session, url, script, latencies, failures)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    return Result("", concurrency, len(latencies), len(failures), seconds, tuple(latencies))


def stock_model(echo=click.echo) -> Path:
    """The `rasa init` bot's model, created and trained once."""
    models = sorted((STOCK_DIR / "models").glob("*.tar.gz")) if STOCK_DIR.exists() else []
    if models:
        return models[-1]
    echo("Creating and training the stock `rasa init` bot (once)...")
    STOCK_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [rasa_bin(), "init", "--no-prompt", "--init-dir", str(STOCK_DIR)],
        cwd=STOCK_DIR,
        env=rasa_env(),
        check=True,
        capture_output=True,
    )
    return sorted((STOCK_DIR / "models").glob("*.tar.gz"))[-1]


def start_stock(port: int, token: str, log: Path) -> subprocess.Popen:
    model = stock_model()
    handle = open(log, "w", encoding="utf-8")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [
            rasa_bin(),
            "run",
            "--model",
            str(model),
            "--port",
            str(port),
            "-i",
            "127.0.0.1",
            "--enable-api",
            "--auth-token",
            token,
        ],  # fmt: skip
        cwd=STOCK_DIR,
        env=rasa_env(),
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def wait_for(url: str, seconds: float = 240) -> None:
    import urllib.request

    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(1)
    raise TimeoutError(f"{url} did not answer within {seconds:.0f} s")


def report(results: list[Result]) -> list[str]:
    lines = [
        f"{'bot':8} {'conc':>4} {'turns':>6} {'fail':>4} {'p50 ms':>8} {'p95 ms':>8} {'turns/s':>8}"
    ]
    for r in results:
        lines.append(
            f"{r.bot:8} {r.concurrency:>4} {r.turns:>6} {r.failures:>4} "
            f"{r.percentile(0.5) * 1000:>8.0f} {r.percentile(0.95) * 1000:>8.0f} {r.throughput:>8.1f}"
        )
    lines.append("")
    lines.append("advisor vs stock (target: p95 ratio <= 1.3, throughput ratio >= 0.9)")
    by_key = {(r.bot, r.concurrency): r for r in results}
    for concurrency in sorted({r.concurrency for r in results}):
        ours, stock = by_key.get(("advisor", concurrency)), by_key.get(("stock", concurrency))
        if not (ours and stock):
            continue
        p95 = ours.percentile(0.95) / stock.percentile(0.95)
        rate = ours.throughput / stock.throughput if stock.throughput else float("nan")
        verdict = "ok" if p95 <= 1.3 and rate >= 0.9 else "MISSED"
        lines.append(
            f"  concurrency {concurrency:>2}: p95 x{p95:.2f}  throughput x{rate:.2f}  {verdict}"
        )
    return lines


def scaled_report(results: list[Result]) -> list[str]:
    """Per Rasa server count: throughput and p95, and their ratios to one server."""
    lines = [
        f"{'servers':>7} {'conc':>4} {'turns':>6} {'fail':>4} {'p50 ms':>8} {'p95 ms':>8}"
        f" {'turns/s':>8} {'x1 thru':>8} {'x1 p95':>7}"
    ]
    one = next((r for r in results if r.bot == "1"), None)
    for r in results:
        thru = r.throughput / one.throughput if one and one.throughput else float("nan")
        p95 = r.percentile(0.95) / one.percentile(0.95) if one else float("nan")
        lines.append(
            f"{r.bot:>7} {r.concurrency:>4} {r.turns:>6} {r.failures:>4} "
            f"{r.percentile(0.5) * 1000:>8.0f} {r.percentile(0.95) * 1000:>8.0f}"
            f" {r.throughput:>8.1f} {thru:>8.2f} {p95:>7.2f}"
        )
    return lines


def bench_scaled(
    counts: list[int], shoppers: int, concurrency: int, database: str, redis: str, echo=click.echo
) -> list[Result]:
    """For each Rasa server count in turn: the scaled stack (ops/scaled.py, one action server per
    Rasa server) on a fresh PostgreSQL schema, warmed up, then `shoppers` shoppers of
    ADVISOR_SCRIPT with `concurrency` at once through HAProxy; the stack stopped and its schema
    dropped before the next count."""
    from ops.scaled import ScaledStack, drop_schema
    from stores.shared import close_all

    model = ensure_model(echo=echo)
    results: list[Result] = []
    for count in counts:
        schema_url = f"{database.split('?')[0]}?schema=bench_{uuid.uuid4().hex[:10]}"
        log_dir = ROOT / "data" / "logs" / f"bench-{count}-servers"
        stack = ScaledStack(
            rasa_port=free_port(),
            action_port=free_port(),
            web=False,
            rasa_servers=count,
            action_servers=count,
            database=schema_url,
            redis=redis,
            run_dir=log_dir / "run",
        )
        echo(f"Starting {count} Rasa server(s) behind HAProxy ...")
        try:
            stack.start(model, secrets.token_urlsafe(16), log_dir=log_dir)
            stack.wait_healthy()
            url = f"{stack.rasa_url}/webhooks/rest/webhook"
            asyncio.run(drive(url, ADVISOR_SCRIPT, count * 2, count * 2))  # warm every server
            result = asyncio.run(drive(url, ADVISOR_SCRIPT, concurrency, shoppers))
            results.append(replace(result, bot=str(count)))
            echo(scaled_report(results)[-1])
        finally:
            stack.stop()
            close_all()
            drop_schema(schema_url)
    return results


@click.command("bench")
@click.option("--shoppers", default=32, show_default=True, help="Simulated shoppers per level.")
@click.option("--levels", default="1,8,32", show_default=True, help="Concurrency levels.")
@click.option(
    "--rasa-servers",
    default=None,
    help="Instead: the scaled run at these Rasa server counts (e.g. 1,2,3), each behind HAProxy "
    "on PostgreSQL and Redis, at the highest of --levels; ratios to one server.",
)
@click.option(
    "--database",
    default="postgresql://postgres@127.0.0.1:5432/test",
    show_default=True,
    help="With --rasa-servers: the PostgreSQL database each run makes a fresh schema in.",
)
@click.option("--redis", default="redis://127.0.0.1:6379/0", show_default=True)
def bench(shoppers: int, levels: str, rasa_servers: str | None, database: str, redis: str) -> None:
    """Turn latency (p50/p95) and throughput at several concurrency levels over REST, for the
    advisor and for a stock `rasa init` bot in the same run, with the ratios. With
    --rasa-servers 1,2,3: the same for 1, 2 and 3 Rasa servers behind HAProxy, with the ratios
    to one server.

    Example: advisor bench --shoppers 32 --levels 1,8,32
    """
    concurrency = [int(x) for x in levels.split(",") if x.strip()]
    if rasa_servers:
        counts = [int(x) for x in rasa_servers.split(",") if x.strip()]
        if not counts or min(counts) < 1:
            raise click.BadParameter("server counts like 1,2,3", param_hint="--rasa-servers")
        results = bench_scaled(
            counts, max(shoppers, max(concurrency)), max(concurrency), database, redis
        )
        click.echo("\n" + "\n".join(scaled_report(results)))
        return

    log_dir = ROOT / "data" / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(rasa_port=free_port(), action_port=free_port(), web=False)
    stock_port = free_port()
    stock_token = secrets.token_urlsafe(16)
    stock = start_stock(stock_port, stock_token, log_dir / "bench-stock.log")
    stack.start(ensure_model(echo=click.echo), api_token(), log_dir=log_dir)
    results: list[Result] = []
    try:
        stack.wait_healthy()
        wait_for(f"http://127.0.0.1:{stock_port}/status?token={stock_token}")  # model loaded
        targets = {
            "advisor": (f"{stack.rasa_url}/webhooks/rest/webhook", ADVISOR_SCRIPT),
            "stock": (f"http://127.0.0.1:{stock_port}/webhooks/rest/webhook", STOCK_SCRIPT),
        }
        for bot, (url, script) in targets.items():
            asyncio.run(drive(url, script, 1, 2))  # warm-up: models loaded, caches filled
            for level in concurrency:
                result = asyncio.run(drive(url, script, level, max(shoppers, level)))
                results.append(replace(result, bot=bot))
                click.echo(report(results[-1:])[1])
    finally:
        stock.terminate()
        stock.wait(timeout=30)
        stack.stop()
    click.echo("\n" + "\n".join(report(results)))
