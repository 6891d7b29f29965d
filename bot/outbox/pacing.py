"""The retry policy (exponential backoff with jitter, bounded) and per-channel intervals.

The default policy rides out an outage of about an hour: waits double from
1 s up to 10 minutes, and a row is marked failed only after `max_attempts`,
whose waits add up to 64–127 minutes (the jitter draws 50–100 % of each);
`span()` says so and tests/trials/test_outbox_outage.py holds it to that.
The pacing state itself is shared through the database (storage/pace.py)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 22  # then the row is marked failed, with its last error
    base_delay: float = 1.0  # seconds before the second attempt; doubled each time
    max_delay: float = 600.0  # no wait (backoff or Retry-After) is longer than this
    inline_limit: float = 30.0  # longer waits give the row back instead of sleeping
    lease: timedelta = timedelta(minutes=5)  # a claim older than this is taken over
    batch: int = 50  # rows per claim (one per target): fewer claims per message sent

    def backoff(self, attempts: int, rng: random.Random) -> float:
        """The wait after `attempts` failed attempts: base·2^(n-1), jittered to 50–100 %."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** max(0, attempts - 1))
        return ceiling * (0.5 + rng.random() / 2)

    def span(self) -> tuple[float, float]:
        """The shortest and the longest time (seconds) from the first attempt to the
        last before a row is marked failed, when every attempt fails at once."""
        ceilings = [
            min(self.max_delay, self.base_delay * 2 ** (n - 1)) for n in range(1, self.max_attempts)
        ]
        return sum(ceilings) / 2, sum(ceilings)

    def wait_for(self, attempts: int, retry_after: float | None, rng: random.Random) -> float:
        """What the server asked for when it said so (Retry-After), else the backoff."""
        if retry_after is not None:
            return min(self.max_delay, max(0.0, retry_after))
        return self.backoff(attempts, rng)


def interval(per_minute: int) -> float:
    """Seconds between two sends to one target at `per_minute` a minute (0: unpaced)."""
    return 60.0 / per_minute if per_minute > 0 else 0.0
