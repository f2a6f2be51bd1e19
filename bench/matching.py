"""Matcher quality and speed on labelled data: precision, recall, review count, throughput, memory.

    python -m bench.matching [--setting hard] [--seed 7] [--candidates 100000] [--members 100000]
                             [--linkedin-share 0]

The data comes from ``bench.matching_data`` (seeded). The run builds the member index and matches
every candidate, in memory, as ``rsc match run`` does for one tenant; the time covers normalising
both sides, indexing the members and deciding every candidate (data generation is not counted).

- precision: correct links / all links;
- recall: correct links / candidates whose person is among the members;
- review: candidates sent to a person instead of being linked (not counted as links);
- peak memory: the process's peak resident set (``ru_maxrss``), and how much it grew while matching.
"""

from __future__ import annotations

import argparse
import platform
import resource
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from bench.matching_data import SETTINGS, LabelledData, generate
from matching.matcher import Matcher, MatchResult, MatchStatus


@dataclass
class Quality:
    candidates: int
    matchable: int
    linked: int
    correct: int
    review: int
    review_with_member: int
    unmatched: int
    wrong_by_reason: Counter[str]
    linked_by_reason: Counter[str]

    @property
    def precision(self) -> float:
        return self.correct / self.linked if self.linked else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.matchable if self.matchable else 1.0


def evaluate(data: LabelledData, results: list[MatchResult]) -> Quality:
    linked = [r for r in results if r.status is MatchStatus.LINKED]
    correct = [r for r in linked if data.truth[r.candidate_id] == r.member_id]
    review = [r for r in results if r.status is MatchStatus.REVIEW]
    return Quality(
        candidates=len(results),
        matchable=data.matchable,
        linked=len(linked),
        correct=len(correct),
        review=len(review),
        review_with_member=sum(1 for r in review if data.truth[r.candidate_id] is not None),
        unmatched=sum(1 for r in results if r.status is MatchStatus.UNMATCHED),
        wrong_by_reason=Counter(str(r.reason) for r in linked if data.truth[r.candidate_id] != r.member_id),
        linked_by_reason=Counter(str(r.reason) for r in linked),
    )


def _rss_mib() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(setting: str, seed: int, candidates: int, members: int, linkedin_share: float | None = None) -> str:
    chosen = SETTINGS[setting]
    if linkedin_share is not None:
        chosen = replace(chosen, linkedin_fetched=linkedin_share)
    started = time.perf_counter()
    data = generate(chosen, seed=seed, candidates=candidates, members=members)
    generated_s = time.perf_counter() - started
    before = _rss_mib()
    t0 = time.perf_counter()
    matcher = Matcher(data.members)
    t1 = time.perf_counter()
    results = list(matcher.match_all(data.candidates))
    t2 = time.perf_counter()
    quality = evaluate(data, results)
    total = t2 - t0
    lines = [
        f"matching bench, {datetime.now(UTC):%Y-%m-%d}, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.machine()}",
        f"setting {setting}, seed {seed}: {len(data.candidates):,} candidates x "
        f"{len(data.members):,} members ({quality.matchable:,} candidates have their member among them); "
        f"generated in {generated_s:.1f} s",
        f"  rates: {data.setting.describe()}",
        f"precision {quality.precision:.4f}  recall {quality.recall:.4f}  "
        f"(linked {quality.linked:,}, correct {quality.correct:,}, "
        f"wrong {quality.linked - quality.correct:,})",
        f"review {quality.review:,} ({quality.review_with_member:,} of them have a member)  "
        f"unmatched {quality.unmatched:,}",
        "linked by reason: " + ", ".join(f"{k} {v:,}" for k, v in quality.linked_by_reason.most_common()),
        "wrong links by reason: "
        + (", ".join(f"{k} {v:,}" for k, v in quality.wrong_by_reason.most_common()) or "none"),
        f"time {total:.1f} s (index {t1 - t0:.1f} s, match {t2 - t1:.1f} s): "
        f"{len(data.candidates) / total:,.0f} candidates/s",
        f"memory: peak RSS {_peak_mib():,.0f} MiB; {before:,.0f} MiB held before matching (the data), "
        f"{_rss_mib() - before:+,.0f} MiB after (index and results)",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--setting", choices=sorted(SETTINGS), default="hard")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument(
        "--linkedin-share",
        type=float,
        default=None,
        help="override the share of candidates whose LinkedIn matchedMembers were read (0: none)",
    )
    args = parser.parse_args()
    print(run(args.setting, args.seed, args.candidates, args.members, args.linkedin_share))


if __name__ == "__main__":
    main()
