"""The grammar of secrets: every shape and every way of naming one is redacted, wherever it stands.

Issue 18's attacks: ``password=[Hunter2!Secret]``, ``password [...]``, short passwords and ones
with ``&``, URL userinfo, ``<SessionToken>``, a secret key without a digit, Azure ``AccountKey=``,
JWTs, a PEM key on continuation lines, a wrapped secret, and keys in folder, member and host names.
"""

from __future__ import annotations

import re
import string
import zipfile
from pathlib import Path

import pytest
from cvlogs.grammars import secrets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cvlogs.cli import app
from cvlogs.columns import row_values
from cvlogs.intake import discover
from cvlogs.parsing import collect, scan_sources
from cvlogs.parsing.secrets import REDACTED, _mask, _pattern, _replace
from cvlogs.redact import redact, shown
from cvlogs.render import Format, render
from cvlogs.report import report_of

from .conftest import write_log

runner = CliRunner()
#: The fast path's pattern with every form: ``SECRET_PATTERN`` compiled.
_SECRET = _pattern(frozenset(secrets.FORMS))


@pytest.mark.parametrize(("text", "lost"), secrets.SAMPLES, ids=[s[0][:30] for s in secrets.SAMPLES])
def test_each_sample_loses_its_secrets_and_keeps_the_rest(text: str, lost: tuple[str, ...]) -> None:
    """Every sample of the grammar loses what it must; redaction is idempotent."""
    masked = redact(text)
    for secret in lost:
        assert secret not in masked, masked
    if not lost:
        assert masked == text
    else:
        assert REDACTED in masked
    assert redact(masked) == masked
    assert masked.count("\n") == text.count("\n")  # lines stay lines (PEM bodies, wrapped values)


@pytest.mark.parametrize(("text", "_lost"), secrets.SAMPLES, ids=[s[0][:30] for s in secrets.SAMPLES])
def test_the_fast_path_finds_what_the_grammar_finds(text: str, _lost: tuple[str, ...]) -> None:
    """pyparsing's secret grammar and the compiled SECRET_PATTERN find the same spans."""
    by_grammar = [(start, end) for _, start, end in secrets.secret().scan_string(text)]
    by_pattern = [found.span() for found in _SECRET.finditer(text)]
    assert by_grammar == by_pattern


@pytest.mark.parametrize(("text", "_lost"), secrets.SAMPLES, ids=[s[0][:30] for s in secrets.SAMPLES])
def test_every_secret_found_holds_the_trigger_of_its_form(text: str, _lost: tuple[str, ...]) -> None:
    """A form is tried only on a text that holds its trigger: each secret holds it."""
    for found in _SECRET.finditer(text):
        form = (found.lastgroup or "").removeprefix("form_")
        flags = re.IGNORECASE if form in secrets.FOLDED else 0
        assert re.search(secrets.TRIGGERS[form], found[0], flags), (form, found[0])


# --- every shape, planted in every field and position ---------------------------------------------

_VALUE_CHARS = string.ascii_letters + string.digits + "!#$%^*()_+~.,=-"
_B64 = string.ascii_letters + string.digits + "+/"


def _value() -> st.SearchStrategy[str]:
    # Marked at both ends so that finding it in an output cannot be a coincidence.
    return st.text(_VALUE_CHARS, min_size=0, max_size=20).map(lambda v: f"Zq{v}9x")


def _b64(size: int) -> st.SearchStrategy[str]:
    return st.text(_B64, min_size=size, max_size=size).map(lambda v: "aZ9" + v[3:])


def _url(text: str) -> str:
    """base64 as base64url (JWT parts)."""
    return text.replace("+", "-").replace("/", "_")


