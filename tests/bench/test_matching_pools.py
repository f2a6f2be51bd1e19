"""The synthetic name, company and title pools the matching benchmark draws from: the same seed gives
the same draws, the first items of a pool are the likeliest, and nicknames come from the matcher's table."""

from __future__ import annotations

import random
from collections import Counter

from bench.matching_pools import Pools, ascii_fold


def test_the_same_seed_draws_the_same_people() -> None:
    def draws(seed: int) -> list[str]:
        pools, rng = Pools(random.Random(seed)), random.Random(seed + 1)
        return [
            f"{pools.first(rng)} {pools.last(rng)}, {pools.title(rng)} at {pools.company(rng)}"
            for _ in range(20)
        ]

    assert draws(3) == draws(3)
    assert draws(3) != draws(4)


def test_common_names_are_drawn_more_often_than_rare_ones() -> None:
    pools, rng = Pools(random.Random(1)), random.Random(2)
    counts = Counter(pools.last(rng) for _ in range(5_000))
    [(most_common, times)] = counts.most_common(1)
    assert times > 5_000 / len(counts) * 5  # far above a uniform draw
    assert most_common


def test_nicknames_are_other_forms_of_a_name_and_text_folds_to_ascii() -> None:
    pools = Pools(random.Random(1))
    with_nicknames = [name for name, forms in pools.nicknames.items() if forms]
    assert with_nicknames
    assert all(name not in pools.nicknames[name] for name in with_nicknames)
    assert ascii_fold("José María O'Neill") == "josemariaoneill"
