// After a join the written object may be the input path or another path:
// both origins are kept and the other path is refused.
// protoop: congestion_algorithm_notify
// expect: side-effects=fail "a core object handle (AK_CNX_PATH)"
#include "pquic-api.h"

protoop_arg_t either_path(picoquic_cnx_t *cnx)
{
    picoquic_path_t *path = (picoquic_path_t *) get_cnx(cnx, AK_CNX_INPUT, 0);
    if (get_cnx(cnx, AK_CNX_INPUT, 1) == 2)
        path = (picoquic_path_t *) get_cnx(cnx, AK_CNX_PATH, 0);
    set_path(path, AK_PATH_CWIN, 0, 1);
    return 0;
}
