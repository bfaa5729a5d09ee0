"""Archives that hold logs: zip, tar (plain, .gz, .bz2) and 7z, read in place, never extracted.

Each container lists its members and opens one member as a binary stream.  A member that is
itself an archive is copied into a private spool (memory, then a temporary file that is always
removed) because zip and 7z need to seek; every copy and every read is capped, so an archive
bomb stops at the cap instead of filling memory or disk.

Members are opened by *key*: the name, and for the second and later members of the same name a
copy number (``key(name, 2)``), so that duplicated names are each read once.  ``open_chain``
keeps the archives of the last chain it opened (one process reads the members of one archive
one after the other), so a solid 7z block is decompressed once and a nested archive spooled
once, not once per member; ``release_archives`` closes them.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import re
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Protocol, cast

from cvlogs.errors import Broken, DependencyFailed

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


class OverCap(Broken):
    """More decompressed bytes than the cap allows (a possible archive bomb)."""

    def __init__(self, message: str, option: str = "--max-member-bytes") -> None:
        super().__init__(message)
        self.option = option
        """The option that raises the cap."""

    def __reduce__(self) -> tuple[type[OverCap], tuple[str, str]]:
        return OverCap, (str(self), self.option)  # pickled from a worker process


@dataclass(frozen=True, slots=True)
class Member:
    """One entry of an archive, as its directory lists it."""

    name: str
    size: int
    """The size the archive declares (it may lie: reads are capped anyway)."""
    is_file: bool
    is_link: bool
    modified: datetime | None
    key: str = ""
    """How ``Container.open`` finds this member: its name, with a copy number for a duplicate."""

    @property
    def copy(self) -> int:
        """1 for the first member of a name, 2 for the next member of the same name..."""
        return split_key(self.key)[1]


_COPY = "\x00"


def key(name: str, copy: int) -> str:
    """The key of the ``copy``-th member named ``name`` (a NUL never occurs in a member name)."""
    return name if copy == 1 else f"{name}{_COPY}{copy}"


def split_key(member_key: str) -> tuple[str, int]:
    """The name and copy number of a member key."""
    name, _, copy = member_key.partition(_COPY)
    return name, int(copy) if copy else 1


def keyed(members: list[Member]) -> list[Member]:
    """``members`` (in archive order) with their keys: a repeated name gets copy numbers."""
    seen: dict[str, int] = {}
    result = []
    for member in members:
        seen[member.name] = seen.get(member.name, 0) + 1
        result.append(replace(member, key=key(member.name, seen[member.name])))
    return result


class Container(Protocol):
    """What cvlogs needs of an archive."""

    def members(self) -> list[Member]: ...

    def open(self, key: str) -> IO[bytes]: ...

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
    """An empty or absolute name, a drive letter or a ``..`` part: never followed, never a path."""
    posix = PurePosixPath(name.replace("\\", "/"))
    return not name.strip("/") or posix.is_absolute() or ".." in posix.parts or (len(name) > 1 and name[1] == ":")


class Total:
    """Decompressed bytes read so far from the members of one top-level archive, by this process."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.spent = 0


class CappedReader(io.RawIOBase):
    """A binary stream that raises ``OverCap`` once more than ``limit`` bytes have been read (or
    once the members of its archive have given more than their ``total`` together)."""

    def __init__(self, raw: IO[bytes], limit: int, closer: ExitStack | None = None, total: Total | None = None) -> None:
        self.raw = raw
        self.limit = limit
        self.count = 0
        self.closer = closer
        self.total = total

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]  # RawIOBase's signature is looser
        data = self.raw.read(len(buffer))
        if data is None:  # a non-blocking raw stream with nothing yet: there is none here
            return 0
        self.count += len(data)
        if self.count > self.limit:
            raise OverCap(f"decompresses to more than {self.limit:,} bytes")
        if self.total is not None:
            self.total.spent += len(data)
            if self.total.spent > self.total.cap:
                cap = self.total.cap
                raise OverCap(
                    f"its archive's members decompress to more than {cap:,} bytes together (--max-total-bytes)"
                )
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


