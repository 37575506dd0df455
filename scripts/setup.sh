#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for building and testing SPMS Lab:
# Debian packages (clang/llvm for pluglet compilation, chromium for browser
# tests, openssl for certificate cross-checks) and the npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
command -v clang >/dev/null || need_pkgs+=(clang)
command -v llc >/dev/null || need_pkgs+=(llvm)
command -v llvm-objdump >/dev/null || need_pkgs+=(llvm)
[ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
command -v openssl >/dev/null || need_pkgs+=(openssl)
command -v python3 >/dev/null || need_pkgs+=(python3)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo_cmd=(); elif sudo -n true 2>/dev/null; then sudo_cmd=(sudo -n); else
    echo "setup: missing Debian packages: ${need_pkgs[*]}; install them with: sudo apt-get install ${need_pkgs[*]}" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${need_pkgs[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

# npm ci only when the installed tree does not match the lock file.
stamp=node_modules/.spms-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi
