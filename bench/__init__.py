"""Load drivers and baselines for `make bench` (see bench/README.md)."""
