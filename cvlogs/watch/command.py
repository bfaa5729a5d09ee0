"""The ``cvlogs watch`` command's options checked and turned into a watch (the typer shell calls this)."""

from __future__ import annotations

import sys
from pathlib import Path

from cvlogs.errors import CvlogsError
from cvlogs.report import Filters
from cvlogs.watch import parse_duration
from cvlogs.watch.run import Options, Sink, Until, watch
from cvlogs.watch.view import JsonLines, LiveView

FORMATS = ("text", "jsonl")


def run_watch(
    path: Path,
    accounts: tuple[str, ...],
    host: str | None,
    *,
    until_ok: bool = False,
    until_done: bool = False,
    timeout: str | None = None,
    output_format: str = "text",
    from_start: bool = False,
    idle: str = "10m",
    poll: bool = False,
    all_logs: bool = False,
    redact_secrets: bool = True,
) -> int:
    """Check the options (a ``CvlogsError`` for a usage error), watch, and return the exit status."""
    if until_ok and until_done:
        raise CvlogsError("--until-ok and --until-done exclude each other")
    if output_format not in FORMATS:
        raise CvlogsError(f"--format must be one of {', '.join(FORMATS)}, not {output_format!r}")
    for account in accounts:
        if len(account) != 12 or not account.isdigit():
            raise CvlogsError(f"--account takes a 12-digit AWS account id, not {account!r}")
    if not path.exists():
        raise CvlogsError(f"no such file or directory: {path}")
    until: Until = "ok" if until_ok else "done" if until_done else None
    options = Options(
        path=path,
        host=host,
        filters=Filters(accounts=accounts),
        until=until,
        timeout=None if timeout is None else parse_duration(timeout),
        from_start=from_start,
        polling=poll,
        all_logs=all_logs,
        idle=parse_duration(idle),
        redact_secrets=redact_secrets,
    )
    sink: Sink = JsonLines() if output_format == "jsonl" else LiveView(live=sys.stdout.isatty())
    return watch(options, sink)
