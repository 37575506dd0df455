// Two external functions: which one is the pluglet is ambiguous.
// compile: fail "a pluglet has exactly one entry point"
#include "pquic-api.h"

protoop_arg_t first(picoquic_cnx_t *cnx)
{
    return get_cnx(cnx, AK_CNX_STATE, 0);
}

protoop_arg_t second(picoquic_cnx_t *cnx)
{
    return first(cnx) + 1;
}
