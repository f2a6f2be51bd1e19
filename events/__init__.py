"""Getting work onto the broker: the queues, every actor's route, the publisher, the dead-letter tooling."""
