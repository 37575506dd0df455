// Walks the retransmission queue through next-packet pointers.
// expect: termination=pass memory=pass wellformed=pass
// expect[{"assumeFiniteLists":false}]: termination=fail "does not assume lists are finite"
#include "pquic-api.h"

protoop_arg_t count_packets(picoquic_cnx_t *cnx)
{
    picoquic_path_t *path = (picoquic_path_t *) get_cnx(cnx, AK_CNX_PATH, 0);
    picoquic_packet_context_t *pc = (picoquic_packet_context_t *) get_path(path, AK_PATH_PKT_CTX, 0);
    picoquic_packet_t *p = (picoquic_packet_t *) get_pkt_ctx(pc, AK_PKTCTX_RETRANSMIT_OLDEST);
    uint64_t n = 0;
    while (p != NULL) {
        n += get_pkt(p, AK_PKT_LENGTH);
        p = (picoquic_packet_t *) get_pkt(p, AK_PKT_NEXT_PACKET);
    }
    return n;
}
