"""Following the log files of a Log Files folder as they grow, roll over and start again.

``watchdog`` tells when something changed (inotify on Linux, FSEvents on macOS,
ReadDirectoryChangesW on Windows, or a polling observer); this module reads what changed:

- new bytes of each current log (``vsbkp.log``...), handed on as *batches* of complete records:
  a record is complete once the next header line has started, or once the file has been quiet
  for ``settle`` seconds; a last line without its newline waits for it;
- a roll-over (the file renamed to ``<name>_YYYY_MM_DD_HH_MM_SS.log``, maybe compressed later,
  and a new file started): the open handle still reads the renamed file, so it is read to its
  end before the new file is read from its first byte.  A file that changed identity under its
  name (same name, another inode) is handled the same way, whatever the observer reported;
- truncation (the size falls below what was read): the file is read again from its start;
- files that appear later.

Nothing is read twice and no complete line is dropped; every line is numbered as a scan of the
finished file numbers it.
"""

from __future__ import annotations

import os
import queue
import re
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Literal

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from cvlogs.errors import CvlogsError
from cvlogs.intake import classify_name
from cvlogs.model import Family
from cvlogs.parsing.chunks import CHUNK_SIZE, last_record_start
from cvlogs.watch.engine import Batch

SETTLE = 0.2
"""Seconds of quiet after which the last record of a file counts as complete."""
_COUNT_BLOCK = 1 << 20


@dataclass(frozen=True, slots=True)
class FileNotice:
    """Something that happened to a followed file (the view and the JSON lines say it)."""

    what: Literal["follow", "rolled", "replaced", "truncated"]
    path: str
    to: str | None = None


@dataclass(slots=True)
class _Followed:
    """One current log being read: its handle, what was read, and the bytes not handed on yet."""

    name: str
    family: Family
    handle: IO[bytes]
    inode: int
    offset: int
    """Bytes of the file read so far (handed on or pending)."""
    lines: int
    """Lines of the file handed on so far."""
    at_start: bool
    pending: bytes = b""
    touched: float = field(default_factory=time.monotonic)
    """When bytes last arrived."""


def current_family(name: str, all_logs: bool = False) -> Family | None:
    """The family of a current (not rolled, not compressed) log name: ``vsbkp.log`` -> vsbkp; with
    ``all_logs`` any ``<Name>.log`` (``CVMA.log`` -> cvma)."""
    classified = classify_name(name)
    if classified is None:
        found = _ANY_CURRENT.match(name) if all_logs else None
        return None if found is None else found["stem"].lower()
    family, rolled, compression = classified
    if rolled is not None or compression is not None or name.lower() != f"{family}.log":
        return None
    return family


_ANY_CURRENT = re.compile(r"^(?P<stem>[A-Za-z][A-Za-z0-9]*)\.log$")


