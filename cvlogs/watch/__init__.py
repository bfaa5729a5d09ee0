"""``cvlogs watch``: follow a live Log Files folder and say, per account, as it happens, whether a
Connect -> Assume role -> Amazon activity sequence succeeded or failed, and why.

``follow`` reads the files (watchdog wakes it), ``engine`` runs the scan's parser, correlation and
rules over what was appended, ``run`` is the loop and its exit statuses, ``view`` shows it.
"""

from __future__ import annotations

import re

from cvlogs.errors import CvlogsError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$", re.IGNORECASE)
_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(text: str) -> float:
    """Seconds in ``90``, ``90s``, ``5m``, ``1.5h``, ``2d`` or ``500ms``."""
    found = _DURATION.match(text)
    if found is None:
        raise CvlogsError(f"not a duration: {text!r} (try 90s, 5m, 1h)")
    return float(found[1]) * _SECONDS[(found[2] or "s").lower()]
