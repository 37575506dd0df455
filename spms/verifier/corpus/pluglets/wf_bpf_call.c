// A doubly recursive function cannot be inlined: BPF-to-BPF calls remain.
// expect: wellformed=fail "BPF-to-BPF call"
#include "pquic-api.h"

static uint64_t fib(picoquic_cnx_t *cnx, uint64_t n)
{
    if (n < 2)
        return get_cnx(cnx, AK_CNX_STATE, 0);
    return fib(cnx, n - 1) + fib(cnx, n - 2);
}

protoop_arg_t recurse(picoquic_cnx_t *cnx)
{
    return fib(cnx, get_cnx(cnx, AK_CNX_INPUT, 1));
}
