"""Generate a deterministic, synthetic access-node log directory for benchmarks.

Ten files like one host's logs (current and rolled vsbkp, vsdiscovery, vsrst and cvd), about
110 bytes a line, about 2 % credential lines (Connect, Assume role, AWS errors) and the rest the
kind of noise a VSA proxy writes.  The same arguments always give the same bytes.

``--amazon-share S`` makes that share of the noise lines Amazon-class activity (snapshot, volume
and API progress lines with distinct ids, sizes and percentages, written by ``CVAmazon*``
classes), the lines an EC2 backup fills vsbkp.log with.  Three of the six shapes hold words of the
error vocabulary (``instance``, ``pending``) and one of them a duration that changes from line to
line: what makes a line cost more than an irrelevant one.  The default, 0.125, is one noise line in
eight over the whole node: during an EC2 backup vsbkp.log is mostly Amazon-class lines, while
cvd.log, vsdiscovery.log and vsrst.log (together about half of a node's lines) have few, so an
eighth is a middle case, not the best one; ``bench/compare.py`` also runs 0.02 and 0.5.

    python bench/generate.py OUT_DIR --lines 1000000 [--amazon-share 0.125]
"""

from __future__ import annotations

import argparse
import random
from datetime import datetime, timedelta
from pathlib import Path

FILES = (
    ("vsbkp_2026_11_19_08_00_00.log", 0.22),
    ("vsbkp.log", 0.18),
    ("vsdiscovery_2026_11_19_09_00_00.log", 0.12),
    ("vsdiscovery.log", 0.10),
    ("vsrst_2026_11_19_10_00_00.log", 0.08),
    ("vsrst.log", 0.07),
    ("cvd_2026_11_19_06_00_00.log", 0.07),
    ("cvd_2026_11_19_12_00_00.log", 0.06),
    ("cvd_2026_11_20_06_00_00.log", 0.05),
    ("cvd.log", 0.05),
)
TENANTS = ("444455556666", "777788889999", "123456789012", "210987654321")
NOISE = (
    "CVSnapEngine::createSnapshot() - Created snapshot [snap-{hex}] for volume [vol-{hex}]",
    "VSBkpWorker::StreamVM() - Streaming VM [i-{hex}] disk [{n}] offset [{n}]",
    "CVArchive::SendData() - Sent [{n}] blocks to MediaAgent [ma{n}] pipeline [{n}]",
    "vsJobMgr::UpdateProgress() - Job progress [{n}%] files [{n}] bytes [{n}]",
    "CCVAPipe::Connect() - Connected to pipeline server on port [8400] after [{n}] ms",
    "VMDiscovery::Browse() - Found [{n}] instances in region [us-east-1] zone [us-east-1a]",
    "CvThreadPool::Run() - Worker [{n}] picked task [{n}] queue length [{n}]",
    "CVDStream::ReadBlock() - Read [{n}] bytes from extent [{n}]",
    "Updated restart string for job, stream [{n}] status [RUNNING]",
    "VSIndexer::Commit() - Committed index batch [{n}] records [{n}] duration [{n}] ms",
)
#: Amazon-class activity: progress lines of the EC2 and EBS calls of a backup.  None of them holds
#: an error or credential word; each has ids, sizes or percentages that make it a distinct text.
AMAZON_NOISE = (
    "CVAmazonSnap::CreateSnapshot() - Snapshot [snap-0{hex15}] progress [{pct}%]",
    "CVAmazonSnap::CopySnapshot() - Copy of snapshot [snap-0{hex15}] to region [us-west-2] progress [{pct}%]",
    "CVAmazonVolume::AttachVolume() - Volume [vol-0{hex15}] attached to instance [i-0{hex15}] as [/dev/xvd{dev}]",
    "CVAmazonEBSDirect::ReadBlocks() - Read [{n}] blocks of snapshot [snap-0{hex15}] in [{n}] ms",
    "CAmazonEC2::DescribeSnapshots() - Snapshot [snap-0{hex15}] state [pending] progress [{pct}%]",
    "CAmazonEC2::DescribeInstances() - Instance [i-0{hex15}] state [running] in [{n}] ms, [{pct}] volumes",
)
DEFAULT_AMAZON_SHARE = 0.125

FAILURES = (
    "CAmazonInfo::AssumeRole() - Failed: An error occurred (AccessDenied) when calling the AssumeRole "
    "operation: User: arn:aws:sts::111122223333:assumed-role/CVAccessNodeRole/i-0123456789abcdef0 is not "
    "authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{acct}:role/CVTenantRole",
    "CAmazonEC2::CreateSnapshot() - UnauthorizedOperation: You are not authorized to perform this operation. "
    "User: arn:aws:sts::{acct}:assumed-role/CVTenantRole/cv is not authorized to perform: ec2:CreateSnapshot "
    "on resource: arn:aws:ec2:us-east-1::snapshot/* because no identity-based policy allows the "
    "ec2:CreateSnapshot action. (Request ID: {uuid})",
    "CAmazonEC2::DescribeVolumes() - An error occurred (ExpiredToken) when calling the DescribeVolumes "
    "operation: The security token included in the request is expired",
)


def _noise(rng: random.Random, amazon_share: float) -> str:
    if rng.random() < amazon_share:
        template = rng.choice(AMAZON_NOISE)
        return template.format(
            hex15=f"{rng.getrandbits(60):015x}", pct=rng.randrange(0, 101), n=rng.randrange(1, 99999),
            dev="fghijklmnop"[rng.randrange(11)],
        )  # fmt: skip
    template = rng.choice(NOISE)
    return template.format(n=rng.randrange(1, 99999), hex=f"{rng.getrandbits(64):016x}")


def _credential(rng: random.Random) -> str:
    acct = rng.choice(TENANTS)
    arn = f"arn:aws:iam::{acct}:role/CVTenantRole"
    roll = rng.random()
    if roll < 0.4:
        return f"CAmazonInfo::Connect() - Connecting to Url=[default], username[{arn}]"
    if roll < 0.8:
        return f"AmazonConnection::ValidateCredentials() - Assume role [{arn}]"
    uuid = f"{rng.getrandbits(128):032x}"
    return rng.choice(FAILURES).format(acct=acct, uuid=uuid)


def generate(
    out: Path,
    lines: int,
    seed: int = 20261127,
    credential_share: float = 0.02,
    amazon_share: float = DEFAULT_AMAZON_SHARE,
) -> list[Path]:
    """Write the corpus under ``out`` and return the files written."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    start = datetime(2026, 11, 19, 0, 0, 0)
    for name, share in FILES:
        count = round(lines * share)
        moment = start
        path = out / name
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            for _ in range(count):
                moment += timedelta(milliseconds=rng.randrange(1, 400))
                pid = rng.choice((4012, 4013, 22718))
                tid = rng.choice(("1a2c", "7f3a", "b04"))
                job = rng.choice(("123456", "123457", "###"))
                body = _credential(rng) if rng.random() < credential_share else _noise(rng, amazon_share)
                handle.write(f"{pid:<6}{tid:<6}{moment:%m/%d %H:%M:%S} {job:<7}{body}\n")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument(
        "--amazon-share", type=float, default=DEFAULT_AMAZON_SHARE, help="share of noise lines that are Amazon-class"
    )
    args = parser.parse_args()
    files = generate(args.out, args.lines, args.seed, amazon_share=args.amazon_share)
    total = sum(f.stat().st_size for f in files)
    print(f"wrote {len(files)} files, {args.lines} lines, {total / 1e6:.1f} MB under {args.out}")


if __name__ == "__main__":
    main()
