"""Where the fixed cost of a scan goes: start-up, the first file read, reading, report, output and exit.

    python bench/startup.py DIR                                          # this checkout, 9 runs
    python bench/startup.py DIR --baseline ../old/.venv/bin/python --runs 15
    python bench/startup.py DIR --instructions                           # and valgrind's count to the first read
    python bench/startup.py DIR -- --format markdown --jobs 1            # other arguments for ``cvlogs scan DIR``

Each run is a fresh ``cvlogs scan DIR --format json --jobs 2`` (output to /dev/null), started from a
few lines of Python that wrap, as each module is imported, the functions that mark its phases in the
main process: ``cvlogs.parsing.read_piece`` and ``scan_source`` (the first file read),
``cvlogs.pipeline.report_of`` (reading done, report built) and ``os._exit`` (the command's end);
the import order is the command's own.  The phases, in seconds:

- ``start``: from the process's start to the wrapper's first line (the interpreter and ``site``);
- ``to read``: from there to the first file read: imports, option parsing, discovery, the fork;
- ``reading``, ``report``: until ``report_of`` is called, and until it returns;
- ``out+exit``: from there until the process is gone (the JSON written, the process ended);
- ``CPU@read``: CPU seconds of the main process when its first read starts; ``CPU``: of the run
  (main process and workers).

With ``--baseline`` the interpreters alternate run by run; the table gives medians and minimums
(on a shared machine the minimum is the steadiest figure of CPU-bound work).  ``--instructions``
counts, with valgrind's cachegrind, the instructions the main process executes until its first
read (once per interpreter; about fifty times slower than a run): a figure the machine's load does
not move.  Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from instructions import instructions_of

# Runs as ``python -c`` in the measured process.  ``MARKS`` is the descriptor to write the marks
# to; with ``STOP`` set, every process ends at its first read (the main one once its workers have).
_WRAPPER = r"""
import os, sys, time
marks, stop, main_pid = int(os.environ["MARKS"]), os.environ.get("STOP"), os.getpid()

def mark(name):
    os.write(marks, f"{name} {time.time():.6f} {time.process_time():.6f}\n".encode())

mark("main")
first = [True]

def reading(function):
    def read(*args, **kwargs):
        if os.getpid() != main_pid:
            if stop:
                os._exit(0)
        elif first[0]:
            first[0] = False
            mark("read")
            if stop:
                import multiprocessing
                for worker in multiprocessing.active_children():
                    worker.join()
                os._exit(0)
        return function(*args, **kwargs)
    return read

def reporting(function):
    def report_of(*args, **kwargs):
        mark("read_end")
        report = function(*args, **kwargs)
        mark("report_end")
        return report
    return report_of

def wrap(module):
    if module.__name__ == "cvlogs.parsing":
        module.read_piece, module.scan_source = reading(module.read_piece), reading(module.scan_source)
    else:
        module.report_of = reporting(module.report_of)

class AfterImport:
    def find_spec(self, name, path, target=None):
        if name not in ("cvlogs.parsing", "cvlogs.pipeline"):
            return None
        for finder in sys.meta_path:
            spec = None if finder is self else getattr(finder, "find_spec", lambda *a: None)(name, path, target)
            if spec is not None:
                execute = spec.loader.exec_module
                def exec_module(module, execute=execute):
                    execute(module)
                    wrap(module)
                spec.loader.exec_module = exec_module
                return spec
        return None

sys.meta_path.insert(0, AfterImport())
exit_now = os._exit

def end(status):
    if os.getpid() == main_pid:
        mark("exit")
    exit_now(status)

os._exit = end
sys.argv = ["cvlogs", *sys.argv[1:]]
from cvlogs.cli import main
main()
"""

_PHASES = ("start", "to read", "CPU@read", "reading", "report", "out+exit", "wall", "CPU")


def run(python: str, arguments: list[str]) -> dict[str, float]:
    """One run of the command under ``python``: its phases in seconds."""
    readable, writable = os.pipe()
    environment = {**os.environ, "MARKS": str(writable)}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)  # runs read compiled modules, as an installed cvlogs does
    start = time.time()
    command = [python, "-c", _WRAPPER, "scan", *arguments]
    with tempfile.TemporaryDirectory() as empty:  # ``python -c`` imports from the working folder first
        process = subprocess.Popen(command, env=environment, pass_fds=(writable,), stdout=subprocess.DEVNULL, cwd=empty)
        os.close(writable)
        _, _, usage = os.wait4(process.pid, 0)
    end = time.time()
    with os.fdopen(readable) as lines:
        marks = {name: (float(wall), float(cpu)) for name, wall, cpu in (line.split() for line in lines)}
    if "read" not in marks:
        raise SystemExit(f"{python}: the command read no file (arguments: {' '.join(arguments)})")
    return {
        "start": marks["main"][0] - start,
        "to read": marks["read"][0] - marks["main"][0],
        "CPU@read": marks["read"][1],
        "reading": marks["read_end"][0] - marks["read"][0],
        "report": marks["report_end"][0] - marks["read_end"][0],
        "out+exit": end - marks["report_end"][0],
        "wall": end - start,
        "CPU": usage.ru_utime + usage.ru_stime,
    }


def instructions_to_read(python: str, arguments: list[str]) -> int:
    """Instructions (valgrind's ``I refs``) of the main process from its start to its first read."""
    environment = {**os.environ, "MARKS": "2", "STOP": "1"}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return instructions_of([python, "-c", _WRAPPER, "scan", *arguments], environment)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", help="what to scan (a bench/generate.py corpus, say)")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--baseline", metavar="PYTHON", help="another checkout's interpreter, cvlogs installed")
    parser.add_argument("--instructions", action="store_true", help="count instructions to the first read (valgrind)")
    given = sys.argv[1:]
    split = given.index("--") if "--" in given else len(given)  # after --: the scan's options
    args = parser.parse_args(given[:split])
    arguments = [os.path.abspath(args.directory), *(given[split + 1 :] or ["--format", "json", "--jobs", "2"])]
    pythons = {"this checkout": sys.executable} | ({"baseline": args.baseline} if args.baseline else {})
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in pythons}
    for number in range(args.runs):
        for name in list(pythons)[:: 1 if number % 2 == 0 else -1]:  # alternating which goes first
            runs[name].append(run(pythons[name], arguments))
    print(f"cvlogs scan {' '.join(arguments)}: {args.runs} runs each, seconds\n")
    print("| cvlogs | figure | " + " | ".join(_PHASES) + " |")
    print("|---|---|" + "---|" * len(_PHASES))
    for name, figures in runs.items():
        for label, pick in (("median", statistics.median), ("min", min)):
            row = " | ".join(f"{pick(figure[phase] for figure in figures):.3f}" for phase in _PHASES)
            print(f"| {name} | {label} | {row} |")
    if args.instructions:
        if shutil.which("valgrind") is None:
            raise SystemExit("valgrind is not installed (apt-get install valgrind)")
        print("\ninstructions of the main process to its first read (millions):")
        for name, python in pythons.items():
            print(f"  {name}: {instructions_to_read(python, arguments) / 1e6:,.1f}")


if __name__ == "__main__":
    main()
