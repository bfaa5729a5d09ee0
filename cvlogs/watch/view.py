"""What ``cvlogs watch`` shows: a live rich view on a terminal, plain lines in a pipe, or JSON lines.

The JSON lines are a contract for other programs (``docs/watch.md``): one object per line, each
with a ``type`` (``watch``, ``file``, ``step``, ``finding``, ``summary``); a finding object has
exactly the fields of a finding in the scan's JSON report.
"""

from __future__ import annotations

import json
import sys
import time
from collections import deque
from typing import IO, Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cvlogs import __version__
from cvlogs.model import Finding
from cvlogs.redact import printable, redact
from cvlogs.render.json_report import finding_dict, iso
from cvlogs.watch.engine import AccountState, Engine, Step, Update
from cvlogs.watch.follow import FileNotice
from cvlogs.watch.run import Options, Reason

SCHEMA = "cvlogs.watch/1"
_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan", "ok": "green", "failed": "bold red"}
_SHOWN_FINDINGS = 4
_SHOWN_LINES = 10


def _shown(step: Step, options: Options) -> bool:
    """Steps of the watched accounts (every step when no --account was given)."""
    accounts = options.filters.accounts
    return not accounts or step.account_id in accounts


def _text(step: Step, options: Options) -> str:
    return redact(step.event.text) if options.redact_secrets else step.event.text


class JsonLines:
    """One JSON object per line on ``out``, flushed at once (``--format jsonl``)."""

    refresh_every: float | None = None

    def __init__(self, out: IO[str] = sys.stdout) -> None:
        self.out = out
        self.options: Options | None = None

    def _write(self, value: dict[str, Any]) -> None:
        self.out.write(json.dumps(value, ensure_ascii=False) + "\n")
        self.out.flush()

    def start(self, options: Options, observer: str) -> None:
        self.options = options
        self._write(
            {"type": "watch", "schema": SCHEMA, "version": __version__, "path": str(options.path),
             "host": options.host, "accounts": list(options.filters.accounts), "until": options.until,
             "timeout": options.timeout, "from_start": options.from_start, "observer": observer}
        )  # fmt: skip

    def notice(self, notice: FileNotice) -> None:
        self._write({"type": "file", "event": notice.what, "path": notice.path, "to": notice.to})

    def update(self, update: Update, engine: Engine) -> None:
        assert self.options is not None
        for step in update.steps:
            if _shown(step, self.options):
                self._write(step_dict(step, _text(step, self.options)))
        for finding in update.findings:
            self._write({"type": "finding", **finding_dict(finding)})

    def refresh(self, engine: Engine) -> None:
        """Nothing to redraw in a stream."""

    def summary(self, reason: Reason, status: int, engine: Engine, accounts: list[AccountState]) -> None:
        self._write(
            {"type": "summary", "reason": reason, "exit_status": status, "lines": engine.lines,
             "findings": dict(engine.counts), "accounts": [account_dict(a) for a in accounts]}
        )  # fmt: skip


def step_dict(step: Step, text: str) -> dict[str, Any]:
    event = step.event
    return {
        "type": "step", "time": iso(event.time), "host": event.host, "path": event.location.path,
        "line": event.location.line, "kind": event.kind, "account_id": step.account_id,
        "role_arn": step.role_arn, "outcome": step.outcome, "text": text,
    }  # fmt: skip


def account_dict(state: AccountState) -> dict[str, Any]:
    return {
        "account_id": state.account_id, "outcome": state.outcome, "succeeded": state.succeeded,
        "failed": state.failed, "last_step": state.last_step or None, "last_time": iso(state.last_time),
        "last_finding": state.last_finding,
    }  # fmt: skip


