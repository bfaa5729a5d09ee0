"""Finding the log files under the PATHs a user names: directories, files, compressed files, archives.

A PATH is a directory (walked recursively, symlinked folders not followed), a log file (plain,
``.gz`` or ``.bz2``), or an archive (``.zip``, ``.tar[.gz|.bz2]``, ``.7z``) whose members may be
logs, compressed logs or further archives, down to a depth limit.  Nothing is extracted, and
every file met that is not read is returned as a ``SkippedSource`` with a reason a person
understands (not a log, unreadable, corrupt, a FIFO, an unsafe member name, over a size cap...).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast

from cvlogs.containers import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_MEMBER_BYTES,
    Container,
    Member,
    OverCap,
    archive_kind,
    open_chain,
    open_container,
    open_url,
    spooled,
    unsafe_name,
)
from cvlogs.errors import BROKEN, CvlogsError, DependencyFailed
from cvlogs.model import Family, SkippedSource, YearSource

FAMILIES: tuple[Family, ...] = ("cvd", "vsdiscovery", "vsbkp", "vsrst")

# <name>.log or <name>_YYYY_MM_DD_HH_MM_SS.log (Commvault's roll-over), also the numbered roll-overs
# other tools make (<name>_1.log, <name>.log.1, <name>.log.old), with an optional compression suffix.
_LOG_NAME = re.compile(
    r"^(?P<family>cvd|vsdiscovery|vsbkp|vsrst)"
    r"(?:_(?P<y>\d{4})_(?P<mo>\d{2})_(?P<d>\d{2})_(?P<h>\d{2})_(?P<mi>\d{2})_(?P<s>\d{2})|[_.-]\d{1,3})?"
    r"\.log(?:\.\d{1,3}|\.old|\.bak)?(?P<compression>\.gz|\.bz2|\.xz|\.lzma)?$",
    re.IGNORECASE,
)
_NOT_A_LOG = "not a cvd, vsdiscovery, vsbkp or vsrst log"
_LATER_VOLUME = re.compile(r"\.7z\.(?!0*1$)\d{3,}$", re.IGNORECASE)
DEFAULT_MIN_TOTAL_BYTES = 256 << 20


@dataclass(frozen=True, slots=True)
class Limits:
    """Guards against hostile input; the CLI's --max-member-bytes and --max-depth set them."""

    max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH
    max_total_bytes: int | None = None
    """Decompressed bytes read from one top-level archive in all (default: ``total_cap``)."""
    follow_symlinks: bool = False
    """Read files whose symbolic link leads out of the scanned folder (never by default)."""

    def total_cap(self, input_size: int) -> int:
        """The cap for a top-level input of ``input_size`` bytes: ``max_total_bytes``, or by default
        200 times its size (logs compress 10 to 50 times), at least 256 MiB."""
        return self.max_total_bytes or max(200 * input_size, DEFAULT_MIN_TOTAL_BYTES)


@dataclass(frozen=True, slots=True)
class LogSource:
    """One log file to read: where it is, which family it is, and what dates its last line.

    Plain data (no open handles, no closures), so a source can be sent to a worker process.
    """

    path: str
    """The path as reported: relative to the scanned PATH, ``archive.zip!member`` inside archives."""
    family: Family
    file: Path
    """The file on disk (the outermost archive, for a member)."""
    year_hint: datetime | None
    """When the file's last line was written: a rolled name's timestamp, else the modification time."""
    members: tuple[str, ...] = ()
    """The member names inside ``file``, outermost archive first (empty for a plain file)."""
    compression: str | None = None
    """``.gz``, ``.bz2``, ``.xz`` or ``.lzma`` when the log itself is compressed."""
    host: str | None = None
    max_bytes: int = DEFAULT_MAX_MEMBER_BYTES
    url: str | None = None
    """The fsspec URL of ``file`` when it is not on a local file system (``s3://...``)."""
    year_source: YearSource = "modification time"
    """What ``year_hint`` comes from: ``rolled name``, ``bundle name`` or ``modification time``."""
    host_named: bool = False
    """``host`` was named (``--host-name``, a bundle's folder or archive): a banner's machine does not replace it."""
    sniff: bool = False
    """Not named like a log of the four families: read only if its first lines are Commvault lines."""
    total_bytes: int | None = None
    """The cap on what all the members of this source's top-level archive decompress together."""

    def open(self) -> IO[bytes]:
        """A binary stream of the log's decompressed bytes, capped at ``max_bytes`` (and, with the
        other members of its archive read by this process, at ``total_bytes``); the caller closes it."""
        return open_chain(
            self.file,
            self.members,
            self.compression,
            self.max_bytes,
            url=self.url,
            wanted=readable,
            total=self.total_bytes,
        )


