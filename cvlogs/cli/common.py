"""What the commands share: option declarations (with their help panels), the error boundary,
stderr, the progress bar and writing outputs.  Commands hold argument handling and rendering only;
what a scan does lives in the library (``cvlogs.pipeline``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cvlogs.anonymize import Pseudonyms
from cvlogs.containers import DEFAULT_MAX_DEPTH, DEFAULT_MAX_MEMBER_BYTES
from cvlogs.errors import CvlogsError, DependencyFailed, environment_failure
from cvlogs.intake import Limits
from cvlogs.model import FileResult, SkippedSource
from cvlogs.parsing import Progress
from cvlogs.pipeline import ProgressStart, ScanOptions
from cvlogs.redact import shown
from cvlogs.report import Filters

if TYPE_CHECKING:
    from rich.console import Console

INPUT = "Input"
FILTERS = "Filters"
OUTPUT = "Output"
PERFORMANCE = "Performance"

DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"]
Paths = Annotated[
    list[str],
    typer.Argument(
        help="Log directories, log files, archives (.zip, .tar.gz, .7z, .7z.001) or fsspec URLs (s3://...).",
        show_default=False,
        metavar="PATH",
    ),
]
Accounts = Annotated[
    list[str] | None,
    typer.Option(
        "--account", "-a", help="Keep only this 12-digit AWS account id (repeatable).", rich_help_panel=FILTERS
    ),
]
Since = Annotated[
    datetime | None,
    typer.Option(
        formats=DATE_FORMATS,
        metavar="TIME",
        help="Only events at or after this local time (2026-11-20T10:00).",
        rich_help_panel=FILTERS,
    ),
]
Until = Annotated[
    datetime | None,
    typer.Option(
        formats=DATE_FORMATS, metavar="TIME", help="Only events at or before this local time.", rich_help_panel=FILTERS
    ),
]
Hosts = Annotated[
    list[str] | None,
    typer.Option(
        "--host", help="Keep only this machine (a folder or archive of a bundle; repeatable).", rich_help_panel=FILTERS
    ),
]
Output = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file (or fsspec URL) instead of stdout; never a log being read.",
        rich_help_panel=OUTPUT,
    ),
]
MaxTotal = Annotated[
    int | None,
    typer.Option(
        "--max-total-bytes",
        min=1,
        help="Decompressed bytes read from one archive in all (default: 200 times its size, at least 256 MiB).",
        rich_help_panel=INPUT,
    ),
]
FollowSymlinks = Annotated[
    bool,
    typer.Option(
        "--follow-symlinks",
        help="Read files whose symbolic link leads out of the scanned folder.",
        rich_help_panel=INPUT,
    ),
]
NoRedact = Annotated[
    bool,
    typer.Option(
        "--no-redact",
        help="Show secrets (access keys, tokens, signatures) as logged. Never attach such output.",
        rich_help_panel=OUTPUT,
    ),
]
HostName = Annotated[
    str | None,
    typer.Option(
        "--host-name",
        help="The machine that plain log files come from (default: this machine's name).",
        rich_help_panel=INPUT,
    ),
]
MaxBytes = Annotated[
    int,
    typer.Option(
        "--max-member-bytes",
        min=1,
        help="Skip a file or archive member that decompresses to more bytes (archive bombs).",
        rich_help_panel=INPUT,
    ),
]
MaxDepth = Annotated[
    int, typer.Option("--max-depth", min=1, help="Read archives nested at most this deep.", rich_help_panel=INPUT)
]
AllLogs = Annotated[
    bool,
    typer.Option(
        "--all-logs",
        help="Read every Commvault log (CVMA, JobManager...), not only cvd, vsdiscovery, vsbkp, vsrst.",
        rich_help_panel=INPUT,
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Read the files on a Dask cluster: tcp://HOST:8786, or 'local' to start one (pip install 'cvlogs[dask]').",
        rich_help_panel=PERFORMANCE,
    ),
]
Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Files read at once, one per process: this one and N-1 workers (default: CPU count).",
        rich_help_panel=PERFORMANCE,
    ),
]


def scan_options(
    given: Mapping[str, Any], pseudonyms: Pseudonyms | None = None, kept: list[object] | None = None, **chosen: bool
) -> ScanOptions:
    """The library's options from a command's parameters (its ``locals()``): the shared options
    above by name, each with its default when the command does not offer it; ``chosen`` sets the
    rest (``keep_all``, ``with_timeline``, ``with_steps``, ``with_events``).  Jobs default to the
    CPU count here, not in the library; ``kept`` is ``main``'s list of what is never freed."""
    accounts = given.get("account")
    return ScanOptions(
        filters=Filters(
            tuple([accounts] if isinstance(accounts, str) else accounts or ()),
            given.get("since"),
            given.get("until"),
            tuple(given.get("host") or ()),
        ),
        jobs=given.get("jobs") or os.cpu_count() or 1,
        limits=Limits(
            given.get("max_member_bytes", DEFAULT_MAX_MEMBER_BYTES),
            given.get("max_depth", DEFAULT_MAX_DEPTH),
            given.get("max_total_bytes"),
            given.get("follow_symlinks", False),
        ),
        host_name=given.get("host_name"),
        scheduler=given.get("scheduler"),
        all_logs=given.get("all_logs", False),
        redact_secrets=not given.get("no_redact", False),
        anonymize_accounts=given.get("anonymize_accounts", False),
        anonymize_hosts=given.get("anonymize_hosts", False),
        progress=progress_bar(),
        pseudonyms=pseudonyms,
        kept=kept,
        **chosen,
    )


@cache
def stderr() -> Console:
    """Messages and progress go here (rich is imported only when something is said)."""
    from rich.console import Console  # noqa: PLC0415  (start-up time: see cvlogs.render)

    return Console(stderr=True)


def say_skipped(item: SkippedSource) -> None:
    stderr().print(shown(f"skipped {item.path}: {item.reason}"), highlight=False, markup=False)


def progress_bar() -> ProgressStart | None:
    """A progress bar on stderr, one step per file; none when stderr is not a terminal.

    The bar starts when the number of files is known and stops after the last one is read.
    """
    if not sys.stderr.isatty():
        return None

    def start(total: int) -> Progress:
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn  # noqa: PLC0415
        from rich.progress import Progress as Bar  # noqa: PLC0415

        bar = Bar(
            TextColumn("reading logs"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=stderr(), transient=True,
        )  # fmt: skip
        task = bar.add_task("files", total=total)
        bar.start()

        def advance(_: FileResult | SkippedSource) -> None:
            bar.advance(task)
            if bar.finished:
                bar.stop()

        if total == 0:
            bar.stop()
        return advance

    return start


@contextmanager
def user_errors() -> Iterator[None]:
    """The one place where an error becomes one line on stderr and its exit status (see
    ``cvlogs.errors``: 2 for the user to fix, 3 for a dependency or the environment)."""
    try:
        try:
            yield
        except (CvlogsError, BrokenPipeError):
            raise
        except (OSError, MemoryError) as error:  # the machine, not the input or cvlogs
            raise DependencyFailed(environment_failure(error)) from error
    except CvlogsError as error:
        print(shown(f"cvlogs: {error}"), file=sys.stderr)
        raise typer.Exit(error.exit_status) from None
