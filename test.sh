#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit, integration (a real Mosquitto
# on a free port and the real ems-* processes), the OpenAPI contract (docs/api.md),
# docker-compose validation and formatting.
# Then the whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer
# (skip that second pass with EMS_SKIP_SANITIZERS=1), then every libFuzzer target for
# EMS_FUZZ_SECONDS (5) seconds, and last the compose tier: the image built and the compose
# project run for real (tests/compose/, docs/deployment.md; skipped where no engine can run).
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
cd "$root"
jobs=$(nproc)

scripts/install-deps.sh --with-tests --with-compose
scripts/graphql-deps.sh
# ccache (CMakeLists.txt): paths are hashed relative to this checkout, so every clone shares hits;
# the precompiled headers need the sloppiness ccache documents for them.
export CCACHE_BASEDIR="$root"
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}

# ctest for `dir` with the given arguments; when a test fails, its gtest failure lines (and the
# soak's seed) are printed again last, so the end of the log, all a CI summary may keep, says why.
run_ctest() {
  local dir=$1
  shift
  ctest --test-dir "$dir" "$@" && return 0
  echo "== why: the failure lines of the failed tests (full output above)"
  grep -h -A6 -E ': Failure$|^Seed [0-9]+,|Failure in test' "$dir/Testing/Temporary/LastTest.log" |
    cut -c1-300 | tail -40 || true
  return 1
}

echo "== Release build and tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
# The tests of the postgres label (pg.*) run against a throwaway PostgreSQL cluster, in this pass
# only (docs/contract.md §9, scripts/pg-cluster.sh); it is removed when the pass ends.
pg_dir=$(mktemp -d)
trap 'scripts/pg-cluster.sh stop "$pg_dir"' EXIT
EMS_TEST_PG_URL=$(scripts/pg-cluster.sh start "$pg_dir")
export EMS_TEST_PG_URL
# The chaos soak (label soak, RELIABILITY.md) runs in the sanitizer pass only.
run_ctest build --output-on-failure -j"$jobs" --timeout 300 -LE 'compose|soak'
scripts/pg-cluster.sh stop "$pg_dir"
unset EMS_TEST_PG_URL

if [ "${EMS_SKIP_SANITIZERS:-0}" != 1 ]; then
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer build and tests"
  # -O1 -g1: fast to compile, line numbers in reports, the optimisation level ASan recommends.
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
    -DEMS_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  # The chaos soak runs here, about 2 minutes each: a fixed seed and this random one (a failing
  # run replays with EMS_SOAK_SEED and EMS_SOAK_SECONDS, RELIABILITY.md).
  EMS_SOAK_SEED=${EMS_SOAK_SEED:-$(shuf -i 1-4000000000 -n 1)}
  echo "chaos soak seeds: 20261207 and $EMS_SOAK_SEED"
  EMS_SOAK_SEED=$EMS_SOAK_SEED ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_ctest build-asan --output-on-failure -j"$jobs" --timeout 600 -LE 'lint|contract|compose|postgres'
fi
echo "== libFuzzer targets (clang, ASan + UBSan), ${EMS_FUZZ_SECONDS:-5} s each"
cmake -S . -B build-fuzz -DEMS_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DEMS_FUZZ_SECONDS="${EMS_FUZZ_SECONDS:-5}" >/dev/null
cmake --build build-fuzz -j"$jobs"
ctest --test-dir build-fuzz --output-on-failure -j"$jobs" -L fuzz
echo "== compose tier: the image and the compose project, for real"
ctest --test-dir build -V -L compose
echo "All tests passed."
