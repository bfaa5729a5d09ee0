"""The one exception type that the command line turns into a message and exit status 2."""

from __future__ import annotations


class CvlogsError(Exception):
    """A problem the user can fix (a missing path, an unreadable archive): shown without a traceback."""
