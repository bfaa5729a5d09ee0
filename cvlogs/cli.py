"""The ``cvlogs`` command line: a thin typer shell over the library.

Data goes to stdout or ``-o FILE``; progress and messages go to stderr.  Exit status: 0 when no
error-severity finding remains after filtering, 1 when one does, 2 for a usage or input error,
3 when a dependency or the machine failed (``cvlogs.errors``).
"""

from __future__ import annotations

import gc
import inspect
import os
import socket
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cvlogs import __version__
from cvlogs.anonymize import Pseudonyms
from cvlogs.containers import DEFAULT_MAX_DEPTH, DEFAULT_MAX_MEMBER_BYTES
from cvlogs.errors import CvlogsError, DependencyFailed, environment_failure
from cvlogs.events_output import EventFormat, write_events
from cvlogs.intake import DEFAULT_LIMITS, Limits, LogSource, discover, nothing_to_read
from cvlogs.model import FileResult, ScanResult, SkippedSource
from cvlogs.output import refuse_inputs, write_text
from cvlogs.parsing import collect, scan_sources
from cvlogs.redact import shown
from cvlogs.render import Format, render
from cvlogs.report import Filters, Report, format_offset, report_of

app = typer.Typer(
    help=(
        "Find why cross-account STS AssumeRole fails, from the logs of a Commvault access node "
        "(cvd.log, vsdiscovery.log, vsbkp.log, vsrst.log; rolled, .gz, .bz2, .zip)."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

if TYPE_CHECKING:
    from rich.console import Console


@cache
def _stderr() -> Console:
    """Messages and progress go here (rich is imported only when something is said)."""
    from rich.console import Console  # noqa: PLC0415  (start-up time: see cvlogs.render)

    return Console(stderr=True)


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
    list[str] | None, typer.Option("--account", "-a", help="Keep only this 12-digit AWS account id (repeatable).")
]
Since = Annotated[
    datetime | None,
    typer.Option(
        formats=DATE_FORMATS, metavar="TIME", help="Only events at or after this local time (2026-11-20T10:00)."
    ),
]
Until = Annotated[
    datetime | None,
    typer.Option(formats=DATE_FORMATS, metavar="TIME", help="Only events at or before this local time."),
]
Output = Annotated[
    str | None,
    typer.Option(
        "--output", "-o", help="Write to this file (or fsspec URL) instead of stdout; never a log being read."
    ),
]
NoRedact = Annotated[
    bool,
    typer.Option(
        "--no-redact", help="Show secrets (access keys, tokens, signatures) as logged. Never attach such output."
    ),
]
MaxBytes = Annotated[
    int,
    typer.Option(
        "--max-member-bytes",
        min=1,
        help="Skip a file or archive member that decompresses to more bytes (archive bombs).",
    ),
]
MaxDepth = Annotated[int, typer.Option("--max-depth", min=1, help="Read archives nested at most this deep.")]
MaxTotal = Annotated[
    int | None,
    typer.Option(
        "--max-total-bytes",
        min=1,
        help="Decompressed bytes read from one archive in all (default: 200 times its size, at least 256 MiB).",
    ),
]
FollowSymlinks = Annotated[
    bool,
    typer.Option("--follow-symlinks", help="Read files whose symbolic link leads out of the scanned folder."),
]
Hosts = Annotated[
    list[str] | None,
    typer.Option("--host", help="Keep only this machine (a folder or archive of a bundle; repeatable)."),
]
HostName = Annotated[
    str | None,
    typer.Option("--host-name", help="The machine that plain log files come from (default: this machine's name)."),
]
AllLogs = Annotated[
    bool,
    typer.Option(
        "--all-logs", help="Read every Commvault log (CVMA, JobManager...), not only cvd, vsdiscovery, vsbkp, vsrst."
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Read the files on a Dask cluster: tcp://HOST:8786, or 'local' to start one (pip install 'cvlogs[dask]').",
    ),
]
Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Files read at once, one per process: this one and N-1 workers (default: CPU count).",
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cvlogs {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Find why cross-account STS AssumeRole fails, from a Commvault access node's logs."""


@app.command()
def scan(
    paths: Paths,
    account: Accounts = None,
    since: Since = None,
    until: Until = None,
    output_format: Annotated[Format, typer.Option("--format", "-f", help="Report format.")] = Format.text,
    output: Output = None,
    no_redact: NoRedact = False,
    anonymize_accounts: Annotated[
        bool, typer.Option("--anonymize-accounts", help="Replace every account id by a stable pseudonym.")
    ] = False,
    anonymize_hosts: Annotated[
        bool,
        typer.Option(
            "--anonymize-hosts", help="Replace machine names, IP addresses and instance names by stable pseudonyms."
        ),
    ] = False,
    pseudonym_map: Annotated[
        str | None,
        typer.Option("--map", help="Keep the private map of the pseudonyms in this file (never in the report)."),
    ] = None,
    jobs: Jobs = None,
    max_member_bytes: MaxBytes = DEFAULT_MAX_MEMBER_BYTES,
    max_depth: MaxDepth = DEFAULT_MAX_DEPTH,
    max_total_bytes: MaxTotal = None,
    follow_symlinks: FollowSymlinks = False,
    host: Hosts = None,
    host_name: HostName = None,
    all_logs: AllLogs = False,
    scheduler: Scheduler = None,
) -> None:
    """Diagnose failed or missing credential steps, per AWS account, with evidence and remedies.

    Exit status 0: no error finding; 1: at least one error finding; 2: a usage or input error;
    3: a dependency failed (Dask, fsspec/S3, Arrow, a full disk).

    Examples:

      cvlogs scan /var/log/commvault/Log_Files

      cvlogs scan Log_Files --account 444455556666 --format markdown -o ticket-report.md

      cvlogs scan sendLogFiles_4711_2026_11_20_10_00_00_123_J88.7z --host accessnode2
    """
    with _user_errors():
        filters = Filters(tuple(account or ()), since, until, tuple(host or ()))
        refuse_inputs(output, paths)
        refuse_inputs(pseudonym_map, paths)
        limits = Limits(max_member_bytes, max_depth, max_total_bytes, follow_symlinks)
        result = _scan(paths, jobs, limits, host_name, scheduler, all_logs)
        pseudonyms = Pseudonyms()
        with _no_cycle_collection():
            report = report_of(
                result,
                filters=filters,
                redact_secrets=not no_redact,
                anonymize_accounts=anonymize_accounts,
                anonymize_hosts=anonymize_hosts,
                with_timeline=output_format is Format.html,
                pseudonyms=pseudonyms,
            )
            _emit_report(report, output_format, output)
        if pseudonym_map is not None:
            write_text(pseudonyms.as_json(), pseudonym_map)
    raise typer.Exit(report.exit_status)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """No cyclic garbage collection while the report is built and written.

    Everything the report stage allocates (sequences, occurrences, findings) lives until the
    output is written, so each collection walks the whole heap of events and frees nothing:
    measured on the 5M-line bench corpus, about a tenth of the report stage.  The scan itself
    keeps collecting (its per-chunk garbage must not accumulate).
    """
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _emit_report(report: Report, output_format: Format, output: str | None) -> None:
    if output is None and output_format is Format.text:
        from rich.console import Console  # noqa: PLC0415

        from cvlogs.render.text import renderable  # noqa: PLC0415

        Console(highlight=False).print(renderable(report))
        return
    write_text(render(report, output_format), output)


@app.command()
def events(
    paths: Paths,
    account: Accounts = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(help="Keep only this kind: connect, validate, error, activity, unrecognized, other (repeatable)."),
    ] = None,
    since: Since = None,
    until: Until = None,
    all_lines: Annotated[bool, typer.Option("--all", help="Every parsed record, not only credential events.")] = False,
    output_format: Annotated[EventFormat, typer.Option("--format", "-f", help="Output format.")] = EventFormat.table,
    output: Output = None,
    no_redact: NoRedact = False,
    raw_csv: Annotated[
        bool, typer.Option("--raw-csv", help="Write CSV cells as logged (no ' before a cell starting like a formula).")
    ] = False,
    jobs: Jobs = None,
    max_member_bytes: MaxBytes = DEFAULT_MAX_MEMBER_BYTES,
    max_depth: MaxDepth = DEFAULT_MAX_DEPTH,
    max_total_bytes: MaxTotal = None,
    follow_symlinks: FollowSymlinks = False,
    host: Hosts = None,
    host_name: HostName = None,
    all_logs: AllLogs = False,
    scheduler: Scheduler = None,
) -> None:
    """Print the events table, file by file (large outputs stream in batches).

    Examples:

      cvlogs events Log_Files --kind error --format csv -o errors.csv

      cvlogs events Log_Files --all --format parquet -o events/   (a dataset: host=.../family=.../)
    """
    with _user_errors():
        if output_format is EventFormat.parquet and output is None:
            raise CvlogsError("--format parquet needs -o DIR (a Parquet dataset, partitioned by host and family)")
        refuse_inputs(output, paths)
        limits = Limits(max_member_bytes, max_depth, max_total_bytes, follow_symlinks)
        sources, skipped = _discover(paths, limits, host_name, all_logs)
        sources = [s for s in sources if not host or s.host in host]
        for item in skipped:
            _say_skipped(item)
        filters = Filters(tuple(account or ()), since, until, tuple(host or ()))
        with _progress(len(sources)) as advance:
            results = _read(sources, jobs, scheduler, advance, keep_all=all_lines)
            broken: list[SkippedSource] = []
            written = write_events(
                _files_only(results, broken),
                output_format=output_format,
                output=output,
                filters=filters,
                kinds=set(kind or ()),
                redact_secrets=not no_redact,
                raw_csv=raw_csv,
            )
        if len(broken) == len(sources):
            raise CvlogsError(nothing_to_read(paths, [*skipped, *broken]))
        _stderr().print(f"{written:,} events", highlight=False)


@app.command()
def timeline(
    paths: Paths,
    account: Annotated[str, typer.Option("--account", "-a", help="The 12-digit AWS account id to follow.")],
    since: Since = None,
    until: Until = None,
    no_redact: NoRedact = False,
    jobs: Jobs = None,
    host: Hosts = None,
    host_name: HostName = None,
    all_logs: AllLogs = False,
) -> None:
    """The ordered credential steps and errors of one account, sequence by sequence.

    Example: cvlogs timeline /var/log/commvault/Log_Files --account 444455556666
    """
    with _user_errors():
        filters = Filters((account,), since, until, tuple(host or ()))
        result = _scan(paths, jobs, host_name=host_name, all_logs=all_logs)
        report = report_of(result, filters=filters, redact_secrets=not no_redact)
        steps = [s for s in report.timeline if s.account_id == account]
        if not steps:
            raise CvlogsError(f"no credential step or error for account {account}")
        current = None
        for step in steps:
            if step.sequence != current:
                current = step.sequence
                typer.echo(f"\nsequence {step.sequence}" if step.sequence else "\nerrors outside any sequence")
            moment = step.time.isoformat() + (format_offset(step.utc_offset) or "") if step.time else "-"
            where = f"{step.host}:" if step.host else ""
            typer.echo(f"  {moment}  {step.kind:<12} {where}{step.path}:{step.line}  {step.text}")


@app.command()
def rules(
    code: Annotated[str | None, typer.Argument(help="A rule code to explain, e.g. CVL201.", show_default=False)] = None,
) -> None:
    """List the diagnostic rules, or explain one.

    Examples: cvlogs rules; cvlogs rules CVL201
    """
    from cvlogs.diagnostics import rules as all_rules  # noqa: PLC0415  (rules load only when asked for)

    catalogue = all_rules()
    if code is None:
        from rich.console import Console  # noqa: PLC0415
        from rich.table import Table  # noqa: PLC0415

        table = Table("code", "name", "severity", "what it finds")
        for rule in catalogue.values():
            summary = (inspect.getdoc(rule) or "").splitlines()[0]
            table.add_row(rule.code, rule.name, rule.severity, summary)
        Console().print(table)
        return
    with _user_errors():
        chosen = catalogue.get(code.upper())
        if chosen is None:
            raise CvlogsError(f"no rule {code}; `cvlogs rules` lists them")
        doc = inspect.getdoc(chosen)
        docs = "".join(f"\n  {url}" for url in chosen.docs)
        typer.echo(
            f"{chosen.code} {chosen.name} ({chosen.severity})\n\n{doc}\n\nRemedy: {chosen.remedy}"
            + (f"\n\nAWS documentation:{docs}" if docs else "")
        )


@app.command()
def watch(
    path: Annotated[Path, typer.Argument(help="A Log Files folder, or one log file in it.", show_default=False)],
    account: Accounts = None,
    host_name: HostName = None,
    until_ok: Annotated[
        bool, typer.Option("--until-ok", help="Exit 0 once every watched account succeeds, 1 once one fails.")
    ] = False,
    until_done: Annotated[
        bool, typer.Option("--until-done", help="Exit once no watched account has a sequence running (see --idle).")
    ] = False,
    timeout: Annotated[
        str | None, typer.Option(metavar="DURATION", help="Stop after this long (90s, 5m, 1h): exit status 3.")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", metavar="text|jsonl", help="A live view, or one JSON object per line.")
    ] = "text",
    from_start: Annotated[
        bool, typer.Option("--from-start", help="Replay what the folder holds (rolled files too), then follow.")
    ] = False,
    idle: Annotated[
        str, typer.Option(metavar="DURATION", help="A sequence with no new step for this long has ended.")
    ] = "10m",
    poll: Annotated[bool, typer.Option("--poll", help="Poll the folder instead of the OS's change events.")] = False,
    all_logs: Annotated[
        bool, typer.Option("--all-logs", help="Follow every <Name>.log of the folder, not only the four families.")
    ] = False,
    no_redact: NoRedact = False,
) -> None:
    """Follow a live Log Files folder: per account, as it happens, did Connect -> Assume role -> activity work?

    Exit status with --until-ok: 0 once every watched account completed a successful sequence, 1 once
    one failed; with --until-done: 1 if a watched account failed, else 0; 3 when --timeout ran out
    first; 2 for a usage error.  Ctrl-C (or SIGTERM) ends with a summary (1 if an error finding fired, else 0).

    Examples:

      cvlogs watch /var/log/commvault/Log_Files --account 444455556666 --until-ok --timeout 30m

      cvlogs watch Log_Files --format jsonl | jq -c 'select(.type == "finding")'
    """
    from cvlogs.watch.command import run_watch  # noqa: PLC0415  (watchdog loads only for this command)

    with _user_errors():
        status = run_watch(
            path, tuple(account or ()), host_name or socket.gethostname(), until_ok=until_ok, until_done=until_done,
            timeout=timeout, output_format=output_format, from_start=from_start, idle=idle, poll=poll,
            all_logs=all_logs, redact_secrets=not no_redact,
        )  # fmt: skip
    raise typer.Exit(status)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scan report (cvlogs scan --format json)."""
    typer.echo(files("cvlogs").joinpath("data/scan-report.schema.json").read_text(encoding="utf-8"), nl=False)


def _say_skipped(item: SkippedSource) -> None:
    _stderr().print(shown(f"skipped {item.path}: {item.reason}"), highlight=False, markup=False)


def _files_only(results: Iterable[FileResult | SkippedSource], broken: list[SkippedSource]) -> Iterator[FileResult]:
    """The readable files; those that broke while read (or were no Commvault log) are reported on
    stderr and added to ``broken``."""
    for result in results:
        if isinstance(result, SkippedSource):
            _say_skipped(result)
            broken.append(result)
        else:
            yield result


def _jobs(jobs: int | None) -> int:
    return jobs or os.cpu_count() or 1


def _discover(
    paths: list[str], limits: Limits, host_name: str | None, all_logs: bool
) -> tuple[list[LogSource], list[SkippedSource]]:
    """The sources to read; plain files belong to --host-name, else to their banner's machine,
    else to this machine.  Nothing to read is an input error (exit status 2)."""
    host = host_name or socket.gethostname()
    sources, skipped = discover(paths, limits, host, host_named=host_name is not None, all_logs=all_logs)
    if not sources:
        raise CvlogsError(nothing_to_read(paths, skipped))
    return sources, skipped


def _scan(
    paths: list[str],
    jobs: int | None,
    limits: Limits = DEFAULT_LIMITS,
    host_name: str | None = None,
    scheduler: str | None = None,
    all_logs: bool = False,
) -> ScanResult:
    sources, skipped = _discover(paths, limits, host_name, all_logs)
    with _progress(len(sources)) as advance:
        result = collect(_read(sources, jobs, scheduler, advance), skipped)
    if not result.files:
        raise CvlogsError(nothing_to_read(paths, result.skipped))
    return result


def _read(
    sources: list[LogSource],
    jobs: int | None,
    scheduler: str | None,
    advance: Callable[[FileResult | SkippedSource], None],
    keep_all: bool = False,
) -> Iterator[FileResult | SkippedSource]:
    """The files read by a local process pool, or by a Dask cluster with --scheduler."""
    if scheduler is None:
        return scan_sources(sources, keep_all=keep_all, jobs=_jobs(jobs), progress=advance)
    from cvlogs.distributed import scan_on_cluster  # noqa: PLC0415  (Dask loads only when asked for)

    return scan_on_cluster(sources, scheduler, keep_all=keep_all, progress=advance)


@contextmanager
def _progress(total: int) -> Iterator[Callable[[FileResult | SkippedSource], None]]:
    """A progress bar on stderr, one step per file; none when stderr is not a terminal."""
    if not sys.stderr.isatty():
        yield lambda _: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: PLC0415

    bar = Progress(
        TextColumn("reading logs"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=_stderr(), transient=True,
    )  # fmt: skip
    with bar:
        task = bar.add_task("files", total=total)
        yield lambda _: bar.advance(task)


@contextmanager
def _user_errors() -> Iterator[None]:
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


def main() -> None:
    """Console-script entry point."""
    # A scan makes tens of thousands of small acyclic objects (events and their fields), which
    # reference counting frees; a cyclic collection every 700 allocations cost about a sixth of
    # the report stage and a third of the main process's share of the scan (measured).
    gc.set_threshold(50_000, 20, 20)
    # numpy's OpenBLAS starts a thread per core when numpy is imported, and it spins for a while:
    # about 55 ms of CPU on the other core, which the worker then shares.  cvlogs does no linear
    # algebra; a value the user set is kept.  (Only the program: the library leaves it alone.)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        app()
        status = 0
    except SystemExit as done:
        status = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
    # A scan leaves hundreds of thousands of small objects; freeing them one by one as the
    # interpreter shuts down took about 60 ms (measured) and serves no one.  Every file and
    # pool is closed by now (context managers), so only the output buffers need flushing.
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass  # a closed pipe (cvlogs ... | head): nothing left to tell
    except OSError as error:  # a full disk under a redirected stdout: the data is incomplete
        with suppress(OSError):
            print(f"cvlogs: cannot write to standard output: {environment_failure(error)}", file=sys.stderr)
        status = DependencyFailed.exit_status
    with suppress(OSError):
        sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    main()
