"""The ground every room stands on: settings, logging, errors, metrics, health probes, crypto, mail."""
