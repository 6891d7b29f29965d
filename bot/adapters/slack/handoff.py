"""The work after an ack, handed to worker processes (bot/workers.py).

With worker processes, the serving process's listeners have no lazy functions: each one
acks and then hands its request over whole (`handing`), naming the lazy function that is
to run it. A worker dispatches the request to a Bolt app of its own, built with the lazy
functions (app.py `worker`), as a lazy-only request: Bolt runs the named lazy function
and nothing else, its own way of running a lazy function elsewhere (its AWS Lambda
adapter re-invokes a function with the same two headers). HTTP and Socket Mode alike.

Bolt's own lazy start copies the whole request and its context first (a deep copy of
the Web API client included): that copy was three quarters of an ack's cost.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltRequest
from slack_bolt.kwargs_injection.args import Args

LAZY_ONLY = "x-slack-bolt-lazy-only"
LAZY_NAME = "x-slack-bolt-lazy-function-name"


@dataclass(frozen=True)
class Handed:
    """An acked request, as it crosses to a worker."""

    body: str | dict[str, Any]  # the raw body (HTTP) or the envelope's payload (Socket Mode)
    headers: dict[str, list[str]]
    mode: str

    @classmethod
    def of(cls, request: BoltRequest, lazy: str) -> Handed:
        """`request`, to be run by the lazy function named `lazy`."""
        headers = dict(request.headers)
        headers[LAZY_ONLY] = ["1"]
        headers[LAZY_NAME] = [lazy]
        body = request.raw_body if request.mode == "http" else request.body
        return cls(body, headers, request.mode)

    def request(self) -> BoltRequest:
        return BoltRequest(body=self.body, headers=self.headers, mode=self.mode)


Hand = Callable[[Handed], None]  # a WorkerPool's submit


def handing(
    ack: Callable[..., None], lazy: Callable[..., None], hand: Hand
) -> Callable[[Args], None]:
    """A listener's ack function (`ack`, given what it asks for by name, as Bolt gives it)
    that then hands its request to `hand`, for `lazy` to run in a worker."""
    wanted = list(inspect.signature(ack).parameters)
    name = lazy.__name__

    def acked(args: Args) -> None:
        ack(**{arg: getattr(args, arg) for arg in wanted})
        hand(Handed.of(args.request, name))

    return acked
