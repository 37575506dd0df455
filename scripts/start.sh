#!/usr/bin/env bash
# The lab command: installs what the default lab needs, then opens the panel.
# With Electron's binary installed and a display, in the desktop shell (which
# finds or starts the lab's daemon and deploys the lab; a daemon it started
# stops, with the nodes, when its window closes). Otherwise it runs the
# daemon in the foreground with the default local lab deployed and opens the
# panel in the browser (or prints its one-time login URL when there is no
# display); Ctrl-C stops the nodes and the daemon. Extra arguments go to the
# shell or to `spms daemon` (e.g. --port 8000, --lab-dir DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --lab
npx vite build --config app/vite.config.ts
electron_installed() {
  # require('electron') is the binary's path; it throws when the binary was never downloaded.
  node -e "process.exit(require('fs').existsSync(require('electron')) ? 0 : 1)" >/dev/null 2>&1
}
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && electron_installed; then
  node scripts/build-desktop.mjs
  exec npx electron app/dist-desktop/main.cjs "$@"
fi
exec node bin/spms.js daemon --deploy --open "$@"
