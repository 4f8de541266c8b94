/* rctkit core: status codes, the error object, growable buffers.
 *
 * Conventions (docs/STYLE.md has the long form):
 *  - Every fallible library function returns an rk_status and takes a trailing
 *    `rk_error *err` that may be NULL.  On failure err->msg says what went wrong
 *    in words a user can act on (file, line, field where they apply).
 *  - The library never aborts or exits, and keeps no mutable static state.
 *  - Memory: the caller owns what it passes in and what it gets back from a
 *    rk_*_new or rk_*_read function; free it with the matching *_free.  Result structs
 *    filled in place (rk_htest, rk_summary ...) own no heap memory.
 */
#ifndef RCTKIT_CORE_H
#define RCTKIT_CORE_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RK_VERSION "0.1.0"

typedef enum rk_status {
    RK_OK = 0,
    RK_EINVAL,   /* bad argument or bad input data (user's fault, fixable) */
    RK_ENOMEM,   /* allocation failed */
    RK_EIO,      /* file could not be read or written */
    RK_EPARSE,   /* malformed input file or text */
    RK_ERANGE,   /* problem too large for the requested (e.g. exact) method */
    RK_ENOCONV,  /* iterative method did not converge */
    RK_ESTATE,   /* operation not allowed in the current state */
    RK_EINTERNAL /* a bug in rctkit: please report */
} rk_status;

#define RK_ERROR_MSG_MAX 512

typedef struct rk_error {
    rk_status code;
    char msg[RK_ERROR_MSG_MAX];
} rk_error;

/* Short fixed description of a status code; never NULL. */
const char *rk_strerror(rk_status code);

/* Record `code` and a printf-style message in err (if err != NULL) and return
 * `code`, so callers can write `return rk_error_set(err, RK_EINVAL, ...)`. */
rk_status rk_error_set(rk_error *err, rk_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Reset err to RK_OK with an empty message. */
void rk_error_clear(rk_error *err);

/* Growable byte buffer with a hard cap.  Always NUL-terminated when data != NULL. */
typedef struct rk_buf {
    char *data;
    size_t len;
    size_t cap; /* allocated bytes */
    size_t max; /* hard limit on len; 0 means RK_BUF_DEFAULT_MAX */
} rk_buf;

#define RK_BUF_DEFAULT_MAX ((size_t)1 << 30)

void rk_buf_init(rk_buf *b, size_t max);
void rk_buf_free(rk_buf *b);
void rk_buf_reset(rk_buf *b);
rk_status rk_buf_append(rk_buf *b, const void *data, size_t len, rk_error *err);
rk_status rk_buf_appendf(rk_buf *b, rk_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#ifdef __cplusplus
}
#endif
#endif
