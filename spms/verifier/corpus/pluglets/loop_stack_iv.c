// Induction variable kept in a stack slot (volatile).
// expect: termination=pass memory=pass
#include "pquic-api.h"

protoop_arg_t stack_counter(picoquic_cnx_t *cnx)
{
    uint64_t s = 0;
    for (volatile uint64_t i = 0; i < 8; i++)
        s += get_cnx(cnx, AK_CNX_PATH, 0);
    return s;
}
