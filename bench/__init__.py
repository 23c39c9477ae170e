"""Load and scale benchmarks: a data generator and a wrk harness (see bench/README.md)."""
