"""7-Zip archives (Commvault "Send Logs" bundles), read with py7zr, split volumes included.

py7zr decompresses a member into a writer it asks a factory for; cvlogs hands it a capped
private spool (memory up to a budget, then a temporary file that is already unlinked), so a
member never touches a folder of the user's and an archive bomb stops at the cap.  A solid 7z
compresses many members in one block that can only be decompressed from its start: the first
member asked for makes one pass over the whole archive that keeps every member cvlogs wants
(``wanted``), and the others are then read from their spools.  Split bundles (``bundle.7z.001``,
``.002``...) are read as one stream over their volumes, in order.

py7zr raises many undocumented types on hostile input (``SystemError`` and ``MemoryError`` from
a corrupt PPMd stream, ``ZstdError``, ``Bad7zFile``, ``CrcError``...): every call into it is a
library boundary where any exception but cvlogs' own ``OverCap`` means "this archive is broken".
"""

from __future__ import annotations

import faulthandler
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast

import py7zr
import py7zr.helpers
import py7zr.io

from cvlogs.containers import DEFAULT_MAX_MEMBER_BYTES, Member, OverCap, SpoolView, keyed, split_key, unsafe_name
from cvlogs.errors import Broken


def _broken(error: Exception) -> Broken:
    """A py7zr error as one readable sentence (py7zr's own messages may carry internal tuples)."""
    if isinstance(error, py7zr.exceptions.PasswordRequired):
        return Broken("password-protected 7z archive: cvlogs cannot read it (extract it with the password)")
    return Broken(f"7z: {type(error).__name__}: {str(error)[:200]}")


@contextmanager
def _library() -> Iterator[None]:
    """The boundary around py7zr: its failures become ``Broken``; a cap is still a cap."""
    try:
        yield
    except (OverCap, Broken):
        raise
    except Exception as error:  # py7zr's undocumented failure types on hostile input (see above)
        raise _broken(error) from error


