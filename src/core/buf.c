/* Growable, capped byte buffer (request bodies, CSV lines, rendered text). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rctkit/core.h"

void rk_buf_init(rk_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : RK_BUF_DEFAULT_MAX;
}

void rk_buf_free(rk_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void rk_buf_reset(rk_buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

/* Make room for `extra` more bytes plus the terminating NUL. */
static rk_status buf_reserve(rk_buf *b, size_t extra, rk_error *err)
{
    if (extra > b->max || b->len > b->max - extra)
        return rk_error_set(err, RK_ERANGE, "buffer limit of %zu bytes exceeded", b->max);
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return RK_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) return rk_error_set(err, RK_ENOMEM, "out of memory growing a buffer to %zu bytes", cap);
    b->data = p;
    b->cap = cap;
    return RK_OK;
}

rk_status rk_buf_append(rk_buf *b, const void *data, size_t len, rk_error *err)
{
    rk_status st = buf_reserve(b, len, err);
    if (st) return st;
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return RK_OK;
}

rk_status rk_buf_appendf(rk_buf *b, rk_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return rk_error_set(err, RK_EINTERNAL, "bad format string");
    rk_status st = buf_reserve(b, (size_t)n, err);
    if (st) return st;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return RK_OK;
}
