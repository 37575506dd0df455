// Signed division has no BPF instruction: the backend refuses it.
// compile: fail "signed division"
#include "pquic-api.h"

protoop_arg_t ratio(picoquic_cnx_t *cnx)
{
    int64_t a = (int64_t) get_cnx(cnx, AK_CNX_INPUT, 0);
    int64_t b = (int64_t) get_cnx(cnx, AK_CNX_INPUT, 1);
    return (protoop_arg_t) (a / b);
}
