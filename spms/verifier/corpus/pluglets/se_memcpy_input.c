// before_sending_packet may not rewrite the packet bytes it is given.
// protoop: before_sending_packet
// expect: side-effects=fail "my_memcpy writes into input \"bytes\""
#include "pquic-api.h"

protoop_arg_t scribble(picoquic_cnx_t *cnx)
{
    uint8_t *bytes = (uint8_t *) get_cnx(cnx, AK_CNX_INPUT, 0);
    my_memcpy(bytes, "XXXX", 4);
    return 0;
}
