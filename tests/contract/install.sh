#!/usr/bin/env bash
# Installs the contract tier's npm tools (package-lock.json, exactly) into DEST/node_modules,
# once per lock file: the install is kept in the build folder and redone only when the lock
# changes. Usage: tests/contract/install.sh DEST
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
dest=$(cd "$1" && pwd)

stamp="$dest/node_modules/.ems-lock"
if [ -f "$stamp" ] && cmp -s "$stamp" "$here/package-lock.json"; then
  exit 0
fi
cp "$here/package.json" "$here/package-lock.json" "$dest/"
cd "$dest"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
cp package-lock.json "$stamp"
