"""Trial: the PostgreSQL server restarted under load (a throw-away server this trial
starts itself with initdb/pg_ctl on a free port). The bot recovers without a restart:
commands run again once the server is back, and none is lost without a message;
what was delivered before and after goes out once."""

from __future__ import annotations

import io
import threading
import time
from datetime import timedelta

from own_postgres import own_postgres
from sqlmodel import select
from support_scheduler import at, rows, runtime_at, seed_project
from trial_report import Trial

from bot.adapters.console import ConsoleAdapter
from bot.outbox.console import ConsoleSender
from bot.outbox.loop import DeliveryLoop
from storage.engine import reading
from storage.models import ActionItem

AFTER = 15  # commands that must succeed after the restart


def test_postgres_restarted_under_load(trial: Trial) -> None:
    with own_postgres() as server:
        rt = runtime_at(server.url, at("2026-11-16T10:00"))
        seed_project(rt)
        console = ConsoleAdapter(rt.dispatcher, "ann", "ops", io.StringIO())
        answers: list[tuple[str, str]] = []
        restarted = threading.Event()
        stop = threading.Event()
        delivery_errors: list[str] = []
        out = io.StringIO()
        loop = DeliveryLoop(rt.engine, rt.clock, {"console": ConsoleSender(out)}, workers=4)

        def deliver() -> None:  # what the scheduler does every 2 s, here back to back
            while not stop.is_set():
                try:
                    loop.run_once()
                except Exception as error:
                    delivery_errors.append(type(error).__name__)
                time.sleep(0.05)

        def load() -> None:
            after = 0
            for i in range(5000):
                title = f"Load {i}"
                [reply] = console.handle(f'action add "{title}" owner @bob due fri')
                answers.append((title, reply))
                after += restarted.is_set() and reply.startswith("Added")
                if after >= AFTER:
                    return

        delivering = threading.Thread(target=deliver)
        loading = threading.Thread(target=load)
        delivering.start()
        loading.start()
        trial.tried("commands and delivery back to back; `pg_ctl restart -m fast` meanwhile")
        time.sleep(2)
        before = len(answers)
        server.restart()
        restarted.set()
        loading.join(120)
        time.sleep(1)
        stop.set()
        delivering.join(60)
        loop.run_once()
        # a row whose send or mark failed during the restart waits for its backoff or its
        # claim's lease (5 minutes): let the pinned clock pass that time, as it would
        for _ in range(10):
            if all(r.state == "sent" for r in rows(rt)):
                break
            rt.clock.set(rt.clock.now() + timedelta(minutes=6))
            loop.run_once()

        added = {t for t, r in answers if r.startswith("Added")}
        refused = [(t, r) for t, r in answers if not r.startswith("Added")]
        assert all("busy right now" in r and "try again" in r for _, r in refused), refused
        with reading(rt.engine) as db:
            stored = set(db.exec(select(ActionItem.title)).all())
        assert stored == added, (stored ^ added)
        trial.held(
            f"{len(answers)} commands ({before} before the restart): {len(added)} added,"
            f" {len(refused)} answered 'busy, try again'; every added item is stored,"
            " none that was refused"
        )
        assert not loading.is_alive()
        trial.held(f"{AFTER} commands succeeded after the restart, in the same process")
        states = {r.state for r in rows(rt)}
        assert states == {"sent"}, states
        payloads = [r.payload for r in rows(rt)]
        assert all(out.getvalue().count(p) >= 1 for p in payloads)
        trial.held(
            f"all {len(payloads)} queued notices were delivered; the delivery loop's "
            f"{len(delivery_errors)} failed rounds during the restart were retried"
        )
        rt.engine.dispose()
