#!/usr/bin/env bash
# The lab command: installs what the default lab needs, then runs the daemon
# in the foreground with the default local lab deployed and opens the panel
# (or prints its one-time login URL when there is no display). Ctrl-C stops
# the nodes and the daemon. Extra arguments go to `spms daemon`
# (e.g. --port 8000, --lab-dir DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --lab
npx vite build --config app/vite.config.ts
exec node bin/spms.js daemon --deploy --open "$@"
