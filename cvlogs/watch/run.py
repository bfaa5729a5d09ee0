"""The watch loop: follow the folder, feed the engine, tell the view, decide when to stop.

The loop sleeps in the observer's queue until a file changes or the next deadline comes (a
pending record settling, a sequence going quiet, ``--timeout``, the live view's clock), so a
quiet folder costs no CPU beyond those wake-ups.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from types import FrameType
from typing import Literal, Protocol

from cvlogs.intake import discover
from cvlogs.model import FileResult
from cvlogs.parsing import scan_source
from cvlogs.report import Filters
from cvlogs.watch.engine import NO_FILTERS, AccountState, Batch, Engine, Update
from cvlogs.watch.follow import FileNotice, Follower, current_family

Until = Literal["ok", "done"] | None
Reason = Literal["ok", "failed", "done", "timeout", "interrupted"]


class Exit(IntEnum):
    """What ``cvlogs watch`` exits with (a script's ``case $?``)."""

    OK = 0
    """--until-ok: every watched account completed a successful sequence; otherwise no error finding."""
    FAILED = 1
    """--until-ok: a watched account failed; otherwise an error finding fired."""
    USAGE = 2
    TIMEOUT = 3
    """--timeout ran out before the --until condition was met."""


@dataclass(frozen=True, slots=True)
class Options:
    path: Path
    host: str | None
    filters: Filters = NO_FILTERS
    until: Until = None
    timeout: float | None = None
    from_start: bool = False
    polling: bool = False
    all_logs: bool = False
    idle: float = 600.0
    redact_secrets: bool = True


class Sink(Protocol):
    """Where the watch tells what happens: the live view, plain lines or JSON lines."""

    def start(self, options: Options, observer: str) -> None: ...
    def notice(self, notice: FileNotice) -> None: ...
    def update(self, update: Update, engine: Engine) -> None: ...
    def refresh(self, engine: Engine) -> None: ...
    def summary(self, reason: Reason, status: int, engine: Engine, accounts: list[AccountState]) -> None: ...

    @property
    def refresh_every(self) -> float | None: ...


def watch(options: Options, sink: Sink) -> int:
    """Follow ``options.path`` until the --until condition, the timeout or Ctrl-C; the exit status."""
    engine = Engine(options.host, filters=options.filters, idle=options.idle, redact_secrets=options.redact_secrets)
    deadline = None if options.timeout is None else time.monotonic() + options.timeout
    follower = Follower(options.path, polling=options.polling, from_start=options.from_start, all_logs=options.all_logs)
    stop = _Stop(follower)
    try:
        with stop.installed():
            sink.start(options, follower.observer_name)
            reason = _follow(options, engine, follower, sink, deadline=deadline, stop=stop)
            for item in follower.drain():  # what was written before the end is read, not dropped
                _take(item, engine, sink)
    finally:
        follower.close()
    sink.update(engine.finish(), engine)
    status = _status(reason, engine)
    sink.summary(reason, status, engine, engine.watched())
    return status


class _Stop:
    """Ctrl-C and SIGTERM: asked for at any moment, acted on where nothing read is in hand.

    While the follower sleeps the signal interrupts it at once; while a batch is being read or
    analysed it only marks the request, which the loop honours after the batch (an exception in
    the middle would drop the batch's lines).
    """

    def __init__(self, follower: Follower) -> None:
        self.follower = follower
        self.asked = False

    def __call__(self, number: int, frame: FrameType | None) -> None:
        self.asked = True
        if self.follower.sleeping:
            raise KeyboardInterrupt

    @contextmanager
    def installed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
            yield
            return
        previous = {number: signal.signal(number, self) for number in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)


def _follow(
    options: Options, engine: Engine, follower: Follower, sink: Sink, *, deadline: float | None, stop: _Stop
) -> Reason:
    """Read, analyse and sleep until the watch should end; why it ends."""
    try:
        if options.from_start:
            _replay_rolled(options, engine, sink)
        while True:
            for notice in follower.notices:
                sink.notice(notice)
            follower.notices.clear()
            for item in follower.read():
                _take(item, engine, sink)
            for batch in follower.settled():
                _take(batch, engine, sink)
            now = time.monotonic()
            if engine.expiry is not None and now >= engine.expiry:
                sink.update(engine.tick(), engine)
            reason = _decided(options.until, engine)
            if reason is None and deadline is not None and now >= deadline:
                reason = "timeout"
            if stop.asked:
                reason = "interrupted"
            if reason is not None:
                return reason
            sink.refresh(engine)
            follower.wait(_sleep(now, follower.next_deadline(), engine.expiry, deadline, sink.refresh_every))
    except KeyboardInterrupt:
        return "interrupted"


def _take(item: Batch | FileNotice, engine: Engine, sink: Sink) -> None:
    if isinstance(item, FileNotice):
        if item.what == "rolled" and item.to is not None:
            engine.rename(item.path, item.to)
        elif item.what == "replaced":
            engine.set_aside(item.path, "rolled")
        elif item.what == "truncated":
            engine.set_aside(item.path, "truncated")
        sink.notice(item)
        return
    sink.update(engine.feed(item), engine)


def _replay_rolled(options: Options, engine: Engine, sink: Sink) -> None:
    """--from-start: the rolled files there are (plain or compressed) first, oldest first."""
    folder = options.path if options.path.is_dir() else options.path.parent
    sources, _ = discover([folder], host=options.host, host_named=True, all_logs=options.all_logs)
    rolled = [s for s in sources if "/" not in s.path and current_family(s.path, options.all_logs) is None]
    for source in sorted(rolled, key=lambda s: (s.year_hint is None, s.year_hint, s.path)):
        result = scan_source(source)
        if isinstance(result, FileResult):
            batch = Batch(source.path, source.family, b"", 0, True)
            sink.update(engine.feed_result(result, batch), engine)


def _decided(until: Until, engine: Engine) -> Reason | None:
    if until == "ok":
        if engine.any_failed():
            return "failed"
        return "ok" if engine.all_ok() else None
    if until == "done" and engine.all_done():
        return "done"
    return None


def _status(reason: Reason | None, engine: Engine) -> int:
    if reason == "timeout":
        return Exit.TIMEOUT
    if reason == "ok":
        return Exit.OK
    if reason in {"failed", "done"}:
        return Exit.FAILED if engine.any_failed() else Exit.OK
    return Exit.FAILED if engine.counts["error"] else Exit.OK


def _sleep(now: float, *deadlines: float | None) -> float | None:
    """Seconds until the earliest deadline (``refresh_every`` counts from now), None for none."""
    *absolute, every = deadlines
    waits = [d - now for d in absolute if d is not None]
    if every is not None:
        waits.append(every)
    return max(0.0, min(waits)) if waits else None
