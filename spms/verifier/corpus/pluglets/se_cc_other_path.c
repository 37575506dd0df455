// The spec lets the path given as input change, not any path of the connection.
// protoop: congestion_algorithm_notify
// expect: side-effects=fail "a core object handle (AK_CNX_PATH)"
#include "pquic-api.h"

protoop_arg_t other_path(picoquic_cnx_t *cnx)
{
    picoquic_path_t *path = (picoquic_path_t *) get_cnx(cnx, AK_CNX_PATH, 1);
    set_path(path, AK_PATH_CWIN, 0, 1);
    return 0;
}
