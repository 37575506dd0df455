// Writes into the connection structure directly.
// expect: memory=fail "the connection handle"
#include "pquic-api.h"

protoop_arg_t smash(picoquic_cnx_t *cnx)
{
    ((uint64_t *) cnx)[10] = 0;
    return 0;
}
