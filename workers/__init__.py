"""Dramatiq workers: the runtime, one package per feature, what features share, and their composition."""