class LiveView:
    """The terminal view: accounts, the findings as they fire, the lines of the watched accounts."""

    refresh_every: float | None = 1.0

    def __init__(self, console: Console | None = None, live: bool = True) -> None:
        self.console = console or Console(highlight=False)
        self.live_enabled = live
        self.live: Live | None = None
        self.findings: deque[Finding] = deque(maxlen=_SHOWN_FINDINGS)
        self.lines: deque[Text] = deque(maxlen=_SHOWN_LINES)
        self.options: Options | None = None
        self.observer = ""
        self.started = time.monotonic()

    def start(self, options: Options, observer: str) -> None:
        self.options, self.observer = options, observer
        if self.live_enabled:
            self.live = Live(console=self.console, auto_refresh=False, transient=False)
            self.live.start()

    def notice(self, notice: FileNotice) -> None:
        what = {"follow": "following", "rolled": "rolled over to", "replaced": "replaced", "truncated": "truncated"}
        line = Text(f"{notice.path}: {what[notice.what]}{' ' + notice.to if notice.to else ''}", style="dim")
        self._line(line)

    def update(self, update: Update, engine: Engine) -> None:
        assert self.options is not None
        for step in update.steps:
            if _shown(step, self.options) and step.account_id is not None:
                event = step.event
                said = event.message.split("\n", 1)[0]
                line = Text.assemble(
                    (f"{iso(event.time) or '-'} ", "dim"),
                    (f"{step.account_id} ", "bold"),
                    (f"{step.outcome:<7} ", _STYLE.get(step.outcome, "")),
                    (f"{event.location.path}:{event.location.line} ", "dim"),
                    printable(f"{event.function} - {redact(said) if self.options.redact_secrets else said}"),
                )
                line.no_wrap, line.overflow = True, "ellipsis"
                self._line(line)
        for finding in update.findings:
            self.findings.append(finding)
            if self.live is None:
                self.console.print(_finding(finding))
        self.refresh(engine)

    def _line(self, line: Text) -> None:
        self.lines.append(line)
        if self.live is None:
            self.console.print(line)

    def refresh(self, engine: Engine) -> None:
        if self.live is not None:
            self.live.update(self.frame(engine), refresh=True)

    def frame(self, engine: Engine) -> RenderableType:
        assert self.options is not None
        elapsed = time.monotonic() - self.started
        head = Text.assemble(
            ("cvlogs watch ", "bold"),
            f"{self.options.path} ({self.observer}), {engine.lines:,} lines in {elapsed:.0f} s; findings: ",
            (f"{engine.counts['error']} error", _STYLE["error"] if engine.counts["error"] else ""),
            f", {engine.counts['warning']} warning, {engine.counts['info']} info",
        )
        parts: list[RenderableType] = [head, _accounts(engine.shown())]
        newest = len(self.findings) - 1
        parts.extend(_finding(f, remedy=i == newest) for i, f in enumerate(self.findings))
        parts.extend(self.lines)
        return Group(*parts)

    def summary(self, reason: Reason, status: int, engine: Engine, accounts: list[AccountState]) -> None:
        if self.live is not None:
            self.live.update(self.frame(engine), refresh=True)
            self.live.stop()
        told = {
            "ok": "every watched account completed a successful sequence",
            "failed": "a watched account failed",
            "done": "the jobs of the watched accounts ended",
            "timeout": "the timeout ran out",
            "interrupted": "interrupted",
        }[reason]
        self.console.print(
            Text.assemble(
                ("watch ended: ", "bold"),
                f"{told}; {engine.lines:,} lines, ",
                f"{engine.counts['error']} error, {engine.counts['warning']} warning, {engine.counts['info']} info "
                f"finding(s); exit status {status}",
            )
        )
        if self.live is None:
            self.console.print(_accounts(accounts))


def _accounts(accounts: list[AccountState]) -> Table:
    table = Table(title="Accounts", title_justify="left")
    for column in ("account", "status", "last step", "at", "since", "finding", "ok", "failed"):
        whole = column in {"account", "at"}  # ids and times are never cut
        table.add_column(column, justify="right" if column in {"ok", "failed", "since"} else "left", no_wrap=whole)
    now = time.monotonic()
    for state in accounts:
        since = f"{now - state.last_arrival:.0f} s" if state.last_step else "-"
        table.add_row(
            state.account_id,
            Text(state.outcome, style=_STYLE.get(state.outcome, "")),
            state.last_step or "-",
            state.last_time.strftime("%m-%d %H:%M:%S") if state.last_time else "-",
            since,
            state.last_finding or "-",
            str(state.succeeded),
            str(state.failed),
        )
    return table


def _finding(finding: Finding, remedy: bool = True) -> RenderableType:
    """A finding as a panel: message, first evidence line, and the remedy (the newest one only, live)."""
    title = Text.assemble(
        (f"{finding.severity.upper()} ", _STYLE[finding.severity]),
        (f"{finding.rule} {finding.name}", "bold"),
        f"  {finding.account_id or 'node-wide'}  {iso(finding.first_seen) or ''}",
    )
    body = Text(printable(finding.message))
    for evidence in finding.evidence[:1]:
        body.append(f"\n{evidence.path}:{evidence.line}: ", style="dim")
        body.append(printable(evidence.text))
    if remedy:
        body.append("\nRemedy: ", style="bold")
        body.append(finding.remedy)
    return Panel(body, title=title, title_align="left")
