/*
 * uvhttp: the smallest honest HTTP/1.1 server on libuv, the ceiling FlashSale's
 * HTTP layer is compared with. Every request gets the same answer,
 *
 *     200 {"ok":true}   (application/json)
 *
 * with keep-alive and pipelining: all complete requests found in one read are
 * answered with one write, in order. The request parser is a minimal one written
 * for this peer (request line, Content-Length, Connection, Transfer-Encoding);
 * a request it cannot frame is answered 400/413/431/501 and the connection closed.
 * Memory is bounded per connection: a 16 KiB request buffer, and reading stops
 * while more than 1 MiB of answers wait for the client to read them.
 *
 *     cc -O2 -o uvhttp uvhttp.c -luv
 *     uvhttp [PORT [HOST]]            (default 8082 on 127.0.0.1)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uv.h>

#define REQUEST_CAP (16 * 1024)       /* one connection's unparsed bytes */
#define ANSWER_CAP (64 * 1024)        /* answers gathered before a write */
#define WRITE_QUEUE_CAP (1024 * 1024) /* queued answer bytes before reading pauses */

#define JSON "{\"ok\":true}"
#define HEAD(status, extra) "HTTP/1.1 " status "\r\nServer: uvhttp\r\nContent-Type: application/json\r\n" extra
static const char ANSWER_KEEP[] = HEAD("200 OK", "Content-Length: 11\r\n") "\r\n" JSON;
static const char ANSWER_KEEP10[] = HEAD("200 OK", "Content-Length: 11\r\nConnection: keep-alive\r\n") "\r\n" JSON;
static const char ANSWER_CLOSE[] = HEAD("200 OK", "Content-Length: 11\r\nConnection: close\r\n") "\r\n" JSON;
static const char ANSWER_400[] = HEAD("400 Bad Request", "Content-Length: 0\r\nConnection: close\r\n") "\r\n";
static const char ANSWER_431[] = HEAD("431 Request Header Fields Too Large", "Content-Length: 0\r\nConnection: close\r\n") "\r\n";
static const char ANSWER_413[] = HEAD("413 Content Too Large", "Content-Length: 0\r\nConnection: close\r\n") "\r\n";
static const char ANSWER_501[] = HEAD("501 Not Implemented", "Content-Length: 0\r\nConnection: close\r\n") "\r\n";

typedef struct {
    uv_tcp_t tcp;
    size_t used;          /* bytes of `request` not yet consumed */
    int close_after;      /* the last answer queued ends the connection */
    int reading;
    char request[REQUEST_CAP];
} connection;

typedef struct {
    uv_write_t req;
    connection *conn;
    char bytes[];
} pending_write;

/* Answers of the current read, gathered before one write (one loop thread). */
static char answers[ANSWER_CAP];
static size_t answers_used;

static void on_close(uv_handle_t *handle) { free(handle->data); }

static void close_connection(connection *c) {
    if (!uv_is_closing((uv_handle_t *)&c->tcp)) uv_close((uv_handle_t *)&c->tcp, on_close);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf) {
    connection *c = handle->data;
    (void)suggested;
    /* on_read never leaves the buffer full: it answers 400/413 and closes first */
    *buf = uv_buf_init(c->request + c->used, (unsigned)(REQUEST_CAP - c->used));
}

static void set_reading(connection *c, int on) {
    if (on == c->reading || c->close_after) return;
    c->reading = on;
    if (on) uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    else uv_read_stop((uv_stream_t *)&c->tcp);
}

static void on_written(uv_write_t *req, int status) {
    pending_write *w = (pending_write *)req;
    connection *c = w->conn;
    free(w);
    if (status < 0) { close_connection(c); return; }
    if (c->tcp.write_queue_size == 0 && c->close_after) { close_connection(c); return; }
    if (c->tcp.write_queue_size < WRITE_QUEUE_CAP / 2) set_reading(c, 1);
}

/* Sends the gathered answers: a direct write first, the rest queued in a copy. */
static void flush_answers(connection *c) {
    size_t len = answers_used, done = 0;
    answers_used = 0;
    if (len == 0 || uv_is_closing((uv_handle_t *)&c->tcp)) return;
    uv_buf_t buf = uv_buf_init(answers, (unsigned)len);
    int r = uv_try_write((uv_stream_t *)&c->tcp, &buf, 1);
    if (r >= 0) done = (size_t)r;
    else if (r != UV_EAGAIN) { close_connection(c); return; }
    if (done == len) {
        if (c->close_after) close_connection(c);
        return;
    }
    pending_write *w = malloc(sizeof *w + (len - done));
    if (w == NULL) { close_connection(c); return; }
    w->conn = c;
    memcpy(w->bytes, answers + done, len - done);
    buf = uv_buf_init(w->bytes, (unsigned)(len - done));
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, on_written) < 0) {
        free(w);
        close_connection(c);
        return;
    }
    if (c->tcp.write_queue_size > WRITE_QUEUE_CAP) set_reading(c, 0);
}

static void answer(connection *c, const char *bytes, size_t len) {
    if (answers_used + len > ANSWER_CAP) flush_answers(c);
    memcpy(answers + answers_used, bytes, len);
    answers_used += len;
}
#define ANSWER(c, a) answer((c), (a), sizeof(a) - 1)

static void refuse(connection *c, const char *bytes, size_t len) {
    answer(c, bytes, len);
    c->close_after = 1;
}

