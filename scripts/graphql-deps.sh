#!/usr/bin/env bash
# Installs the GraphQL service's npm dependencies (graphql/package-lock.json) with `npm ci`, when
# graphql/node_modules does not hold exactly that lock file's packages yet. run.sh and test.sh
# call it after scripts/install-deps.sh (which installs Node.js and npm); docs/graphql.md.
set -euo pipefail
dir=$(cd "$(dirname "$0")/../graphql" && pwd)
stamp="$dir/node_modules/.ems-package-lock.sha256"
want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then exit 0; fi
echo "Installing graphql/ dependencies (npm ci)"
(cd "$dir" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
echo "$want" > "$stamp"
