// Runs set_next_wake_time, which may set wake_now: update_rtt may not.
// protoop: update_rtt
// expect: side-effects=fail "whose effects (cnx.wakenow)"
#include "pquic-api.h"

protoop_arg_t wake_indirect(picoquic_cnx_t *cnx)
{
    volatile protoop_id_t pid;
    pid.id = "set_next_wake_time";
    pid.hash = 0;
    protoop_params_t pp;
    my_memset(&pp, 0, sizeof(pp));
    pp.pid = (protoop_id_t *) &pid;
    return plugin_run_protoop(cnx, &pp);
}
