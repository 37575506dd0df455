// Branches but no loop.
// protoop: set_next_wake_time
// expect: termination=pass side-effects=pass memory=pass wellformed=pass
#include "pquic-api.h"

protoop_arg_t wake(picoquic_cnx_t *cnx)
{
    if (get_cnx(cnx, AK_CNX_STATE, 0) > 3)
        set_cnx(cnx, AK_CNX_WAKE_NOW, 0, 1);
    return 0;
}