_VOLUME = re.compile(r"^(?P<base>.+\.7z)\.(?P<number>\d{3,})$", re.IGNORECASE)
_IN_MEMORY_BUDGET = 64 << 20
"""Decompressed bytes of one archive kept in memory; members beyond it spool to temporary files."""


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
    """Where py7zr writes one member: a private spool that stops storing past the cap (the pass
    goes on for the other members; reading this one then raises ``OverCap``)."""

    def __init__(self, limit: int, in_memory: bool) -> None:
        self.limit = limit
        self.spool: IO[bytes] = cast(
            IO[bytes],
            tempfile.SpooledTemporaryFile(max_size=limit + 1) if in_memory else tempfile.TemporaryFile(),  # noqa: SIM115
        )
        self.written = 0

    def write(self, s: bytes | bytearray) -> int:
        self.written += len(s)
        if self.written <= self.limit:
            self.spool.write(s)
        return len(s)

    def read(self, size: int | None = None) -> bytes:
        return self.spool.read(-1 if size is None else size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.spool.seek(offset, whence)

    def flush(self) -> None:
        self.spool.flush()

    def size(self) -> int:
        return self.written


class _Factory(py7zr.io.WriterFactory):
    """Spools for the members of one pass, in memory while the budget lasts."""

    def __init__(self, limit: int, sizes: dict[str, int]) -> None:
        self.limit = limit
        self.sizes = sizes
        self.budget = _IN_MEMORY_BUDGET
        self.products: dict[str, _CappedSpool] = {}

    def create(self, filename: str) -> py7zr.io.Py7zIO:
        size = self.sizes.get(filename, self.limit)
        in_memory = size <= self.budget
        if in_memory:
            self.budget -= size
        product = self.products[filename] = _CappedSpool(self.limit, in_memory)
        return product


class SevenZip:
    """A 7z archive (or the first volume of a split one) as a ``Container``.

    ``wanted`` says which members the pass keeps (default: all); a member asked for that the
    pass did not keep makes another pass.
    """

    def __init__(
        self,
        source: Path | IO[bytes],
        limit: int = DEFAULT_MAX_MEMBER_BYTES,
        wanted: Callable[[str], bool] | None = None,
    ) -> None:
        handle: Path | IO[bytes] = source
        if isinstance(source, Path) and first_volume(source):
            handle = cast(IO[bytes], io.BufferedReader(Volumes(source)))
        with _library():
            self.archive = py7zr.SevenZipFile(handle)
        self.limit = limit
        self.wanted = wanted
        self.spools: dict[str, _CappedSpool] = {}
        self.listed: list[Member] | None = None
        self.failure: Broken | None = None
        self.passes = 0
        """How many times the archive was decompressed (a benchmark and a test read it)."""

    def members(self) -> list[Member]:
        if self.listed is None:
            with _library():
                listed = [
                    Member(
                        name=info.filename,
                        size=info.uncompressed,
                        is_file=info.is_file or not (info.is_directory or info.is_symlink),
                        is_link=info.is_symlink,
                        modified=info.creationtime.replace(tzinfo=None) if info.creationtime else None,
                    )
                    for info in self.archive.list()
                    if not info.is_directory
                ]
            self.listed = keyed(listed)
        return self.listed

    def open(self, key: str) -> IO[bytes]:
        if key not in self.spools:
            if self.failure is not None:
                raise self.failure
            self._extract(key)
        product = self.spools.get(key)
        if product is None:
            raise Broken(f"7z: member {split_key(key)[0]} was not produced by the archive")
        if product.written > self.limit:
            raise OverCap(f"decompresses to more than {self.limit:,} bytes")
        return cast(IO[bytes], SpoolView(product.spool))

    def _extract(self, key: str) -> None:
        """One pass over the archive that keeps ``key`` and every wanted member."""
        chosen = [m for m in self.members() if m.key == key or self._keeps(m)]
        # py7zr names a product by its sanitised output path, the n-th copy of a name ``name_<n-2>``.
        written = {_product_name(m): m for m in chosen}
        factory = _Factory(self.limit, {name: m.size for name, m in written.items()})
        self.passes += 1
        try:
            if self._native_risk() and hasattr(os, "fork"):
                _extract_apart(self.archive, {m.name for m in chosen}, factory)
            else:
                with _library():
                    try:
                        self.archive.extract(targets={m.name for m in chosen}, factory=factory)
                    finally:
                        self.archive.reset()
        except Broken as error:
            self.failure = error  # asked again, the same members fail the same way: no second pass
            raise
        finally:
            for name, product in factory.products.items():
                member = written.get(name)
                if member is not None and (self.failure is None or product.written == member.size):
                    self.spools[member.key] = product  # after a failure, only the complete ones

    def _native_risk(self) -> bool:
        """Whether a block is PPMd-compressed: pyppmd can crash the interpreter (not raise) on a
        corrupt stream, seen as a segmentation fault or an abort while freeing its decoder."""
        with _library():
            folders = self.archive.header.main_streams.unpackinfo.folders
        return any(coder["method"] == _PPMD for folder in folders for coder in folder.coders)

    def _keeps(self, member: Member) -> bool:
        """A member the pass keeps besides the one asked for: wanted, safe and under the cap."""
        wanted = self.wanted is None or self.wanted(member.name)
        return member.is_file and wanted and not unsafe_name(member.name) and member.size <= self.limit

    def close(self) -> None:
        for product in self.spools.values():
            product.spool.close()
        self.spools.clear()
        self.archive.close()


_PPMD = b"\x03\x04\x01"


def _extract_apart(archive: py7zr.SevenZipFile, targets: set[str], factory: _Factory) -> None:
    """The pass in a forked child that writes each member to an unlinked-after-use private file:
    if the decoder crashes, only the child dies, and the archive is reported broken."""
    folder = Path(tempfile.mkdtemp(prefix="cvlogs-7z-"))
    try:
        pid = os.fork()
        if pid == 0:  # the child: extract, write what failed, and leave without any clean-up
            faulthandler.disable()  # a crash is reported by the parent, in one line
            code = 0
            files = _FileFactory(folder, factory.limit + 1)  # a byte over the cap tells the parent
            try:
                archive.extract(targets=targets, factory=files)
            except BaseException as error:  # everything goes back to the parent as one line
                (folder / "error").write_text(f"{type(error).__name__}: {str(error)[:200]}")
                code = 1
            for product in files.products:
                product.spool.close()  # flushed: os._exit does not
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        archive.reset()
        for part in sorted(folder.glob("member-*")):
            name = (folder / f"name-{part.name[7:]}").read_text(encoding="utf-8")
            product = factory.products[name] = _CappedSpool(factory.limit, in_memory=False)
            with part.open("rb") as handle:
                while block := handle.read(1 << 20):
                    product.write(block)
        if os.WIFSIGNALED(status):
            raise Broken(f"7z: the PPMd decoder crashed on this archive (signal {os.WTERMSIG(status)}): corrupt")
        if (folder / "error").exists():
            raise Broken(f"7z: {(folder / 'error').read_text()}")
    finally:
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()


class _FileFactory(py7zr.io.WriterFactory):
    """Where the forked child writes members: numbered files, and the name each one holds."""

    def __init__(self, folder: Path, limit: int) -> None:
        self.folder = folder
        self.limit = limit
        self.products: list[_CappedSpool] = []

    def create(self, filename: str) -> py7zr.io.Py7zIO:
        number = len(self.products) + 1
        (self.folder / f"name-{number:06d}").write_text(filename, encoding="utf-8")
        product = _CappedSpool(self.limit, in_memory=False)
        product.spool.close()
        product.spool = (self.folder / f"member-{number:06d}").open("w+b")
        self.products.append(product)
        return product


def _product_name(member: Member) -> str:
    name, copy = split_key(member.key)
    outname = name if copy == 1 else f"{name}_{copy - 2}"
    try:
        return py7zr.helpers.get_sanitized_output_path(outname, None).as_posix()
    except Exception:  # a name py7zr refuses is not extracted (and unsafe_name skips it anyway)
        return outname
