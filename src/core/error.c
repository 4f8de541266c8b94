/* Status codes and the message-carrying error object. */
#include <stdio.h>
#include <string.h>

#include "rctkit/core.h"

const char *rk_strerror(rk_status code)
{
    switch (code) {
    case RK_OK: return "ok";
    case RK_EINVAL: return "invalid input";
    case RK_ENOMEM: return "out of memory";
    case RK_EIO: return "input/output error";
    case RK_EPARSE: return "malformed input";
    case RK_ERANGE: return "problem too large for the requested method";
    case RK_ENOCONV: return "did not converge";
    case RK_ESTATE: return "not allowed in the current state";
    case RK_EINTERNAL: return "internal error (a bug in rctkit)";
    }
    return "unknown status";
}

rk_status rk_error_set(rk_error *err, rk_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void rk_error_clear(rk_error *err)
{
    if (err) {
        err->code = RK_OK;
        err->msg[0] = '\0';
    }
}
