// set_next_wake_time may set wake_now.
// protoop: set_next_wake_time
// expect: side-effects=pass
#include "pquic-api.h"

protoop_arg_t wake_now(picoquic_cnx_t *cnx)
{
    set_cnx(cnx, AK_CNX_WAKE_NOW, 0, 1);
    return 0;
}
