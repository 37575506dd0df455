// Congestion control: the path input's cwin and bytes in transit may change.
// protoop: congestion_algorithm_notify
// expect: side-effects=pass memory=pass wellformed=pass termination=pass
#include "pquic-api.h"

protoop_arg_t grow(picoquic_cnx_t *cnx)
{
    picoquic_path_t *path = (picoquic_path_t *) get_cnx(cnx, AK_CNX_INPUT, 0);
    uint64_t acked = get_cnx(cnx, AK_CNX_INPUT, 3);
    uint64_t cwin = get_path(path, AK_PATH_CWIN, 0);
    set_path(path, AK_PATH_CWIN, 0, cwin + acked);
    return 0;
}
