"""Kafka plumbing: settings, the embedded Tansu broker, producers and the Faust app."""
