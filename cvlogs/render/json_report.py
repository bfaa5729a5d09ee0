"""The JSON report of report-contract.md (schema ``cvlogs.scan/2``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from cvlogs.model import Banner, FileResult, Finding
from cvlogs.report import SCHEMA, Report, format_offset


def shown_path(result: FileResult) -> str:
    """A file as people read it: ``host: path`` when the host is known."""
    return f"{result.host}: {result.path}" if result.host else result.path


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 local time without a zone (the logs carry none)."""
    return None if moment is None else moment.isoformat()


def as_dict(report: Report) -> dict[str, Any]:
    """The report as the contract's JSON object."""
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
            "files": len(report.files),
            "lines": report.lines,
            "events": report.records,
            "continuations": report.continuations,
            "banner": report.banner,
            "unparsed": report.unparsed,
            "accounts": len(report.accounts),
            "findings": report.severity_counts(),
        },
        "files": [
            {
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
            for f in report.files
        ],
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
        "accounts": [
            {
                "account_id": a.account_id,
                "roles": list(a.roles),
                "status": a.status,
                "sequences": a.sequences,
                "failed_sequences": a.failed_sequences,
                "first_seen": iso(a.first_seen),
                "last_seen": iso(a.last_seen),
                "hosts": list(a.hosts),
            }
            for a in report.accounts
        ],
        "findings": [finding_dict(f) for f in report.findings],
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


def render(report: Report, width: int = 100) -> str:
    """Exactly one JSON document, indented for people, with a final newline."""
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"
