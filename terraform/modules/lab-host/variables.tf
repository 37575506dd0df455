# One host's share of the lab; the root module passes its own variables
# through and the nodes that run on this host.

variable "host" {
  type        = string
  description = "The host's name (a key of the root module's hosts)."
}

variable "lab_name" {
  type        = string
  description = "Prefix of the libvirt objects created here."
}

variable "accelerator" {
  type        = string
  description = "kvm or tcg."
}

variable "network" {
  type = object({
    mode   = string
    name   = string
    subnet = string
  })
  description = "user or nat networking; NAT network name and subnet."
}

variable "pool" {
  type = object({
    name = string
    path = string
  })
  description = "The storage pool created on this host."
}

variable "images" {
  type = map(object({
    disk    = string
    kernel  = string
    initrd  = string
    cmdline = string
  }))
  description = "Role images by role, files on the machine running Terraform."
}

variable "ssh_public_key" {
  type        = string
  description = "The OpenSSH public key line every VM accepts for root."
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
  description = "The nodes that run on this host."
}
