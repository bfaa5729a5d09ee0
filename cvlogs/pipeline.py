"""The one path from PATHs to a report: discover, read (locally or on a cluster), report.

``cvlogs.scan(paths, options)`` is what the command line, ``build_report`` and ``read_events``
all call, so the API and the CLI see the same files, the same hosts and the same findings.
"""

from __future__ import annotations

import dataclasses
import os
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from cvlogs.anonymize import Pseudonyms
from cvlogs.columns import Attributed
from cvlogs.errors import CvlogsError
from cvlogs.intake import DEFAULT_LIMITS, Limits, LogSource, discover, nothing_to_read
from cvlogs.model import FileResult, ScanResult, SkippedSource
from cvlogs.parsing import Progress, collect, scan_sources
from cvlogs.report import Filters, Report, report_of

ProgressStart = Callable[[int], Progress]
"""Called once with the number of files to read; returns what to call as each one is read."""

Paths = Iterable[str | os.PathLike[str]] | str | os.PathLike[str]


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """Everything a scan can be asked for besides its PATHs (the CLI's options, as data)."""

    filters: Filters = field(default_factory=Filters)
    jobs: int = 1
    """Files read at once, one per process (this one and jobs-1 workers)."""
    limits: Limits = DEFAULT_LIMITS
    host_name: str | None = None
    """The machine plain log files come from; None: their banner's machine, else this machine's
    name (bundles name their own)."""
    all_logs: bool = False
    """Read every Commvault log (CVMA, JobManager...), not only cvd, vsdiscovery, vsbkp, vsrst."""
    scheduler: str | None = None
    """A Dask scheduler address (or ``local``) to read the files on; None: local processes."""
    keep_all: bool = False
    """Keep every record as an event (kind ``other``), not only the credential events."""
    redact_secrets: bool = True
    anonymize_accounts: bool = False
    anonymize_hosts: bool = False
    """Replace machine names, IP addresses and instance names by stable pseudonyms."""
    pseudonyms: Pseudonyms | None = None
    """Receives the map of the anonymisation (``--map FILE``); None: the map is dropped."""
    with_timeline: bool = True
    """Build the timeline: a span per sequence (the HTML report) and, with ``with_steps``, every step."""
    with_steps: bool = True
    """Every credential step of the timeline (``cvlogs timeline``; one entry per event)."""
    with_events: bool = False
    """Keep each event's diagnosis on the report (``Report.diagnosis``) for the events table;
    otherwise the events are freed once the report is built."""
    progress: ProgressStart | None = None
    kept: list[object] | None = None
    """Receives what each report was built from (the scan and its correlation), for a caller that
    frees it later or never; None: it is freed as the report is returned (see ``report_of``)."""


DEFAULT = ScanOptions()


def local_host(name: str | None = None) -> str:
    """The machine of plain log files: ``name`` when given, else this machine's name."""
    return name or socket.gethostname()


def read(paths: Paths, options: ScanOptions = DEFAULT) -> ScanResult:
    """Discover and read every log under ``paths`` (of the chosen hosts only).

    Nothing to read (no log found, or none readable) is an input error (``CvlogsError``) that
    says what was looked at and why each candidate was skipped.
    """
    paths = _listed(paths)
    sources, skipped = _sources(paths, options)
    advance = None if options.progress is None else options.progress(len(sources))
    result = collect(_read(sources, options, advance), skipped)
    if not result.files:
        raise CvlogsError(nothing_to_read(paths, result.skipped))
    return result


def _listed(paths: Paths) -> list[str | os.PathLike[str]]:
    return [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)


def _sources(paths: list[str | os.PathLike[str]], options: ScanOptions) -> tuple[list[LogSource], list[SkippedSource]]:
    """The sources to read (of the chosen hosts) and the files skipped."""
    host = local_host(options.host_name)
    named = options.host_name is not None
    sources, skipped = discover(paths, options.limits, host, host_named=named, all_logs=options.all_logs)
    if not sources:
        raise CvlogsError(nothing_to_read(paths, skipped))
    if options.filters.hosts:
        sources = [s for s in sources if s.host in options.filters.hosts]
    return sources, skipped


def events(paths: Paths, options: ScanOptions = DEFAULT) -> tuple[Report, Iterator[list[Attributed]]]:
    """The report (with each event's diagnosis) and the attributed events of each file.

    With ``keep_all`` the credential events are diagnosed first, then the files are read again
    and streamed file by file, every record joined to that diagnosis by host, path and line: the
    records no grammar cares about (kind ``other``) are never all in memory at once.
    """
    paths = _listed(paths)
    report = scan(paths, dataclasses.replace(options, keep_all=False, with_timeline=False, with_events=True))
    assert report.diagnosis is not None  # with_events keeps it
    if not options.keep_all:
        return report, report.diagnosis.rows()
    sources, _ = _sources(paths, options)
    again = dataclasses.replace(options, progress=None)
    files = (r for r in _read(sources, again, None) if isinstance(r, FileResult))
    return report, report.diagnosis.rows(files)


def _read(
    sources: list[LogSource], options: ScanOptions, advance: Progress | None
) -> Iterator[FileResult | SkippedSource]:
    """The files read by a local process pool, or by a Dask cluster with a scheduler."""
    if options.scheduler is None:
        return scan_sources(sources, keep_all=options.keep_all, jobs=options.jobs, progress=advance)
    from cvlogs.distributed import scan_on_cluster  # noqa: PLC0415  (Dask loads only when asked for)

    return scan_on_cluster(sources, options.scheduler, keep_all=options.keep_all, progress=advance)


def scan(paths: Paths, options: ScanOptions = DEFAULT) -> Report:
    """The report of ``paths``: every stage, with the user's filters, redaction and anonymisation."""
    return report_of(
        read(paths, options),
        filters=options.filters,
        redact_secrets=options.redact_secrets,
        anonymize_accounts=options.anonymize_accounts,
        anonymize_hosts=options.anonymize_hosts,
        pseudonyms=options.pseudonyms,
        kept=options.kept,
        with_timeline=options.with_timeline,
        with_steps=options.with_steps,
        with_events=options.with_events,
    )
