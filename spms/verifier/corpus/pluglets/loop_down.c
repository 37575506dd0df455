// Counting down to zero with a signed bound.
// expect: termination=pass
#include "pquic-api.h"

protoop_arg_t count_down(picoquic_cnx_t *cnx)
{
    int64_t n = (int64_t) get_cnx(cnx, AK_CNX_INPUT, 0);
    uint64_t s = 0;
    for (int64_t i = n; i > 0; i -= 3)
        s += get_cnx(cnx, AK_CNX_PATH, (uint16_t) i);
    return s;
}
