"""Reliability: crash safety, concurrency, hostile input, failing dependencies and security."""
