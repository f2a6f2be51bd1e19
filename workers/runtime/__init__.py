"""The workers' runtime: the broker, its middleware, the gate, group commit and start-up wiring."""
