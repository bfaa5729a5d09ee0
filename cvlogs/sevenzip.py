"""7-Zip archives (Commvault "Send Logs" bundles), read with py7zr, split volumes included.

py7zr decompresses a member into a writer it asks a factory for; cvlogs hands it a capped
private spool (memory, then a temporary file that is removed on close), so a member never
touches a folder of the user's and an archive bomb stops at the cap.  Split bundles
(``bundle.7z.001``, ``.002``...) are read as one stream over their volumes, in order.
"""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path
from typing import IO, cast

import py7zr
import py7zr.io

from cvlogs.containers import DEFAULT_MAX_MEMBER_BYTES, Member, OverCap
from cvlogs.errors import CvlogsError

_PY7ZR_ERRORS = (py7zr.exceptions.ArchiveError, py7zr.exceptions.PasswordRequired, py7zr.exceptions.AbsolutePathError)


def _broken(error: Exception) -> CvlogsError:
    """A py7zr error as one readable sentence (py7zr's own messages may carry internal tuples)."""
    if isinstance(error, py7zr.exceptions.PasswordRequired):
        return CvlogsError("password-protected 7z archive: cvlogs cannot read it (extract it with the password)")
    return CvlogsError(f"7z: {type(error).__name__}: {str(error)[:200]}")


_VOLUME = re.compile(r"^(?P<base>.+\.7z)\.(?P<number>\d{3,})$", re.IGNORECASE)
_SPOOL_IN_MEMORY = 32 << 20


def first_volume(path: Path) -> bool:
    """True for ``x.7z.001`` (the volume a split bundle is read from), False for later volumes."""
    found = _VOLUME.match(path.name)
    return found is not None and int(found["number"]) == 1


def later_volume(path: Path) -> bool:
    """True for ``x.7z.002`` and on: read as part of the first volume, not on their own."""
    found = _VOLUME.match(path.name)
    return found is not None and int(found["number"]) > 1


class Volumes(io.RawIOBase):
    """The volumes ``x.7z.001``, ``x.7z.002``... as one seekable stream."""

    def __init__(self, first: Path) -> None:
        found = _VOLUME.match(first.name)
        if found is None:
            raise ValueError(f"{first.name} is not a split 7z volume")
        width = len(found["number"])
        self.parts: list[Path] = []
        number = 1
        while (part := first.with_name(f"{found['base']}.{number:0{width}d}")).exists():
            self.parts.append(part)
            number += 1
        self.sizes = [part.stat().st_size for part in self.parts]
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.position, 2: sum(self.sizes)}[whence]
        self.position = max(0, base + offset)
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]  # RawIOBase's signature is looser
        start = self.position
        for part, size in zip(self.parts, self.sizes, strict=True):
            if start < size:
                with part.open("rb") as handle:
                    handle.seek(start)
                    data = handle.read(min(len(buffer), size - start))
                buffer[: len(data)] = data
                self.position += len(data)
                return len(data)
            start -= size
        return 0


class _CappedSpool(py7zr.io.Py7zIO):
    """Where py7zr writes one member: a private spool that refuses to grow past the cap."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115  (handed to the caller)
        self.written = 0

    def write(self, s: bytes | bytearray) -> int:
        self.written += len(s)
        if self.written > self.limit:
            raise OverCap(f"decompresses to more than {self.limit:,} bytes")
        return self.spool.write(s)

    def read(self, size: int | None = None) -> bytes:
        return self.spool.read(-1 if size is None else size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.spool.seek(offset, whence)

    def flush(self) -> None:
        self.spool.flush()

    def size(self) -> int:
        return self.written


class _Factory(py7zr.io.WriterFactory):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.products: dict[str, _CappedSpool] = {}

    def create(self, filename: str) -> py7zr.io.Py7zIO:
        product = self.products[filename] = _CappedSpool(self.limit)
        return product


class SevenZip:
    """A 7z archive (or the first volume of a split one) as a ``Container``."""

    def __init__(self, source: Path | IO[bytes], limit: int = DEFAULT_MAX_MEMBER_BYTES) -> None:
        handle: Path | IO[bytes] = source
        if isinstance(source, Path) and first_volume(source):
            handle = cast(IO[bytes], io.BufferedReader(Volumes(source)))
        try:
            self.archive = py7zr.SevenZipFile(handle)
        except _PY7ZR_ERRORS as error:
            raise _broken(error) from error
        self.limit = limit

    def members(self) -> list[Member]:
        try:
            listed = self.archive.list()
        except _PY7ZR_ERRORS as error:
            raise _broken(error) from error
        return [
            Member(
                name=info.filename,
                size=info.uncompressed,
                is_file=info.is_file or not (info.is_directory or info.is_symlink),
                is_link=info.is_symlink,
                modified=info.creationtime.replace(tzinfo=None) if info.creationtime else None,
            )
            for info in listed
            if not info.is_directory
        ]

    def open(self, name: str) -> IO[bytes]:
        factory = _Factory(self.limit)
        try:
            self.archive.extract(targets=[name], factory=factory)
        except _PY7ZR_ERRORS as error:
            raise _broken(error) from error
        finally:
            self.archive.reset()
        product = factory.products.get(name)
        if product is None:
            raise KeyError(f"no member {name}")
        product.spool.seek(0)
        return cast(IO[bytes], product.spool)

    def close(self) -> None:
        self.archive.close()
