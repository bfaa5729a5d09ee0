"""The JSON report of report-contract.md (schema ``cvlogs.scan/3``)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from cvlogs.model import AccountSummary, Banner, FileResult, Finding
from cvlogs.render import DEFAULT, RenderOptions
from cvlogs.report import SCHEMA, Report, format_offset


def shown_path(result: FileResult) -> str:
    """A file as people read it: ``host: path`` when the host is known."""
    return f"{result.host}: {result.path}" if result.host else result.path


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 local time without a zone (the logs carry none)."""
    return None if moment is None else moment.isoformat()


def as_dict(report: Report) -> dict[str, Any]:
    """The report as the contract's JSON object."""
    return {key: list(value) if isinstance(value, Iterator) else value for key, value in _members(report).items()}


def _members(report: Report) -> dict[str, Any]:
    """The members of the JSON object, in order; the arrays that grow with the logs (files,
    accounts, findings) as iterators of their entries, so that a writer holds one entry at a time."""
    return {
        "schema": SCHEMA,
        "tool": {"name": "cvlogs", "version": report.version},
        "filters": {
            "accounts": list(report.filters.accounts),
            "since": iso(report.filters.since),
            "until": iso(report.filters.until),
            "hosts": list(report.filters.hosts),
        },
        "summary": {
            "verdict": report.verdict,
            "files": len(report.files),
            "lines": report.lines,
            "events": report.records,
            "continuations": report.continuations,
            "banner": report.banner,
            "unparsed": report.unparsed,
            "accounts": len(report.accounts),
            "account_status": report.status_counts(),
            "findings": report.severity_counts(),
        },
        "files": map(file_dict, report.files),
        "environment": [
            {
                "host": m.host,
                "versions": list(m.versions),
                "modules": list(m.modules),
                "utc_offset": format_offset(m.utc_offset),
                "zone": m.zone,
                "commserve": m.commserve,
            }
            for m in report.machines
        ],
        "skipped": [{"path": s.path, "reason": s.reason} for s in report.skipped],
        "accounts": map(account_dict, report.accounts),
        "findings": map(finding_dict, report.findings),
    }


def file_dict(f: FileResult) -> dict[str, Any]:
    """One file as the contract's JSON object."""
    return {
        "path": f.path,
        "family": f.family,
        "host": f.host,
        "lines": f.lines,
        "events": f.records,
        "continuations": f.continuations,
        "banner": f.banner,
        "unparsed": f.unparsed,
        "first_time": iso(f.first_time),
        "last_time": iso(f.last_time),
        "utc_offset": format_offset(f.utc_offset),
        "year_source": f.year_source,
        "environment": banner_dict(f.environment),
    }


def account_dict(a: AccountSummary) -> dict[str, Any]:
    """One account as the contract's JSON object."""
    return {
        "account_id": a.account_id,
        "roles": list(a.roles),
        "status": a.status,
        "sequences": a.sequences,
        "failed_sequences": a.failed_sequences,
        "first_seen": iso(a.first_seen),
        "last_seen": iso(a.last_seen),
        "hosts": list(a.hosts),
        "rule": a.rule,
    }


def finding_dict(f: Finding) -> dict[str, Any]:
    """One finding as the contract's JSON object (also one line of ``cvlogs watch --format jsonl``)."""
    return {
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity,
        "account_id": f.account_id,
        "role_arn": f.role_arn,
        "message": f.message,
        "first_seen": iso(f.first_seen),
        "count": f.count,
        "evidence": [{"path": e.path, "line": e.line, "text": e.text, "host": e.host} for e in f.evidence],
        "remedy": f.remedy,
        "hosts": list(f.hosts),
        "docs": list(f.docs),
    }


def banner_dict(banner: Banner | None) -> dict[str, Any] | None:
    """What a file's banner says, as JSON (None without a banner)."""
    if banner is None:
        return None
    return {
        "machine": banner.machine,
        "client": banner.client,
        "display_name": banner.display_name,
        "instance": banner.instance,
        "ip_addresses": list(banner.ip_addresses),
        "module": banner.module,
        "commserve": banner.commserve,
        "version": banner.version,
        "date": None if banner.date is None else banner.date.isoformat(),
        "zone": banner.zone,
        "utc_offset": format_offset(banner.utc_offset),
        "os": banner.os,
        "line": banner.line,
    }


def render(report: Report, options: RenderOptions = DEFAULT) -> str:
    """Exactly one JSON document, indented for people, with a final newline."""
    buffer = io.StringIO()
    write(report, options, buffer)
    return buffer.getvalue()


_ENCODER = json.JSONEncoder(indent=2, ensure_ascii=False)


def write(report: Report, options: RenderOptions, stream: IO[str]) -> None:
    """``render``'s document written to ``stream`` entry by entry: the same characters as
    ``json.dumps(as_dict(report), indent=2)``, without holding the whole document (100,000
    accounts are 50 MB of JSON, and the encoder's pieces several times that) in memory."""
    for number, (key, value) in enumerate(_members(report).items()):
        stream.write(f"{'{' if number == 0 else ','}\n  {_ENCODER.encode(key)}: ")
        if isinstance(value, Iterator):
            _write_array(value, stream)
        else:
            stream.write(_nested(_ENCODER.encode(value), 1))
    stream.write("\n}\n")


def _write_array(entries: Iterator[Any], stream: IO[str]) -> None:
    """A member's array, one entry at a time (``[]`` when empty, as ``json.dumps`` writes it)."""
    opening = "[\n    "
    for entry in entries:
        stream.write(opening + _nested(_ENCODER.encode(entry), 2))
        opening = ",\n    "
    stream.write("[]" if opening.startswith("[") else "\n  ]")


def _nested(encoded: str, level: int) -> str:
    """An encoded value as it stands ``level`` levels deep (an encoded string holds no line break)."""
    return encoded.replace("\n", "\n" + "  " * level)
