// Constant trip count (too long for the optimiser to unroll).
// expect: termination=pass wellformed=pass memory=pass
#include "pquic-api.h"

protoop_arg_t sum_paths(picoquic_cnx_t *cnx)
{
    uint64_t s = 0;
    for (uint64_t i = 0; i < 1000; i += 3)
        s += get_cnx(cnx, AK_CNX_PATH, i);
    return s;
}
