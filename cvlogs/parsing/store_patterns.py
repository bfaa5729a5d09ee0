"""Writes the engine code of cvlogs's patterns that ``cvlogs.compiled`` stores and seeds.

``python -m cvlogs.parsing.store_patterns`` (after a change to any pattern: a stale entry is only unused,
and a test says when to run it) collects the patterns cvlogs compiles to read (``collected``) and
stores, for this interpreter, the code ``re`` generates for each (``generated``).
"""

from __future__ import annotations

import base64
import importlib
import json
import subprocess
import sys
import zlib
from array import array
from typing import Any

from cvlogs.compiled import STORED, Key, engine, stored_text


def generated(pattern: str | bytes, flags: int) -> dict[str, Any]:
    """What ``re`` generates for a pattern, as stored: the engine's code and the groups.

    The same steps as ``re._compiler.compile``, which hands them to ``_sre.compile``.
    """
    parser: Any = importlib.import_module("re._parser")
    compiler: Any = importlib.import_module("re._compiler")
    parsed = parser.parse(pattern, flags)
    code = array("I", compiler._code(parsed, flags))  # the code generator has no public entry
    return {
        **stored_text(pattern),
        "flags": flags,
        "compiled_flags": flags | parsed.state.flags,
        "groups": parsed.state.groups - 1,
        "groupindex": dict(parsed.state.groupdict),
        "code": base64.b64encode(zlib.compress(code.tobytes(), 9)).decode("ascii"),
    }


#: The modules a scan imports before it reads (the command line, the scanner, the readers).
READING_MODULES = "cvlogs.cli, cvlogs.parsing.readers, cvlogs.parsing.scanner, cvlogs.parsing.split"

# Run in a fresh interpreter (a module's patterns are compiled as it is imported): records every
# pattern compiled by cvlogs's own code (the first frame outside ``re`` and pyparsing is a cvlogs
# module's) while the modules a scan reads with are imported, and every ``pp.Regex`` they build.
_COLLECT = """
import json, re, sys
import pyparsing as pp

def ours(frame):
    while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] in ("re", "pyparsing"):
        frame = frame.f_back
    return frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] == "cvlogs"

found, built, compile_, init = set(), [], re._compile, pp.Regex.__init__

def compiling(pattern, flags):
    if isinstance(pattern, (str, bytes)) and ours(sys._getframe(1)):
        found.add((pattern, int(flags)))
    return compile_(pattern, flags)

def building(self, *args, **kwargs):
    init(self, *args, **kwargs)
    if isinstance(self.pattern, str) and ours(sys._getframe(1)):
        built.append(self)

re._compile, pp.Regex.__init__ = compiling, building
import {modules}
re._compile, pp.Regex.__init__ = compile_, init
found.update((regex.pattern, int(regex.flags)) for regex in built)
keys = [(p.decode("latin-1") if isinstance(p, bytes) else p, isinstance(p, bytes), f) for p, f in found]
print(json.dumps(sorted(keys)))
"""


def collected() -> list[Key]:
    """The patterns cvlogs compiles to read: those its modules compile as a scan imports them and
    those of every ``pp.Regex`` of the grammars (compiled on first use), in a stable order."""
    script = _COLLECT.replace("{modules}", READING_MODULES)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    keys: list[tuple[str, bool, int]] = json.loads(done.stdout)
    return [(text.encode("latin-1") if is_bytes else text, flags) for text, is_bytes, flags in keys]


def store() -> int:
    """Write the code of every collected pattern for this interpreter."""
    stored = [generated(pattern, flags) for pattern, flags in collected()]
    STORED.write_text(json.dumps({"engine": engine(), "patterns": stored}, indent=1) + "\n", encoding="utf-8")
    return len(stored)


if __name__ == "__main__":
    print(f"stored the code of {store()} patterns for {engine()} in {STORED}")
