// Reads a core structure directly instead of through get_path.
// expect: memory=fail "a core object handle (AK_CNX_PATH)"
#include "pquic-api.h"

protoop_arg_t peek(picoquic_cnx_t *cnx)
{
    uint64_t *path = (uint64_t *) get_cnx(cnx, AK_CNX_PATH, 0);
    return path[3];
}
