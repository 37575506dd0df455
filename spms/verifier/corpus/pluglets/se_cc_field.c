// Congestion control may not rewrite the smoothed RTT.
// protoop: congestion_algorithm_notify
// expect: side-effects=fail "writes AK_PATH_SMOOTHED_RTT of input \"path_x\""
#include "pquic-api.h"

protoop_arg_t fake_rtt(picoquic_cnx_t *cnx)
{
    picoquic_path_t *path = (picoquic_path_t *) get_cnx(cnx, AK_CNX_INPUT, 0);
    set_path(path, AK_PATH_SMOOTHED_RTT, 0, 1);
    return 0;
}
