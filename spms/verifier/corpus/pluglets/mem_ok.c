// Stack and heap accesses only.
// expect: memory=pass wellformed=pass
#include "pquic-api.h"

protoop_arg_t buffers(picoquic_cnx_t *cnx)
{
    uint64_t local[8];
    my_memset(local, 0, sizeof(local));
    uint64_t *state = (uint64_t *) my_malloc(cnx, 64);
    if (state == NULL)
        return 1;
    state[0] = get_cnx(cnx, AK_CNX_STATE, 0);
    local[3] = state[0] + 1;
    set_cnx_metadata(cnx, 0, (protoop_arg_t) state);
    return local[3];
}
