// Changes the connection state through a helper the specs do not model: the
// call is reported (warning) but does not fail the check.
// protoop: set_next_wake_time
// expect: side-effects=pass
#include "pquic-api.h"

protoop_arg_t close_now(picoquic_cnx_t *cnx)
{
    picoquic_set_cnx_state(cnx, 9);
    set_cnx(cnx, AK_CNX_WAKE_NOW, 0, 1);
    return 0;
}
