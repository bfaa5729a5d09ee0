"""Correlation: sequences per thread and job, merged across roll-overs, placeholder jobs inherited."""

from __future__ import annotations

import heapq
from datetime import datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from cvlogs.correlate import correlate, is_placeholder_job, merged_events
from cvlogs.model import Event, FileResult, Location
from cvlogs.parsing import scan_paths

from .conftest import write_log

ROLE = "arn:aws:iam::444455556666:role/R"
CONNECT = f"CAmazonInfo::Connect() - Connecting to Url=[default], username[{ROLE}]"
VALIDATE = f"AmazonConnection::ValidateCredentials() - Assume role [{ROLE}]"


def test_placeholders() -> None:
    """Digits name a job; runs of '#', N/A, 0 and empty do not."""
    assert not is_placeholder_job("88101")
    assert all(is_placeholder_job(job) for job in ("###", "######", "N/A", "0", ""))


def test_a_sequence_crossing_a_roll_over_is_one_sequence(samples: Path) -> None:
    """The Connect at the end of the rolled vsbkp log and the Assume role in the current one join."""
    context = correlate(scan_paths([samples]))
    crossing = [s for s in context.sequences if s.key[2] == "2b3d"]
    assert len(crossing) == 1
    sequence = crossing[0]
    assert sequence.connect is not None
    assert sequence.connect.location.path.startswith("vsbkp_2026_11_19")
    assert [v.location.path for v in sequence.validates] == ["vsbkp.log"]
    assert sequence.status == "ok"


def test_a_placeholder_job_inherits_the_previous_job_of_its_process(tmp_path: Path) -> None:
    """A line with job ### joins the sequence of the job its process logged last."""
    write_log(
        tmp_path,
        "vsbkp_2026_11_20_23_00_00.log",
        f"1 a 11/20 10:00:00 42 {CONNECT}\n1 a 11/20 10:00:01 ### {VALIDATE}\n",
    )
    context = correlate(scan_paths([tmp_path]))
    assert len(context.sequences) == 1
    assert context.sequences[0].key[3] == "42"
    assert context.sequences[0].status == "ok"


def test_threads_and_jobs_keep_their_own_sequences(tmp_path: Path) -> None:
    """Interleaved threads do not mix; an error belongs to the sequence of its own thread."""
    error = "CAmazonEC2::DescribeInstances() - An error occurred (ExpiredToken) when calling X: expired"
    write_log(
        tmp_path,
        "vsbkp_2026_11_20_23_00_00.log",
        f"1 a 11/20 10:00:00 7 {CONNECT}\n1 b 11/20 10:00:01 8 {CONNECT}\n"
        f"1 a 11/20 10:00:02 7 {VALIDATE}\n1 b 11/20 10:00:03 8 {error}\n",
    )
    context = correlate(scan_paths([tmp_path]))
    by_thread = {s.key[2]: s for s in context.sequences}
    assert by_thread["a"].status == "ok"
    assert by_thread["b"].status == "failed"
    assert len(by_thread["b"].errors) == 1
    assert context.sequence_of(by_thread["b"].errors[0]) is by_thread["b"]


def test_errors_outside_sequences_keep_the_account_they_name(tmp_path: Path) -> None:
    """An error naming a tenant role ARN is that tenant's even when no sequence is open."""
    write_log(
        tmp_path,
        "vsbkp_2026_11_20_23_00_00.log",
        "1 a 11/20 10:00:00 7 x::y() - An error occurred (AccessDenied) when calling the AssumeRole operation: "
        "User: arn:aws:sts::111122223333:assumed-role/N/i-1 is not authorized to perform: sts:AssumeRole on "
        f"resource: {ROLE}\n",
    )
    context = correlate(scan_paths([tmp_path]))
    assert context.sequences == ()
    assert context.events[0].account_id == "444455556666"


def _reference_merge(files: list[FileResult]) -> list[Event]:
    """The definition: per host, each file's events as they stand, merged by (time, file, line)."""
    merged: list[Event] = []
    for host in sorted({f.host for f in files}, key=lambda h: h or ""):
        ordered = sorted((f for f in files if f.host == host), key=lambda f: (f.first_time or datetime.min, f.path))
        streams = [[(e.time or datetime.min, i, e.location.line, e) for e in f.events] for i, f in enumerate(ordered)]
        merged += [item[3] for item in heapq.merge(*streams, key=lambda item: item[:3])]
    return merged


def _event(path: str, line: int, minute: int | None, host: str | None) -> Event:
    time = None if minute is None else datetime(2026, 11, 20, 10, minute)
    return Event("connect", Location(path, line), time, host, "vsbkp", 1, "a", "7", "f", "m", "t")


@given(
    st.lists(st.tuples(st.lists(st.one_of(st.none(), st.integers(0, 5)), max_size=8), st.sampled_from([None, "h1"])))
)
def test_merged_events_follow_the_definition(files: list[tuple[list[int | None], str | None]]) -> None:
    """Files in time order or not, with or without times and hosts: the same order as the merge."""
    results = []
    for number, (minutes, host) in enumerate(files):
        path = f"vsbkp_{number}.log"
        events = tuple(_event(path, line, minute, host) for line, minute in enumerate(minutes, 1))
        first = next((e.time for e in events if e.time is not None), None)
        results.append(FileResult(path, "vsbkp", host, len(events), len(events), 0, 0, first, None, events))
    assert list(merged_events(results)) == _reference_merge(results)
