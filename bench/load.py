"""Load past one process: N ``giamngheo run --webhook`` workers on one PostgreSQL, signed
Telegram webhook updates at a fixed rate, replies timed at a fake Bot API.

The database is a province shaped as in ``bench.report`` (100 communes of 10 villages,
``--households`` households with their official records) in a schema of its own, dropped at
the end, plus 2.000 cadres (each on one commune) and 20 managers with Telegram identities. The
workers run as the systemd units run them (``GIAMNGHEO_PLAN_REMINDERS=false``), each on its own
port; the generator sends to the ports in turn, as nginx's round robin does.

What the cadres and managers send, in the proportions of a working day: household checks
(``kiem tra``, a household code of their commune, the sixteen answers: nine messages in ten),
look-ups (the policies of a household, a policy topic: one in ten), and now and then a manager's
``tom tat`` (one in two hundred, ``--summary-every``: figures, chart and workbook, about a
second of work). A chat gets its next message only once the bot has answered the previous one
and gone quiet for a moment, as a person reads before typing; there are two cadres for each
update per second, so each types about every two seconds.

An update's time runs from the moment its POST starts to the moment the fake Bot API receives
the first reply to that chat. *Lost*: no reply within the grace period (or the webhook did not
answer 200 within it). *Answered twice*: the same reply arrived twice for one update. CPU is
read from ``/proc`` over the measured window: each worker, the PostgreSQL backends serving the
workers (found by their client ports) and this generator (which also runs the fake Bot API), in
percent of one core.

    .venv/bin/python -m bench.load --workers 2 --rate 100 --seconds 300 \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test [--households 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, deque
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import aiohttp
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.figures import Figure, print_lines
from bench.flow import ANSWERS
from bench.report import COMMUNES, create_units, fill
from poverty.formatting import format_decimal, format_int
from storage.audit import Actor
from storage.db import create_engine, session_factory, upgrade
from storage.models import User
from storage.people import add_identity, grant_role
from tests.bot.fake_telegram import FakeTelegram

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
DEFAULT_WORKERS = 2
DEFAULT_RATE = 20.0
DEFAULT_SECONDS = 10.0
DEFAULT_HOUSEHOLDS = 100_000
WARM_UP_SECONDS = 3.0
CADRES = 2000
"""Cadres in the database; a run uses two per update per second (each types about every two
seconds), so a short run still goes through whole household checks. Each rate of ``--rate
40,60`` has cadres of its own."""
MANAGERS = 20
FIRST_CHAT = 20_000
SUMMARY_EVERY = 200
LOOKUPS_PER_CHECK = 2
QUIET_SECONDS = 0.3
"""How long a chat stays silent after a reply before its person types again."""
GRACE_SECONDS = 20.0
READY_SECONDS = 60.0
STOP_SECONDS = 20.0
TOKEN = "123456:LOAD"
SECRET = "load-bench-Secret_1"
WEBHOOK = "/channels/telegram/webhook"
REPLIES = ("sendMessage", "sendPhoto", "sendDocument", "editMessageText")
GOAL_P99_S = 0.200
KINDS = {"check": "kiểm tra hộ", "lookup": "tra cứu", "summary": "tóm tắt"}
GIAMNGHEO = Path(sys.executable).parent / "giamngheo"
ACTOR = Actor("bench")


@dataclass
class Update:
    chat: int
    label: str
    sent: float
    measured: bool
    first: float | None = None
    replies: list[str] = field(default_factory=list)
    refused: bool = False


@dataclass
class Chat:
    id: int
    script: Iterator[tuple[str, str]]
    current: Update | None = None
    last_reply: float = 0.0

    def ready(self, now: float) -> bool:
        current = self.current
        if current is None or now - current.sent > GRACE_SECONDS:
            return True  # a lost update does not silence its chat for good
        return current.first is not None and now - self.last_reply >= QUIET_SECONDS


def cadre_script(cadre: int, households: int, rng: random.Random) -> Iterator[tuple[str, str]]:
    """Endless: a household check of the cadre's commune, then look-ups."""
    commune = cadre % COMMUNES
    per_commune = households // COMMUNES
    while True:
        code = f"B{commune * per_commune + rng.randint(1, per_commune)}"
        yield "check:start", "kiem tra"
        yield "check:code", code
        for number, answer in enumerate(ANSWERS):
            yield f"check:{number}", answer
        yield "lookup:household", f"chinh sach cho ho {code}"
        for topic in ("vay von", "bao hiem y te", "hoc phi")[: LOOKUPS_PER_CHECK - 1]:
            yield "lookup:topic", topic


