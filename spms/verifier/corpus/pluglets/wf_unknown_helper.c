// Calls a function PQUIC does not export to pluglets.
// expect: wellformed=fail "is not a helper of PQUIC's plugin API"
#include "pquic-api.h"

int system(const char *command);

protoop_arg_t escape(picoquic_cnx_t *cnx)
{
    return system("true");
}