def readable(name: str) -> bool:
    """A member name worth decompressing: a log (of the four families, or any ``*.log`` that
    ``--all-logs`` may read) or an archive that may hold logs."""
    base = PurePosixPath(name).name
    return classify_name(base) is not None or _LOG_STEM.match(base) is not None or archive_kind(base) is not None


def _archives_only(name: str) -> bool:
    return archive_kind(PurePosixPath(name).name) is not None


DEFAULT_LIMITS = Limits()


_BUNDLE = re.compile(r"^sendLogFiles_[^_]+_(\d{4})_(\d{2})_(\d{2})_(\d{2})_(\d{2})_(\d{2})", re.IGNORECASE)
_ARCHIVE_TAIL = re.compile(r"(\.(zip|7z|tar|tgz|tbz2|gz|bz2)|\.\d{3,})+$", re.IGNORECASE)


def bundle_time(name: str) -> datetime | None:
    """When a Send Logs bundle was made (``sendLogFiles_<id>_YYYY_MM_DD_HH_MM_SS_...``), or None."""
    found = _BUNDLE.match(name)
    if found is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in found.groups())
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def machine_name(archive_name: str) -> str:
    """The machine a per-machine archive of a bundle stands for: its name without archive suffixes."""
    return _ARCHIVE_TAIL.sub("", PurePosixPath(archive_name).name) or archive_name


def later_volume(path: Path) -> bool:
    """``x.7z.002`` and on: read as part of the first volume, not on their own."""
    return _LATER_VOLUME.search(path.name) is not None


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


@dataclass
class _Found:
    """What discovery has found so far."""

    limits: Limits
    host: str | None = None
    """The machine of plain files and of archives that are not Send Logs bundles."""
    host_named: bool = False
    """``host`` was named by the user (``--host-name``), not taken from this machine."""
    all_logs: bool = False
    """Read every Commvault log (``--all-logs``), not only the four families."""
    sources: list[LogSource] = field(default_factory=list)
    skipped: list[SkippedSource] = field(default_factory=list)

    def skip(self, path: str, reason: str) -> None:
        self.skipped.append(SkippedSource(path, reason))


def discover(
    paths: Iterable[str | os.PathLike[str]],
    limits: Limits = DEFAULT_LIMITS,
    host: str | None = None,
    *,
    host_named: bool = False,
    all_logs: bool = False,
) -> tuple[list[LogSource], list[SkippedSource]]:
    """Every log source under ``paths`` and every file skipped, each list in a stable order.

    ``host`` names the machine of plain files (the command line passes ``--host-name`` with
    ``host_named``, else the local host name, which a file's banner overrides); inside a Send Logs
    bundle each log belongs to its per-machine folder or archive.  A file named in ``paths``
    itself, and with ``all_logs`` every file, is read whatever its name when its first lines are
    Commvault lines.  A missing PATH is a user error (``CvlogsError``); a broken file below it is
    only skipped.
    """
    found = _Found(limits, host, host_named, all_logs)
    for raw in paths:
        if is_url(str(raw)):
            _add_url(str(raw), found)
            continue
        root = Path(raw)
        if not root.exists() and not root.is_symlink():
            raise CvlogsError(f"no such file or directory: {raw}")
        if root.is_dir():
            for file in _walk(root, found):
                _add_file(file, file.relative_to(root).as_posix(), found)
        else:
            _add_file(root, root.name, found, named=True)
    return found.sources, found.skipped


