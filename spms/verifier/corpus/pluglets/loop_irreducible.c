// A cycle with two entries (a jump into the middle of the loop).
// expect: termination=fail "irreducible control flow"
#include "pquic-api.h"

protoop_arg_t tangled(picoquic_cnx_t *cnx)
{
    uint64_t i = get_cnx(cnx, AK_CNX_INPUT, 0);
    uint64_t s = 0;
    if (get_cnx(cnx, AK_CNX_INPUT, 1))
        goto middle;
top:
    s += get_cnx(cnx, AK_CNX_PATH, i);
middle:
    s += get_cnx(cnx, AK_CNX_STATE, 0);
    if (++i < 100)
        goto top;
    return s;
}
