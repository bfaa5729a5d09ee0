"""Role ARNs as logged: recognised, normalised, and their problems named."""

from __future__ import annotations

import pytest

from cvlogs.parsing.arns import analyse_role_arn


@pytest.mark.parametrize(
    ("text", "account", "redacted", "problem"),
    [
        ("arn:aws:iam::444455556666:role/CVTenantRole", "444455556666", False, None),
        ("arn:aws:iam::xxxxxxxxxxxx:role/VSA_Role", None, True, None),
        ("arn:aws:iam:: xxxxxxxxxxxx :role/VSA_Role", None, True, "blanks inside"),
        ("arn:aws:iam:012345678901:role/x", "012345678901", False, "single colon"),
        ("arn:aws:iam::12345:role/Short", None, False, "not 12 digits"),
        ("arn:aws:iam::444455556666:user/Bob", "444455556666", False, "not a role"),
        (" arn:aws:iam::444455556666:role/R ", "444455556666", False, "blanks around"),
        ("CVAdmin", None, False, "not an ARN"),
        ("arn:aws-cn:iam::444455556666:role/ops/backup/CVTenantRole", "444455556666", False, None),
    ],
)
def test_role_arn_analysis(text: str, account: str | None, redacted: bool, problem: str | None) -> None:
    """A logged ARN yields its account (or the redacted mark) and names what STS would refuse."""
    role = analyse_role_arn(text)
    assert role.account_id == account
    assert role.redacted is redacted
    if problem is None:
        assert role.problems == ()
    else:
        assert any(problem in p for p in role.problems), role.problems


def test_role_path_and_name_are_split() -> None:
    """The role path and the role name are reported apart."""
    role = analyse_role_arn("arn:aws:iam::444455556666:role/ops/backup/CVTenantRole")
    assert (role.path, role.name) == ("ops/backup", "CVTenantRole")
    assert analyse_role_arn("arn:aws:iam:: 4444 55556666:role/R").normalized == "arn:aws:iam::444455556666:role/R"
