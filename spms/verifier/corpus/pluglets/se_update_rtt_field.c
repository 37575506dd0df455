// update_rtt may not touch wake_now.
// protoop: update_rtt
// expect: side-effects=fail "writes AK_CNX_WAKE_NOW of the connection"
#include "pquic-api.h"

protoop_arg_t wake_from_rtt(picoquic_cnx_t *cnx)
{
    set_cnx(cnx, AK_CNX_WAKE_NOW, 0, 1);
    return 0;
}
