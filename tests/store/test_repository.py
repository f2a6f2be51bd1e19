"""What every repository shares (``store.repository``)."""

from __future__ import annotations

from store.repository import IN_LIST, in_chunks


def test_ids_come_in_lists_of_at_most_the_in_list_size_sorted_and_distinct() -> None:
    ids = [f"C-{n:05d}" for n in range(IN_LIST * 2 + 7)]
    chunks = list(in_chunks(reversed(ids + ids[:10])))

    assert [len(chunk) for chunk in chunks] == [IN_LIST, IN_LIST, 7]
    assert [i for chunk in chunks for i in chunk] == sorted(ids)


def test_a_chunk_size_can_be_given_and_no_ids_make_no_chunk() -> None:
    assert list(in_chunks(["b", "a", "c"], size=2)) == [["a", "b"], ["c"]]
    assert list(in_chunks([])) == []
