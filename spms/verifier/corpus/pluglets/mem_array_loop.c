// Fills and sums a local array through loops bounded by a clamped input: the
// loop's trip count bounds the pointer walking the array.
// expect: memory=pass termination=pass wellformed=pass
#include "pquic-api.h"

protoop_arg_t fill(picoquic_cnx_t *cnx)
{
    uint64_t buf[16];
    uint64_t n = get_cnx(cnx, AK_CNX_INPUT, 0);
    if (n > 16)
        n = 16;
    for (uint64_t i = 0; i < n; i++)
        buf[i] = get_cnx(cnx, AK_CNX_PATH, i);
    uint64_t s = 0;
    for (uint64_t i = 0; i < n; i++)
        s += buf[i];
    return s;
}