def is_url(path: str) -> bool:
    """``s3://bucket/prefix/``, ``gcs://...``, ``file:///...``: read through fsspec."""
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]+://", path) is not None


def _add_url(url: str, found: _Found) -> None:
    """Every file under an fsspec URL (a prefix is walked like a directory)."""
    try:
        import fsspec  # noqa: PLC0415  (fsspec loads only for URLs)

        filesystem, root = fsspec.core.url_to_fs(url)
        listing = filesystem.find(root, detail=True) if filesystem.isdir(root) else {root: filesystem.info(root)}
    except ImportError as error:
        raise CvlogsError(f"reading {url} needs fsspec and the package for its protocol (s3fs for s3://)") from error
    except FileNotFoundError:
        raise CvlogsError(f"no such file or directory: {url}") from None
    except Exception as error:  # fsspec's backends raise their own types (credentials, network...)
        raise DependencyFailed(f"cannot list {url}: {type(error).__name__}: {error}") from None
    prefix = root.rstrip("/") + "/"
    for name in sorted(listing):
        info = listing[name]
        if info.get("type", "file") != "file":
            continue
        shown = name[len(prefix) :] if name.startswith(prefix) else PurePosixPath(name).name
        _add_remote(filesystem.unstrip_protocol(name), shown, info, found)


def _add_remote(url: str, shown: str, info: dict[str, Any], found: _Found) -> None:
    file = Path(PurePosixPath(shown).name)
    stamp = info.get("mtime") or info.get("LastModified") or info.get("created")
    if isinstance(stamp, (int, float)):
        modified = datetime.fromtimestamp(stamp)
    elif isinstance(stamp, datetime):
        modified = stamp.replace(tzinfo=None)
    else:
        modified = datetime.now()
    _add_found(file, shown, modified, found, url=url, size=int(info.get("size") or 0))


def _walk(root: Path, found: _Found) -> Iterator[Path]:
    """Files below ``root`` in sorted order, without recursion (a folder 1,000 levels deep is
    fine); symlinked folders are not followed (no loops), and a symlinked file that leads out of
    ``root`` is skipped unless ``--follow-symlinks`` (a ``cvd.log -> /etc/shadow`` is not read)."""
    inside = root.resolve()
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            shown = folder.relative_to(root).as_posix() if folder != root else str(root)
            found.skip(shown, f"unreadable directory: {error.strerror}")
            continue
        folders = []
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(path)
                    continue
            except OSError:
                pass  # listed as a file, and stat() says why it cannot be read
            if entry.is_symlink() and not found.limits.follow_symlinks and not _within(path, inside):
                found.skip(
                    path.relative_to(root).as_posix(),
                    "symbolic link out of the scanned folder: not followed (--follow-symlinks reads it)",
                )
                continue
            yield path
        pending.extend(reversed(folders))


def _within(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder)
    except (OSError, RuntimeError):  # a link loop resolves nowhere: stat() will say it is unreadable
        return True


def _add_file(file: Path, shown: str, found: _Found, named: bool = False) -> None:
    try:
        info = file.stat()
    except OSError as error:
        found.skip(shown, f"unreadable: {error.strerror}")
        return
    if not stat.S_ISREG(info.st_mode):
        found.skip(shown, "not a regular file (a FIFO, device or socket is never opened)")
        return
    _add_found(file, shown, datetime.fromtimestamp(info.st_mtime), found, named=named, size=info.st_size)


