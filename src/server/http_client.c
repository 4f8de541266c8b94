/* Minimal keep-alive HTTP/1.1 client on loopback (tests and benchmarks of the server). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/http_client.h"

rk_status rk__http_connect(rk__http *h, unsigned port, rk_error *err)
{
    h->port = port;
    h->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (h->fd < 0) return rk_error_set(err, RK_EIO, "socket: %s", strerror(errno));
    int one = 1;
    setsockopt(h->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(h->fd, (struct sockaddr *)&a, sizeof a) != 0) {
        int e = errno;
        close(h->fd);
        h->fd = -1;
        return rk_error_set(err, RK_EIO, "connect to 127.0.0.1:%u: %s", port, strerror(e));
    }
    return RK_OK;
}

void rk__http_close(rk__http *h)
{
    if (h->fd >= 0) close(h->fd);
    h->fd = -1;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

rk_status rk__http_request(rk__http *h, const char *method, const char *path, const char *token,
                           const char *body, size_t body_len, const char *raw_headers, int *status,
                           char **out, rk_error *err)
{
    *out = NULL;
    *status = 0;
    if (h->fd < 0) {
        rk_status st = rk__http_connect(h, h->port, err);
        if (st) return st;
    }
    rk_buf req;
    rk_buf_init(&req, 0);
    rk_status st = rk_buf_appendf(&req, err,
                                  "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                                  "application/json\r\n",
                                  method, path);
    if (!st && token) st = rk_buf_appendf(&req, err, "Authorization: Bearer %s\r\n", token);
    if (!st && raw_headers) st = rk_buf_append(&req, raw_headers, strlen(raw_headers), err);
    if (!st && body) st = rk_buf_appendf(&req, err, "Content-Length: %zu\r\n", body_len);
    if (!st) st = rk_buf_append(&req, "\r\n", 2, err);
    if (!st && body) st = rk_buf_append(&req, body, body_len, err);
    if (st) {
        rk_buf_free(&req);
        return st;
    }
    int sent = send_all(h->fd, req.data, req.len);
    rk_buf_free(&req);
    if (sent) {
        rk__http_close(h);
        return rk_error_set(err, RK_EIO, "sending to 127.0.0.1:%u failed", h->port);
    }
    rk_buf in;
    rk_buf_init(&in, (size_t)64 << 20);
    char chunk[16384];
    size_t head_end = 0;
    long long clen = -1;
    int close_after = 0;
    for (;;) {
        if (!head_end) {
            char *e = in.data ? strstr(in.data, "\r\n\r\n") : NULL;
            if (e) {
                head_end = (size_t)(e - in.data) + 4;
                char *sp = strchr(in.data, ' ');
                if (strncmp(in.data, "HTTP/", 5) || !sp) break;
                *status = (int)strtol(sp + 1, NULL, 10);
                for (char *l = strstr(in.data, "\r\n"); l && l < e; l = strstr(l + 2, "\r\n")) {
                    if (!strncasecmp(l + 2, "Content-Length:", 15))
                        clen = strtoll(l + 17, NULL, 10);
                    if (!strncasecmp(l + 2, "Connection: close", 17)) close_after = 1;
                }
                if (clen < 0) break;
            }
        }
        if (head_end && in.len >= head_end + (size_t)clen) break;
        ssize_t r = recv(h->fd, chunk, sizeof chunk, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        if (rk_buf_append(&in, chunk, (size_t)r, err)) break;
    }
    if (!head_end || clen < 0 || in.len < head_end + (size_t)clen) {
        rk_buf_free(&in);
        rk__http_close(h);
        *status = 0;
        return rk_error_set(err, RK_EIO, "no complete response from 127.0.0.1:%u", h->port);
    }
    char *b = malloc((size_t)clen + 1);
    if (!b) {
        rk_buf_free(&in);
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    memcpy(b, in.data + head_end, (size_t)clen);
    b[clen] = '\0';
    rk_buf_free(&in);
    if (close_after) rk__http_close(h);
    *out = b;
    return RK_OK;
}
