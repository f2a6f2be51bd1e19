"""Typed events: the CloudEvents-style envelope and every event the pipeline consumes."""

from schemas.catalog import EVENT_TYPES, InvalidEvent, parse_event, upcast
from schemas.envelope import Event

__all__ = ["EVENT_TYPES", "Event", "InvalidEvent", "parse_event", "upcast"]