def open_container(
    kind: str,
    source: Path | IO[bytes],
    limit: int = DEFAULT_MAX_MEMBER_BYTES,
    wanted: Callable[[str], bool] | None = None,
) -> Container:
    """The archive of ``kind`` at ``source`` (a path, or a seekable stream); ``limit`` caps members,
    ``wanted`` names the members worth decompressing in one pass (7z)."""
    if kind == "zip":
        return _Zip(source)
    if kind == "tar":
        return _Tar(source)
    if kind == "7z":
        from cvlogs.sevenzip import SevenZip  # noqa: PLC0415  (py7zr loads only for 7z bundles)

        return SevenZip(source, limit, wanted)
    raise ValueError(kind)


class SpoolView(io.RawIOBase):
    """A reader of its own over a shared spool: reading moves only this view; closing it leaves
    the spool to its owner."""

    def __init__(self, spool: IO[bytes]) -> None:
        self.spool = spool
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]  # RawIOBase's signature is looser
        self.spool.seek(self.position)
        data = self.spool.read(len(buffer))
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)


@contextmanager
def spooled(stream: IO[bytes], limit: int) -> Iterator[IO[bytes]]:
    """A seekable private copy of ``stream`` (memory first, then a temporary file), capped."""
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as copy:
        capped = CappedReader(stream, limit)
        while block := capped.read(_COPY_BLOCK):
            copy.write(block)
        copy.seek(0)
        yield cast(IO[bytes], copy)


# zipfile raises these on hostile directories and members (a negative offset, an encrypted or
# unsupported member); cvlogs never passes it a bad argument, so here they mean "broken".
_ZIP_FAILURES = (ValueError, RuntimeError, NotImplementedError, IndexError, KeyError, OverflowError)


class _Zip:
    def __init__(self, source: Path | IO[bytes]) -> None:
        try:
            self.archive = zipfile.ZipFile(source)
        except _ZIP_FAILURES as error:
            raise Broken(f"zip: {type(error).__name__}: {error}") from error
        self.infos: dict[str, zipfile.ZipInfo] = {}

    def members(self) -> list[Member]:
        listed = keyed(
            [
                Member(
                    name=info.filename,
                    size=info.file_size,
                    is_file=not info.filename.endswith("/"),
                    is_link=stat.S_ISLNK(info.external_attr >> 16),
                    modified=_zip_time(info.date_time),
                )
                for info in self.archive.infolist()
            ]
        )
        self.infos = {member.key: info for member, info in zip(listed, self.archive.infolist(), strict=True)}
        return listed

    def open(self, key: str) -> IO[bytes]:
        if not self.infos:
            self.members()
        try:
            return self.archive.open(self.infos[key])
        except _ZIP_FAILURES as error:
            raise Broken(f"zip: {type(error).__name__}: {error}") from error

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

        self.infos: dict[str, tarfile.TarInfo] = {}

    def members(self) -> list[Member]:
        """The members up to where the archive ends or breaks: a truncated tar keeps its complete
        members (the one cut short fails when it is read, and is skipped then)."""
        infos: list[tarfile.TarInfo] = []
        try:
            for info in self.archive:
                infos.append(info)
        except (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError):
            if not infos:
                raise
        listed = keyed(
            [
                Member(
                    name=info.name,
                    size=info.size,
                    is_file=info.isfile(),
                    is_link=info.issym() or info.islnk(),
                    modified=_tar_time(info.mtime),
                )
                for info in infos
            ]
        )
        self.infos = {member.key: info for member, info in zip(listed, infos, strict=True)}
        return listed

    def open(self, key: str) -> IO[bytes]:
        if not self.infos:
            self.members()
        stream = self.archive.extractfile(self.infos[key])
        if stream is None:
            raise Broken(f"{split_key(key)[0]} is not a regular file")
        return stream

    def close(self) -> None:
        self.archive.close()


