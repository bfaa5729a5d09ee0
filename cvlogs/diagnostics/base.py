"""What every rule shares: its code, name, severity, remedy, and the registry that refuses duplicates."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import datetime
from typing import ClassVar, NamedTuple, TypeVar

from cvlogs.correlate import Correlation, Sequence
from cvlogs.diagnostics.facts import event_account, event_role
from cvlogs.model import AccountId, AwsError, Category, Event, Evidence, Severity


class Occurrence(NamedTuple):
    """One time a rule fired: for which account and role, when, what it found, and the lines that show it.

    A named tuple, not a frozen dataclass: rules make one per error and per sequence step they
    flag (68,000 for the 5M-line bench corpus), and a frozen dataclass's ``__init__`` sets each
    field through ``object.__setattr__`` (1.76 us a call against 0.56 us here).
    """

    code: str
    account_id: AccountId | None
    role_arn: str | None
    time: datetime | None
    message: str
    evidence: tuple[Event | Evidence, ...]
    """The lines that show it: events become ``Evidence`` only if their finding keeps them (five
    at most per finding, while a rule may fire thousands of times)."""
    weight: int = 1
    """How many occurrences this one stands for (CVL902 reports a file's unparsed lines at once)."""


def as_evidence(line: Event | Evidence) -> Evidence:
    """The evidence line of an event: its header line as it stands in its file."""
    if isinstance(line, Evidence):
        return line
    return Evidence(line.location.path, line.location.line, line.text, line.host)


class Rule(ABC):
    """A diagnostic rule.  The class docstring is its documentation (``cvlogs rules CODE`` prints it)."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    remedy: ClassVar[str]
    docs: ClassVar[tuple[str, ...]] = ()
    """The AWS documentation pages that explain the rule's error or its fix (links, never fetched)."""

    def occurrence(
        self, event: Event, message: str, account: AccountId | None, role: str | None, *more: Event
    ) -> Occurrence:
        """An occurrence of this rule shown by ``event`` (and ``more`` lines)."""
        # tuple's own constructor (no Python frame per occurrence: 0.56 -> 0.14 us); weight 1.
        return _new(Occurrence, (self.code, account, role, event.time, message, (event, *more), 1))


_new = tuple.__new__


class ErrorRule(Rule):
    """A rule that explains one AWS error event; of those that explain it, the most specific wins.

    A rule states its ``specificity`` (higher is tried first) and ``diagnose``s an error; this base
    class answers "no error" and "no AWS context" (a line that only reads like an AWS failure,
    outside any credential sequence, is nobody's), and gives the occurrence the tenant account and
    role of the event's sequence unless the rule names others (``account_of``, ``role_of``).
    """

    specificity: ClassVar[int]
    category: ClassVar[Category | None] = None
    """The vocabulary category this rule explains (``grammars/vocabulary.py``); None: the rule decides."""

    def explain(self, event: Event, sequence: Sequence | None, context: Correlation) -> Occurrence | None:
        """An occurrence if this rule explains the error ``event`` (in ``sequence``, if it has one)."""
        error = event.error
        if error is None or not (error.aws_context or sequence is not None):
            return None
        if self.category is not None and self.category not in error.categories:
            return None
        message = self.diagnose(event, error, sequence, context)
        if message is None:
            return None
        account = self.account_of(event, error, sequence)
        return self.occurrence(event, message, account, self.role_of(event, error, sequence))

    @abstractmethod
    def diagnose(self, event: Event, error: AwsError, sequence: Sequence | None, context: Correlation) -> str | None:
        """What this rule says about ``error``, or None when the rule does not explain it."""

    def account_of(self, event: Event, error: AwsError, sequence: Sequence | None) -> AccountId | None:
        """The account the occurrence is for: the sequence's tenant, else the one the event names."""
        return event_account(event, sequence)

    def role_of(self, event: Event, error: AwsError, sequence: Sequence | None) -> str | None:
        return event_role(event, sequence)


class ScanRule(Rule):
    """A rule that looks at the whole correlation (sequences, rates, coverage)."""

    @abstractmethod
    def check(self, context: Correlation) -> Iterator[Occurrence]:
        """Every occurrence of this rule in ``context``."""


_RULES: dict[str, type[Rule]] = {}
R = TypeVar("R", bound=type[Rule])


def register(rule: R) -> R:
    """Add a rule class to the registry; a code used twice is a programming error."""
    if rule.code in _RULES:
        raise ValueError(f"rule code {rule.code} is already registered by {_RULES[rule.code].__name__}")
    _RULES[rule.code] = rule
    return rule


def registered() -> dict[str, type[Rule]]:
    """Every registered rule by code, in code order."""
    return dict(sorted(_RULES.items()))
