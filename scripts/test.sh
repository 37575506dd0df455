#!/usr/bin/env bash
# The one test command: set-up, lint and type-check, browser build of the
# isomorphic packages, then every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== lint and type-check"
npx eslint .
npx tsc -p tsconfig.json
echo "== browser build of spms/core"
node scripts/build-core-browser.mjs
echo "== tests"
npx vitest run "$@"
