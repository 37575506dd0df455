// schedule_frames_on_path may set the packet's length and its third output.
// protoop: schedule_frames_on_path
// expect: side-effects=pass
#include "pquic-api.h"

protoop_arg_t schedule(picoquic_cnx_t *cnx)
{
    picoquic_packet_t *packet = (picoquic_packet_t *) get_cnx(cnx, AK_CNX_INPUT, 0);
    set_pkt(packet, AK_PKT_LENGTH, 100);
    set_cnx(cnx, AK_CNX_PLUGIN_REQUESTED, 0, 1);
    set_cnx(cnx, AK_CNX_OUTPUT, 2, 20);
    return 0;
}
