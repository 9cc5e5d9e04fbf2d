/*
 * rpc-load: a light JSON-RPC load generator for deletiond's wire (LSP framing), in C on one thread with
 * epoll, so that it spends little of the cores it measures (issue 16 asks for under 25% of a core; the
 * figure is printed). C connections, one call in flight on each (closed loop), a fixed request per call.
 *
 *   cc -O2 -o rpc-load Benchmarks/rpc-load/rpc-load.c
 *   rpc-load [--host 127.0.0.1] [--port 7700] [-c 50] [-n 200000 | -d SECONDS] [--method health.check]
 *            [--params '{"requestId":"req_demo_ig"}'] [--token dev] [--json]
 *
 * Prints calls/s, latency percentiles (each call timed from its write to its answer), errors (answers with
 * an "error" member), and the generator's own CPU time as a share of one core.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    int fd;
    char in[65536];
    size_t have;
    size_t sent;          /* bytes of the request written so far */
    uint64_t started_ns;  /* when the call in flight was written */
    int in_flight;
} connection;

static const char *host = "127.0.0.1";
static int port = 7700, connections = 50, json = 0;
static long total = 200000;
static double duration = 0;
static const char *method = "health.check", *params = NULL, *token = NULL;

static char request[8192];
static size_t request_length;
static uint64_t *latencies;
static long latency_capacity, completed, errors, issued;

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void die(const char *what) {
    perror(what);
    exit(2);
}

static int compare(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int more_to_issue(uint64_t deadline) {
    return duration > 0 ? now_ns() < deadline : issued < total;
}

/* Writes what is left of the request; returns -1 on a closed connection. */
static int send_request(connection *c) {
    if (c->sent == 0) {
        c->started_ns = now_ns();
        c->in_flight = 1;
        issued++;
    }
    while (c->sent < request_length) {
        ssize_t n = write(c->fd, request + c->sent, request_length - c->sent);
        if (n < 0) return errno == EAGAIN ? 0 : -1;
        c->sent += (size_t)n;
    }
    return 0;
}

/* Consumes whole answer frames from the buffer; returns how many. */
static int take_answers(connection *c) {
    int answers = 0;
    for (;;) {
        char *end = memmem(c->in, c->have, "\r\n\r\n", 4);
        if (!end) return answers;
        size_t header = (size_t)(end - c->in) + 4;
        long length = -1;
        for (char *line = c->in; line < end;) {
            char *next = memmem(line, (size_t)(end - line) + 2, "\r\n", 2);
            if (strncasecmp(line, "Content-Length:", 15) == 0) length = strtol(line + 15, NULL, 10);
            line = next ? next + 2 : end;
        }
        if (length < 0) {
            fprintf(stderr, "rpc-load: an answer without Content-Length\n");
            exit(2);
        }
        if (c->have < header + (size_t)length) return answers;
        if (memmem(c->in + header, (size_t)length, "\"error\"", 7)) errors++;
        uint64_t elapsed = now_ns() - c->started_ns;
        if (completed < latency_capacity) latencies[completed] = elapsed;
        completed++;
        c->in_flight = 0;
        c->sent = 0;
        answers++;
        memmove(c->in, c->in + header + length, c->have - header - (size_t)length);
        c->have -= header + (size_t)length;
    }
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--json")) { json = 1; continue; }
        if (!v) { fprintf(stderr, "rpc-load: %s needs a value\n", a); return 64; }
        if (!strcmp(a, "--host")) host = v;
        else if (!strcmp(a, "--port")) port = atoi(v);
        else if (!strcmp(a, "-c")) connections = atoi(v);
        else if (!strcmp(a, "-n")) total = atol(v);
        else if (!strcmp(a, "-d")) duration = atof(v);
        else if (!strcmp(a, "--method")) method = v;
        else if (!strcmp(a, "--params")) params = v;
        else if (!strcmp(a, "--token")) token = v;
        else { fprintf(stderr, "rpc-load: unknown option %s\n", a); return 64; }
        i++;
    }
    if (connections < 1 || (duration <= 0 && total < 1)) { fprintf(stderr, "rpc-load: nothing to do\n"); return 64; }

    char body[4096];
    int body_length = params
        ? snprintf(body, sizeof body, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":%s}", method, params)
        : snprintf(body, sizeof body, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\"}", method);
    if (body_length <= 0 || body_length >= (int)sizeof body) { fprintf(stderr, "rpc-load: request too long\n"); return 64; }
    int n = token
        ? snprintf(request, sizeof request, "Content-Length: %d\r\nAuthorization: Bearer %s\r\n\r\n%s", body_length, token, body)
        : snprintf(request, sizeof request, "Content-Length: %d\r\n\r\n%s", body_length, body);
    request_length = (size_t)n;

    latency_capacity = duration > 0 ? 20000000 : total;
    latencies = malloc(sizeof(uint64_t) * (size_t)latency_capacity);
    connection *pool = calloc((size_t)connections, sizeof(connection));
    int epoll = epoll_create1(0);
    if (!latencies || !pool || epoll < 0) die("setup");

    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) { fprintf(stderr, "rpc-load: --host must be an IPv4 address\n"); return 64; }
    for (int i = 0; i < connections; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) die("socket");
        if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0) die("connect");
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        pool[i].fd = fd;
        struct epoll_event event = {.events = EPOLLIN, .data.ptr = &pool[i]};
        if (epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) < 0) die("epoll_ctl");
    }

    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    uint64_t start = now_ns(), deadline = start + (uint64_t)(duration * 1e9);
    for (int i = 0; i < connections && more_to_issue(deadline); i++)
        if (send_request(&pool[i]) < 0) die("write");

    struct epoll_event events[256];
    long open_calls = 0;
    for (int i = 0; i < connections; i++) open_calls += pool[i].in_flight;
    while (open_calls > 0) {
        int ready = epoll_wait(epoll, events, 256, 10000);
        if (ready < 0) { if (errno == EINTR) continue; die("epoll_wait"); }
        if (ready == 0) { fprintf(stderr, "rpc-load: no answer for 10 s\n"); return 1; }
        for (int e = 0; e < ready; e++) {
            connection *c = events[e].data.ptr;
            /* One read per readiness: a short read means the socket is drained (level-triggered epoll
               reports it again otherwise), which saves the read that would only say EAGAIN. */
            ssize_t got = read(c->fd, c->in + c->have, sizeof c->in - c->have);
            if (got == 0) { fprintf(stderr, "rpc-load: the server closed a connection\n"); return 1; }
            if (got < 0) { if (errno == EAGAIN || errno == EINTR) continue; die("read"); }
            c->have += (size_t)got;
            int answered = take_answers(c);
            open_calls -= answered;
            if (answered > 0 && more_to_issue(deadline)) {
                if (send_request(c) < 0) die("write");
                open_calls++;
            }
        }
    }
    uint64_t elapsed = now_ns() - start;
    getrusage(RUSAGE_SELF, &after);

    long measured = completed < latency_capacity ? completed : latency_capacity;
    qsort(latencies, (size_t)measured, sizeof(uint64_t), compare);
