"""Progress of a chunked stage, on stderr: a live bar on a terminal, plain lines otherwise.

A batch job's log or a pipe gets one line when the stage starts, one when the first chunk is done,
then at most one every :data:`LINE_INTERVAL_S` and one at the end: the stage, chunk n/N, the
elapsed time and an ETA. The ETA uses the rate of the recent chunks (:data:`RATE_WINDOW_S`), not
the mean since the start, which chunks reused from the cache or compiling kernels would bias, and
it is not shown before a few chunks have measured a rate.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol, TextIO

#: plain progress lines are at least this far apart (first and last excepted)
LINE_INTERVAL_S = 10.0
#: the ETA's rate is measured over the chunks done in this last stretch of time …
RATE_WINDOW_S = 60.0
#: … and on at least this many chunks, before any ETA is given
MIN_CHUNKS_FOR_ETA = 3


class Bar(Protocol):
    def advance(self) -> None: ...


class _Null:
    def advance(self) -> None:
        return None


def duration(seconds: float) -> str:
    """``7 s``, ``3 min 05 s``, ``1 h 02 min``."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {(s % 3600) // 60:02d} min"


class PlainProgress:
    """Progress lines for logs and pipes (see the module docstring)."""

    def __init__(self, label: str, total: int, *, workers: int = 1, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 interval: float = LINE_INTERVAL_S) -> None:
        self.label, self.total, self.interval = label, total, interval
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.t0 = clock()
        self.done = 0
        self._last_line = -float("inf")
        self._recent: deque[float] = deque()
        self._print(f"{label}: {total} chunks on {workers} worker{'s' if workers > 1 else ''}")

    def _print(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def eta(self, now: float) -> float | None:
        """Seconds left at the recent rate, or None before a rate is measured."""
        recent = self._recent
        if len(recent) < MIN_CHUNKS_FOR_ETA or self.done >= self.total:
            return None
        span = now - recent[0]
        if span <= 0:
            return None
        return (self.total - self.done) * span / (len(recent) - 1 or 1)

    def advance(self) -> None:
        now = self.clock()
        self.done += 1
        self._recent.append(now)
        # keep the window's chunks, and always the last MIN_CHUNKS_FOR_ETA of them
        while len(self._recent) > MIN_CHUNKS_FOR_ETA and now - self._recent[0] > RATE_WINDOW_S:
            self._recent.popleft()
        last = self.done == self.total
        if self.done == 1 or last or now - self._last_line >= self.interval:
            self._last_line = now
            eta = self.eta(now)
            tail = ("done" if last else
                    f"ETA {duration(eta)}" if eta is not None else "ETA not yet known")
            self._print(f"{self.label}: chunk {self.done}/{self.total}, "
                        f"{duration(now - self.t0)} elapsed, {tail}")


class _Rich:
    def __init__(self, bar: object, task: object) -> None:
        self._bar, self._task = bar, task

    def advance(self) -> None:
        self._bar.advance(self._task)  # type: ignore[attr-defined]


@contextmanager
def progress(label: str, total: int, enabled: bool = True, *, workers: int = 1,
             stream: TextIO | None = None) -> Iterator[Bar]:
    """A progress display for ``total`` chunks: nothing when disabled or for a single chunk, a
    transient rich bar when ``stream`` (stderr) is a terminal, plain lines otherwise."""
    out = stream if stream is not None else sys.stderr
    if not enabled or total < 2:
        yield _Null()
        return
    if not out.isatty():
        yield PlainProgress(label, total, workers=workers, stream=out)
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  TimeRemainingColumn(), transient=True, console=Console(file=out)) as bar:
        yield _Rich(bar, bar.add_task(label, total=total))
