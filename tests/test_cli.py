"""The command line: every command, filters, exit codes, user errors."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cvlogs import __version__
from cvlogs.cli import app

runner = CliRunner()


def test_version() -> None:
    """``cvlogs --version`` prints the installed version."""
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"cvlogs {__version__}"


def test_every_command_has_help_with_an_example() -> None:
    """Each command explains itself and shows an example."""
    for command in ("scan", "events", "timeline", "rules", "schema"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, command
        assert "cvlogs" in result.stdout or command == "schema", command


def test_scan_text_report(samples: Path) -> None:
    """By default: the verdict, one line per finding, accounts and coverage; --details adds remedies."""
    result = runner.invoke(app, ["scan", str(samples), "--jobs", "1"])
    assert result.exit_code == 1, result.output
    assert "\nFAILING: " in result.stdout
    for needle in ("Findings", "444455556666", "CVL201", "failing", "coverage"):
        assert needle in result.stdout
    assert "Remedy" not in result.stdout
    detailed = runner.invoke(app, ["scan", str(samples), "--jobs", "1", "-v"])
    assert "Remedy" in detailed.stdout
    assert len(detailed.stdout) > 2 * len(result.stdout)


def test_scan_json_to_a_file_and_exit_zero_when_healthy(samples: Path, tmp_path: Path) -> None:
    """-o writes the report; a healthy log exits 0."""
    target = tmp_path / "report.json"
    healthy = samples / "vsdiscovery_2026_11_18_07_00_00.log.bz2"
    result = runner.invoke(app, ["scan", str(healthy), "--format", "json", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(target.read_text())["summary"]["findings"]["error"] == 0


def test_parallel_and_serial_scans_give_identical_json(samples: Path) -> None:
    """--jobs 1 and --jobs 2 produce the same report."""
    one = runner.invoke(app, ["scan", str(samples), "--format", "json", "--jobs", "1"])
    two = runner.invoke(app, ["scan", str(samples), "--format", "json", "--jobs", "2"])
    assert one.stdout == two.stdout
    assert json.loads(one.stdout)["summary"]["files"] == 9


def test_account_and_time_filters(samples: Path) -> None:
    """--account and --since/--until reach the report."""
    result = runner.invoke(
        app,
        ["scan", str(samples), "--format", "json", "--account", "210987654321", "--since", "2026-11-19", "--until",
         "2026-11-19T23:59:59"],
    )  # fmt: skip
    document = json.loads(result.stdout)
    assert document["filters"] == {
        "accounts": ["210987654321"],
        "since": "2026-11-19T00:00:00",
        "until": "2026-11-19T23:59:59",
        "hosts": [],
    }
    # CVL901: the job's "failed: unable to get credentials" line after the denial, listed for a person
    assert {f["rule"] for f in document["findings"] if f["account_id"]} == {"CVL201", "CVL901"}


def test_anonymized_accounts_leave_no_account_id(samples: Path) -> None:
    """--anonymize-accounts replaces every account id, in fields and in texts."""
    result = runner.invoke(app, ["scan", str(samples), "--format", "json", "--anonymize-accounts"])
    assert "444455556666" not in result.stdout
    assert "111122223333" not in result.stdout
    accounts = [a["account_id"] for a in json.loads(result.stdout)["accounts"]]
    assert accounts[0] == "account-001"
    assert len(set(accounts)) == len(accounts)


def test_missing_path_is_a_user_error(tmp_path: Path) -> None:
    """A missing PATH gives exit status 2 and a one-line message, no traceback."""
    result = runner.invoke(app, ["scan", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "no such file or directory" in result.output
    assert "Traceback" not in result.output


def test_bad_option_is_a_usage_error(samples: Path) -> None:
    """An unknown format is a usage error (exit 2)."""
    result = runner.invoke(app, ["scan", str(samples), "--format", "pdf"])
    assert result.exit_code == 2


def test_events_csv_jsonl_and_filters(samples: Path) -> None:
    """events writes CSV and JSON lines, filtered by kind and account."""
    csv_out = runner.invoke(app, ["events", str(samples), "--kind", "error", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(csv_out.stdout)))
    assert len(rows) == 17  # the job-failed line of the denied sequence says "unable to get credentials"
    assert {row["kind"] for row in rows} == {"error"}
    jsonl = runner.invoke(app, ["events", str(samples), "--account", "444455556666", "--format", "jsonl"])
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert records
    assert {r["attributed_account"] for r in records} == {"444455556666"}
    assert {r["account_id"] for r in records} <= {"444455556666", None}


def test_events_parquet_reads_back_with_pandas(samples: Path, tmp_path: Path) -> None:
    """events --all --format parquet writes every record, readable by pandas."""
    target = tmp_path / "events.parquet"
    result = runner.invoke(app, ["events", str(samples), "--all", "--format", "parquet", "-o", str(target)])
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(target)
    assert len(frame) == 134  # every record of sample_logs
    assert {"connect", "validate", "error", "other"} <= set(frame["kind"])


def test_events_parquet_needs_an_output_file(samples: Path) -> None:
    """Parquet is binary: without -o it is a usage error."""
    result = runner.invoke(app, ["events", str(samples), "--format", "parquet"])
    assert result.exit_code == 2


def test_timeline_shows_sequences_in_order(samples: Path) -> None:
    """timeline lists one account's sequences with times and file:line."""
    result = runner.invoke(app, ["timeline", str(samples), "--account", "135792468013"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("  ")]
    assert [line.split()[1] for line in lines] == ["connect", "validate", "activity", "error"]
    assert "vsbkp.log:16" in result.stdout


def test_timeline_of_an_unknown_account_is_a_user_error(samples: Path) -> None:
    """An account with no steps gives exit 2."""
    assert runner.invoke(app, ["timeline", str(samples), "--account", "000000000000"]).exit_code == 2


def test_rules_list_and_explain() -> None:
    """rules lists the catalogue; rules CODE explains one from its docstring."""
    listing = runner.invoke(app, ["rules"])
    assert "CVL902" in listing.stdout
    explained = runner.invoke(app, ["rules", "CVL302"])
    assert "credentials-expired" in explained.stdout
    assert "Remedy" in explained.stdout
    assert runner.invoke(app, ["rules", "CVL999"]).exit_code == 2


def test_schema_prints_the_json_schema() -> None:
    """schema prints the shipped JSON Schema."""
    document = json.loads(runner.invoke(app, ["schema"]).stdout)
    assert document["properties"]["schema"]["const"] == "cvlogs.scan/3"


def test_the_console_entry_point_flushes_its_output_and_keeps_exit_codes(samples: Path) -> None:
    """main() ends the process without tearing the interpreter down: output and status must survive."""
    command = [sys.executable, "-m", "cvlogs.cli", "scan", str(samples), "--format", "json"]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 1  # the sample logs hold error findings
    assert json.loads(done.stdout)["summary"]["files"] > 0  # the whole report arrived
    missing = subprocess.run([*command[:4], str(samples / "nope")], capture_output=True, text=True, check=False)
    assert missing.returncode == 2
    assert "no such file" in missing.stderr
    version = subprocess.run([*command[:3], "--version"], capture_output=True, text=True, check=False)
    assert (version.returncode, version.stdout.strip()) == (0, f"cvlogs {__version__}")


# Reports, on stderr, what OPENBLAS_NUM_THREADS is when numpy is first imported, then runs the command.
_WATCH_NUMPY = """
import os, sys

class Watch:
    def find_spec(self, name, path, target=None):
        if name == "numpy":
            print(f"numpy imported with {os.environ.get('OPENBLAS_NUM_THREADS')}", file=sys.stderr)
        return None

sys.meta_path.insert(0, Watch())
sys.argv = ["cvlogs", *sys.argv[1:]]
from cvlogs.cli import main
main()
"""


@pytest.mark.parametrize(("user_value", "numpy_sees"), [(None, "1"), ("3", "3")])
def test_the_command_asks_openblas_for_one_thread_before_numpy_starts_it(
    samples: Path, user_value: str | None, numpy_sees: str
) -> None:
    """numpy's OpenBLAS starts its threads as numpy is imported: the command sets one thread first
    (cvlogs does no linear algebra), and keeps a value the user set."""
    environment = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if user_value is not None:
        environment["OPENBLAS_NUM_THREADS"] = user_value
    command = [sys.executable, "-c", _WATCH_NUMPY, "scan", str(samples), "--format", "json", "--jobs", "2"]
    done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False, timeout=120)
    assert done.returncode == 1, done.stderr
    assert f"numpy imported with {numpy_sees}\n" in done.stderr