def manager_script() -> Iterator[tuple[str, str]]:
    while True:
        yield "summary", "tom tat"


async def prepare(engine: AsyncEngine, households: int) -> None:
    """The province, its households, cadres and managers."""
    await upgrade(engine)
    await create_units(engine)
    await fill(engine, 1, households, households)
    now = datetime.now(UTC)
    async with session_factory(engine)() as session, session.begin():
        for number in range(CADRES + MANAGERS):
            role = "cadre" if number < CADRES else "manager"
            user = User(name=f"Người dùng {number}", created_at=now)
            session.add(user)
            await session.flush()
            await add_identity(session, user.id, "telegram", str(FIRST_CHAT + number), now)
            await grant_role(session, user.id, role, 2 + number % COMMUNES, ACTOR, now)


@asynccontextmanager
async def schema(url: str) -> AsyncIterator[tuple[AsyncEngine, str]]:
    name = f"gn_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    async with admin.begin() as connection:
        await connection.execute(text(f"CREATE SCHEMA {name}"))
    engine = create_engine(url, search_path=name)
    try:
        yield engine, name
    finally:
        await engine.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA {name} CASCADE"))
        await admin.dispose()


@dataclass
class Worker:
    port: int
    process: asyncio.subprocess.Process
    output: IO[bytes]

    def log(self) -> str:
        self.output.seek(0)
        return self.output.read().decode(errors="replace")[-2000:]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def start_workers(url: str, name: str, fake: FakeTelegram, count: int) -> list[Worker]:
    workers = []
    for _ in range(count):
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GIAMNGHEO_")},
            "GIAMNGHEO_DATABASE_URL": url,
            "GIAMNGHEO_DATABASE_SCHEMA": name,
            "GIAMNGHEO_TELEGRAM_TOKEN": TOKEN,
            "GIAMNGHEO_TELEGRAM_API_URL": fake.url,
            "GIAMNGHEO_TELEGRAM_WEBHOOK_SECRET": SECRET,
            "GIAMNGHEO_HTTP_PORT": str(port),
            "GIAMNGHEO_PLAN_REMINDERS": "false",
            "GIAMNGHEO_FLOOD_LIMIT_PER_MINUTE": "10000",
            "GIAMNGHEO_LOG_FORMAT": "json",
        }
        output = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop_workers
        process = await asyncio.create_subprocess_exec(
            str(GIAMNGHEO), "run", "--webhook", f"http://127.0.0.1:{port}",
            env=env, stdout=output, stderr=output,
        )  # fmt: skip
        workers.append(Worker(port, process, output))
    try:
        await fake.wait_for(
            lambda: (
                sum(c.method == "setWebhook" for c in fake.calls) >= count
                or any(w.process.returncode is not None for w in workers)
            ),
            READY_SECONDS,
        )
    except TimeoutError:
        await stop_workers(workers)
        raise
    ended = [w for w in workers if w.process.returncode is not None]
    if ended:
        logs = ended[0].log()
        await stop_workers(workers)
        raise RuntimeError(f"giamngheo run ended early: {logs}")
    return workers


async def stop_workers(workers: Sequence[Worker]) -> None:
    for worker in workers:
        if worker.process.returncode is None:
            worker.process.terminate()
    for worker in workers:
        try:
            await asyncio.wait_for(worker.process.wait(), STOP_SECONDS)
        except TimeoutError:
            worker.process.kill()
            await worker.process.wait()
        worker.output.close()


