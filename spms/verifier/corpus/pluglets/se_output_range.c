// update_rtt has one output; index 1 is outside it.
// protoop: update_rtt
// expect: side-effects=fail "writes output 1"
#include "pquic-api.h"

protoop_arg_t two_outputs(picoquic_cnx_t *cnx)
{
    set_cnx(cnx, AK_CNX_OUTPUT, 0, 1);
    set_cnx(cnx, AK_CNX_OUTPUT, 1, 2);
    return 0;
}
