#!/usr/bin/env bash
# The one test command: set-up, lint and type-check, browser build of the
# isomorphic packages, then every test suite (unit and integration).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== lint and type-check"
npx eslint .
npx prettier --check . --log-level warn
npx tsc -p tsconfig.json
npx tsc -p app/tsconfig.desktop.json
npx svelte-check --tsconfig app/tsconfig.json --fail-on-warnings --output human
echo "== browser builds: spms/core and spms/client, and the panel; the core's SHA-256 WebAssembly module rebuilt and compared"
node scripts/build-sha256-wasm.mjs --check
node scripts/build-core-browser.mjs
npx vite build --config app/vite.config.ts
report_unit=$(mktemp)
report_app=$(mktemp)
report_int=$(mktemp)
status=0
echo "== unit tests"
npx vitest run --exclude 'test/integration/**' --exclude 'test/e2e/**' --reporter=default --reporter=json --outputFile.json="$report_unit" "$@" || status=$?
echo "== panel component tests (jsdom)"
npx vitest run --config app/vitest.config.ts --passWithNoTests --reporter=default --reporter=json --outputFile.json="$report_app" "$@" || status=$?
# The integration suite runs alone: its nodes keep epochs, so they get the cores to themselves.
echo "== integration and browser tests (a PR and three PVs as processes; the panel in Chromium)"
npx vitest run test/integration test/e2e --reporter=default --reporter=json --outputFile.json="$report_int" "$@" || status=$?
# One plain closing line with the counts of both runs.
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const f of process.argv.slice(1)) {
    try {
      const r = JSON.parse(fs.readFileSync(f, "utf8"));
      passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
    } catch { failed += 1; }
  }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$report_unit" "$report_app" "$report_int" || true
rm -f "$report_unit" "$report_app" "$report_int"
exit $status
