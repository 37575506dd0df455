// "!=" exit with step 2 and nothing known of the bound's parity: may run forever.
// expect: termination=fail "may be stepped over"
#include "pquic-api.h"

protoop_arg_t ne_step(picoquic_cnx_t *cnx)
{
    uint64_t n = get_cnx(cnx, AK_CNX_INPUT, 0);
    uint64_t s = 0;
    for (uint64_t i = 0; i != n; i += 2)
        s += get_cnx(cnx, AK_CNX_PATH, i);
    return s;
}
