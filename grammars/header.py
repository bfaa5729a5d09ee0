"""The common line header of Commvault logs: pid, tid, mm/dd, hh:mm:ss, job, Class::Method(), separator.

The layout (GxTail's documentation) is ``PID TID MM/DD HH:MM:SS JOB MESSAGE``, split on runs of blanks,
never on columns.  ``HEADER`` is a single ``pp.Regex`` on purpose: the parsing engine uses its
compiled ``.re`` on every line (pyparsing's own ``parse_string`` costs about 200 microseconds a
call, the compiled pattern about 2), and a test proves that both agree on every sample.

Every character class is spelled out in ASCII (``[0-9]``, ``[ \\t]``) so that the same pattern text
means the same thing on ``bytes`` (the chunk scanner) and on ``str`` (the record parser).
"""

from __future__ import annotations

import re

import pyparsing as pp

# Bounded repeats keep every pattern linear on adversarial input (100,000 digits, say).
_BLANK = r"[ \t]"
PID = r"[0-9]{1,10}"
TID = r"(?:0[xX])?[0-9A-Fa-f]{1,20}"
# A year after the day (mm/dd/yyyy) is not in the documented layout, but is read when present.
MONTH_DAY = r"(?P<month>[0-9]{1,2})/(?P<day>[0-9]{1,2})(?:/(?P<year>[0-9]{4}|[0-9]{2}))?"
CLOCK = r"(?P<time>[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]{1,6})?)"

#: What makes a line a header line: pid and tid (possibly fused, as in PDF copies: ``6924f48``),
#: the date and the time, followed by a blank or the end of the line.  Nothing after the time
#: decides whether a line is a header, so the chunk scanner can count headers with this prefix alone.
HEADER_PREFIX_PATTERN = (
    rf"{_BLANK}*+(?P<pid>{PID}){_BLANK}*(?P<tid>{TID}){_BLANK}++{MONTH_DAY}{_BLANK}++{CLOCK}"
    rf"(?={_BLANK}|\r?$)"
)

# Identifiers are possessive (``*+``): what follows one (``::``, ``(``) can never continue it, so
# giving characters back cannot help a match, and not trying halves the time of a header match.
_FUNCTION = (
    r"(?P<function>(?P<class_name>[A-Za-z_~][A-Za-z0-9_~]*+(?:::[A-Za-z_~][A-Za-z0-9_~]*+)*)"
    r"::(?P<method>~?[A-Za-z_][A-Za-z0-9_]*+)\(\))"
)
# A job token is anything that is not the Class::Method() of the message: digits, runs of '#',
# or another placeholder.  It is optional because some lines go straight to the function.
_JOB = rf"(?:{_BLANK}++(?P<job>(?![A-Za-z_~][A-Za-z0-9_~]*+::)[^ \t]++))?"
_REST = (
    rf"(?:{_BLANK}++{_FUNCTION})?{_BLANK}*+(?P<sep>[-\u2013\u2014](?={_BLANK}|$))?{_BLANK}*+"
    r"(?P<message>.*)"
)

#: What follows the prefix: the job, ``Class::Method()``, the separator and the message.  Everything
#: in it is optional, so the full pattern matches wherever the prefix does, with the same groups as
#: the prefix's match followed by this pattern's match on the rest of the line (a test checks it):
#: the scanner matches the two apart and reads each distinct rest of a line once.
HEADER_REST_PATTERN = _JOB + _REST
HEADER_PATTERN = HEADER_PREFIX_PATTERN + HEADER_REST_PATTERN

#: A header glued to the end of a line (a PDF-extraction artefact in the seed guide, and what
#: concurrent writers without a lock produce).  Searched only in the last ``TRAILER_WINDOW``
#: characters of a message, which keeps the search cheap and linear.
TRAILER_PATTERN = (
    rf"(?<![0-9]){PID}{_BLANK}*{TID}{_BLANK}++[0-9]{{1,2}}/[0-9]{{1,2}}(?:/[0-9]{{2,4}})?{_BLANK}++"
    rf"[0-9]{{1,2}}:[0-9]{{2}}:[0-9]{{2}}(?:[.,][0-9]{{1,6}})?(?:{_BLANK}++[^ \t]++)?{_BLANK}*+$"
)
TRAILER_WINDOW = 96

TRAILER = pp.Regex(TRAILER_PATTERN).set_name("duplicate trailing header")
_TRAILER_RE = re.compile(TRAILER_PATTERN)