SHAPES: dict[str, st.SearchStrategy[tuple[str, str]]] = {
    "key=value": _value().map(lambda v: (f"password={v}", v)),
    "key=[value]": _value().map(lambda v: (f"db_password=[{v}]", v)),
    "key [value]": _value().map(lambda v: (f"password [{v}]", v)),
    "key: value": _value().map(lambda v: (f"X-Amz-Security-Token: {v}", v)),
    "json": _value().map(lambda v: (f'{{"SecretAccessKey": "{v}"}}', v)),
    "xml": _value().map(lambda v: (f"<SessionToken>{v}</SessionToken>", v)),
    "userinfo": _value().map(lambda v: (f"https://svc:{v}@proxy:8080/", v)),
    "query": _value().map(lambda v: (f"?X-Amz-Signature={v}&X-Amz-Date=20261120", v)),
    "azure": _b64(44).map(lambda v: (f"AccountName=a;AccountKey={v}==;EndpointSuffix=core.windows.net", v)),
    "jwt": st.tuples(_b64(12), _b64(20)).map(
        lambda p: (f"eyJ{_url(p[0])}.eyJ{_url(p[1])}.{_url(p[0])}", "eyJ" + _url(p[1]))
    ),
    "pem": st.tuples(_b64(64), _b64(24)).map(
        lambda p: (f"-----BEGIN PRIVATE KEY-----\n{p[0]}\n{p[1]}\n-----END PRIVATE KEY-----", p[0])
    ),
    "key id": st.text(string.ascii_uppercase + "234567", min_size=16, max_size=16).map(
        lambda v: (f"AKIA{v}", f"AKIA{v}")
    ),
    "secret key": _b64(40).map(lambda v: (v, v)),
}
CONNECT = "CAmazonInfo::Connect() - Connecting to Url=[default], username[arn:aws:iam::444455556666:role/R]"
DENIED = "An error occurred (AccessDenied) when calling the AssumeRole operation: denied"


def _planted_log(planted: str, position: str) -> str:
    lines = [
        f"1 a 11/20 10:00:00 7 {CONNECT}",
        f"1 a 11/20 10:00:01 7 AmazonConnection::ValidateCredentials() - {DENIED}",
    ]
    if position == "message start":
        lines[1] = f"1 a 11/20 10:00:01 7 AmazonConnection::ValidateCredentials() - {planted} {DENIED}"
    elif position == "message end":
        lines[1] += f" {planted}"
    elif position == "continuation":
        lines.insert(2, planted)
    elif position == "before the first record":
        lines.insert(0, planted)
    elif position == "role brackets":
        lines[1] += f" Assume role [{planted}]"
    return "\n".join(lines) + "\n"


def _outputs(folder: Path, host: str) -> str:
    sources, skipped = discover([folder], host=host)
    scan = collect(scan_sources(sources, keep_all=True), skipped)
    report = report_of(scan)
    texts = [render(report, output) for output in Format]
    diagnosis = report_of(scan, with_events=True).diagnosis
    assert diagnosis is not None
    texts += [str(row_values(row, redact)) for batch in diagnosis.rows() for row in batch]  # events rows
    texts += [shown(f"skipped {s.path}: {s.reason}") for s in scan.skipped]
    texts += [render(report_of(scan, anonymize_accounts=True), Format.json)]
    return "\n".join(texts)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    shape=st.sampled_from(sorted(SHAPES)).flatmap(SHAPES.__getitem__),
    position=st.sampled_from(
        [
            "message start",
            "message end",
            "continuation",
            "before the first record",
            "role brackets",
            "folder",
            "member",
            "host",
        ]
    ),
)
def test_planted_secrets_never_reach_any_output(
    tmp_path_factory: pytest.TempPathFactory, shape: tuple[str, str], position: str
) -> None:
    """A secret of any shape, in a message, a continuation, an unparsed line, a folder, an archive
    member's name or a host name, reaches no report format, no events row and no stderr line."""
    planted, secret = shape
    root = tmp_path_factory.mktemp("planted")
    single_line = "\n" not in planted
    host = "accessnode1"
    if position == "folder" and "/" in planted:
        position = "member"  # a folder name cannot hold a slash; a member's name can
    if position in {"folder", "member"} and single_line:
        name = planted
        text = _planted_log("", "none")
        if position == "folder":
            write_log(root / name, "vsbkp.log", text)
        else:
            with zipfile.ZipFile(root / "bundle.zip", "w") as archive:
                archive.writestr(f"{name}/vsbkp.log", text)
                archive.writestr(f"{name}.txt", "not a log")
    elif position == "host" and single_line:
        host = planted
        write_log(root, "vsbkp.log", _planted_log("", "none"))
    else:
        write_log(root, "vsbkp.log", _planted_log(planted, position))
    assert secret not in _outputs(root, host)


