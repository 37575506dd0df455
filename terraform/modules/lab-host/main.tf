# One host of the lab: a storage pool, the role images it needs uploaded
# into it, one copy-on-write disk per node, the NAT network (nat mode) and
# one domain per node, booted directly from the image's kernel and initrd.

locals {
  roles = toset([for n in values(var.nodes) : n.role])
  # The guest takes its root key from spms.ssh=<base64url of the key line>.
  ssh_b64url = replace(replace(trim(base64encode(trimspace(var.ssh_public_key)), "="), "/[+]/", "-"), "/[/]/", "_")
  gib        = 1024 * 1024 * 1024
}

resource "libvirt_pool" "lab" {
  name = var.pool.name
  type = "dir"
  target {
    path = var.pool.path
  }
}

resource "libvirt_volume" "image" {
  for_each = local.roles
  name     = "${var.lab_name}-${each.key}-image.qcow2"
  pool     = libvirt_pool.lab.name
  source   = var.images[each.key].disk
  format   = "qcow2"
}

# Kernel and initrd as volumes, so a remote host has them on its own disk.
resource "libvirt_volume" "kernel" {
  for_each = local.roles
  name     = "${var.lab_name}-${each.key}-vmlinuz"
  pool     = libvirt_pool.lab.name
  source   = var.images[each.key].kernel
  format   = "raw"
}

resource "libvirt_volume" "initrd" {
  for_each = local.roles
  name     = "${var.lab_name}-${each.key}-initrd.img"
  pool     = libvirt_pool.lab.name
  source   = var.images[each.key].initrd
  format   = "raw"
}

resource "libvirt_volume" "disk" {
  for_each       = var.nodes
  name           = "${var.lab_name}-${each.key}.qcow2"
  pool           = libvirt_pool.lab.name
  base_volume_id = libvirt_volume.image[each.value.role].id
  size           = each.value.disk_gib * local.gib
  format         = "qcow2"
}

resource "libvirt_network" "lab" {
  count     = var.network.mode == "nat" ? 1 : 0
  name      = var.network.name
  mode      = "nat"
  addresses = [var.network.subnet]
  autostart = true
  dhcp {
    enabled = true
  }
  dns {
    enabled = true
  }
}

resource "libvirt_domain" "node" {
  for_each    = var.nodes
  name        = "${var.lab_name}-${each.key}"
  description = "SPMS lab ${var.lab_name}: ${upper(each.value.role)} ${each.key} on ${var.host}"
  type        = var.accelerator == "kvm" ? "kvm" : "qemu"
  vcpu        = each.value.vcpus
  memory      = each.value.memory_mib
  kernel      = libvirt_volume.kernel[each.value.role].id
  initrd      = libvirt_volume.initrd[each.value.role].id
  cmdline     = [{ "_" = "${var.images[each.value.role].cmdline} spms.ssh=${local.ssh_b64url}" }]

  disk {
    volume_id = libvirt_volume.disk[each.key].id
  }

  dynamic "network_interface" {
    for_each = var.network.mode == "nat" ? [each.value.address] : []
    content {
      network_id = one(libvirt_network.lab[*].id)
      hostname   = lower(replace(each.key, "/[^A-Za-z0-9-]/", "-"))
      addresses  = [network_interface.value]
    }
  }

  dynamic "cpu" {
    for_each = var.accelerator == "kvm" ? ["host-passthrough"] : []
    content {
      mode = cpu.value
    }
  }

  console {
    type        = "pty"
    target_port = "0"
    target_type = "serial"
  }

  # What the provider's schema cannot say: TCG's translation cache size, and
  # QEMU's user-mode network with its forwards (libvirt 9.0 rejects the
  # passt backend, so the NIC goes through qemu:commandline). A PV runs with
  # restrict=off and connects to the PR's forwards itself: guestfwd to a
  # command is denied by libvirt's QEMU sandbox, and guestfwd to a chardev
  # carries a single connection.
  xml {
    xslt = templatefile("${path.module}/domain.xsl.tftpl", {
      tcg = var.accelerator == "tcg" ? "true" : "false"
      netdev = var.network.mode != "user" ? "" : join(",", concat(
        ["user", "id=spmsnet", "restrict=${each.value.restrict ? "on" : "off"}"],
        [for f in each.value.host_forwards : "hostfwd=tcp:${f.host_address}:${f.host_port}-:${f.guest_port}"],
      ))
    })
  }
}
