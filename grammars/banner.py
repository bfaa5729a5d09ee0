"""The banner that opens a Commvault 11.x log (and that a service restart appends mid-file).

Two layouts are known (see ``../shared/docs/log-format.md``).  The ``*``-boxed one of the
services::

    ****************************************************************
    * Machine    : client:HOSTNAME (display name) (Instance001)     *
    * IP Addrs   : 192.0.2.10                                       *
    * Module     : cvd                                              *
    * Commserver : cs-name:cs.example.com                           *
    * Version    : 11.2801.20                                       *
    * Date       : 2022/06/30 (Pacific Standard Time GMT-08:00)     *
    * OS Type    : Windows Server 2019 ...                          *
    ****************************************************************

and the installers' one, indented, with a tab before the colon and a ``m/d/yyyy`` date::

    *******************************************************
      Machine        <TAB>: HOSTNAME
      Module         <TAB>: Install.log
      Product Version<TAB>: 11.2801.0
      Date           <TAB>: 6/30/2022
    *******************************************************

``BANNER`` reads one whole banner (its lines joined by ``\\n``, without line endings).  Named
results: client, host_name, display_name, instance (from ``Machine``; ``Hostname`` and
``Physical Machine`` give host_name and physical_machine), ip_addresses (a list), module,
commserve, version, date (as written), zone, utc_offset (``-08:00``), os.  ``pp.Tag`` marks the
layout (``star`` or ``indented``).  The parsing module decides which lines are a banner with
``BORDER_PATTERN`` and calls this grammar once per banner.
"""

from __future__ import annotations

import re

import pyparsing as pp

#: A border line: a run of at least 20 ``*`` and nothing else (a trailing blank at most).
BORDER_PATTERN = r"\*{20,}[ \t]*"
#: The most lines between the two borders of a banner (the known layouts have 5 to 8).
MAX_ENTRIES = 16

_FLAGS = re.MULTILINE
_STAR_LEAD = r"\*[ \t]+"
_INDENT_LEAD = r"[ \t]+"
_SEP = r"[ \t]*:[ \t]*"
# What ends an entry: the right edge of the ``*`` box (absent in the indented layout), the line end.
_END = r"[ \t]*(?:\*[ \t]*)?(?:\n|\Z)"
_TEXT = r"[^*\n]*?"

_VALUES: dict[str, tuple[str, str]] = {
    # element name: (key words, value pattern with named groups)
    "machine": (
        r"Machine",
        r"(?:(?P<client>[^:\s()*]*):)?(?P<host_name>[^\s()*]*)"
        r"(?:[ \t]*\((?P<display_name>[^()\n]*)\))?(?:[ \t]*\((?P<instance>[^()\n]*)\))?",
    ),
    "physical machine": (r"Physical[ \t]+Machine", rf"(?P<physical_machine>{_TEXT})"),
    "host name": (r"Host[ \t]?name", r"(?P<host_name>[^\s*]*)"),
    "ip addresses": (r"IP[ \t]+Addr(?:s|ess(?:es)?)", rf"(?P<ip_text>{_TEXT})"),
    "module": (r"Module", rf"(?P<module>{_TEXT})"),
    "commserve": (r"Comm[Ss]erve(?:r)?", rf"(?P<commserve>{_TEXT})"),
    "version": (r"(?:Product[ \t]+)?Version", r"(?P<version>[^\s*]*)"),
    "date": (
        r"Date",
        r"(?P<date>[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}|[0-9]{1,2}/[0-9]{1,2}/[0-9]{4})"
        r"(?:[ \t]*\((?P<zone>[^()\n]*?)(?:[ \t]*(?:GMT|UTC)(?P<utc_offset>[+-][0-9]{1,2}:[0-9]{2})?)?\))?",
    ),
    "os": (r"OS[ \t]+(?:Type|Version)", rf"(?P<os>{_TEXT})"),
}


def _split_addresses(tokens: pp.ParseResults) -> None:
    text = tokens.as_dict().get("ip_text") or ""
    tokens["ip_addresses"] = [part for part in re.split(r"[\s,;]+", text) if part]