def cpu_seconds(pid: int) -> float:
    """User and system time of a process so far (``/proc/PID/stat``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _local_ports(pid: int) -> set[int]:
    """The local TCP ports of a process's sockets (its connections to PostgreSQL among them)."""
    inodes = set()
    try:
        descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return set()
    for fd in descriptors:
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def backend_cpu_seconds(workers: Sequence[int]) -> dict[int, float]:
    """CPU time of each PostgreSQL backend serving the workers: a backend's command line names
    its client's address and port (``postgres: … 127.0.0.1(51234) idle``)."""
    ports = set().union(*(_local_ports(pid) for pid in workers))
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if not command.startswith("postgres:") or "(" not in command:
            continue
        port = command.split("(", 1)[1].split(")", 1)[0]
        if port.isdigit() and int(port) in ports:
            found[int(entry.name)] = cpu_seconds(int(entry.name))
    return found


@dataclass
class Cpu:
    workers: list[float]
    backends: dict[int, float]
    generator: float

    @classmethod
    def now(cls, workers: Sequence[Worker]) -> Cpu:
        pids = [w.process.pid for w in workers]
        return cls(
            [cpu_seconds(p) for p in pids], backend_cpu_seconds(pids), cpu_seconds(os.getpid())
        )

    @property
    def postgres(self) -> float:
        return sum(self.backends.values())

    def since(self, start: Cpu, seconds: float) -> Cpu:
        def share(end: float, begin: float) -> float:
            return 100 * (end - begin) / seconds

        backends = {
            pid: share(end, start.backends.get(pid, 0.0)) for pid, end in self.backends.items()
        }
        return Cpu(
            [share(e, b) for e, b in zip(self.workers, start.workers, strict=True)],
            backends,
            share(self.generator, start.generator),
        )


