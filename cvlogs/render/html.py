"""One self-contained HTML page: verdict, findings summary, accounts, a timeline, then the details.

Nothing is fetched: styles and the small filter script are inline, links are anchors within the
page, so the file opens the same offline and in a ticket viewer.  Every value is escaped.  The
page grows linearly with accounts and findings, and the timeline is bounded: one lane per
account (the failing ones first, at most ``MAX_LANES``), one bar per sequence, bars closer than a
pixel merged into one whose tooltip says how many sequences it stands for.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta
from html import escape

from cvlogs.model import AccountSummary, Finding
from cvlogs.redact import printable
from cvlogs.render import DEFAULT, RenderOptions
from cvlogs.render.json_report import iso, shown_path
from cvlogs.render.summary import FindingLine, finding_lines, findings_of_accounts
from cvlogs.report import Report, SequenceSpan, describe

MAX_LANES = 200
_WIDTH = 1000
_LABEL = 120
_LANE = 18
_PLOT = _WIDTH - _LABEL - 20

_CSS = """
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:1200px;color:#1d232a;padding:0 1rem}
h1{font-size:1.4rem}h2{margin-top:2rem;border-bottom:1px solid #d8dee4;padding-bottom:.2rem}
.verdict{font-weight:600;padding:.5rem .75rem;border-radius:6px;background:#f6f8fa}
.verdict.failing{background:#ffebe9;color:#82071e}.verdict.healthy{background:#dafbe1;color:#116329}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.5rem 0;width:100%}
td,th{border:1px solid #d8dee4;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f7;white-space:nowrap}td.nowrap{white-space:nowrap}.num{text-align:right}
td.msg{min-width:16rem;overflow-wrap:anywhere}
pre{background:#f6f8fa;padding:.6rem;white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px;max-width:100%}
code{overflow-wrap:anywhere}
.error,.failing{color:#b42318}.warning,.recovered{color:#9a6700}.info{color:#0969da}.ok{color:#1a7f37}
.unknown{color:#6e7781}
.finding{border-left:4px solid #d8dee4;padding:.2rem 1rem;margin:1rem 0;overflow-wrap:anywhere}
.finding.error{border-color:#b42318}.finding.warning{border-color:#bf8700}.finding.info{border-color:#0969da}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:.75rem 0}
.filters select{max-width:14rem}
.legend span{margin-right:1rem}svg text{font:11px system-ui,sans-serif;fill:#1d232a}
svg{max-width:100%;height:auto}rect.ok{fill:#1a7f37}rect.failed{fill:#b42318}rect.incomplete{fill:#8c959f}
[hidden]{display:none!important}
@media print{
 .filters{display:none}body{margin:0;max-width:none;font-size:11px}
 .scroll{overflow:visible}details{display:block}details>summary{list-style:none}
 details:not([open])>*:not(summary){display:block}a{color:inherit;text-decoration:none}
 .finding,tr{break-inside:avoid}
}
"""

# Hides the rows and findings whose data-account, data-host or data-severity does not match.
_SCRIPT = """
(function(){
  var form=document.getElementById('filters');
  function apply(){
    var want={};
    form.querySelectorAll('select').forEach(function(s){want[s.name]=s.value;});
    document.querySelectorAll('[data-severity],[data-account],[data-host]').forEach(function(el){
      if(el.tagName==='SELECT'||el.tagName==='OPTION')return;
      var show=Object.keys(want).every(function(k){
        if(!want[k])return true;
        var have=el.getAttribute('data-'+k);
        return have===null||(' '+have+' ').indexOf(' '+want[k]+' ')>=0;
      });
      el.hidden=!show;
    });
  }
  form.addEventListener('change',apply);
  form.addEventListener('reset',function(){setTimeout(apply,0);});
})();
"""


def render(report: Report, options: RenderOptions = DEFAULT) -> str:
    """The whole report as one HTML document."""
    lines = finding_lines(report)
    failing = report.exit_status == 1
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>cvlogs report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>cvlogs report: STS AssumeRole on a Commvault access node</h1>",
        f'<p class="verdict {"failing" if failing else "healthy"}">{escape(report.verdict)}</p>',
        *_filters(report),
        *_summary(lines),
        *_accounts(report, lines),
        *_timeline(report),
        *_findings(report, lines, options.max_evidence),
        *_environment(report),
        "<h2>Coverage</h2>",
        f"<p>{report.records:,} records, {report.continuations:,} continuation lines, "
        f"{report.banner:,} banner lines, {report.unparsed:,} unparsed "
        f"lines; {report.unrecognized:,} credential lines no grammar recognised (CVL901).</p>",
        f"<script>{_SCRIPT}</script>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _attr(value: str) -> str:
    return escape(printable(value), quote=True)


def _text(value: str | None) -> str:
    return escape(printable(value)) if value else "-"


_WEB = re.compile(r"https?://[^\s<>\"']+")


def link(url: str, label: str | None = None) -> str:
    """A link to a web page (documentation), opened by the reader: only an http(s) URL becomes one."""
    if _WEB.fullmatch(url) is None:
        return _text(url)
    return f'<a href="{_attr(url)}" rel="noreferrer">{_text(label or url)}</a>'


def _options(name: str, label: str, values: list[str]) -> str:
    choices = "".join(f'<option value="{_attr(v)}">{_text(v)}</option>' for v in values)
    return f'<label>{label} <select name="{name}"><option value="">all</option>{choices}</select></label>'


def _filters(report: Report) -> list[str]:
    accounts: list[str] = [a.account_id for a in report.accounts]
    if any(f.account_id is None for f in report.findings):
        accounts.append("node-wide")
    return [
        '<form id="filters" class="filters" aria-label="filter the report">',
        _options("account", "Account", accounts),
        _options("host", "Host", list(report.hosts)),
        _options("severity", "Severity", ["error", "warning", "info"]),
        '<button type="reset">show all</button></form>',
    ]


def _finding_data(line: FindingLine) -> str:
    hosts = " ".join(h.strip() for h in line.host.split(",")) if line.host != "-" else ""
    return f'data-severity="{line.severity}" data-account="{_attr(line.account)}" data-host="{_attr(hosts)}"'


def _summary(lines: list[FindingLine]) -> list[str]:
    if not lines:
        return ['<p class="ok">No findings.</p>']
    rows = "".join(
        f"<tr {_finding_data(line)}><td class={line.severity}>{line.severity}</td>"
        f'<td class=nowrap><a href="#{line.anchor}">{line.rule}</a></td><td class=nowrap>{_text(line.account)}</td>'
        f"<td>{_text(line.host)}</td><td class=num>{line.times}</td><td class=nowrap>{_text(line.first_seen)}</td>"
        f'<td class="msg">{_text(line.message)}</td></tr>'
        for line in lines
    )
    return [
        "<h2>Findings</h2>",
        '<div class="scroll"><table id="summary"><thead><tr><th>severity</th><th>rule</th><th>account</th>'
        "<th>host</th><th>count</th><th>first seen</th><th>message</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div>",
    ]


def _accounts(report: Report, lines: list[FindingLine]) -> list[str]:
    if not report.accounts:
        return ["<h2>Accounts</h2>", "<p>No account was seen.</p>"]
    mine = findings_of_accounts(report, lines)
    rows = "".join(_account_row(a, mine.get(a.account_id, [])) for a in report.accounts)
    return [
        "<h2>Accounts</h2>",
        "<p>Status: <b>failing</b>, the last complete sequence failed; <b>recovered</b>, one failed earlier and "
        "the last succeeded; <b>unknown</b>, no complete sequence. The rule explains the last failure.</p>",
        '<div class="scroll"><table id="accounts"><thead><tr><th>account</th><th>status</th><th>rule</th>'
        "<th>sequences</th><th>failed</th><th>first seen</th><th>last seen</th><th>hosts</th><th>findings</th>"
        f"</tr></thead><tbody>{rows}</tbody></table></div>",
    ]


def _account_row(account: AccountSummary, lines: list[FindingLine]) -> str:
    links = " ".join(f'<a href="#{line.anchor}">{line.rule}</a>' for line in lines) or "-"
    return (
        f'<tr data-account="{_attr(account.account_id)}" data-host="{_attr(" ".join(account.hosts))}">'
        f'<td class=nowrap id="account-{_attr(account.account_id)}">{_text(account.account_id)}</td>'
        f"<td class={account.status}>{account.status}</td><td>{_text(account.rule)}</td>"
        f"<td class=num>{account.sequences}</td><td class=num>{account.failed_sequences}</td>"
        f"<td class=nowrap>{_text(iso(account.first_seen))}</td><td class=nowrap>{_text(iso(account.last_seen))}</td>"
        f"<td>{_text(', '.join(account.hosts))}</td><td>{links}</td></tr>"
    )


_STEPS = [
    timedelta(seconds=s)
    for s in (1, 5, 15, 30, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400)
]


def ticks(start: datetime, end: datetime, most: int = 8) -> list[datetime]:
    """Round times between ``start`` and ``end``: multiples of the smallest step giving at most ``most``."""
    span = end - start
    step = next((s for s in _STEPS if span / s <= most), None)
    if step is None:  # longer than 8 weeks: whole multiples of 30 days
        step = timedelta(days=30 * max(1, int(span / timedelta(days=30 * most)) + 1))
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    first = midnight + step * -(-(start - midnight) // step)  # ceiling to a multiple of the step
    found = []
    moment = first
    while moment <= end:
        found.append(moment)
        moment += step
    return found


def tick_label(moment: datetime, step: timedelta) -> str:
    if step >= timedelta(days=1):
        return moment.strftime("%Y-%m-%d")
    if step >= timedelta(minutes=1):
        return moment.strftime("%m-%d %H:%M")
    return moment.strftime("%H:%M:%S")


_COLOURS = {"ok": "#1a7f37", "failed": "#b42318", "incomplete": "#8c959f"}


def _timeline(report: Report) -> list[str]:
    if not report.spans:
        return []
    by_account: dict[str, list[SequenceSpan]] = defaultdict(list)
    for span in report.spans:
        by_account[span.account_id].append(span)
    order = {"failing": 0, "recovered": 1, "unknown": 2, "ok": 3}
    status: dict[str, str] = {a.account_id: a.status for a in report.accounts}
    lanes = sorted(by_account, key=lambda a: (order.get(status.get(a, "unknown"), 2), a))
    shown = lanes[:MAX_LANES]
    start = min(s.start for s in report.spans)
    end = max(s.end for s in report.spans)
    seconds = max((end - start).total_seconds(), 1.0)
    height = _LANE * len(shown) + 36
    marks: list[str] = []
    for row, account in enumerate(shown):
        y = 8 + row * _LANE
        marks.append(f'<text x="4" y="{y + 11}">{_text(account)}</text>')
        marks.append(f'<line x1="{_LABEL}" y1="{y + 7}" x2="{_WIDTH - 20}" y2="{y + 7}" stroke="#eef1f4"/>')
        marks.extend(_bars(by_account[account], start, seconds, y))
    found = ticks(start, end)
    step = found[1] - found[0] if len(found) > 1 else timedelta(seconds=1)
    axis = "".join(_tick(tick_label(t, step), _x(t, start, seconds), height) for t in found)
    legend = "".join(f'<span style="color:{c}">&#9632; {k}</span>' for k, c in _COLOURS.items())
    left_out = len(lanes) - len(shown)
    return [
        "<h2>Timeline</h2>",
        f'<p class="legend">One bar per sequence, from its first step to its last: {legend}</p>',
        f'<div class="scroll"><svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" '
        f'viewBox="0 0 {_WIDTH} {height}" role="img" aria-label="credential sequences per account">'
        f"{axis}{''.join(marks)}</svg></div>",
        f"<p>{left_out:,} more accounts are not drawn (the failing ones come first).</p>" if left_out else "",
    ]


def _x(moment: datetime, start: datetime, seconds: float) -> float:
    return _LABEL + (moment - start).total_seconds() / seconds * _PLOT


def _tick(label: str, x: float, height: int) -> str:
    return (
        f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 16}" stroke="#d8dee4"/>'
        f'<text x="{x:.1f}" y="{height - 4}" text-anchor="middle">{escape(label)}</text>'
    )


def _bars(spans: list[SequenceSpan], start: datetime, seconds: float, y: int) -> list[str]:
    """One bar per sequence, whole pixels; bars of one status less than 3 pixels apart become one."""
    merged: list[tuple[int, int, str, int, int, SequenceSpan, SequenceSpan, int]] = []
    for span in sorted(spans, key=lambda s: s.start):
        x0, x1 = round(_x(span.start, start, seconds)), round(_x(span.end, start, seconds))
        if merged and merged[-1][2] == span.status and x0 - merged[-1][1] < 3:
            left, right, kind, count, activity, first, _, steps = merged[-1]
            merged[-1] = (
                left,
                max(right, x1),
                kind,
                count + 1,
                activity + span.activity,
                first,
                span,
                steps + span.steps,
            )
        else:
            merged.append((x0, x1, span.status, 1, span.activity, span, span, span.steps))
    bars = [f'<g transform="translate(0 {y + 2})">']
    for x0, x1, kind, count, activity, first, last, steps in merged:
        rule = f", {first.rule}" if count == 1 and first.rule else ""
        end = f"{last.end:%H:%M:%S}" if last.end.date() == first.start.date() else f"{last.end:%m-%d %H:%M:%S}"
        tip = f"{kind}: {count} seq, {steps} steps, {activity} activity{rule}; {first.start:%m-%d %H:%M:%S} to {end}"
        bars.append(
            f'<rect x="{x0}" width="{max(x1 - x0, 2)}" height="10" class="{kind}"><title>{_text(tip)}</title></rect>'
        )
    return [*bars, "</g>"]


def _findings(report: Report, lines: list[FindingLine], max_evidence: int) -> list[str]:
    parts = ["<h2>Details</h2>"]
    if not report.findings:
        parts.append('<p class="ok">No findings.</p>')
    for line, finding in zip(lines, report.findings, strict=True):
        parts.append(_finding(line, finding, max_evidence))
    return parts


def _finding(line: FindingLine, f: Finding, max_evidence: int) -> str:
    evidence = "\n".join(f"{e.path}:{e.line}: {printable(e.text)}" for e in f.evidence[:max_evidence])
    account = f'<a href="#account-{_attr(f.account_id)}">{_text(f.account_id)}</a>' if f.account_id else "node-wide"
    return (
        f'<section class="finding {f.severity}" id="{line.anchor}" {_finding_data(line)}>'
        f'<h3><span class="{f.severity}">{f.severity.upper()}</span> {f.rule} {_text(f.name)}: {account}</h3>'
        f"<p>{_text(f.message)}</p><p>Role: {_text(f.role_arn)}; hosts: {_text(', '.join(f.hosts))}; "
        f"seen {f.count} time(s), first at {_text(iso(f.first_seen))}.</p>"
        + (
            f"<details><summary>evidence ({min(len(f.evidence), max_evidence)} lines)</summary>"
            f"<pre>{escape(evidence)}</pre></details>"
            if evidence
            else ""
        )
        + f"<p><strong>Remedy.</strong> {_text(f.remedy)}</p>"
        + (f"<p><strong>AWS documentation.</strong> {', '.join(link(url) for url in f.docs)}</p>" if f.docs else "")
        + "</section>"
    )


def _environment(report: Report) -> list[str]:
    rows = "".join(
        f'<tr data-host="{_attr(f.host or "")}"><td>{_text(shown_path(f))}</td><td>{f.family}</td>'
        f"<td class=num>{f.lines}</td><td class=num>{f.records}</td>"
        f"<td class=num>{f.continuations}</td><td class=num>{f.banner}</td><td class=num>{f.unparsed}</td>"
        f"<td class=nowrap>{_text(iso(f.first_time))}</td><td class=nowrap>{_text(iso(f.last_time))}</td></tr>"
        for f in report.files
    )
    skipped = "".join(f"<li><code>{_text(s.path)}</code>: {_text(s.reason)}</li>" for s in report.skipped)
    return [
        "<h2>Environment</h2>",
        f"<p>cvlogs {escape(report.version)}; hosts: {_text(', '.join(report.hosts) or 'not named')}.</p>",
        "".join(f"<p>Machine {_text(describe(machine))}</p>" for machine in report.machines),
        '<div class="scroll"><table><thead><tr><th>file</th><th>family</th><th>lines</th><th>records</th>'
        "<th>continuations</th><th>banner</th><th>unparsed</th><th>first</th><th>last</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div>",
        f"<p>Skipped:</p><ul>{skipped}</ul>" if skipped else "",
    ]
