#!/usr/bin/env bash
# Regenerates docs/dashboard-site.png, the README's picture of a site page: the browser test
# starts a stack with a simulated day (tests/browser/dashboard_test.cpp), signs in with headless
# Chromium and saves its screenshots under build/screenshots/; the site page's is copied here.
# Usage: scripts/screenshot.sh [build dir]   (needs scripts/install-deps.sh --with-tests)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target ems_browser_tests ems-api ems-listener ems-publisher >/dev/null
rm -f "$build/screenshots/site.png"
"$build/bin/ems_browser_tests" --gtest_filter='*APersonSignsIn*' >/dev/null
[ -f "$build/screenshots/site.png" ] || { echo "no screenshot made (is chromium installed?)" >&2; exit 1; }
cp "$build/screenshots/site.png" docs/dashboard-site.png
echo "docs/dashboard-site.png updated"
