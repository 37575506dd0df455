// Off by one: the clamp lets the loops run one element past the array.
// expect: memory=fail "leaves the 2048-byte stack" termination=pass
#include "pquic-api.h"

protoop_arg_t fill_too_far(picoquic_cnx_t *cnx)
{
    uint64_t buf[16];
    uint64_t n = get_cnx(cnx, AK_CNX_INPUT, 0);
    if (n > 17)
        n = 17;
    for (uint64_t i = 0; i < n; i++)
        buf[i] = get_cnx(cnx, AK_CNX_PATH, i);
    uint64_t s = 0;
    for (uint64_t i = 0; i < n; i++)
        s += buf[i];
    return s;
}