/* Case-insensitive: does the header line [p, end) have this name? Sets *value. */
static int header_is(const char *p, const char *end, const char *name, const char **value) {
    size_t n = strlen(name);
    if ((size_t)(end - p) <= n || p[n] != ':' || strncasecmp(p, name, n) != 0) return 0;
    p += n + 1;
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    *value = p;
    return 1;
}

static int contains_token(const char *p, const char *end, const char *token) {
    size_t n = strlen(token);
    for (; p + n <= end; p++)
        if (strncasecmp(p, token, n) == 0) return 1;
    return 0;
}

/*
 * Frames one request at the start of [p, p + len). Returns its whole length
 * (head and body), 0 when more bytes are needed, -1 after queueing a refusal.
 * Sets *keep (1: HTTP/1.1 keep-alive, 2: HTTP/1.0 keep-alive, 0: close).
 */
static long frame_request(connection *c, const char *p, size_t len, int *keep) {
    const char *head_end = memmem(p, len, "\r\n\r\n", 4);
    if (head_end == NULL) {
        if (len >= REQUEST_CAP) { refuse(c, ANSWER_431, sizeof ANSWER_431 - 1); return -1; }
        return 0;
    }
    const char *end = head_end + 2; /* the last header line's CRLF */
    const char *line_end = memmem(p, (size_t)(end - p), "\r\n", 2);
    /* request line: METHOD SP TARGET SP HTTP/1.x */
    const char *sp1 = memchr(p, ' ', (size_t)(line_end - p));
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(line_end - sp1 - 1)) : NULL;
    if (sp1 == NULL || sp1 == p || sp2 == NULL || sp2 == sp1 + 1 || line_end - sp2 != 9 ||
        memcmp(sp2 + 1, "HTTP/1.", 7) != 0 || (sp2[8] != '0' && sp2[8] != '1')) {
        refuse(c, ANSWER_400, sizeof ANSWER_400 - 1);
        return -1;
    }
    int http11 = sp2[8] == '1', ask_close = 0, ask_keep = 0;
    unsigned long body = 0;
    for (const char *h = line_end + 2; h < end;) {
        const char *e = memmem(h, (size_t)(end - h), "\r\n", 2), *v;
        if (header_is(h, e, "content-length", &v)) {
            if (v == e) { refuse(c, ANSWER_400, sizeof ANSWER_400 - 1); return -1; }
            body = 0;
            for (; v < e && *v != ' ' && *v != '\t'; v++) {
                if (*v < '0' || *v > '9' || body > REQUEST_CAP) { refuse(c, ANSWER_400, sizeof ANSWER_400 - 1); return -1; }
                body = body * 10 + (unsigned long)(*v - '0');
            }
        } else if (header_is(h, e, "transfer-encoding", &v)) {
            refuse(c, ANSWER_501, sizeof ANSWER_501 - 1);
            return -1;
        } else if (header_is(h, e, "connection", &v)) {
            ask_close |= contains_token(v, e, "close");
            ask_keep |= contains_token(v, e, "keep-alive");
        }
        h = e + 2;
    }
    size_t total = (size_t)(head_end + 4 - p) + body;
    if (total > REQUEST_CAP) { refuse(c, ANSWER_413, sizeof ANSWER_413 - 1); return -1; }
    if (total > len) return 0;
    *keep = ask_close ? 0 : http11 ? 1 : ask_keep ? 2 : 0;
    return (long)total;
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
    connection *c = stream->data;
    (void)buf;
    if (nread < 0) { close_connection(c); return; }
    c->used += (size_t)nread;
    size_t off = 0;
    while (!c->close_after && off < c->used) {
        int keep = 0;
        long n = frame_request(c, c->request + off, c->used - off, &keep);
        if (n <= 0) break;
        off += (size_t)n;
        if (keep == 1) ANSWER(c, ANSWER_KEEP);
        else if (keep == 2) ANSWER(c, ANSWER_KEEP10);
        else { ANSWER(c, ANSWER_CLOSE); c->close_after = 1; }
    }
    memmove(c->request, c->request + off, c->used - off);
    c->used -= off;
    if (c->close_after) uv_read_stop(stream);
    flush_answers(c);
}

static void on_connection(uv_stream_t *server, int status) {
    if (status < 0) return;
    connection *c = calloc(1, sizeof *c);
    if (c == NULL) return;
    uv_tcp_init(server->loop, &c->tcp);
    c->tcp.data = c;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) { close_connection(c); return; }
    uv_tcp_nodelay(&c->tcp, 1);
    set_reading(c, 1);
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 8082;
    const char *host = argc > 2 ? argv[2] : "127.0.0.1";
    struct sockaddr_in addr;
    uv_tcp_t server;
    int r;
    signal(SIGPIPE, SIG_IGN);
    uv_loop_t *loop = uv_default_loop();
    uv_tcp_init(loop, &server);
    if ((r = uv_ip4_addr(host, port, &addr)) != 0 ||
        (r = uv_tcp_bind(&server, (const struct sockaddr *)&addr, 0)) != 0 ||
        (r = uv_listen((uv_stream_t *)&server, 4096, on_connection)) != 0) {
        fprintf(stderr, "uvhttp: %s:%d: %s\n", host, port, uv_strerror(r));
        return 1;
    }
    printf("uvhttp listening on http://%s:%d/\n", host, port);
    fflush(stdout);
    return uv_run(loop, UV_RUN_DEFAULT);
}
