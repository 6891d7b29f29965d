"""The DingTalk adapter: stream in, core in threads, replies out.

Each frame is acked at once (handlers.py). Its command then runs in a small
dispatch pool and its replies are posted from a separate I/O pool, so a slow
webhook ties up one I/O thread and nothing else. Commands from one
conversation are answered in the order they arrived (a lock per conversation);
different conversations proceed in parallel. A redelivered message (same
msgId, e.g. after a reconnect lost the ack) is run only once: this process
remembers msgIds, and the command's own transaction claims `dingtalk:<msgId>`
as its first write (storage.seen), so no separate write waits for the lock and
the command's transaction alone decides how long the answer takes ("busy"
after a few seconds, see storage/engine.py).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.adapters.dingtalk import handlers, inbound
from bot.adapters.dingtalk.client import StreamClient
from bot.adapters.dingtalk.config import DingTalkConfig
from bot.adapters.dingtalk.openapi import OpenApi
from bot.adapters.dingtalk.render import DingTalkRenderer
from bot.adapters.dingtalk.replies import Replier
from bot.adapters.dingtalk.sender import DingTalkSender
from bot.runtime import Runtime
from storage import people
from storage.engine import reading

log = logging.getLogger(__name__)
SEEN_MAX = 2000


class DingTalkAdapter:
    def __init__(self, runtime: Runtime, config: DingTalkConfig, *, min_delay: float = 1.0) -> None:
        self.runtime = runtime
        self.config = config
        self.api = OpenApi(config)
        self.sender = DingTalkSender(self.api, config.robot_code)
        self.replier = Replier(self.sender)
        self.renderer = DingTalkRenderer()
        self.client = StreamClient(config, self.api, min_delay=min_delay)
        handlers.register(self.client, self.accept)
        runtime.health.platform, runtime.health.link = "dingtalk-stream", self.client.is_connected
        self.dispatch_pool = ThreadPoolExecutor(4, thread_name_prefix="tf-dingtalk-core")
        self.io_pool = ThreadPoolExecutor(16, thread_name_prefix="tf-dingtalk-io")
        self.handled = 0  # commands answered (for tests and logs)
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}  # lock, tasks using it
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._tasks: set[asyncio.Task[Any]] = set()

    def known_names(self, staff_ids: Iterable[str]) -> Mapping[str, str]:
        with reading(self.runtime.engine) as db:  # never waits for a writer
            found = (people.by_platform_id(db, inbound.PLATFORM, s) for s in staff_ids)
            return {p.user_id: p.display_name for p in found if p is not None}

    def accept(self, kind: str, data: dict[str, Any]) -> None:
        """Called on the event loop for every frame (already acked)."""
        msg_id = str(data.get("msgId") or data.get("outTrackId") or "")
        if kind == "message" and msg_id:
            if msg_id in self._seen:
                log.info("message %s was delivered again; answered already", msg_id)
                return
            self._seen[msg_id] = None
            while len(self._seen) > SEEN_MAX:
                self._seen.popitem(last=False)
        key = str(data.get("conversationId") or data.get("spaceId") or data.get("userId") or "")
        task = asyncio.get_running_loop().create_task(self._serve(kind, data, key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _convert(self, kind: str, data: dict[str, Any]) -> Any:
        if kind == "card":
            return inbound.from_card_callback(data)
        return inbound.from_robot_message(data, self.known_names)

    def _run(self, kind: str, data: dict[str, Any]) -> tuple[inbound.Route, list] | None:
        """In a core thread: the command's replies, rendered for where they go."""
        msg_id = str(data.get("msgId") or "")
        converted = self._convert(kind, data)
        if converted is None:
            return None
        command, route = converted
        once = f"dingtalk:{msg_id}" if kind == "message" and msg_id else None
        replies = self.runtime.dispatcher.handle(command, once=once)
        if not replies:
            log.info("message %s was answered by another process", msg_id)
            return None
        rendered = [
            (self.renderer.for_reply(r, dm=route.is_dm), r.visibility == "private") for r in replies
        ]
        return route, rendered

    async def _serve(self, kind: str, data: dict[str, Any], key: str) -> None:
        loop = asyncio.get_running_loop()
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                result = await loop.run_in_executor(self.dispatch_pool, self._run, kind, data)
                if result is None:
                    return
                route, rendered = result
                for message, private in rendered:
                    await loop.run_in_executor(
                        self.io_pool, self.replier.send, route, message, private
                    )
                self.handled += 1
        except Exception:
            log.exception("a %s from DingTalk could not be answered", kind)
        finally:
            lock, users = self._locks[key]
            if users > 1:
                self._locks[key] = (lock, users - 1)
            else:
                del self._locks[key]

    async def serve(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set, then finish the answers under way."""
        stream = asyncio.create_task(self.client.start())
        await stop.wait()
        self.client.stopping = True
        if self.client.websocket is not None:
            await self.client.websocket.close()  # a clean close (1000), not 1011
        stream.cancel()
        await asyncio.gather(stream, return_exceptions=True)
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=15)
        self.dispatch_pool.shutdown(wait=False, cancel_futures=True)
        self.io_pool.shutdown(wait=False, cancel_futures=True)


def run(runtime: Runtime, config: DingTalkConfig) -> None:
    """Blocking: serve the DingTalk stream until SIGINT or SIGTERM."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        log.info("Taskforce on DingTalk: stream mode via %s", config.api_url)
        await DingTalkAdapter(runtime, config).serve(stop)

    asyncio.run(main())
