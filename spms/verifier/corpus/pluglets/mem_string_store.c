// Writes into a string literal.
// expect: memory=fail "into a string literal"
#include "pquic-api.h"

protoop_arg_t rewrite(picoquic_cnx_t *cnx)
{
    char *volatile s = "abc";
    s[0] = 'x';
    return 0;
}
