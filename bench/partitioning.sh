#!/usr/bin/env bash
# Partitioning and materialized-view benchmark on the learning-platform sample schema (real PostgreSQL on loopback).
# ROWS (default 3000000). Results: bench/results/partitioning.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q test -Dtest=PartitioningBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dbench.rows="${ROWS:-3000000}" 2>&1 \
  | grep -E "ERROR|FAIL" || true
cat bench/results/partitioning.md
