"""Finding the log files under the PATHs a user names: directories, files, ``.gz``, ``.bz2``, ``.zip``.

Nothing is extracted: every source opens as a binary stream (decompressed on the fly), and every
file that is not read is returned as a ``SkippedSource`` with a reason a person understands.
"""

from __future__ import annotations

import bz2
import gzip
import os
import re
import stat
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, cast

from cvlogs.errors import CvlogsError
from cvlogs.model import Family, SkippedSource

FAMILIES: tuple[Family, ...] = ("cvd", "vsdiscovery", "vsbkp", "vsrst")

# <name>.log or <name>_YYYY_MM_DD_HH_MM_SS.log, with an optional compression suffix.
_LOG_NAME = re.compile(
    r"^(?P<family>cvd|vsdiscovery|vsbkp|vsrst)"
    r"(?:_(?P<y>\d{4})_(?P<mo>\d{2})_(?P<d>\d{2})_(?P<h>\d{2})_(?P<mi>\d{2})_(?P<s>\d{2}))?"
    r"\.log(?P<compression>\.gz|\.bz2|\.zip)?$",
    re.IGNORECASE,
)
_ARCHIVE_SUFFIXES = (".zip",)
_NOT_A_LOG = "not a cvd, vsdiscovery, vsbkp or vsrst log"


@dataclass(frozen=True, slots=True)
class LogSource:
    """One log file to read: where it is, which family it is, and what dates its last line.

    Plain data (no open handles, no closures), so a source can be sent to a worker process.
    """

    path: str
    """The path as reported: relative to the scanned PATH, ``archive.zip!member`` inside archives."""
    family: Family
    file: Path
    """The file on disk (the archive, for a member)."""
    year_hint: datetime | None
    """When the file's last line was written: a rolled name's timestamp, else the modification time."""
    compression: str | None = None
    """``.gz`` or ``.bz2`` for a compressed file; None otherwise."""
    member: str | None = None
    """The member's name inside the zip archive ``file``."""
    host: str | None = None

    def open(self) -> IO[bytes]:
        """A binary stream of the file's (decompressed) bytes; the caller closes it."""
        if self.member is not None:
            archive = zipfile.ZipFile(self.file)
            stream = archive.open(self.member)
            _close_with(stream, archive)
            return stream
        if self.compression == ".gz":
            return cast(IO[bytes], gzip.open(self.file, "rb"))
        if self.compression == ".bz2":
            return cast(IO[bytes], bz2.open(self.file, "rb"))
        return open(self.file, "rb")


def classify_name(name: str) -> tuple[Family, datetime | None, str | None] | None:
    """The family, rolled timestamp and compression of a file name, or None if it is not a log."""
    found = _LOG_NAME.match(name)
    if found is None:
        return None
    family = cast(Family, found["family"].lower())
    rolled = None
    if found["y"]:
        try:
            y, mo, d, h, mi, sec = (int(found[k]) for k in ("y", "mo", "d", "h", "mi", "s"))
            rolled = datetime(y, mo, d, h, mi, sec)
        except ValueError:
            rolled = None
    compression = found["compression"].lower() if found["compression"] else None
    return family, rolled, compression


def discover(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[LogSource], list[SkippedSource]]:
    """Every log source under ``paths`` and every file skipped, each list in a stable order.

    A missing PATH is a user error (``CvlogsError``); a broken file below it is only skipped.
    """
    sources: list[LogSource] = []
    skipped: list[SkippedSource] = []
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            raise CvlogsError(f"no such file or directory: {raw}")
        if root.is_dir():
            for file in _walk(root, skipped):
                _add_file(file, file.relative_to(root).as_posix(), sources, skipped)
        else:
            _add_file(root, root.name, sources, skipped)
    return sources, skipped


def _walk(root: Path, skipped: list[SkippedSource]) -> Iterator[Path]:
    """Files below ``root`` in sorted order; symlinked directories are not followed (no loops)."""

    def on_error(error: OSError) -> None:
        name = Path(error.filename).relative_to(root).as_posix() if error.filename else str(root)
        skipped.append(SkippedSource(name, f"unreadable directory: {error.strerror}"))

    for folder, dirs, files in os.walk(root, onerror=on_error):
        dirs.sort()
        for name in sorted(files):
            yield Path(folder, name)


def _add_file(file: Path, shown: str, sources: list[LogSource], skipped: list[SkippedSource]) -> None:
    try:
        info = file.stat()
    except OSError as error:
        skipped.append(SkippedSource(shown, f"unreadable: {error.strerror}"))
        return
    if not stat.S_ISREG(info.st_mode):
        skipped.append(SkippedSource(shown, "not a regular file (a FIFO, device or socket is never opened)"))
        return
    if file.suffix.lower() in _ARCHIVE_SUFFIXES and classify_name(file.name) is None:
        _add_zip(file, shown, sources, skipped)
        return
    named = classify_name(file.name)
    if named is None:
        skipped.append(SkippedSource(shown, _NOT_A_LOG))
        return
    family, rolled, compression = named
    hint = rolled or datetime.fromtimestamp(info.st_mtime)
    if compression == ".zip":
        _add_zip(file, shown, sources, skipped, family_hint=(family, hint))
        return
    sources.append(LogSource(shown, family, file, hint, compression=compression))


def _add_zip(
    file: Path,
    shown: str,
    sources: list[LogSource],
    skipped: list[SkippedSource],
    family_hint: tuple[Family, datetime] | None = None,
) -> None:
    """Each log member of a zip archive, read in place; a corrupt archive is skipped whole."""
    try:
        with zipfile.ZipFile(file) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError) as error:
        skipped.append(SkippedSource(shown, f"corrupt or unreadable zip archive: {error}"))
        return
    for member in sorted(members, key=lambda m: m.filename):
        inner = f"{shown}!{member.filename}"
        name = PurePosixPath(member.filename).name
        named = classify_name(name)
        if named is None and family_hint is not None and len(members) == 1:
            family, hint = family_hint
        elif named is None or named[2] is not None:
            skipped.append(SkippedSource(inner, _NOT_A_LOG if named is None else "compressed member inside a zip"))
            continue
        else:
            family, rolled, _ = named
            hint = rolled or datetime(*member.date_time)
        sources.append(LogSource(inner, family, file, hint, member=member.filename))


def _close_with(stream: IO[bytes], archive: zipfile.ZipFile) -> None:
    """Close ``archive`` when ``stream`` is closed (the member stream does not own its archive)."""
    original = stream.close

    def close() -> None:
        original()
        archive.close()

    stream.close = close  # type: ignore[method-assign]  # a member stream does not own its archive
