output "domain_ids" {
  description = "Node id => libvirt domain UUID on this host."
  value       = { for id, d in libvirt_domain.node : id => d.id }
}
