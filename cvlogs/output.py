"""Writing what cvlogs produces without ever touching the logs it reads.

- ``refuse_inputs``: an output (``-o``) that resolves to one of the files being read, or to a
  path inside a folder being read, is refused before anything is read or written (the command
  ``cvlogs events vsbkp.log -o vsbkp.log`` once truncated the log it was about to read).
- ``text_output`` / ``write_text``: stdout, or a file written as a temporary file next to the
  target and renamed over it only when complete (an interrupted or failed run leaves the old
  file, never half a report), or an fsspec URL (``s3://bucket/report.json``), written through
  fsspec: never a local folder named ``s3:``.
- ``dataset_output``: a Parquet dataset's folder, built as a temporary folder beside the target
  and renamed when complete, or an fsspec URL prefix.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, cast

from cvlogs.errors import CvlogsError, DependencyFailed
from cvlogs.intake import is_url

_TEMPORARY = ".cvlogs-partial"


def refuse_inputs(output: str | None, inputs: Iterable[str]) -> None:
    """Raise ``CvlogsError`` when ``output`` is one of ``inputs`` or lies inside an input folder."""
    if output is None or is_url(output):
        return
    target = Path(output).resolve()
    for raw in inputs:
        if is_url(raw):
            continue
        source = Path(raw).resolve()
        if target == source or (target.exists() and source.exists() and os.path.samefile(target, source)):
            raise CvlogsError(f"refusing to write {output}: it is {raw}, which is being read")
        if source.is_dir() and target.is_relative_to(source):
            raise CvlogsError(f"refusing to write {output}: it is inside {raw}, a folder being read")


class _Guarded:
    """A text stream whose write errors are one line each: a full disk under stdout or under
    ``-o`` is said as such (and any other error of the code that writes passes unchanged)."""

    def __init__(self, stream: IO[str], error: type[CvlogsError], where: str) -> None:
        self.stream = stream
        self.error = error
        self.where = where

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            raise  # a closed pipe (cvlogs ... | head): the command line leaves quietly
        except OSError as failure:
            raise self.error(f"cannot write {self.where}: {failure.strerror or failure}") from None

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise
        except OSError as failure:
            raise self.error(f"cannot write {self.where}: {failure.strerror or failure}") from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@contextmanager
def text_output(output: str | None) -> Iterator[IO[str]]:
    """A text stream to stdout, to a file that appears complete or not at all, or to a URL."""
    if output is None:
        yield _guarded(sys.stdout, DependencyFailed, "to standard output")
        return
    if is_url(output):
        with _remote(output, "w") as handle:
            yield handle
        return
    target = Path(output).resolve()  # through a symlink: the file it names is replaced, not the link
    if target.exists() and not target.is_file():  # /dev/null, /dev/stdout, a FIFO: written in place
        try:
            with target.open("w", encoding="utf-8", newline="") as handle:
                yield _guarded(handle, DependencyFailed, output)
                _guarded(handle, DependencyFailed, output).flush()
        except OSError as error:
            raise _write_error(output, error) from None
        return
    try:
        descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=_TEMPORARY)
    except OSError as error:
        raise _write_error(output, error) from None
    partial = Path(name)
    try:
        with open(descriptor, "w", encoding="utf-8", newline="") as handle:
            yield _guarded(handle, DependencyFailed, output)
            _guarded(handle, DependencyFailed, output).flush()
        try:
            os.chmod(partial, 0o666 & ~_umask())
            partial.replace(target)
        except OSError as error:
            raise _write_error(output, error) from None
    finally:
        partial.unlink(missing_ok=True)


def _write_error(output: str, error: OSError) -> CvlogsError:
    """A full disk is the machine's failure (exit 3); a missing folder or a permission the user's (2)."""
    kind = DependencyFailed if error.errno in {errno.ENOSPC, errno.EDQUOT, errno.EIO} else CvlogsError
    return kind(f"cannot write {output}: {error.strerror or error}")


def _guarded(stream: IO[str], error: type[CvlogsError], where: str) -> IO[str]:
    return cast(IO[str], _Guarded(stream, error, where))


def write_text(text: str, output: str | None) -> None:
    """``text`` to stdout or ``output`` (see ``text_output``)."""
    with text_output(output) as handle:
        handle.write(text)


@contextmanager
def dataset_output(output: str) -> Iterator[tuple[Any, str]]:
    """Where a Parquet dataset goes: ``(filesystem, root)`` for pyarrow (``None``: the local one).

    A local dataset must be a new or empty folder; it is built beside it and renamed when done.
    """
    if is_url(output):
        with _remote_errors(output):
            import fsspec  # noqa: PLC0415  (fsspec loads only for URLs)

            filesystem, root = fsspec.core.url_to_fs(output)
            if filesystem.exists(root) and filesystem.ls(root):
                raise CvlogsError(f"{output} exists: give a new or empty prefix for the Parquet dataset")
            yield filesystem, root
        return
    target = Path(output)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CvlogsError(f"{output} exists: give a new or empty directory for the Parquet dataset")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=_TEMPORARY))
    except OSError as error:
        raise CvlogsError(f"cannot write {output}: {error.strerror}") from None
    try:
        yield None, str(partial)
        if target.exists():
            target.rmdir()
        partial.rename(target)
    except OSError as error:
        raise CvlogsError(f"cannot write {output}: {error.strerror or error}") from None
    finally:
        shutil.rmtree(partial, ignore_errors=True)


@contextmanager
def _remote(url: str, mode: str) -> Iterator[IO[str]]:
    with _remote_errors(url):
        import fsspec  # noqa: PLC0415  (fsspec loads only for URLs)

        with fsspec.open(url, mode, encoding="utf-8") as handle:
            yield handle


@contextmanager
def _remote_errors(url: str) -> Iterator[None]:
    """fsspec and its backends (s3fs, botocore, aiohttp) raise their own types: one line each."""
    try:
        yield
    except CvlogsError:
        raise
    except ImportError as error:
        raise CvlogsError(f"writing {url} needs fsspec and the package for its protocol (s3fs for s3://)") from error
    except Exception as error:
        raise DependencyFailed(f"cannot write {url}: {type(error).__name__}: {error}") from None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
