#!/usr/bin/env bash
# Operator scale benchmark against the CRUD mock API server.
#   bench/operator-scale.sh            1, 100 and 1,000 LearningDatabases -> bench/results/operator-scale.md
#                                      (override sizes with BENCH_SIZES=1,10 and the idle window with BENCH_IDLE=30)
#   bench/operator-scale.sh insights   what status.insights costs in API requests, clusters on one real PostgreSQL
#                                      (BENCH_SIZES, default 1,100) -> bench/results/operator-insights.md
#   bench/operator-scale.sh unrelated  one cluster plus 10,000 objects the operator does not own (BENCH_UNRELATED=n)
#                                      -> bench/results/operator-unrelated-objects.md
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = unrelated ]; then
  ./mvnw -B -q test -Dtest='OperatorScaleBenchmark#unrelatedObjects' -Dsurefire.failIfNoSpecifiedTests=false \
    -Dbench.unrelated="${BENCH_UNRELATED:-10000}" \
    -Dquarkus.log.category.\"io.learningdb\".level=INFO 2>&1 | grep -E "^UNRELATED|ERROR|FAIL" || true
  cat bench/results/operator-unrelated-objects.md
  exit 0
fi
if [ "${1:-}" = insights ]; then
  ./mvnw -B -q test -Dtest='OperatorScaleBenchmark#insights' -Dsurefire.failIfNoSpecifiedTests=false \
    -Dbench.sizes="${BENCH_SIZES:-1,100}" -Dbench.idle-seconds="${BENCH_IDLE:-60}" \
    -Dquarkus.log.category.\"io.learningdb\".level=INFO 2>&1 | grep -E "^INSIGHTS|ERROR|FAIL" || true
  cat bench/results/operator-insights.md
  exit 0
fi
./mvnw -B -q test -Dtest='OperatorScaleBenchmark#scale' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.sizes="${BENCH_SIZES:-1,100,1000}" -Dbench.idle-seconds="${BENCH_IDLE:-60}" \
  -Dquarkus.log.category.\"io.learningdb\".level=INFO 2>&1 | grep -E "^SCALE|ERROR|FAIL" || true
cat bench/results/operator-scale.md
