#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks, then the npm dependencies.
#   setup.sh          for the tests: clang/llvm (pluglet compilation), chromium
#                     (browser tests), openssl (certificate cross-checks),
#                     python3 (reference implementations), lld (wasm-ld: the
#                     core's SHA-256 WebAssembly module is rebuilt and
#                     compared with the embedded one), libvirt's client
#                     library, headers and tools (the libvirt provider's
#                     binding, its test driver, virt-xml-validate), packer
#                     (template validation) and xsltproc (the Terraform domain
#                     stylesheet); fails when it cannot.
#   setup.sh --vm     what the tests need, plus what booting real VMs needs:
#                     QEMU, libvirtd, mmdebstrap, qemu-img, dnsmasq (NAT
#                     networks), and for the remote-host test an OpenSSH
#                     server and nc (npm run test:vm, bench:vm, the libvirt
#                     provider). The OpenSSH server is installed without being
#                     started or enabled: the test runs its own sshd.
#   setup.sh --lab    for running the lab: clang/llvm only; when they cannot be
#                     installed (no root, no passwordless sudo) it says what to
#                     install and goes on: the lab then marks the verifiers that
#                     need them unavailable.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=test
[ "${1:-}" = "--lab" ] && mode=lab
[ "${1:-}" = "--vm" ] && mode=vm

need_pkgs=()
command -v clang >/dev/null || need_pkgs+=(clang)
command -v llc >/dev/null || need_pkgs+=(llvm)
command -v llvm-objdump >/dev/null || need_pkgs+=(llvm)
if [ "$mode" != lab ]; then
  [ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
  command -v openssl >/dev/null || need_pkgs+=(openssl)
  command -v python3 >/dev/null || need_pkgs+=(python3)
  command -v wasm-ld >/dev/null || need_pkgs+=(lld)
  command -v virsh >/dev/null || need_pkgs+=(libvirt-clients)
  command -v virt-xml-validate >/dev/null || need_pkgs+=(libvirt-clients)
  [ -f /usr/include/libvirt/libvirt.h ] || need_pkgs+=(libvirt-dev)
  command -v pkg-config >/dev/null || need_pkgs+=(pkg-config)
  command -v packer >/dev/null || need_pkgs+=(packer)
  command -v xsltproc >/dev/null || need_pkgs+=(xsltproc)
fi
if [ "$mode" = vm ]; then
  command -v qemu-system-x86_64 >/dev/null || need_pkgs+=(qemu-system-x86)
  command -v qemu-img >/dev/null || need_pkgs+=(qemu-utils)
  command -v libvirtd >/dev/null || need_pkgs+=(libvirt-daemon-system)
  command -v mmdebstrap >/dev/null || need_pkgs+=(mmdebstrap)
  command -v mke2fs >/dev/null || need_pkgs+=(e2fsprogs)
  [ -x /usr/sbin/dnsmasq ] || need_pkgs+=(dnsmasq-base)
  [ -x /usr/sbin/sshd ] || need_pkgs+=(openssh-server)
  command -v nc >/dev/null || need_pkgs+=(netcat-openbsd)
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  # shellcheck disable=SC2207
  need_pkgs=($(printf '%s\n' "${need_pkgs[@]}" | sort -u))
  if [ "$(id -u)" -eq 0 ]; then sudo_cmd=(); elif sudo -n true 2>/dev/null; then sudo_cmd=(sudo -n); else
    echo "setup: missing Debian packages: ${need_pkgs[*]}; install them with: sudo apt-get install ${need_pkgs[*]}" >&2
    if [ "$mode" != lab ]; then exit 1; fi
    echo "setup: going on without them: the verifiers that need them are marked unavailable in the lab" >&2
    need_pkgs=()
  fi
  if [ ${#need_pkgs[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${need_pkgs[*]}"
    "${sudo_cmd[@]}" apt-get update -qq
    # A package's service (openssh-server's sshd) must not start: policy-rc.d refuses every start during the install.
    own_policy=
    if [ "$mode" = vm ] && [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee /usr/sbin/policy-rc.d >/dev/null && "${sudo_cmd[@]}" chmod 755 /usr/sbin/policy-rc.d && own_policy=1
    fi
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
    [ -z "$own_policy" ] || "${sudo_cmd[@]}" rm -f /usr/sbin/policy-rc.d
    if [[ " ${need_pkgs[*]} " == *" openssh-server "* ]]; then
      # Nor start at the next boot; and should anything have started it, stop it.
      if [ -d /run/systemd/system ]; then
        "${sudo_cmd[@]}" systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
      else
        "${sudo_cmd[@]}" update-rc.d ssh disable >/dev/null 2>&1 || true
        "${sudo_cmd[@]}" /etc/init.d/ssh stop >/dev/null 2>&1 || true
      fi
    fi
  fi
fi

# npm ci only when the installed tree does not match the lock file.
stamp=node_modules/.spms-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing npm packages"
  # Electron's binary comes from GitHub, not the npm registry: never let its
  # download decide whether the install works (see below for the lab).
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

# The desktop shell is optional: for the lab, fetch Electron's binary when the
# network allows it; without it the panel opens in the browser.
if [ "$mode" = lab ] && ! node -e "process.exit(require('fs').existsSync(require('electron')) ? 0 : 1)" >/dev/null 2>&1; then
  node node_modules/electron/install.js >/dev/null 2>&1 ||
    echo "setup: Electron's binary could not be downloaded; the panel opens in the browser" >&2
fi