def _tar_time(stamp: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(stamp) if stamp else None
    except (ValueError, OverflowError, OSError):  # a forged time far outside the calendar
        return None


def open_url(url: str) -> IO[bytes]:
    """A remote file opened through fsspec; a failure of fsspec or its protocol package (s3fs,
    credentials, the network) is a dependency failure, not a broken file."""
    try:
        import fsspec  # noqa: PLC0415  (fsspec loads only for URLs)

        return cast(IO[bytes], fsspec.open(url, "rb").open())
    except (FileNotFoundError, PermissionError) as error:
        raise Broken(f"cannot open {url}: {error}") from error
    except Exception as error:  # fsspec and its backends raise their own types (botocore's, aiohttp's...)
        raise DependencyFailed(f"cannot open {url}: {type(error).__name__}: {error}") from error


@dataclass
class _Level:
    """An open archive of the chain ``open_chain`` keeps: which one it is, and what closes it."""

    key: tuple[str, tuple[str, ...]]
    container: Container
    stack: ExitStack


_OPEN: list[_Level] = []
"""The archives of the last chain opened, outermost first."""
_TOTALS: dict[str, Total] = {}
"""What this process has read from each top-level archive (``--max-total-bytes``)."""


def release_archives(keep: int = 0, *, totals: bool = False) -> None:
    """Close the kept archives (all, or all but the ``keep`` outermost), innermost first; with
    ``totals``, forget what was read from each archive too (the scan is over)."""
    while len(_OPEN) > keep:
        _OPEN.pop().stack.close()
    if totals:
        _TOTALS.clear()


def _forget_archives() -> None:
    _TOTALS.clear()
    _OPEN.clear()  # a forked child never shares its parent's spools (their file offsets are shared)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_archives)


def open_chain(
    file: Path,
    members: tuple[str, ...],
    compression: str | None,
    limit: int,
    *,
    url: str | None = None,
    wanted: Callable[[str], bool] | None = None,
    total: int | None = None,
) -> IO[bytes]:
    """The bytes of the innermost member of ``file`` (or of the remote file at ``url``), following
    the archives nested along ``members`` (member keys); decompressed bytes are capped.

    The archives along the chain stay open for the next call: members of the same archive are
    read one after the other, and a 7z block is decompressed, a nested archive spooled, once.
    """
    stack = ExitStack()
    try:
        spent = None
        if members:
            stream = stack.enter_context(_archive(file, url, members, limit, wanted).open(members[-1]))
            if total is not None:
                spent = _TOTALS.setdefault(url or str(file), Total(total))
        else:
            stream = stack.enter_context(open(file, "rb") if url is None else open_url(url))  # noqa: SIM115
            if compression is None:
                stack.pop_all()
                return stream
        return cast(IO[bytes], CappedReader(decompress(stream, compression), limit, stack, spent))
    except BaseException:
        stack.close()
        if members:
            release_archives()
        raise


def _archive(
    file: Path, url: str | None, members: tuple[str, ...], limit: int, wanted: Callable[[str], bool] | None
) -> Container:
    """The archive that holds ``members[-1]``, from the kept chain where it is the same."""
    identity = url or str(file)
    keys = [(identity, members[:depth]) for depth in range(len(members))]
    kept = 0
    while kept < min(len(_OPEN), len(keys)) and _OPEN[kept].key == keys[kept]:
        kept += 1
    release_archives(kept)
    for depth in range(len(_OPEN), len(members)):
        stack = ExitStack()
        try:
            if depth == 0:
                source: Path | IO[bytes] = file if url is None else stack.enter_context(open_url(url))
                name = file.name
            else:
                stream = stack.enter_context(_OPEN[depth - 1].container.open(members[depth - 1]))
                source = stack.enter_context(spooled(stream, limit))
                name = split_key(members[depth - 1])[0]
            kind = archive_kind(name)
            if kind is None:
                raise Broken(f"{split_key(members[depth])[0]} is not inside an archive")
            container = open_container(kind, source, limit, wanted)
            stack.callback(container.close)
        except BaseException:
            stack.close()
            raise
        _OPEN.append(_Level(keys[depth], container, stack))
    return _OPEN[-1].container
