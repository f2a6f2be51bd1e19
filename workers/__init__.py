"""Dramatiq workers: the broker, middleware, the thin actors and the handlers they call."""