def test_the_library_leaves_openblas_alone(samples: Path) -> None:
    """Only the program sets OPENBLAS_NUM_THREADS: importing cvlogs and scanning through the API
    leave it unset, and importing the command line does not import numpy (so ``main`` runs first)."""
    code = (
        "import os, sys, cvlogs, cvlogs.cli; numpy_loaded = 'numpy' in sys.modules; "
        f"cvlogs.scan({str(samples)!r}); print(numpy_loaded, os.environ.get('OPENBLAS_NUM_THREADS'))"
    )
    environment = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True)
    assert done.stdout.split() == ["False", "None"]


def test_python_dash_m_cvlogs_runs_the_command_line() -> None:
    """``python -m cvlogs`` is the command line."""
    done = subprocess.run([sys.executable, "-m", "cvlogs", "--version"], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, f"cvlogs {__version__}")


def test_help_offers_completion_and_groups_options() -> None:
    """Shell completion is on; scan's options stand in input, filters, output and performance panels."""
    assert "--install-completion" in runner.invoke(app, ["--help"]).stdout
    scan_help = runner.invoke(app, ["scan", "--help"], terminal_width=120).stdout
    for panel in ("Input", "Filters", "Output", "Performance"):
        assert f"─ {panel} " in scan_help


def test_rules_piped_are_whole_lines_and_explained_in_markdown() -> None:
    """Piped, ``rules`` prints one whole line per rule; ``rules CODE`` is Markdown, not reStructuredText."""
    from cvlogs.diagnostics import rules  # noqa: PLC0415

    listing = runner.invoke(app, ["rules"], terminal_width=80).stdout.splitlines()
    assert len(listing) == len(rules())
    for line, rule in zip(listing, rules().values(), strict=True):
        assert line.split()[:3] == [rule.code, rule.name, rule.severity]
    assert max(map(len, listing)) > 80  # not wrapped at the terminal's width
    explained = runner.invoke(app, ["rules", "CVL201"]).stdout
    assert "`sts:AssumeRole`" in explained
    assert "``" not in explained