class _Wake(FileSystemEventHandler):
    """Every file-system event of the folder wakes the reader (the event itself is queued)."""

    def __init__(self, events: queue.Queue[FileSystemEvent]) -> None:
        self.events = events

    def on_any_event(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self.events.put(event)


class Follower:
    """Follows the current logs of one folder (or the named files in it)."""

    def __init__(
        self,
        path: Path,
        *,
        polling: bool = False,
        from_start: bool = False,
        all_logs: bool = False,
        poll_interval: float = 0.5,
    ):
        if not path.exists():
            raise CvlogsError(f"no such file or directory: {path}")
        self.folder = path if path.is_dir() else path.parent
        self.only = None if path.is_dir() else {path.name}
        self.all_logs = all_logs
        self.events: queue.Queue[FileSystemEvent] = queue.Queue()
        self.followed: dict[str, _Followed] = {}
        self.notices: list[FileNotice] = []
        """Files that started to be followed (``read`` yields the other notices in their place)."""
        self.sleeping = False
        """In ``wait``, holding nothing read but not handed on."""
        self.observer: BaseObserver = PollingObserver(timeout=poll_interval) if polling else Observer()
        self.observer.schedule(_Wake(self.events), str(self.folder), recursive=False)
        self.observer.start()  # before the files are opened: nothing written from now on is missed
        self.seen: set[int] = set()
        """Inodes of the files there at the start and of every file read since."""
        for entry in sorted(self.folder.iterdir()):
            self._open(entry.name, from_start=from_start)
            with suppress(OSError):
                self.seen.add(entry.stat().st_ino)

    @property
    def observer_name(self) -> str:
        return type(self.observer).__name__

    def close(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)
        for followed in self.followed.values():
            followed.handle.close()
        self.followed.clear()

    # -- waiting -------------------------------------------------------------------------------

    def wait(self, timeout: float | None) -> None:
        """Sleep until the folder changes or ``timeout`` seconds pass (no polling of our own)."""
        self.sleeping = True  # only now may a signal interrupt the follower (see ``cvlogs.watch.run``)
        try:
            event = self.events.get(timeout=timeout)
        except queue.Empty:
            return
        finally:
            self.sleeping = False
        self._handle(event)
        while True:  # everything queued meanwhile, at once
            try:
                self._handle(self.events.get_nowait())
            except queue.Empty:
                return

    def next_deadline(self) -> float | None:
        """When a pending record will count as complete (monotonic clock), if one waits."""
        times = [f.touched + SETTLE for f in self.followed.values() if b"\n" in f.pending]
        return min(times, default=None)

    def _handle(self, event: FileSystemEvent) -> None:
        """A file that is not followed yet may be a new current log (a roll-over of a followed one
        is noticed by ``read``, whichever events the observer reported for it)."""
        self._open(Path(os.fsdecode(event.src_path)).name, from_start=True)
        if event.event_type == "moved":
            self._open(Path(os.fsdecode(event.dest_path)).name, from_start=True)

    # -- reading -------------------------------------------------------------------------------

    def read(self) -> Iterator[Batch | FileNotice]:
        """Batches of complete records from every followed file, in order with what happened to it
        (a roll-over comes after the old file's last batch and before the new file's first)."""
        for name in list(self.followed):
            followed = self.followed[name]
            yield from self._read(followed, final=False)
            if self._replaced(followed):
                yield from self._read(followed, final=True)  # the old file to its end, last line included
                followed.handle.close()
                del self.followed[name]
                renamed = self._name_of(followed.inode)
                yield FileNotice("rolled", name, renamed) if renamed else FileNotice("replaced", name)
                yield from self._missed(followed.family)
                self._open(name, from_start=True)
                if name in self.followed:
                    yield from self._read(self.followed[name], final=False)

    def settled(self, now: float | None = None) -> Iterator[Batch]:
        """The last records of files that have been quiet for ``SETTLE`` seconds (all of them
        when ``now`` is infinite: the end of the watch)."""
        now = time.monotonic() if now is None else now
        for followed in self.followed.values():
            if b"\n" in followed.pending and now - followed.touched >= SETTLE:
                yield from self._take(followed, followed.pending.rfind(b"\n") + 1)

    def drain(self) -> Iterator[Batch | FileNotice]:
        """Everything written so far, every complete line included (the watch is ending)."""
        yield from self.read()
        yield from self.settled(now=float("inf"))

    def _replaced(self, followed: _Followed) -> bool:
        """The name now stands for another file (rolled, deleted, recreated), or none."""
        try:
            return os.stat(self.folder / followed.name).st_ino != followed.inode
        except FileNotFoundError:
            return True

    def _missed(self, family: Family) -> Iterator[Batch]:
        """Files of ``family`` that were started and rolled over between two looks (a fast writer):
        read whole, oldest first, under their rolled names."""
        missed: list[tuple[datetime, str, int]] = []
        for entry in os.scandir(self.folder):
            classified = classify_name(entry.name)
            if classified is None or classified[0] != family or classified[1] is None or classified[2] is not None:
                continue
            with suppress(OSError):
                if entry.inode() not in self.seen:
                    missed.append((classified[1], entry.name, entry.inode()))
        for _, name, inode in sorted(missed):
            self.seen.add(inode)
            try:
                data = (self.folder / name).read_bytes()
            except OSError:
                continue
            if data:
                yield Batch(name, family, data, 0, True, datetime.now())

    def _name_of(self, inode: int) -> str | None:
        """The name a rolled file has now (None once it is gone: compressed, or deleted)."""
        for entry in os.scandir(self.folder):
            try:
                if entry.inode() == inode and entry.is_file(follow_symlinks=False):
                    return entry.name
            except OSError:
                continue
        return None

    def _read(self, followed: _Followed, final: bool) -> Iterator[Batch | FileNotice]:
        try:
            size = os.fstat(followed.handle.fileno()).st_size
        except OSError:
            size = followed.offset
        if size < followed.offset:  # truncated: the file starts over
            followed.handle.seek(0)
            followed.offset, followed.lines, followed.pending, followed.at_start = 0, 0, b"", True
            yield FileNotice("truncated", followed.name)
        while block := followed.handle.read(CHUNK_SIZE):
            followed.offset += len(block)
            followed.pending += block
            followed.touched = time.monotonic()
            cut = last_record_start(followed.pending)
            if cut:
                yield from self._take(followed, cut)
        if final and followed.pending:
            yield from self._take(followed, len(followed.pending))

    def _take(self, followed: _Followed, cut: int) -> Iterator[Batch]:
        data, followed.pending = followed.pending[:cut], followed.pending[cut:]
        if not data:
            return
        batch = Batch(followed.name, followed.family, data, followed.lines, followed.at_start, datetime.now())
        followed.lines += data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        followed.at_start = False
        yield batch

    def _open(self, name: str, from_start: bool) -> None:
        family = current_family(name, self.all_logs)
        if family is None or name in self.followed or (self.only is not None and name not in self.only):
            return
        try:
            handle = open(self.folder / name, "rb")  # noqa: SIM115  (kept open while followed)
        except OSError:
            return
        inode = os.fstat(handle.fileno()).st_ino
        self.seen.add(inode)
        offset, lines = (0, 0) if from_start else _end_of_last_line(handle)
        handle.seek(offset)
        self.followed[name] = _Followed(name, family, handle, inode, offset, lines, at_start=offset == 0)
        self.notices.append(FileNotice("follow", name))


def _end_of_last_line(handle: IO[bytes]) -> tuple[int, int]:
    """Where the last complete line of a file ends, and how many lines stand before it."""
    lines = 0
    end = 0
    position = 0
    while block := handle.read(_COUNT_BLOCK):
        lines += block.count(b"\n")
        last = block.rfind(b"\n")
        if last >= 0:
            end = position + last + 1
        position += len(block)
    return end, lines
