// Runs an operation without a spec: its effects cannot be bounded.
// protoop: update_rtt
// expect: side-effects=fail "which has no spec"
#include "pquic-api.h"

protoop_arg_t probe(picoquic_cnx_t *cnx)
{
    volatile protoop_id_t pid;
    pid.id = "prepare_mtu_probe";
    pid.hash = 0;
    protoop_params_t pp;
    my_memset(&pp, 0, sizeof(pp));
    pp.pid = (protoop_id_t *) &pid;
    return plugin_run_protoop(cnx, &pp);
}
