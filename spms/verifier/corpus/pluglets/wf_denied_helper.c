// Calls socket and write, which a validator's policy may forbid.
// expect: wellformed=pass
// expect[{"denyHelpers":["socket","write"]}]: wellformed=fail "forbidden by this validator's policy"
// expect[{"allowHelpers":["get_cnx"]}]: wellformed=fail "not in this validator's allow-list"
#include "pquic-api.h"

protoop_arg_t leak(picoquic_cnx_t *cnx)
{
    int fd = socket(2, 2, 0);
    uint64_t v = get_cnx(cnx, AK_CNX_STATE, 0);
    write(fd, &v, sizeof(v));
    return 0;
}
