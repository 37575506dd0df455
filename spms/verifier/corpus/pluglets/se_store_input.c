// A direct store through an input pointer.
// protoop: parse_ecn_block
// expect: side-effects=fail "store of 1 byte(s) into input \"bytes\"" memory=pass
#include "pquic-api.h"

protoop_arg_t poke(picoquic_cnx_t *cnx)
{
    uint8_t *bytes = (uint8_t *) get_cnx(cnx, AK_CNX_INPUT, 0);
    bytes[0] = 0x42;
    return 0;
}
