"""Candidate-to-LinkedIn-member matching: pure functions and in-memory indexes, no I/O.

``normalize`` folds fields, ``nicknames`` knows which given names are one name, ``profiles`` turns a
record into comparable features and blocking keys, ``scoring`` scores one pair with its reasons and
``matcher`` decides: link, review, or leave unmatched. The store and the workers feed it; the bench
runs it on 100,000 x 100,000 records in memory.
"""
