# Where each node is once applied. User mode: endpoints listen on the node's
# host (127.0.0.1 there unless the export opened them for other hosts);
# NAT mode: the node's address in the lab subnet, reachable from its host.

output "hosts" {
  description = "Host name => libvirt URI, in slot order."
  value       = { for h in local.host_names : h => var.hosts[h] }
}

output "nodes" {
  description = "Per node: role, host, URI, domain name, its endpoints (ssh, https, mqtt for the PR) and, for PVs, where the PR is from inside the VM."
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
      pr_from_guest = merge(
        { for name, port in var.nodes[local.pr_id].guest_ports : "pr-${name}" => "${var.nodes[local.pr_id].address}:${port}" if n.role == "pv" && var.network.mode == "nat" && name != "ssh" },
        { for g in n.guest_forwards : g.name => "${g.guest_address}:${g.guest_port}" if var.network.mode == "user" },
      )
    }
  }
}

output "domain_ids" {
  description = "Node id => libvirt domain UUID."
  value       = merge(concat(module.host_0[*].domain_ids, module.host_1[*].domain_ids, module.host_2[*].domain_ids, module.host_3[*].domain_ids)...)
}