#define PERCENTILE(p) (measured ? latencies[(long)((p) * (double)(measured - 1))] / 1e6 : 0.0)
    double seconds = elapsed / 1e9;
    double user = (after.ru_utime.tv_sec - before.ru_utime.tv_sec) + (after.ru_utime.tv_usec - before.ru_utime.tv_usec) / 1e6;
    double system = (after.ru_stime.tv_sec - before.ru_stime.tv_sec) + (after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e6;
    double cpu = user + system;
    if (json) {
        printf("{\"method\":\"%s\",\"connections\":%d,\"calls\":%ld,\"errors\":%ld,\"seconds\":%.3f,\"rps\":%.1f,"
               "\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"client_cpu_share\":%.3f,\"client_kernel_share\":%.3f}\n",
               method, connections, completed, errors, seconds, completed / seconds, PERCENTILE(0.50), PERCENTILE(0.90),
               PERCENTILE(0.99), measured ? latencies[measured - 1] / 1e6 : 0.0, cpu / seconds, system / seconds);
    } else {
        printf("%s: %ld calls on %d connections in %.2f s: %.0f calls/s, p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms, "
               "%ld errors; rpc-load used %.0f%% of a core (%.0f%% in the kernel)\n",
               method, completed, connections, seconds, completed / seconds, PERCENTILE(0.50), PERCENTILE(0.90), PERCENTILE(0.99),
               measured ? latencies[measured - 1] / 1e6 : 0.0, errors, 100 * cpu / seconds, 100 * system / seconds);
    }
    return errors > 0 ? 1 : 0;
}