def _add_found(
    file: Path,
    shown: str,
    modified: datetime,
    found: _Found,
    url: str | None = None,
    *,
    named: bool = False,
    size: int = 0,
) -> None:
    """A file met at ``shown`` (local, or at ``url``, of ``size`` bytes): a log, an archive to open,
    or a skip."""
    if later_volume(file):
        found.skip(shown, "a later volume of a split 7z bundle: read together with its .001 volume")
        return
    kind = archive_kind(file.name)
    limit = found.limits.max_member_bytes
    if kind is not None:
        try:
            container = open_container(kind, file if url is None else open_url(url), limit, _archives_only)
        except BROKEN as error:
            found.skip(shown, f"corrupt or unreadable {kind} archive: {error}")
            return
        budget = _Budget(found.limits.total_cap(size))
        place = _Place(file, (), shown, modified, found.host, bundle_time(file.name), url, budget)
        _add_members(container, place, found)
        return
    classified = classify_name(file.name)
    if classified is None and (named or found.all_logs):
        classified = _any_log(file.name)
    if classified is None:
        found.skip(shown, _NOT_A_LOG)
        return
    family, rolled, compression = classified
    found.sources.append(
        LogSource(
            shown, family, file, rolled or modified, (), compression, found.host, limit, url,
            year_source="rolled name" if rolled else "modification time", host_named=found.host_named,
            sniff=family not in FAMILIES or _LOG_NAME.match(file.name) is None,
        )
    )  # fmt: skip


_FAMILY_WORD = re.compile(r"cvd|vsdiscovery|vsbkp|vsrst", re.IGNORECASE)
_COMPRESSED = re.compile(r"\.(gz|bz2|xz|lzma)$", re.IGNORECASE)


def _any_log(name: str) -> tuple[Family, datetime | None, str | None]:
    """A file not named like a log of the four families, read if its first lines are Commvault
    lines: its family from the name (``mixed_vsbkp.log`` is vsbkp, ``cvfwd.log`` cvfwd), else
    ``other``; the scanner takes the banner's module instead when there is one."""
    word = _FAMILY_WORD.search(name)
    compressed = _COMPRESSED.search(name)
    stem = _LOG_STEM.match(name)
    family = word[0] if word else stem["stem"] if stem else "other"
    return family.lower(), None, compressed[0].lower() if compressed else None


