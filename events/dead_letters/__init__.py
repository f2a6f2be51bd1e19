"""Dead letters: every feature queue's dead-letter queue browsed, replayed and purged, and their archive."""