def _entries(lead: str) -> pp.ParserElement:
    """One entry line of a layout: a known key with its value grammar, or any other ``key : value``."""
    known = []
    for name, (key, value) in _VALUES.items():
        element = pp.Regex(lead + rf"(?:{key}){_SEP}{value}{_END}", flags=_FLAGS).set_name(f"banner {name}")
        if name == "ip addresses":
            element.add_parse_action(_split_addresses)
        known.append(element)
    other = pp.Suppress(pp.Regex(lead + rf"[A-Za-z][A-Za-z0-9 .()/_-]*?{_SEP}{_TEXT}{_END}", flags=_FLAGS))
    return pp.MatchFirst([*known, other.set_name("banner entry")]).leave_whitespace()


_BORDER = pp.Suppress(pp.Regex(BORDER_PATTERN + r"(?:\n|\Z)")).set_name("banner border").leave_whitespace()

STAR_BANNER = (_BORDER + pp.Tag("layout", "star") + pp.OneOrMore(_entries(_STAR_LEAD)) + _BORDER).set_name(
    "star banner"
)
INDENTED_BANNER = (_BORDER + pp.Tag("layout", "indented") + pp.OneOrMore(_entries(_INDENT_LEAD)) + _BORDER).set_name(
    "indented banner"
)

#: One whole banner, either layout.
BANNER = (STAR_BANNER | INDENTED_BANNER).set_name("log banner")

#: Banners with the named results they must produce.  The layouts are those of a public
#: Commvault 11.28 Log Files folder; the names, addresses and values are this project's own.
SAMPLES: tuple[tuple[str, dict[str, object]], ...] = (
    (
        "\n".join(
            [
                "*" * 72,
                "* Machine    : accessnode1:AccessNode1 (AccessNode1) (Instance001)      *",
                "* IP Addrs   : 192.0.2.10                                               *",
                "* Module     : vsbkp                                                    *",
                "* Commserver : cs01:cs01.example.com                                    *",
                "* Version    : 11.2801.20                                               *",
                "* Date       : 2026/11/19 (Pacific Standard Time GMT-08:00)             *",
                "* OS Type    : Windows Server 2019 Datacenter                           *",
                "*" * 72,
            ]
        ),
        {
            "layout": "star",
            "client": "accessnode1",
            "host_name": "AccessNode1",
            "display_name": "AccessNode1",
            "instance": "Instance001",
            "ip_addresses": ["192.0.2.10"],
            "module": "vsbkp",
            "commserve": "cs01:cs01.example.com",
            "version": "11.2801.20",
            "date": "2026/11/19",
            "zone": "Pacific Standard Time",
            "utc_offset": "-08:00",
            "os": "Windows Server 2019 Datacenter",
        },
    ),
    (
        "\n".join(
            [
                "*" * 40,
                "* Machine    : : () (Instance001) *",
                "* Module     : cvd *",
                "* Commserver : : *",
                "* Version    : [Unknown] *",
                "* Date       : 2026/01/02 (Coordinated Universal Time GMT+00:00) *",
                "*" * 40,
            ]
        ),
        {
            "client": "",
            "host_name": "",
            "instance": "Instance001",
            "commserve": ":",
            "version": "[Unknown]",
            "utc_offset": "+00:00",
            "zone": "Coordinated Universal Time",
        },
    ),
    (
        "\n".join(
            [
                "*" * 60,
                "* Physical Machine : ACCESSNODE2                          *",
                "* Hostname         : accessnode2                          *",
                "* Module           : InstallUpdates/RemoveUpdates         *",
                "* Version          : 11.2801.0                            *",
                "*" * 60,
            ]
        ),
        {"physical_machine": "ACCESSNODE2", "host_name": "accessnode2", "module": "InstallUpdates/RemoveUpdates"},
    ),
    (
        "\n".join(
            [
                "*" * 55,
                "  Machine        \t: ACCESSNODE2",
                "  Module         \t: Install.log",
                "  Commserver     \t: @@COMMSERVE@@",
                "  Product Version\t: 11.2801.0",
                "  OS Version     \t: Microsoft Windows NT 6.3.9600.0",
                "  Date           \t: 6/30/2022",
                "*" * 55,
            ]
        ),
        {
            "layout": "indented",
            "host_name": "ACCESSNODE2",
            "module": "Install.log",
            "version": "11.2801.0",
            "date": "6/30/2022",
            "os": "Microsoft Windows NT 6.3.9600.0",
        },
    ),
)
