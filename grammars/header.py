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
_IDENT = r"[A-Za-z_~][A-Za-z0-9_~]*+"
# The shapes of the function that opens a message, as real 11.x logs write it:
#   ``A::B()``, ``A::B(1482)`` (a source line number), ``A::B::C(301)``, ``::B()`` (no class),
#   ``A.B.C()`` (.NET), ``A::B``, ``A::B:`` and ``A::B,`` without parentheses (a blank must follow
#   a bare name), and free functions ``name()`` / ``name(12)`` (a blank, a colon or the end of the
#   line must follow).  After a function, a colon separates the message too (``Init():text``).
# ``qualified`` is set only for a ``::`` name, the one kind that may go without parentheses.
_FUNCTION = (
    rf"(?P<function>(?:(?P<class_name>{_IDENT}(?:(?:::|\.){_IDENT})*)?(?:(?P<qualified>::)|(?<=[A-Za-z0-9_~])\.))?"
    r"(?P<method>~?[A-Za-z_][A-Za-z0-9_]*+))"
    rf"(?:\((?P<source_line>[0-9]{{0,9}})\)(?(class_name)|(?=[ \t:]|$))|(?(qualified)(?:[:,]|(?=[ \t]|$))|(?!)))"
)
# A job token is anything that is not the function of the message: digits, runs of '#', or
# another placeholder (``N/A``, ``---``, the forwarder's ``PT:00001``); further tokens of '#'
# alone are placeholders too (.NET loggers write ``### ###``).  It is optional because some
# lines go straight to the function.
_JOB = (
    rf"(?:{_BLANK}++(?P<job>(?!{_IDENT}(?:::|(?:\.{_IDENT})+\([0-9]{{0,9}}\)|\([0-9]{{0,9}}\)(?:[ \t]|$))|::)[^ \t]++)"
    rf"(?:{_BLANK}++#++(?=[ \t]|$))*+)?"
)
# The separator: a dash before a blank or the end, or a colon after a method (``Init():text``).
_DASH = rf"[-\u2013\u2014](?={_BLANK}|$)"
_COLON = r":(?!:)"
_REST = (
    rf"(?:{_BLANK}++{_FUNCTION})?{_BLANK}*+(?P<sep>{_DASH}|(?(method){_COLON}|(?!)))?{_BLANK}*+"
    r"(?P<message>.*)"
)
#: What follows a function that has a method (its parentheses included): the separator and the
#: message, as ``HEADER_REST_PATTERN`` reads them there.
AFTER_METHOD_PATTERN = rf"{_BLANK}*+(?P<sep>{_DASH}|{_COLON})?{_BLANK}*+(?P<message>.*)"

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
    if message.find(":", start) < 0 or _CLOCK_RE.search(message, start) is None:
        return message.rstrip(), ""  # no colon or hh:mm:ss near the end, so no trailer (nor a costlier search)
    found = _TRAILER_RE.search(message, start)
    if found is None:
        return message.rstrip(), ""
    return message[: found.start()].rstrip(), found.group().strip()


# The least a trailer's time needs; messages full of colons (ARNs, URLs) made a find() loop slow.
_CLOCK_RE = re.compile(r"[0-9]:[0-9]{2}:[0-9]{2}")


def function_column(name: str | None, source_line: str | None) -> str:
    """The function as the events table shows it: the name, with ``()`` when the log wrote
    parentheses, never the source line number (``A::B(1482)`` is ``A::B()``, line 1482)."""
    if not name:
        return ""
    return name if source_line is None else name + "()"


def _settle(tokens: pp.ParseResults) -> None:
    message, trailer = split_trailer(tokens["message"])
    tokens["message"] = message
    tokens["trailer"] = trailer
    found = tokens.as_dict()
    tokens["function"] = function_column(found.get("function"), found.get("source_line"))


#: The header of one line with its message; named results: pid, tid, month, day, time, job,
#: function (``A::B()`` or ``A::B``), class_name, method, source_line (the number in ``A::B(1482)``,
#: empty for ``()``), sep, message and trailer.
HEADER = pp.Regex(HEADER_PATTERN).set_name("log line header").add_parse_action(_settle)

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
    # The shapes of real Commvault 11.x logs (layouts from a public 11.28 Log Files folder; the
    # names and texts here are this project's own).
    (
        "7716  18e8  06/30 08:48:13 1087953 Registry::Helper::GetSyncUserDetails(1482) - No keys found",
        {
            "job": "1087953",
            "function": "Registry::Helper::GetSyncUserDetails()",
            "class_name": "Registry::Helper",
            "method": "GetSyncUserDetails",
            "source_line": "1482",
            "sep": "-",
            "message": "No keys found",
        },
    ),
    (
        "4584  1980  06/30 06:44:12 ### CFolderWatcherOps::Run(301) - watching [C:\\Temp]",
        {"job": "###", "function": "CFolderWatcherOps::Run()", "source_line": "301", "message": "watching [C:\\Temp]"},
    ),
    (
        "5356  1394  06/30 08:47:31 ### TailServerPool::Init: Max number of threads [8]",
        {
            "function": "TailServerPool::Init",
            "method": "Init",
            "source_line": "",
            "sep": "",
            "message": "Max number of threads [8]",
        },
    ),
    (
        "3500  1     06/30 06:54:21 ###  ManagedLogger::SetThreads - max threads set to [1000]",
        {"job": "###", "function": "ManagedLogger::SetThreads", "sep": "-", "message": "max threads set to [1000]"},
    ),
    (
        "5356  1394  06/30 08:47:31 ####### receivePatchFile() - Received file [a.dll]",
        {
            "job": "#######",
            "function": "receivePatchFile()",
            "class_name": "",
            "method": "receivePatchFile",
            "message": "Received file [a.dll]",
        },
    ),
    (
        "4012  1a2c  11/20 10:00:01 88103 CAmazonInfo::Connect(412) - Connecting to Url=[default]",
        {
            "function": "CAmazonInfo::Connect()",
            "class_name": "CAmazonInfo",
            "method": "Connect",
            "source_line": "412",
            "message": "Connecting to Url=[default]",
        },
    ),
    (
        "3740 1440 06/30 06:43:47 PT:00001 CN:00001 [local->cs:8400] bound to tunnel",
        {"job": "PT:00001", "function": "", "sep": "", "message": "CN:00001 [local->cs:8400] bound to tunnel"},
    ),
    (
        "3500  1     06/30 06:54:22 ### ### MainView.InitWindow() - Instance name returned",
        {
            "job": "###",
            "function": "MainView.InitWindow()",
            "class_name": "MainView",
            "message": "Instance name returned",
        },
    ),
    (
        "1692  4     06/30 06:36:47 ### ### ### - The setup is running",
        {"job": "###", "function": "", "sep": "-", "message": "The setup is running"},
    ),
    (
        "5504  1220  06/30 06:42:36 ###\tSvcModule::ParseCommandLine\tFailed to parse",
        {"job": "###", "function": "SvcModule::ParseCommandLine", "message": "Failed to parse"},
    ),
    (
        "4464  1bdc  06/30 08:51:43 ### Initialize():Shared memory ready",
        {"function": "Initialize()", "sep": ":", "message": "Shared memory ready"},
    ),
    (
        "4464  1bdc  06/30 08:51:43 ### TailServer::logStats:Final client [a]",
        {"function": "TailServer::logStats", "sep": "", "message": "Final client [a]"},
    ),
    (
        "4012  1a2c  11/20 10:00:01 12 Install.log was copied",
        {"job": "12", "function": "", "message": "Install.log was copied"},
    ),
)