class Load:
    """The generator: chats, the updates sent, the replies seen."""

    def __init__(
        self,
        fake: FakeTelegram,
        ports: Sequence[int],
        households: int,
        rate: float,
        summary_every: int = SUMMARY_EVERY,
        first_cadre: int = 0,
    ) -> None:
        self.summary_every = summary_every
        rng = random.Random(7)
        cadres = max(20, round(2 * rate))
        if first_cadre + cadres > CADRES:
            raise ValueError(f"{CADRES} cadres are not enough for these rates")
        self.fake = fake
        self.ports = itertools.cycle(ports)
        self.cadres = deque(
            Chat(FIRST_CHAT + n, cadre_script(n, households, rng))
            for n in range(first_cadre, first_cadre + cadres)
        )
        self.managers = deque(
            Chat(FIRST_CHAT + CADRES + n, manager_script()) for n in range(MANAGERS)
        )
        self.chats = {chat.id: chat for chat in (*self.cadres, *self.managers)}
        self.updates: list[Update] = []
        self.starved = 0
        self._seen = len(fake.calls)

    async def watch(self) -> None:
        """Stamp each reply as the fake Bot API records it."""
        while True:
            await self.fake.wait_for(lambda: len(self.fake.calls) > self._seen, 3600)
            stamp = time.perf_counter()
            calls, self._seen = self.fake.calls[self._seen :], len(self.fake.calls)
            for call in calls:
                chat = self.chats.get(call.chat_id or 0)
                if chat is None or call.method not in REPLIES or chat.current is None:
                    continue
                update = chat.current
                if update.first is None:
                    update.first = stamp
                update.replies.append(f"{call.method}:{call.text}")
                chat.last_reply = stamp

    def _next_chat(self, number: int) -> Chat | None:
        now = time.perf_counter()
        summary = self.summary_every > 0 and number % self.summary_every == self.summary_every - 1
        queues = (self.managers, self.cadres) if summary else (self.cadres,)
        for queue in queues:
            for _ in range(len(queue)):
                chat = queue[0]
                queue.rotate(-1)
                if chat.ready(now):
                    return chat
        return None

    async def send(self, http: aiohttp.ClientSession, chat: Chat, measured: bool) -> None:
        label, words = next(chat.script)
        update = Update(chat.id, label, time.perf_counter(), measured)
        chat.current = update
        self.updates.append(update)
        update_id = self.fake.next_update_id()
        body = {"update_id": update_id, "message": self.fake.message_update(chat.id, words)}
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        url = f"http://127.0.0.1:{next(self.ports)}{WEBHOOK}"
        try:
            async with http.post(url, json=body, headers=headers) as response:
                update.refused = response.status != 200
        except (aiohttp.ClientError, TimeoutError):
            update.refused = True

    async def run(self, rate: float, seconds: float, warm_up: float) -> tuple[float, float]:
        """Send at ``rate`` for ``warm_up`` then ``seconds``; the times of the first and the
        last measured send."""
        interval = 1 / rate
        sending: set[asyncio.Task[None]] = set()
        connector = aiohttp.TCPConnector(limit=0)
        timeout = aiohttp.ClientTimeout(total=GRACE_SECONDS)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
            started = time.perf_counter()
            warm = round(warm_up * rate)
            total = warm + round(seconds * rate)
            first = last = started
            for number in range(total):
                due = started + number * interval
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                chat = self._next_chat(number)
                while chat is None:
                    self.starved += 1
                    await asyncio.sleep(0.005)
                    chat = self._next_chat(number)
                last = time.perf_counter()
                if number == warm:
                    first = last
                task = asyncio.create_task(self.send(http, chat, number >= warm))
                sending.add(task)
                task.add_done_callback(sending.discard)
            await asyncio.gather(*sending)
        return first, last

    async def settle(self) -> None:
        """Wait for every update's first reply (at most the grace period), then for quiet."""
        deadline = time.perf_counter() + GRACE_SECONDS
        while time.perf_counter() < deadline:
            waiting = [u for u in self.updates if u.first is None and not u.refused]
            if not waiting:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)


@dataclass(frozen=True)
class Outcome:
    workers: int
    asked: float
    achieved: float
    p50: float
    p99: float
    lost: int
    twice: int
    updates: int
    cpu: Cpu
    labels: Counter[str]
    p99_by_kind: dict[str, float]

    def met(self) -> bool:
        """The goal: p99 under 200 ms, nothing lost or answered twice, the rate held."""
        held = self.achieved >= 0.95 * self.asked
        return held and self.p99 <= GOAL_P99_S and self.lost == 0 and self.twice == 0

    def line(self) -> str:
        cpu = " + ".join(f"{format_int(round(c))} %" for c in self.cpu.workers)
        kinds = ", ".join(
            f"{KINDS.get(kind, kind)} {format_int(self.labels[kind])} lần"
            f" {format_int(round(p99 * 1000))} ms"
            for kind, p99 in sorted(self.p99_by_kind.items())
        )
        return (
            f"{format_decimal(self.achieved, 1)} cập nhật/giây (yêu cầu"
            f" {format_decimal(self.asked, 1)}), p50 {format_int(round(self.p50 * 1000))} ms,"
            f" p99 {format_int(round(self.p99 * 1000))} ms, mất {format_int(self.lost)},"
            f" trả lời hai lần {format_int(self.twice)}; {format_int(self.updates)} cập nhật;"
            f" CPU: tiến trình {cpu}, PostgreSQL {format_int(round(self.cpu.postgres))} %,"
            f" bộ tạo tải {format_int(round(self.cpu.generator))} %; p99 theo loại: {kinds}"
        )


