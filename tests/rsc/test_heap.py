"""Collections are held off for a burst of short-lived objects and resume after it (``rsc.heap``)."""

from __future__ import annotations

import gc

import pytest

from rsc.heap import collections_paused


def test_collections_are_paused_inside_the_block_and_resume_after_it_however_it_ends() -> None:
    assert gc.isenabled()
    with collections_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collections_paused():
        raise RuntimeError("the tick failed")
    assert gc.isenabled()


def test_a_block_inside_a_pause_leaves_collections_paused_until_the_outer_one_ends() -> None:
    with collections_paused():
        with collections_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