# ``CVMA.log``, ``cvfwd_2022_06_30_06_43_47.log.gz``: the name before a roll-over stamp and ``.log``.
_LOG_STEM = re.compile(r"^(?P<stem>[A-Za-z][A-Za-z0-9]*)(?:_[0-9_]+)?\.log\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Place:
    """Where an archive stands: its outer file, the members leading to it, its shown path, its date."""

    file: Path
    chain: tuple[str, ...]
    shown: str
    modified: datetime
    host: str | None = None
    bundle: datetime | None = None
    """When the Send Logs bundle around it was made; inside one, folders and archives are machines."""
    url: str | None = None
    budget: _Budget | None = None
    """What is left of the top-level input's total cap (shared by everything nested in it)."""


@dataclass(slots=True)
class _Budget:
    """Decompressed bytes a top-level archive may still give (``--max-total-bytes``): forty
    directory entries pointing at one 1 GiB member must not cost 40 GiB."""

    cap: int
    spent: int = 0

    def spend(self, size: int) -> bool:
        """Count ``size`` more bytes; False (and nothing counted) when that would pass the cap."""
        if self.spent + size > self.cap:
            return False
        self.spent += size
        return True


def _member_path(place: _Place, member: Member) -> str:
    """How a member is shown: ``archive!name``, and ``archive!name [copy 2]`` for a repeated name."""
    shown = f"{place.shown}!{member.name}"
    return shown if member.copy == 1 else f"{shown} [copy {member.copy} of a repeated name]"


def _add_members(container: Container, place: _Place, found: _Found) -> None:
    """Each log inside ``container``, recursing into archives; broken members are skipped one by one."""
    try:
        members = sorted(container.members(), key=lambda m: m.name)
    except BROKEN as error:
        container.close()
        found.skip(place.shown, f"corrupt or unreadable archive: {error}")
        return
    if not any(member.is_file or member.is_link for member in members):
        container.close()
        found.skip(place.shown, "archive holds no files")
        return
    try:
        for member in members:
            if member.is_file or member.is_link:
                try:
                    _add_member(container, member, place, found)
                except BROKEN as error:
                    found.skip(_member_path(place, member), broken_reason(error))
    finally:
        container.close()


def broken_reason(error: BaseException) -> str:
    """What a person reads when a file or member could not be read."""
    if isinstance(error, OverCap):
        return f"{error} (a possible archive bomb; raise the cap with {error.option})"
    if isinstance(error, CvlogsError):
        return str(error)
    return f"corrupt, truncated or unreadable: {type(error).__name__}: {error}"


def _refusal(member: Member, place: _Place, limits: Limits) -> str | None:
    """Why a member is not read (its name, a link, a cap), or None."""
    if unsafe_name(member.name):
        return "unsafe member name (empty, absolute or with '..'): not read"
    if member.is_link:
        return "symbolic link inside an archive: not followed"
    if member.size > limits.max_member_bytes:
        cap = limits.max_member_bytes
        return f"declares {member.size:,} bytes, over the cap of {cap:,} (--max-member-bytes)"
    if readable(member.name) and place.budget and not place.budget.spend(member.size):
        return f"over the total of {place.budget.cap:,} decompressed bytes for this input (--max-total-bytes)"
    return None


def _add_member(container: Container, member: Member, place: _Place, found: _Found) -> None:
    inner = _member_path(place, member)
    limits = found.limits
    refusal = _refusal(member, place, limits)
    if refusal is not None:
        found.skip(inner, refusal)
        return
    name = PurePosixPath(member.name).name
    kind = archive_kind(name)
    chain = (*place.chain, member.key)
    modified = place.bundle or member.modified or place.modified
    if kind is not None:
        if len(chain) >= limits.max_depth:
            found.skip(inner, f"archive nested deeper than {limits.max_depth} levels (--max-depth)")
            return
        with container.open(member.key) as stream, spooled(stream, limits.max_member_bytes) as copy:
            nested = open_container(kind, copy, limits.max_member_bytes, _archives_only)
            host = machine_name(name) if place.bundle else place.host
            inside = _Place(place.file, chain, inner, modified, host, place.bundle, place.url, place.budget)
            _add_members(nested, inside, found)
        return
    classified = classify_name(name)
    if classified is None and found.all_logs:
        classified = _any_log(name)
    if classified is None:
        found.skip(inner, _NOT_A_LOG)
        return
    family, rolled, compression = classified
    host = place.host
    if place.bundle and host == found.host and len(PurePosixPath(member.name).parts) > 1:
        host = PurePosixPath(member.name).parts[0]  # a per-client folder of the bundle
    dated: YearSource = "rolled name" if rolled else "bundle name" if place.bundle else "modification time"
    found.sources.append(
        LogSource(
            inner, family, place.file, rolled or modified, chain, compression, host, limits.max_member_bytes, place.url,
            year_source=dated, host_named=found.host_named or host != found.host,
            sniff=_LOG_NAME.match(name) is None, total_bytes=place.budget.cap if place.budget else None,
        )
    )  # fmt: skip


def nothing_to_read(paths: Iterable[str | os.PathLike[str]], skipped: Iterable[SkippedSource], shown: int = 8) -> str:
    """One line for a scan that found nothing to read: what it looked at, why each candidate was skipped."""
    looked = ", ".join(str(path) for path in paths)
    reasons = [f"{item.path} ({item.reason})" for item in skipped]
    if not reasons:
        return f"nothing to read in {looked}: no files there"
    more = f"; and {len(reasons) - shown} more" if len(reasons) > shown else ""
    hint = "" if any("Commvault" in r for r in reasons) else "; --all-logs reads every Commvault log"
    return f"nothing to read in {looked}: skipped {'; '.join(reasons[:shown])}{more}{hint}"
