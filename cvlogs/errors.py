"""The errors the command line turns into one line on stderr, and what counts as a broken file.

- ``CvlogsError``: a problem the user can fix (a missing path, a bad option, an output that would
  overwrite a log): exit status 2.
- ``Broken``: a file or archive member that cannot be read (corrupt, truncated, over a cap); the
  scan lists it as skipped with the reason and goes on.
- ``DependencyFailed``: something cvlogs relies on failed (a Dask scheduler, an fsspec file
  system, S3 credentials, Arrow, a full disk under the output): exit status 3, so scripts can
  tell "fix the command" (2) from "retry when the environment is well" (3).
"""

from __future__ import annotations

import lzma
import tarfile
import zipfile
import zlib


class CvlogsError(Exception):
    """A problem the user can fix (a missing path, an unreadable archive): shown without a traceback."""

    exit_status = 2


class Broken(CvlogsError):
    """A file or archive member that cannot be read: corrupt, truncated, encrypted, over a cap."""


class DependencyFailed(CvlogsError):
    """A library or service cvlogs depends on failed; shown as one line, exit status 3."""

    exit_status = 3


#: What a file that cannot be read raises: I/O errors, the decompressors' errors and ``Broken``
#: (which the archive adapters raise for their libraries' errors).  Nothing else: a ValueError or
#: KeyError from cvlogs' own code is a bug, and must not be reported as "corrupt file".
BROKEN: tuple[type[Exception], ...] = (
    OSError, EOFError, zlib.error, lzma.LZMAError, zipfile.BadZipFile, tarfile.TarError, Broken,
)  # fmt: skip


def environment_failure(error: BaseException) -> str:
    """One line for a failure of the machine: a full disk, no memory, a killed reader process."""
    if isinstance(error, MemoryError):
        return "out of memory"
    if isinstance(error, OSError) and error.strerror:
        where = f": {error.filename}" if error.filename else ""
        return f"{error.strerror}{where}"
    return f"{type(error).__name__}: {error}"
