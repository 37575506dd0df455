// A 1 KiB frame: LLVM 14's BPF backend refuses frames over 512 bytes, which
// the compile step reports (the 2048/512 profiles are exercised by a mutant).
// compile: fail "BPF stack limit of 512 bytes"
#include "pquic-api.h"

protoop_arg_t big_frame(picoquic_cnx_t *cnx)
{
    uint8_t buf[1024];
    my_memset(buf, 1, sizeof(buf));
    buf[1000] = (uint8_t) get_cnx(cnx, AK_CNX_STATE, 0);
    return buf[1000] + buf[10];
}