# --- the attacks, through the command line ------------------------------------------------

ATTACKS = [
    ("password=[Hunter2!Secret]", "Hunter2!Secret"),
    ("password [Hunter2!Secret]", "Hunter2!Secret"),
    ("password=Pw1&x", "Pw1&x"),
    ("pwd=h2", "pwd=h2"),
    ("https://user:pass@proxy:8080/", "pass@"),
    ("<SessionToken>FwoAAAA</SessionToken>", "FwoAAAA"),
    ("<SecretAccessKey>abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN</SecretAccessKey>", "abcdefghijklmnopqrst"),
    ("[abcdefghij/klmnopqrstuvwxyzABCDEFGHIJKL+]", "abcdefghij/klmnopqrst"),
    ("AccountKey=Zm9vYmFyYmF6cXV4cXV1eA==;EndpointSuffix=x", "Zm9vYmFyYmF6"),
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "eyJzdWIiOiJ4In0"),
]


@pytest.mark.parametrize("output_format", ["table", "csv", "jsonl"])
def test_event_outputs_redact_every_attack_and_pem_continuations(tmp_path: Path, output_format: str) -> None:
    """The events output redacts whole records: the attacks, a PEM key on continuation lines and
    a secret whose tail wrapped onto the next line."""
    body = "\n".join(
        f"1 a 11/20 10:00:{n:02d} 7 CAmazonInfo::Connect() - {text}" for n, (text, _) in enumerate(ATTACKS)
    )
    body += (
        "\n1 a 11/20 10:01:00 7 AmazonConnection::ValidateCredentials() - key follows\n"
        "-----BEGIN RSA PRIVATE KEY-----\n"
        "MIIEowIBAAKCAQEAqZ9secretKEYline1\nQ29udGludWF0aW9uIGxpbmUgdHdv\n-----END RSA PRIVATE KEY-----\n"
        "1 a 11/20 10:02:00 7 AmazonConnection::ValidateCredentials() - aws_secret_access_key=wJalrXUtnFEMI/K7MD\n"
        "ENG/bPxRfiCYEXAMPLEKEY\n"
    )
    write_log(tmp_path / "logs", "vsbkp.log", body)
    result = runner.invoke(app, ["events", str(tmp_path / "logs"), "--all", "-f", output_format, "--jobs", "1"])
    assert result.exit_code == 0, result.output
    leaks = [s for _, s in ATTACKS if s in result.stdout]
    leaks += [
        s for s in ("MIIEowIBAAKCAQEAqZ9secret", "Q29udGludWF0aW9u", "ENG/bPxRfiCYEXAMPLEKEY") if s in result.stdout
    ]
    assert leaks == []


