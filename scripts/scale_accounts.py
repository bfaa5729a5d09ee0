"""How the reports grow with the number of tenant accounts: time and peak memory per format.

    python scripts/scale_accounts.py --accounts 100000

Writes a vsbkp.log with one Connect + Assume role sequence per tenant (every 10th denied), scans
it once (the time of the parse stage grows with the distinct messages: one role ARN per tenant),
then writes the report in each format to a file as ``cvlogs scan -o`` does and prints time, size
and peak RSS (JSON first, so the peak after it is what a JSON scan needs).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

DENIED = (
    "An error occurred (AccessDenied) when calling the AssumeRole operation: User: "
    "arn:aws:sts::111122223333:assumed-role/CVAccessNodeRole/i-1 is not authorized to perform: "
    "sts:AssumeRole on resource: {role}"
)


def write_log(path: Path, accounts: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for number in range(accounts):
            seconds = number * 86_000 // accounts
            moment = f"11/20 {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
            role = f"arn:aws:iam::{100_000_000_000 + number}:role/CVTenantRole"
            thread = f"{number % 251:x}"
            out.write(f"1 {thread} {moment} {number + 1} CAmazonInfo::Connect() - Connecting to Url=[default], ")
            out.write(f"username[{role}]\n")
            step = DENIED.format(role=role) if number % 10 == 0 else f"Assume role [{role}]"
            out.write(f"1 {thread} {moment} {number + 1} AmazonConnection::ValidateCredentials() - {step}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    options = parser.parse_args()
    import cvlogs  # noqa: PLC0415  (after the arguments: --help stays fast)
    from cvlogs.output import text_output  # noqa: PLC0415
    from cvlogs.render import Format, write  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch, "vsbkp_2026_11_20_23_59_59.log")
        write_log(log, options.accounts)
        print(f"{options.accounts:,} accounts, {log.stat().st_size / 1e6:.1f} MB of log")
        started = time.perf_counter()
        report = cvlogs.scan(log, cvlogs.ScanOptions(host_name="node"))
        took = time.perf_counter() - started
        print(f"scan (read, correlate, diagnose): {took:.1f} s; {len(report.accounts):,} accounts, "
              f"{len(report.findings):,} findings; peak RSS {_peak():.0f} MB")  # fmt: skip
        for output in (Format.json, Format.text, Format.markdown, Format.html):
            started = time.perf_counter()
            written = Path(scratch, f"report.{output}")
            with text_output(str(written)) as stream:  # as the command line writes it (JSON in pieces)
                write(report, output, stream)
            size = written.stat().st_size
            print(f"{output:>8}: {time.perf_counter() - started:6.1f} s, {size / 1e6:6.1f} MB, "
                  f"peak RSS so far {_peak():.0f} MB")  # fmt: skip


def _peak() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
