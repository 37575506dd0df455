# The module's "libvirt" is dmacvicar/libvirt; the root passes one
# configuration of it per host.
terraform {
  required_providers {
    libvirt = {
      source = "dmacvicar/libvirt"
    }
  }
}