def summarise(
    load: Load, workers: int, rate: float, window: tuple[float, float], cpu: Cpu
) -> Outcome:
    measured = [u for u in load.updates if u.measured]
    answered = [u for u in measured if u.first is not None and not u.refused]
    latencies = sorted(u.first - u.sent for u in answered if u.first is not None)
    twice = sum(1 for u in measured if len(u.replies) != len(set(u.replies)))
    span = max(window[1] - window[0], 1e-9)
    return Outcome(
        workers,
        rate,
        (len(measured) - 1) / span if len(measured) > 1 else 0.0,
        statistics.median(latencies) if latencies else float("nan"),
        _p99(answered),
        len(measured) - len(answered),
        twice,
        len(measured),
        cpu,
        Counter(u.label.split(":")[0] for u in measured),
        {kind: _p99([x for x in answered if x.label.startswith(kind)]) for kind in KINDS},
    )


def _p99(updates: Sequence[Update]) -> float:
    times = sorted(u.first - u.sent for u in updates if u.first is not None)
    if len(times) < 2:
        return times[0] if times else 0.0
    return statistics.quantiles(times, n=100)[98]


async def measure(
    url: str,
    workers: int,
    rates: Sequence[float],
    seconds: float,
    households: int,
    summary_every: int = SUMMARY_EVERY,
) -> list[Outcome]:
    """One database and one set of workers; each rate in turn, with chats of its own."""
    async with schema(url) as (engine, name), FakeTelegram() as fake:
        await prepare(engine, households)
        running = await start_workers(url, name, fake, workers)
        outcomes = []
        try:
            offset = 0
            for rate in rates:
                load = Load(
                    fake, [w.port for w in running], households, rate, summary_every, offset
                )
                offset += len(load.cadres)
                outcomes.append(await _phase(load, running, rate, seconds))
        finally:
            await stop_workers(running)
        return outcomes


async def _phase(load: Load, running: Sequence[Worker], rate: float, seconds: float) -> Outcome:
    watching = asyncio.create_task(load.watch())
    begin_cpu: list[Cpu] = []

    async def mark() -> None:
        await asyncio.sleep(WARM_UP_SECONDS)
        begin_cpu.append(Cpu.now(running))

    marking = asyncio.create_task(mark())
    window = await load.run(rate, seconds, WARM_UP_SECONDS)
    await marking
    cpu = Cpu.now(running).since(begin_cpu[0], time.perf_counter() - window[0])
    await load.settle()
    watching.cancel()
    return summarise(load, len(running), rate, window, cpu)


def run(args: Sequence[str] = ()) -> list[Figure]:
    parser = argparse.ArgumentParser(
        description="Tải qua nhiều tiến trình giamngheo run --webhook trên một PostgreSQL."
    )
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument(
        "--rate", default=str(DEFAULT_RATE), help="cập nhật mỗi giây; nhiều mức: 40,60,80"
    )
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS)
    parser.add_argument("--households", type=int, default=DEFAULT_HOUSEHOLDS)
    parser.add_argument(
        "--summary-every",
        type=int,
        default=SUMMARY_EVERY,
        help="một tóm tắt mỗi N cập nhật; 0: không",
    )
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL (asyncpg)")
    parsed = parser.parse_args(args)
    rates = [float(rate) for rate in parsed.rate.split(",")]
    outcomes = asyncio.run(
        measure(
            parsed.database_url,
            parsed.workers,
            rates,
            parsed.seconds,
            parsed.households,
            parsed.summary_every,
        )
    )
    every = parsed.summary_every
    summaries = f"1/{format_int(every)} cập nhật" if every > 0 else "không"
    return [
        Figure(
            f"load: {format_int(parsed.workers)} tiến trình webhook,"
            f" {format_decimal(outcome.asked, 0)} cập nhật/giây trong"
            f" {format_int(round(parsed.seconds))} s, {format_int(parsed.households)} hộ,"
            f" tóm tắt {summaries} (PostgreSQL)",
            outcome.line(),
            f"p99 ≤ {format_int(round(GOAL_P99_S * 1000))} ms, mất 0, hai lần 0",
            outcome.met(),
        )
        for outcome in outcomes
    ]


def main() -> None:
    print_lines(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
