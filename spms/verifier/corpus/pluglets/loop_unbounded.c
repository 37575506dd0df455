// Loops until a helper says stop: nothing bounds it.
// expect: termination=fail "no induction variable"
#include "pquic-api.h"

protoop_arg_t poll(picoquic_cnx_t *cnx)
{
    uint64_t n = 0;
    while (get_cnx(cnx, AK_CNX_STATE, 0) != 9)
        n++;
    return n;
}