def test_stderr_never_shows_secrets_or_control_characters(tmp_path: Path) -> None:
    """A skipped member named with a key or a terminal escape is shown redacted and escaped."""
    with zipfile.ZipFile(tmp_path / "b.zip", "w") as archive:
        archive.writestr("AKIAIOSFODNN7EXAMPLE password=hunter2 \x1b[2J\x1b]0;pwned\x07.txt", "x")
        archive.writestr("vsbkp.log", f"1 a 11/20 10:00:00 7 {CONNECT}\n")
    result = runner.invoke(app, ["events", str(tmp_path / "b.zip"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "skipped" in result.stderr
    for leak in ("AKIAIOSFODNN7EXAMPLE", "hunter2", "\x1b", "\x07"):
        assert leak not in result.stderr
    assert "\\x1b[2J" in result.stderr


def test_account_ids_in_names_are_anonymized(tmp_path: Path) -> None:
    """--anonymize-accounts reaches folder names and hosts too."""
    write_log(tmp_path / "logs" / "tenant-210987654321", "vsbkp.log", f"1 a 11/20 10:00:00 7 {CONNECT}\n")
    result = runner.invoke(
        app, ["scan", str(tmp_path / "logs"), "-f", "json", "--anonymize-accounts", "--host-name", "n444455556666"]
    )
    assert result.exit_code in (0, 1), result.output
    assert re.search(r"210987654321|444455556666", result.stdout) is None
    assert "account-" in result.stdout


@pytest.mark.parametrize("output_format", ["text", "markdown", "html", "json"])
def test_terminal_escapes_in_names_never_reach_a_report(tmp_path: Path, output_format: str) -> None:
    """A member named with ESC[2J or an ESC]0; title: every format shows it as \\x1b."""
    denied = "An error occurred (AccessDenied) when calling the AssumeRole operation: denied"
    with zipfile.ZipFile(tmp_path / "b.zip", "w") as archive:
        validate = f"1 a 11/20 10:00:01 7 AmazonConnection::ValidateCredentials() - {denied}"
        archive.writestr("node\x1b[2J\x1b]0;pwn\x07/vsbkp.log", f"1 a 11/20 10:00:00 7 {CONNECT}\n{validate}\n")
    result = runner.invoke(app, ["scan", str(tmp_path / "b.zip"), "-f", output_format, "--jobs", "1"])
    assert result.exit_code == 1, result.output
    assert "\x1b" not in result.output
    assert "\x07" not in result.output
    timeline = runner.invoke(app, ["timeline", str(tmp_path / "b.zip"), "-a", "444455556666", "--jobs", "1"])
    assert "\x1b" not in timeline.output


def test_a_pem_key_before_the_first_record_is_redacted_whole(tmp_path: Path) -> None:
    """The unparsed lines before the first record (CVL902's evidence) are redacted together, so
    even the short last line of a key's body is recognised as part of it."""
    body = "MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oJg\nAwEHoUQDQgAE=="
    key = f"-----BEGIN EC PRIVATE KEY-----\n{body}\n-----END EC PRIVATE KEY-----\n"
    write_log(tmp_path, "vsbkp.log", key + f"1 a 11/20 10:00:00 7 {CONNECT}\n")
    result = runner.invoke(app, ["scan", str(tmp_path), "-f", "json", "--jobs", "1"])
    assert "CVL902" in result.stdout
    assert "MHcCAQEEIBkg4LVWM9" not in result.stdout
    assert "AwEHoUQDQgAE" not in result.stdout


_FRAGMENTS = [text for text, _ in secrets.SAMPLES] + [
    "password",
    "Token",
    "PASSWORD",
    "pa\u017fsword",  # a long s: matched as s ignoring case, though not ASCII
    "<",
    ">",
    "=",
    ": ",
    "[",
    "]",
    "://",
    "@",
    "-----BEGIN RSA PRIVATE KEY-----",
    "\n",
    "Bearer ",
    "eyJ",
    "AKIA",
    "IQoJb3JpZ2luX2Vj",
    "a" * 40,
    "0123456789abcdef" * 4,
    CONNECT,
    DENIED,
]


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(
        st.one_of(
            st.sampled_from(_FRAGMENTS),
            st.sampled_from(sorted(SHAPES)).flatmap(SHAPES.__getitem__).map(lambda shape: shape[0]),
            st.text(max_size=12),
        ),
        max_size=8,
    ),
    glue=st.sampled_from(["", " ", "\n", "&", ";", '"']),
)
def test_trying_only_the_triggered_forms_masks_as_the_whole_pattern(parts: list[str], glue: str) -> None:
    """The fast path's shortcut (only the forms whose trigger a text holds) changes no result."""
    text = glue.join(parts)
    assert _mask(text) == _SECRET.sub(_replace, text)
