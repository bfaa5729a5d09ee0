"""Scale: a Dask cluster gives the same report as local processes; Parquet datasets read back whole."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cvlogs.cli import app
from cvlogs.parsing import scan_paths

runner = CliRunner()


def test_jobs_and_a_local_dask_cluster_give_identical_reports(samples: Path) -> None:
    """--jobs 1, --jobs 2 and --scheduler local: the same JSON, byte for byte."""
    pytest.importorskip("distributed")
    base = ["scan", str(samples), "--format", "json", "--host-name", "node"]
    one = runner.invoke(app, [*base, "--jobs", "1"])
    two = runner.invoke(app, [*base, "--jobs", "2"])
    dask = runner.invoke(app, [*base, "--scheduler", "local"])
    assert one.exit_code == two.exit_code == dask.exit_code == 1, dask.output
    assert one.stdout == two.stdout == dask.stdout
    assert json.loads(dask.stdout)["summary"]["files"] == 9


def test_an_unreachable_scheduler_is_a_dependency_failure(samples: Path) -> None:
    """A scheduler address that answers nothing gives exit 3 ("a dependency failed") and one line."""
    pytest.importorskip("distributed")
    result = runner.invoke(app, ["scan", str(samples), "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 3
    assert "Dask scheduler" in result.output


def test_parquet_dataset_is_partitioned_and_complete(samples: Path, tmp_path: Path) -> None:
    """events --format parquet -o DIR writes host=/family= partitions holding every event."""
    target = tmp_path / "events"
    result = runner.invoke(
        app, ["events", str(samples), "--all", "--format", "parquet", "-o", str(target), "--host-name", "node1"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (target / "host=node1").iterdir()) == [
        "family=cvd", "family=vsbkp", "family=vsdiscovery", "family=vsrst",
    ]  # fmt: skip
    frame = pd.read_parquet(target)
    expected = scan_paths([samples], keep_all=True)
    assert len(frame) == len(expected.events)
    assert sorted(zip(frame["path"], frame["line"], strict=True)) == sorted(
        (e.location.path, e.location.line) for e in expected.events
    )
    assert set(frame["host"].astype(str)) == {"node1"}


def test_parquet_refuses_to_mix_with_existing_data(samples: Path, tmp_path: Path) -> None:
    """A non-empty target directory is refused rather than mixed."""
    (tmp_path / "old.txt").write_text("x")
    result = runner.invoke(app, ["events", str(samples), "--format", "parquet", "-o", str(tmp_path)])
    assert result.exit_code == 2


def test_fsspec_urls_read_like_local_paths(samples: Path) -> None:
    """A file:// URL (any fsspec protocol: s3:// with s3fs) gives the same files, lines and events."""
    local = scan_paths([samples])
    remote = scan_paths([samples.as_uri()])
    assert sorted((f.path, f.lines, f.first_time) for f in remote.files) == sorted(
        (f.path, f.lines, f.first_time) for f in local.files
    )
    assert len(remote.events) == len(local.events)
    assert [s.path for s in remote.skipped] == ["README.md"]


def test_a_missing_url_is_a_user_error(tmp_path: Path) -> None:
    """A URL that names nothing is reported like a missing path."""
    result = runner.invoke(app, ["scan", (tmp_path / "nope").as_uri()])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_the_command_line_takes_urls(samples: Path) -> None:
    """URLs reach intake unharmed (not squashed into local paths)."""
    result = runner.invoke(app, ["scan", samples.as_uri(), "--format", "json"])
    assert json.loads(result.stdout)["summary"]["files"] == 9
