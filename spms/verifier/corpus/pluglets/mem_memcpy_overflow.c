// Copies 64 bytes into a 16-byte local buffer.
// expect: memory=fail "my_memcpy writes"
#include "pquic-api.h"

protoop_arg_t overflow(picoquic_cnx_t *cnx)
{
    uint64_t small[2];
    uint64_t *heap = (uint64_t *) my_malloc(cnx, 64);
    if (heap == NULL)
        return 0;
    my_memcpy(&small[1], heap, 64);
    return small[0];
}
