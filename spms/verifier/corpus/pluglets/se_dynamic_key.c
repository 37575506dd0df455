// The field written is chosen at run time: it cannot be checked against the spec.
// protoop: set_next_wake_time
// expect: side-effects=fail "access key (r2) that is not a constant"
#include "pquic-api.h"

protoop_arg_t any_field(picoquic_cnx_t *cnx)
{
    access_key_t key = (access_key_t) get_cnx(cnx, AK_CNX_INPUT, 0);
    set_cnx(cnx, key, 0, 1);
    return 0;
}
