#!/usr/bin/env bash
# Builds the base image of SPMS Lab VMs: Debian 12 from Debian's mirror with
# mmdebstrap (no ISO, no cloud image), the packages of packages.txt, the
# guest files of rootfs/ and a Node.js runtime at /opt/spms/bin/node.
#
#   build-base.sh OUT_DIR NODE_BINARY [DISK_SIZE]
#
# Writes into OUT_DIR: rootfs.qcow2 (ext4 on the whole disk, no partition
# table: root=/dev/vda), vmlinuz and initrd.img (direct kernel boot). Builds
# as root (mmdebstrap's root mode) or as a user with subordinate ids
# (unshare mode): the file system is made by `mke2fs -d` in mmdebstrap's last
# hook, where the files have their final owners, from a copy of the chroot
# without the kernel file systems mounted in it; no loop mount is needed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build-base.sh OUT_DIR NODE_BINARY [DISK_SIZE]}
node_bin=${2:?usage: build-base.sh OUT_DIR NODE_BINARY [DISK_SIZE]}
disk_size=${3:-4G}
mirror=${SPMS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${SPMS_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

mkdir -p "$out"
out=$(cd "$out" && pwd)
raw="$out/rootfs.raw"
stage="$out/rootfs.stage"
trap 'rm -rf "$raw" "$stage"' EXIT
rm -rf "$raw" "$stage"

include=$(grep -v -e '^#' -e '^[[:space:]]*$' "$here/packages.txt" | paste -sd, -)
guest_files=$(cd "$here/rootfs" && ls -A | paste -sd' ' -)

# The hooks: guest files and the runtime in; networkd and the SSH key unit
# on; the units of masked-units.txt and the generators of
# masked-generators.txt masked; the lab's own initrd (initrd/: busybox
# and the virtio drivers, no udev; the image's initramfs-tools initrd is
# dropped, nothing boots it); no host keys and an
# empty machine-id (each VM makes its own at its
# first boot, which systemd then does not treat as a "first boot" running
# `systemctl preset-all` over the image); no apt caches; kernel and initrd
# out; finally the file system.
echo "step: debootstrap (mmdebstrap: minbase + ${include//,/ })"
mmdebstrap \
  --variant=minbase \
  --include="$include" \
  --aptopt='Acquire::Languages "none"' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --customize-hook="tar -C '$here/rootfs' --owner=0 --group=0 -c $guest_files | tar -C \"\$1\" -x --no-same-owner" \
  --customize-hook="install -D -m 0755 '$node_bin' \"\$1/opt/spms/bin/node\"" \
  --customize-hook='chroot "$1" systemctl enable systemd-networkd.service spms-ssh-key.service' \
  --customize-hook="chroot \"\$1\" systemctl mask $(grep -v -e '^#' -e '^[[:space:]]*$' "$here/masked-units.txt" | paste -sd' ' -)" \
  --customize-hook="mkdir -p \"\$1/etc/systemd/system-generators\" && for g in $(grep -v -e '^#' -e '^[[:space:]]*$' "$here/masked-generators.txt" | paste -sd' ' -); do ln -sfn /dev/null \"\$1/etc/systemd/system-generators/\$g\"; done" \
  --customize-hook='rm -f "$1"/etc/ssh/ssh_host_*' \
  --customize-hook=': > "$1/etc/machine-id"' \
  --customize-hook="cp '$here/rootfs/etc/resolv.conf' \"\$1/etc/resolv.conf\"" \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/apt/archives/*.deb' \
  --customize-hook="sh '$here/initrd/make-initrd.sh' \"\$1\" '$out/initrd.img' && rm -f \"\$1\"/boot/initrd.img-*" \
  --customize-hook="cp \"\$1\"/boot/vmlinuz-* '$out/vmlinuz' && chmod 0644 '$out/vmlinuz' '$out/initrd.img'" \
  --customize-hook='echo "step: disk (mke2fs -d, qemu-img convert)"' \
  --customize-hook="mkdir '$stage' && tar -C \"\$1\" --one-file-system -c . | tar -C '$stage' -x && mke2fs -q -F -t ext4 -L spms-root -d '$stage' '$raw' '$disk_size'; status=\$?; rm -rf '$stage'; exit \$status" \
  --format=null \
  bookworm /dev/null \
  "deb $mirror bookworm main" \
  "deb $mirror bookworm-updates main" \
  "deb $security bookworm-security main"

qemu-img convert -f raw -O qcow2 "$raw" "$out/rootfs.qcow2"
echo "done: $(du -h --apparent-size "$out/rootfs.qcow2" | cut -f1) rootfs.qcow2"
