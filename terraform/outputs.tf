# Where each node is once applied. User mode: endpoints listen on the node's
# host (127.0.0.1 there unless the export opened them for other hosts);
# NAT mode: the node's address in the lab subnet, reachable from its host.
# Where a PV finds the PR from inside its VM is nodes.*.pr_from_guest: user
# mode, 10.0.2.2 (its host's loopback as the guest sees it) on the PR's
# forwarded ports, or the PR's host when that is another one; NAT mode, the
# PR's address and guest ports.

output "hosts" {
  description = "Host name => libvirt URI, in slot order."
  value       = { for h in local.host_names : h => var.hosts[h] }
}

output "nodes" {
  description = "Per node: role, host, URI, domain name, its endpoints (ssh, https, mqtt for the PR) and, for PVs, the PR as the VM reaches it ({url, mqttUrl}: the pr of the PV's configuration)."
  value = {
    for id, n in var.nodes : id => {
      role   = n.role
      host   = n.host
      uri    = var.hosts[n.host]
      domain = "${var.lab_name}-${id}"
      # merge() of filtered maps rather than a conditional: Terraform wants
      # both results of a conditional to have the same attributes.
      endpoints = merge(
        { for name, port in n.guest_ports : name => "${n.address}:${port}" if var.network.mode == "nat" },
        { for f in n.host_forwards : f.name => "${f.host_address}:${f.host_port}" if var.network.mode == "user" },
      )
      pr_from_guest = n.pr_from_guest
    }
  }
}

output "domain_ids" {
  description = "Node id => libvirt domain UUID."
  value       = merge(concat(module.host_0[*].domain_ids, module.host_1[*].domain_ids, module.host_2[*].domain_ids, module.host_3[*].domain_ids)...)
}
