# The lab's description. `spms lab export-terraform` writes every one of
# these into terraform.tfvars.json from the daemon's topology and libvirt
# settings; hand-written values must keep the same shapes.

variable "lab_name" {
  type        = string
  description = "Prefix of every libvirt object the configuration creates (domains, volumes), so they never clash with the ones the lab daemon manages."
  default     = "spms-lab-tf"
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,40}$", var.lab_name))
    error_message = "lab_name must be 1 to 40 letters, digits, \"_\", \"-\" or \".\"."
  }
}

variable "hosts" {
  type        = map(string)
  description = "The libvirt hosts of the lab: host name => connection URI (qemu:///system, qemu+ssh://user@host/system). At most 4: main.tf has one provider slot per host."
  validation {
    condition     = length(var.hosts) >= 1 && length(var.hosts) <= 4
    error_message = "hosts must name 1 to 4 hosts (main.tf has 4 provider slots; see README.md to add more)."
  }
  validation {
    condition     = alltrue([for uri in values(var.hosts) : can(regex("^[a-z][a-z0-9+.-]*://", uri))])
    error_message = "every host must be a libvirt connection URI such as qemu:///system or qemu+ssh://host/system."
  }
}

variable "accelerator" {
  type        = string
  description = "kvm where hardware virtualisation works, else tcg (QEMU's emulator, with its translation cache capped at 64 MiB per VM)."
  default     = "tcg"
  validation {
    condition     = contains(["kvm", "tcg"], var.accelerator)
    error_message = "accelerator must be \"kvm\" or \"tcg\"."
  }
}

variable "network" {
  type = object({
    mode   = string
    name   = string
    subnet = string
  })
  description = "user: QEMU user-mode networking, each node's ports forwarded from its host (nodes.*.host_forwards), PVs reaching the PR's forwards at 10.0.2.2 (their host's loopback) or the PR's host; nat: a libvirt NAT network named `name` on `subnet` per host, each node at its fixed nodes.*.address."
  default     = { mode = "user", name = "spms-lab-tf", subnet = "10.20.3.0/24" }
  validation {
    condition     = contains(["user", "nat"], var.network.mode)
    error_message = "network.mode must be \"user\" or \"nat\"."
  }
  validation {
    condition     = can(cidrnetmask(var.network.subnet))
    error_message = "network.subnet must be an IPv4 subnet such as 10.20.3.0/24."
  }
}

variable "pool" {
  type = object({
    name = string
    path = string
  })
  description = "The directory storage pool created on every host for the lab's volumes (images, kernels, node disks); path is a directory on that host."
  default     = { name = "spms-lab-tf", path = "/var/lib/libvirt/images/spms-lab-tf" }
}

variable "images" {
  type = map(object({
    disk    = string
    kernel  = string
    initrd  = string
    cmdline = string
  }))
  description = "The built role images by role (pr, pv): the qcow2 root file system, kernel and initrd (files on the machine running Terraform, uploaded to every host that runs the role) and the kernel command line without the per-VM spms.ssh= part."
  validation {
    condition     = contains(keys(var.images), "pr") && contains(keys(var.images), "pv")
    error_message = "images must have an entry for the roles \"pr\" and \"pv\"."
  }
}

variable "ssh_public_key" {
  type        = string
  description = "One OpenSSH public key line; every VM accepts it for root (passed as spms.ssh= on the kernel command line)."
  validation {
    condition     = can(regex("^(ssh-|ecdsa-|sk-)[^ ]+ [A-Za-z0-9+/]+=*( .*)?$", trimspace(var.ssh_public_key)))
    error_message = "ssh_public_key must be one OpenSSH public key line (e.g. the lab's ssh/id_ed25519.pub); set it in terraform.tfvars.json or with -var."
  }
}

variable "nodes" {
  type = map(object({
    role          = string
    host          = string
    vcpus         = number
    memory_mib    = number
    disk_gib      = number
    address       = string
    guest_ports   = map(number)
    host_forwards = list(object({ name = string, host_address = string, host_port = number, guest_port = number }))
    restrict      = bool
    pr_from_guest = map(string)
  }))
  description = "The lab's nodes by id: role (pr or pv), the key of the host it runs on, its size, its NAT address (\"\" in user mode), the ports its services listen on in the guest, the host ports forwarded to it (user mode), whether its user-mode network is restricted to those forwards (true for the PR; false for PVs, which connect out to the PR) and, for PVs, the PR as the guest reaches it ({url, mqttUrl}, the pr of the PV's configuration; {} for the PR)."
  validation {
    condition     = alltrue([for n in values(var.nodes) : contains(["pr", "pv"], n.role)]) && length([for n in values(var.nodes) : n if n.role == "pr"]) == 1
    error_message = "nodes must hold exactly one node of role \"pr\"; every other node has role \"pv\"."
  }
  validation {
    condition     = alltrue([for n in values(var.nodes) : n.vcpus >= 1 && n.memory_mib >= 256 && n.disk_gib >= 2])
    error_message = "every node needs vcpus >= 1, memory_mib >= 256 and disk_gib >= 2."
  }
  validation {
    condition     = alltrue([for n in values(var.nodes) : n.role == "pr" || (startswith(lookup(n.pr_from_guest, "url", ""), "https://") && startswith(lookup(n.pr_from_guest, "mqttUrl", ""), "mqtts://"))])
    error_message = "every PV needs pr_from_guest = {url = \"https://…\", mqttUrl = \"mqtts://…\"}: the PR as the PV's VM reaches it."
  }
  validation {
    condition     = alltrue([for id in keys(var.nodes) : can(regex("^[A-Za-z_][A-Za-z0-9_.-]{0,63}$", id))])
    error_message = "node ids are identifiers: a letter or \"_\" then letters, digits, \"_\", \"-\", \".\"."
  }
}
