// A constant aggregate holding a pointer lands in a data section with its own
// relocation, which PQUIC never applies.
// expect: wellformed=fail "not a read-only string section"
#include "pquic-api.h"

protoop_arg_t aggregate(picoquic_cnx_t *cnx)
{
    protoop_id_t pid = { .id = "is_ack_needed", .hash = 7 };
    protoop_params_t pp = { .pid = &pid };
    return plugin_run_protoop(cnx, &pp);
}
