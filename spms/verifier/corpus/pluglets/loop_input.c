// Bound read from an input, invariant in the loop.
// expect: termination=pass wellformed=pass memory=pass
#include "pquic-api.h"

protoop_arg_t sum_input(picoquic_cnx_t *cnx)
{
    uint64_t n = get_cnx(cnx, AK_CNX_INPUT, 0);
    uint64_t s = 0;
    for (uint64_t i = 0; i < n; i++)
        s += get_cnx(cnx, AK_CNX_PATH, i);
    return s;
}
