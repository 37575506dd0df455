// "!=" exit with step 2 against an even bound: congruence shows it is met.
// expect: termination=pass
#include "pquic-api.h"

protoop_arg_t ne_even(picoquic_cnx_t *cnx)
{
    uint64_t n = get_cnx(cnx, AK_CNX_INPUT, 0) & ~(uint64_t) 1;
    uint64_t s = 0;
    for (uint64_t i = 0; i != n; i += 2)
        s += get_cnx(cnx, AK_CNX_PATH, i);
    return s;
}
