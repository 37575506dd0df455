// "!=" exit: the guard shows the variable starts below the bound.
// expect: termination=pass
#include "pquic-api.h"

protoop_arg_t ne_guard(picoquic_cnx_t *cnx)
{
    uint64_t n = get_cnx(cnx, AK_CNX_INPUT, 0);
    uint64_t s = 0;
    if (n < 10)
        return 0;
    for (uint64_t i = 10; i != n; i++)
        s += get_cnx(cnx, AK_CNX_PATH, i);
    return s;
}