def test_events_table_shows_brackets_as_logged(tmp_path: Path) -> None:
    """Log text reaches the terminal table as text: brackets are not rich markup, and never crash it."""
    (tmp_path / "vsbkp.log").write_text(
        "1 a 11/20 10:00:00 7 CAmazonInfo::Connect() - Connecting to Url=[default], "
        "username[arn:aws:iam::123456789012:role/R] [/opt/commvault/x.cfg] [bold]x[/bold]\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["events", str(tmp_path)], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert "Url=[default], username[arn:aws:iam::123456789012:role/R] [/opt/commvault/x.cfg] [bold]x[/bold]" in (
        result.stdout
    )


def test_parquet_keeps_categories_and_the_diagnosis(samples: Path, tmp_path: Path) -> None:
    """Categorical columns are dictionary-encoded and read back as categories, with the diagnosis joined."""
    target = tmp_path / "events"
    assert runner.invoke(app, ["events", str(samples), "-f", "parquet", "-o", str(target)]).exit_code == 0
    frame = pd.read_parquet(target)
    for name in ("kind", "rule", "severity", "host", "family"):
        assert str(frame[name].dtype) == "category", name
    errors = frame[frame.kind == "error"]
    assert errors.attributed_account.notna().sum() > errors.account_id.notna().sum()
    assert errors.rule.notna().all()
    assert frame.sequence.notna().any()