def split_trailer(message: str) -> tuple[str, str]:
    """Split a duplicated header off the end of ``message``: ``(message, trailer)``."""
    start = max(0, len(message) - TRAILER_WINDOW)
    if _CLOCK_RE.search(message, start) is None:
        return message.rstrip(), ""  # no hh:mm:ss near the end, so no trailer (and no costlier search)
    found = _TRAILER_RE.search(message, start)
    if found is None:
        return message.rstrip(), ""
    return message[: found.start()].rstrip(), found.group().strip()


# The least a trailer's time needs; messages full of colons (ARNs, URLs) made a find() loop slow.
_CLOCK_RE = re.compile(r"[0-9]:[0-9]{2}:[0-9]{2}")


def _drop_trailer(tokens: pp.ParseResults) -> None:
    message, trailer = split_trailer(tokens["message"])
    tokens["message"] = message
    tokens["trailer"] = trailer


#: The header of one line with its message; named results: pid, tid, month, day, time, job,
#: function, class_name, method, sep, message and trailer.
HEADER = pp.Regex(HEADER_PATTERN).set_name("log line header").add_parse_action(_drop_trailer)

#: Only the part that decides whether a line is a header (for counting lines in bulk).
HEADER_PREFIX = pp.Regex(HEADER_PREFIX_PATTERN).set_name("log line header prefix")

#: Sample lines with the named results they must produce (the lnav habit).  The first three are
#: the seed guide's own lines, with the damage of their PDF extraction kept.
SAMPLES: tuple[tuple[str, dict[str, str]], ...] = (
    (
        "960f6c   05/09 11:24:04 16972 CAmazonInfo::Connect() - Connecting to Url=[default], "
        "username[arn:aws:iam::xxxxxxxxxxxx:role/VSA_Role]",
        {
            "pid": "960",
            "tid": "f6c",
            "month": "05",
            "day": "09",
            "time": "11:24:04",
            "job": "16972",
            "function": "CAmazonInfo::Connect()",
            "class_name": "CAmazonInfo",
            "method": "Connect",
            "sep": "-",
            "message": "Connecting to Url=[default], username[arn:aws:iam::xxxxxxxxxxxx:role/VSA_Role]",
            "trailer": "",
        },
    ),
    (
        "6924  f48   05/08 20:07:24 16960 CAmazonInfo::Connect() - Connecting to Url=[default],  "
        "user name[arn:aws:iam:: xxxxxxxxxxxx :role/VSA_Role]6924  f48   05/08 20:07:24 16960",
        {
            "pid": "6924",
            "tid": "f48",
            "job": "16960",
            "function": "CAmazonInfo::Connect()",
            "message": "Connecting to Url=[default],  user name[arn:aws:iam:: xxxxxxxxxxxx :role/VSA_Role]",
            "trailer": "6924  f48   05/08 20:07:24 16960",
        },
    ),
    (
        "6924f48   05/08 20:07:24 16960 AmazonConnection::ValidateCredentials() \u2013  "
        "Assume role [arn:aws:iam:: xxxxxxxxxxxx  :role/VSA_Role]",
        {
            "pid": "6924",
            "tid": "f48",
            "job": "16960",
            "function": "AmazonConnection::ValidateCredentials()",
            "method": "ValidateCredentials",
            "sep": "\u2013",
            "message": "Assume role [arn:aws:iam:: xxxxxxxxxxxx  :role/VSA_Role]",
        },
    ),
    (
        "  4012  7f3a2b1c  11/20 10:00:01 ###### CvProcess::Start() - started",
        {"pid": "4012", "tid": "7f3a2b1c", "job": "######", "message": "started", "sep": "-"},
    ),
    (
        "4012 1a2c 11/20 10:00:01 123456 plain message without a function",
        {"job": "123456", "message": "plain message without a function", "sep": ""},
    ),
    (
        "4012 1a2c 11/20 10:00:01 CAmazonInfo::Connect() - no job column",
        {"job": "", "function": "CAmazonInfo::Connect()", "message": "no job column"},
    ),
    (
        "1234567 140234567890 1/2 3:04:05.123 N/A vsbkp::main() \u2014 a Linux line",
        {"pid": "1234567", "tid": "140234567890", "month": "1", "time": "3:04:05.123", "job": "N/A"},
    ),
    (
        "4012\t0x7f3a\t11/20/2026\t10:00:01\t123\tCAmazonInfo::Connect() - tabs, a 0x thread id and a year",
        {"pid": "4012", "tid": "0x7f3a", "month": "11", "day": "20", "year": "2026", "job": "123", "sep": "-"},
    ),
)
