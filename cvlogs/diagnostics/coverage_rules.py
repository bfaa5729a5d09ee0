"""9xx: coverage, so that nothing relevant is dropped silently."""

from __future__ import annotations

from collections.abc import Iterator

from cvlogs.correlate import Correlation
from cvlogs.diagnostics.base import Occurrence, ScanRule, register
from cvlogs.model import Evidence


@register
class UnrecognizedCredentialLine(ScanRule):
    """A line speaks of credentials (STS, AssumeRole, an ARN, a token...) but no grammar recognised it.

    cvlogs lists these lines so that a person reads them: they may hold the cause in words the
    grammars do not know yet.  Please report such lines, redacted, so a grammar can learn them.
    """

    code = "CVL901"
    name = "unrecognized-credential-line"
    severity = "info"
    remedy = "Read these lines yourself; if one explains a failure, report it so that cvlogs can learn it."

    def check(self, context: Correlation) -> Iterator[Occurrence]:
        for event in context.events:
            if event.kind == "unrecognized":
                yield self.occurrence(
                    event, f"unrecognised credential line in {event.function or 'a message'}", None, None
                )


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
