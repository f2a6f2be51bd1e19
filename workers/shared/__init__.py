"""What several features share: pushing the outbox to LinkedIn (builders, senders, the sweep)."""
