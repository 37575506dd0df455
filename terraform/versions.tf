# Terraform 1.4+ (terraform_data); the libvirt provider's 0.8 series, whose
# resource schema (libvirt_pool, libvirt_volume, libvirt_network,
# libvirt_domain with kernel/initrd/cmdline and xml.xslt) this configuration
# is written for. 0.9 rewrote every resource and is not compatible.
terraform {
  required_version = ">= 1.4"
  required_providers {
    libvirt = {
      source  = "dmacvicar/libvirt"
      version = "~> 0.8.3"
    }
  }
}
