// A plain pluglet: helper calls, two strings, stack buffer, no loop.
// protoop: update_rtt
// expect: wellformed=pass termination=pass side-effects=pass memory=pass
#include "pquic-api.h"

protoop_arg_t update_rtt_ok(picoquic_cnx_t *cnx)
{
    char buf[16];
    my_memcpy(buf, "hello", 6);
    my_memcpy(buf + 6, "world", 6);
    uint64_t now = picoquic_current_time();
    set_cnx(cnx, AK_CNX_LATEST_PROGRESS_TIME, 0, now + strlen(buf));
    set_cnx(cnx, AK_CNX_OUTPUT, 0, 1);
    return 0;
}
