# The SPMS lab on one to four libvirt hosts. Terraform cannot create provider
# configurations with for_each, so every host has a fixed slot: a provider
# alias and a lab-host module instance. Hosts take the slots in the order of
# their sorted names; slots without a host create nothing. More hosts: add a
# provider "libvirt" host_N block and a module "host_N" block like the ones
# below, and raise the limit in variables.tf (and MAX_HOSTS in
# daemon/terraform/terraform-vars.ts).

locals {
  host_names = sort(keys(var.hosts))
  # A provider configuration must be valid even when no resource uses it:
  # empty slots point at the first host, and nothing connects through them.
  slot_uri = [for i in range(4) : var.hosts[local.host_names[min(i, length(local.host_names) - 1)]]]
  nodes_on = { for h in local.host_names : h => { for id, n in var.nodes : id => n if n.host == h } }
}

# Checks across variables, which variable validations cannot express here.
resource "terraform_data" "lab_checks" {
  lifecycle {
    precondition {
      condition     = alltrue([for n in values(var.nodes) : contains(keys(var.hosts), n.host)])
      error_message = "every node's host must be a key of hosts (${join(", ", local.host_names)})."
    }
    precondition {
      condition     = var.network.mode != "nat" || alltrue([for n in values(var.nodes) : can(cidrnetmask("${n.address}/32"))])
      error_message = "in nat mode every node needs its IPv4 address in nodes.*.address."
    }
  }
}

provider "libvirt" {
  alias = "host_0"
  uri   = local.slot_uri[0]
}

provider "libvirt" {
  alias = "host_1"
  uri   = local.slot_uri[1]
}

provider "libvirt" {
  alias = "host_2"
  uri   = local.slot_uri[2]
}

provider "libvirt" {
  alias = "host_3"
  uri   = local.slot_uri[3]
}

module "host_0" {
  source         = "./modules/lab-host"
  count          = length(local.host_names) > 0 ? 1 : 0
  providers      = { libvirt = libvirt.host_0 }
  host           = try(local.host_names[0], "")
  lab_name       = var.lab_name
  accelerator    = var.accelerator
  network        = var.network
  pool           = var.pool
  images         = var.images
  ssh_public_key = var.ssh_public_key
  nodes          = try(local.nodes_on[local.host_names[0]], {})
  depends_on     = [terraform_data.lab_checks]
}

module "host_1" {
  source         = "./modules/lab-host"
  count          = length(local.host_names) > 1 ? 1 : 0
  providers      = { libvirt = libvirt.host_1 }
  host           = try(local.host_names[1], "")
  lab_name       = var.lab_name
  accelerator    = var.accelerator
  network        = var.network
  pool           = var.pool
  images         = var.images
  ssh_public_key = var.ssh_public_key
  nodes          = try(local.nodes_on[local.host_names[1]], {})
  depends_on     = [terraform_data.lab_checks]
}

module "host_2" {
  source         = "./modules/lab-host"
  count          = length(local.host_names) > 2 ? 1 : 0
  providers      = { libvirt = libvirt.host_2 }
  host           = try(local.host_names[2], "")
  lab_name       = var.lab_name
  accelerator    = var.accelerator
  network        = var.network
  pool           = var.pool
  images         = var.images
  ssh_public_key = var.ssh_public_key
  nodes          = try(local.nodes_on[local.host_names[2]], {})
  depends_on     = [terraform_data.lab_checks]
}

module "host_3" {
  source         = "./modules/lab-host"
  count          = length(local.host_names) > 3 ? 1 : 0
  providers      = { libvirt = libvirt.host_3 }
  host           = try(local.host_names[3], "")
  lab_name       = var.lab_name
  accelerator    = var.accelerator
  network        = var.network
  pool           = var.pool
  images         = var.images
  ssh_public_key = var.ssh_public_key
  nodes          = try(local.nodes_on[local.host_names[3]], {})
  depends_on     = [terraform_data.lab_checks]
}
