// Writes what update_rtt's spec allows: latest_progress_time and output 0.
// protoop: update_rtt
// expect: side-effects=pass memory=pass wellformed=pass termination=pass
#include "pquic-api.h"

protoop_arg_t progress(picoquic_cnx_t *cnx)
{
    uint64_t now = get_cnx(cnx, AK_CNX_INPUT, 1);
    set_cnx(cnx, AK_CNX_LATEST_PROGRESS_TIME, 0, now);
    set_cnx(cnx, AK_CNX_OUTPUT, 0, 1);
    return 0;
}
