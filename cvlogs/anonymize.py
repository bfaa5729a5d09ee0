"""Stable pseudonyms for what identifies a customer: account ids, machines, addresses, instances.

``--anonymize-accounts`` and ``--anonymize-hosts`` replace each distinct value by the same
pseudonym everywhere in a report (fields, texts, paths): ``account-001``, ``host-001``,
``instance-001``, ``10.0.0.1``.  The map from pseudonyms back to the real values stays in
memory; it is written only where the user asks (``--map FILE``), never into the report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cvlogs.model import Banner, FileResult

_IPV4 = re.compile(r"(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9]|\.[0-9])")
_NAME_EDGE = r"[A-Za-z0-9]"
"""What may not stand next to a name it replaces: a letter or digit (``Instance001_CV_MUTEX`` and
``CVODS_indexserver_sanbgw_1`` still name the instance and the machine)."""


@dataclass(slots=True)
class Pseudonyms:
    """Real value -> pseudonym, per kind, numbered in the order values are met."""

    accounts: dict[str, str] = field(default_factory=dict)
    hosts: dict[str, str] = field(default_factory=dict)
    """Keyed by the lower-cased name: host names are not case-sensitive."""
    addresses: dict[str, str] = field(default_factory=dict)
    instances: dict[str, str] = field(default_factory=dict)

    def account(self, value: str) -> str:
        return self.accounts.setdefault(value, f"account-{len(self.accounts) + 1:03d}")

    def host(self, value: str) -> str:
        return self.hosts.setdefault(value.lower(), f"host-{len(self.hosts) + 1:03d}")

    def address(self, value: str) -> str:
        number = len(self.addresses)
        return self.addresses.setdefault(value, f"10.0.{number // 254}.{number % 254 + 1}")

    def instance(self, value: str) -> str:
        return self.instances.setdefault(value, f"instance-{len(self.instances) + 1:03d}")

    def as_json(self) -> str:
        """The private map (pseudonym -> real value, per kind), for ``--map FILE``."""
        kinds = {"accounts": self.accounts, "hosts": self.hosts, "addresses": self.addresses}
        kinds["instances"] = self.instances
        return json.dumps({k: {v: real for real, v in m.items()} for k, m in kinds.items()}, indent=2) + "\n"


def machine_names(files: Iterable[FileResult]) -> tuple[list[str], list[str], list[str]]:
    """The host names, addresses and instance names that the files and their banners give."""
    names: list[str] = []
    addresses: list[str] = []
    instances: list[str] = []
    for result in files:
        if result.host:
            names.append(result.host)
        for banner in result.banners:
            names.extend(_banner_names(banner))
            addresses.extend(banner.ip_addresses)
            if banner.instance:
                instances.append(banner.instance)
    return names, addresses, instances


def _banner_names(banner: Banner) -> list[str]:
    found = [banner.machine, banner.client, banner.display_name]
    found += re.split(r"[:\s]+", banner.commserve or "")
    return [name for name in found if name and not name.startswith("@@") and re.search(r"[A-Za-z]", name)]


def host_scrubber(files: Iterable[FileResult], pseudonyms: Pseudonyms) -> Callable[[str], str]:
    """A function that replaces every known machine name, instance name and IPv4 address in a text."""
    names, addresses, instances = machine_names(files)
    for name in names:
        pseudonyms.host(name)
    for address in addresses:
        pseudonyms.address(address)
    for instance in instances:
        pseudonyms.instance(instance)
    known = {**{n: pseudonyms.host(n) for n in names}, **{i: pseudonyms.instance(i) for i in instances}}
    words = sorted({w.lower() for w in known}, key=lambda w: (-len(w), w))
    lookup = {w.lower(): p for w, p in known.items()}
    pattern = (
        re.compile(rf"(?<!{_NAME_EDGE})(?:{'|'.join(map(re.escape, words))})(?!{_NAME_EDGE})", re.IGNORECASE)
        if words
        else None
    )

    def scrub(text: str) -> str:
        if not text:
            return text
        if pattern is not None:
            text = pattern.sub(lambda m: lookup[m[0].lower()], text)
        return _IPV4.sub(lambda m: pseudonyms.address(m[0]), text)

    return scrub
