#!/usr/bin/env bash
# The one test command: set-up, lint and type-check, browser build of the
# isomorphic packages, then every test suite (unit and integration).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== lint and type-check"
npx eslint .
npx tsc -p tsconfig.json
echo "== browser build of spms/core and spms/client"
node scripts/build-core-browser.mjs
echo "== tests"
report=$(mktemp)
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
# One plain closing line with the counts.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$report" || true
rm -f "$report"
exit $status
