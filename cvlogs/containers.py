"""Archives that hold logs: zip, tar (plain, .gz, .bz2) and 7z, read in place, never extracted.

Each container lists its members and opens one member as a binary stream.  A member that is
itself an archive is copied into a private spool (memory, then a temporary file that is always
removed) because zip and 7z need to seek; every copy and every read is capped, so an archive
bomb stops at the cap instead of filling memory or disk.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import re
import stat
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Protocol, cast

from cvlogs.errors import CvlogsError

DEFAULT_MAX_MEMBER_BYTES = 4 << 30
"""Decompressed bytes allowed per log file or archive member (4 GiB; logs roll at 5 MB)."""
DEFAULT_MAX_DEPTH = 3
"""Archives inside archives, counted from the outer file."""
_SPOOL_IN_MEMORY = 32 << 20
_COPY_BLOCK = 1 << 20

_ARCHIVE_SUFFIXES = {
    ".zip": "zip",
    ".7z": "7z",
    ".tar": "tar",
    ".tar.gz": "tar",
    ".tgz": "tar",
    ".tar.bz2": "tar",
    ".tbz2": "tar",
    ".tar.xz": "tar",
    ".txz": "tar",
}


class OverCap(CvlogsError):
    """More decompressed bytes than the cap allows (a possible archive bomb)."""


@dataclass(frozen=True, slots=True)
class Member:
    """One entry of an archive, as its directory lists it."""

    name: str
    size: int
    """The size the archive declares (it may lie: reads are capped anyway)."""
    is_file: bool
    is_link: bool
    modified: datetime | None


class Container(Protocol):
    """What cvlogs needs of an archive."""

    def members(self) -> list[Member]: ...

    def open(self, name: str) -> IO[bytes]: ...

    def close(self) -> None: ...


_FIRST_7Z_VOLUME = re.compile(r"\.7z\.0*1$", re.IGNORECASE)


def archive_kind(name: str) -> str | None:
    """``zip``, ``tar`` or ``7z`` for an archive's file name (case-insensitive), else None.

    A split 7z bundle is read from its first volume (``.7z.001``), which brings the others along.
    """
    lowered = name.lower()
    if _FIRST_7Z_VOLUME.search(lowered):
        return "7z"
    for suffix, kind in sorted(_ARCHIVE_SUFFIXES.items(), key=lambda item: -len(item[0])):
        if lowered.endswith(suffix):
            return kind
    return None


def unsafe_name(name: str) -> bool:
    """An absolute name, a drive letter or a ``..`` part: never followed, never shown as a path."""
    posix = PurePosixPath(name.replace("\\", "/"))
    return posix.is_absolute() or ".." in posix.parts or (len(name) > 1 and name[1] == ":")


class CappedReader(io.RawIOBase):
    """A binary stream that raises ``OverCap`` once more than ``limit`` bytes have been read."""

    def __init__(self, raw: IO[bytes], limit: int, closer: ExitStack | None = None) -> None:
        self.raw = raw
        self.limit = limit
        self.count = 0
        self.closer = closer

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]  # RawIOBase's signature is looser
        data = self.raw.read(len(buffer))
        if data is None:  # a non-blocking raw stream with nothing yet: there is none here
            return 0
        self.count += len(data)
        if self.count > self.limit:
            raise OverCap(f"decompresses to more than {self.limit:,} bytes")
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self.raw.close()
            if self.closer is not None:
                self.closer.close()
        super().close()


def decompress(stream: IO[bytes], compression: str | None) -> IO[bytes]:
    """``stream`` with a ``.gz`` or ``.bz2`` layer removed, if it has one."""
    if compression == ".gz":
        return cast(IO[bytes], gzip.GzipFile(fileobj=stream, mode="rb"))
    if compression == ".bz2":
        return cast(IO[bytes], bz2.BZ2File(stream, mode="rb"))
    if compression in {".xz", ".lzma"}:
        return cast(IO[bytes], lzma.LZMAFile(stream, mode="rb"))
    return stream


def open_container(kind: str, source: Path | IO[bytes], limit: int = DEFAULT_MAX_MEMBER_BYTES) -> Container:
    """The archive of ``kind`` at ``source`` (a path, or a seekable stream); ``limit`` caps members."""
    if kind == "zip":
        return _Zip(source)
    if kind == "tar":
        return _Tar(source)
    if kind == "7z":
        from cvlogs.sevenzip import SevenZip  # noqa: PLC0415  (py7zr loads only for 7z bundles)

        return SevenZip(source, limit)
    raise ValueError(kind)


@contextmanager
def spooled(stream: IO[bytes], limit: int) -> Iterator[IO[bytes]]:
    """A seekable private copy of ``stream`` (memory first, then a temporary file), capped."""
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as copy:
        capped = CappedReader(stream, limit)
        while block := capped.read(_COPY_BLOCK):
            copy.write(block)
        copy.seek(0)
        yield cast(IO[bytes], copy)


class _Zip:
    def __init__(self, source: Path | IO[bytes]) -> None:
        self.archive = zipfile.ZipFile(source)

    def members(self) -> list[Member]:
        return [
            Member(
                name=info.filename,
                size=info.file_size,
                is_file=not info.is_dir(),
                is_link=stat.S_ISLNK(info.external_attr >> 16),
                modified=_zip_time(info.date_time),
            )
            for info in self.archive.infolist()
        ]

    def open(self, name: str) -> IO[bytes]:
        return self.archive.open(name)

    def close(self) -> None:
        self.archive.close()


def _zip_time(parts: tuple[int, int, int, int, int, int]) -> datetime | None:
    try:
        return datetime(*parts)
    except ValueError:
        return None


class _Tar:
    def __init__(self, source: Path | IO[bytes]) -> None:
        # Kept open for the container's life; close() closes it.
        if isinstance(source, Path):
            self.archive = tarfile.open(source, mode="r:*")  # noqa: SIM115
        else:
            self.archive = tarfile.open(fileobj=source, mode="r:*")  # noqa: SIM115

    def members(self) -> list[Member]:
        return [
            Member(
                name=info.name,
                size=info.size,
                is_file=info.isfile(),
                is_link=info.issym() or info.islnk(),
                modified=datetime.fromtimestamp(info.mtime) if info.mtime else None,
            )
            for info in self.archive.getmembers()
        ]

    def open(self, name: str) -> IO[bytes]:
        stream = self.archive.extractfile(name)
        if stream is None:
            raise CvlogsError(f"{name} is not a regular file")
        return stream

    def close(self) -> None:
        self.archive.close()


def open_chain(
    file: Path | IO[bytes], name: str, members: tuple[str, ...], compression: str | None, limit: int
) -> IO[bytes]:
    """The bytes of the innermost member of ``file`` (a path, or an open seekable remote file named
    ``name``), following the archives nested along ``members``; decompressed bytes are capped."""
    if not members and compression is None:
        return open(file, "rb") if isinstance(file, Path) else file
    stack = ExitStack()
    try:
        source: Path | IO[bytes] = file
        kind = archive_kind(name)
        stream: IO[bytes] = io.BytesIO()
        if not members:
            stream = stack.enter_context(open(file, "rb") if isinstance(file, Path) else file)  # noqa: SIM115
        for depth, member in enumerate(members):
            if kind is None:
                raise CvlogsError(f"{member} is not inside an archive")
            container = open_container(kind, source, limit)
            stack.callback(container.close)
            stream = stack.enter_context(container.open(member))
            if depth < len(members) - 1:
                source = stack.enter_context(spooled(stream, limit))
                kind = archive_kind(member)
        return cast(IO[bytes], CappedReader(decompress(stream, compression), limit, stack))
    except BaseException:
        stack.close()
        raise
