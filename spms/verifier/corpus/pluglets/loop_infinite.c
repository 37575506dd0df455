// Never leaves its loop.
// expect: termination=fail "has no exit"
#include "pquic-api.h"

protoop_arg_t spin(picoquic_cnx_t *cnx)
{
    for (;;)
        set_cnx_metadata(cnx, 0, picoquic_current_time());
    return 0;
}
