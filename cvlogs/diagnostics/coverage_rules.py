"""9xx: coverage, so that nothing relevant is dropped silently."""

from __future__ import annotations

from collections.abc import Iterator

from cvlogs.correlate import Correlation, Sequence
from cvlogs.diagnostics.base import ErrorRule, Occurrence, ScanRule, register
from cvlogs.diagnostics.sequence_rules import stops_unexplained
from cvlogs.model import AwsError, Event, Evidence


@register
class UnrecognizedCredentialLine(ErrorRule, ScanRule):
    """A line speaks of credentials (STS, AssumeRole, an ARN...) or of a failure, but no rule explains it.

    cvlogs lists these lines so that a person reads them: they may hold the cause in words the
    grammars do not know yet.  Please report such lines, redacted, so a grammar can learn them.
    A line inside an open credential sequence that says something failed, in words no rule
    explains, is listed here when the sequence goes on or an error before it named the cause (CVL103
    when the sequence stops there unexplained).
    """

    code = "CVL901"
    name = "unrecognized-credential-line"
    severity = "info"
    specificity = -1
    docs = ("https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html",)
    remedy = "Read these lines yourself; if one explains a failure, report it so that cvlogs can learn it."

    def diagnose(self, event: Event, error: AwsError, sequence: Sequence | None, context: Correlation) -> str | None:
        if sequence is None or stops_unexplained(sequence, event):  # then CVL103 says it
            return None
        return (
            f"a line of the credential sequence says something failed, in words cvlogs does not know: {event.message}"[
                :300
            ]
        )

    def check(self, context: Correlation) -> Iterator[Occurrence]:
        for event in context.unrecognized:
            yield self.occurrence(event, f"unrecognised credential line in {event.function or 'a message'}", None, None)


@register
class UnparsedLines(ScanRule):
    """Lines match no header and could not be attached to a previous record as a continuation.

    They stand before the first header line of a file: a truncated or binary start, or a
    layout cvlogs does not know.  The finding gives the count per file and the first few lines.
    """

    code = "CVL902"
    name = "unparsed-lines"
    severity = "warning"
    remedy = "Check that these files are Commvault logs of the expected families and were not truncated or re-encoded."

    def check(self, context: Correlation) -> Iterator[Occurrence]:
        for result in context.scan.files:
            if result.unparsed == 0:
                continue
            evidence = tuple(
                Evidence(sample.location.path, sample.location.line, sample.text, result.host)
                for sample in result.unparsed_samples
            )
            message = f"{result.unparsed} unparsed line(s) in {result.path}"
            yield Occurrence(self.code, None, None, result.first_time, message, evidence, weight=result.unparsed)
