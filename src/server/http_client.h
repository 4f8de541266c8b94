/* A minimal HTTP/1.1 client over one keep-alive TCP connection to 127.0.0.1, for the server's
 * tests and the load generator (bench/bench_server.c).  Not a general client: responses must
 * carry Content-Length (libmicrohttpd's do). */
#ifndef RK_SERVER_HTTP_CLIENT_H
#define RK_SERVER_HTTP_CLIENT_H

#include <stddef.h>

#include "rctkit/core.h"

typedef struct rk__http {
    int fd;
    unsigned port;
} rk__http;

/* Connect to 127.0.0.1:port. */
rk_status rk__http_connect(rk__http *h, unsigned port, rk_error *err);
void rk__http_close(rk__http *h);

/* Send one request (token: bearer token or NULL; body NULL for none; raw_headers: extra
 * header lines each ending in \r\n, or NULL) and read the response: *status and *out, a
 * malloc'd NUL-terminated body the caller frees.  Reconnects first when the connection was
 * closed.  RK_EIO when the server is unreachable or hung up mid-response. */
rk_status rk__http_request(rk__http *h, const char *method, const char *path, const char *token,
                           const char *body, size_t body_len, const char *raw_headers, int *status,
                           char **out, rk_error *err);

#endif
