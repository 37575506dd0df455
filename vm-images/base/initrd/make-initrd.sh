#!/bin/sh
# Makes the base image's initrd from its root file system (a chroot):
# busybox-static, the virtio modules that the root disk needs (virtio_pci,
# virtio_blk and what they depend on, in load order, from modules.dep) and
# initrd/init. An
# uncompressed cpio archive: the kernel copies it, nothing to inflate.
#
#   make-initrd.sh ROOTFS OUT
#
# Runs where mmdebstrap's hooks run (root, or unshare mode); the archive is
# made by the chroot's own cpio (initramfs-tools, which the kernel package
# needs, brings it along).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
rootfs=${1:?usage: make-initrd.sh ROOTFS OUT}
out=${2:?usage: make-initrd.sh ROOTFS OUT}
kver=$(ls "$rootfs/usr/lib/modules")
case "$kver" in
  *[[:space:]]*) echo "make-initrd.sh: more than one kernel in $rootfs: $kver" >&2; exit 1 ;;
esac
tree=$rootfs/tmp/spms-initrd
rm -rf "$tree"
mkdir -p "$tree/bin" "$tree/dev" "$tree/proc" "$tree/root" "$tree/lib/modules"
cp "$rootfs/bin/busybox" "$tree/bin/busybox"
for applet in sh cat mount umount insmod sleep switch_root; do ln -s busybox "$tree/bin/$applet"; done
: > "$tree/modules"
moddir=$rootfs/usr/lib/modules/$kver
# modules.dep lists a module's dependencies with the one loaded last first.
for ko in $(awk -F': *' '$1 ~ /\/(virtio_pci|virtio_blk)\.ko$/ { n = split($2, d, " "); for (i = n; i >= 1; i--) print d[i]; print $1 }' "$moddir/modules.dep"); do
  name=$(basename "$ko")
  grep -qx "$name" "$tree/modules" && continue
  cp "$moddir/$ko" "$tree/lib/modules/$name"
  echo "$name" >> "$tree/modules"
done
grep -qx virtio_blk.ko "$tree/modules" || { echo "make-initrd.sh: virtio_blk is not a module of $kver" >&2; exit 1; }
install -m 0755 "$here/init" "$tree/init"
modules=$(tr '\n' ' ' < "$tree/modules")
chroot "$rootfs" sh -c 'cd /tmp/spms-initrd && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet' > "$out"
rm -rf "$tree"
echo "initrd: $(wc -c < "$out") bytes, modules: $modules"
