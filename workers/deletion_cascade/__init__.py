"""Deletion cascade: what the ATS deletes is erased here and deleted on LinkedIn; purge notices read."""
