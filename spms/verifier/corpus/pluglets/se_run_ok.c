// Runs is_ack_needed, whose spec has no effects: nothing beyond update_rtt's.
// protoop: update_rtt
// expect: side-effects=pass wellformed=pass memory=pass
#include "pquic-api.h"

protoop_arg_t ask(picoquic_cnx_t *cnx)
{
    volatile protoop_id_t pid;
    pid.id = "is_ack_needed";
    pid.hash = 0;
    protoop_params_t pp;
    my_memset(&pp, 0, sizeof(pp));
    pp.pid = (protoop_id_t *) &pid;
    return plugin_run_protoop(cnx, &pp);
}
