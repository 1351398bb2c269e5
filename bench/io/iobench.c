/*
 * iobench: the guest half of bench/io. Built static for riscv64 and run inside the guest.
 *
 *   iobench disk DEVICE MIB [OPS]  sequential write and read of MIB MiB in 1 MiB blocks, then OPS
 *                                  random 4 KiB reads and OPS random 4 KiB writes inside that
 *                                  span; all O_DIRECT, the writes followed by fsync.
 *   iobench tcp HOST PORT MIB [RR] sends MIB MiB to the host's sink, receives MIB MiB from it,
 *                                  then RR one-byte round trips.
 *
 * Every result is one line "IOBENCH <subject> <test> <value> <unit>" for the host to collect.
 * Times are the guest's CLOCK_MONOTONIC.
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
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>

#define MIB (1024L * 1024L)
#define SMALL 4096L

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what)
{
    printf("IOBENCH error %s: %s\n", what, strerror(errno));
    fflush(stdout);
    exit(1);
}

static void *aligned(size_t size)
{
    void *p;
    if (posix_memalign(&p, 4096, size) != 0) {
        errno = ENOMEM;
        die("posix_memalign");
    }
    return p;
}

/* xorshift64: the same offsets on every run and every VMM. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

static void report(const char *subject, const char *test, double value, const char *unit)
{
    printf("IOBENCH %s %s %.3f %s\n", subject, test, value, unit);
    fflush(stdout);
}

static void stamp(unsigned char *block, long index)
{
    memcpy(block, &index, sizeof index);
}

static int disk(const char *device, long mib, long ops)
{
    const char *name = strrchr(device, '/') ? strrchr(device, '/') + 1 : device;
    int fd = open(device, O_RDWR | O_DIRECT);
    if (fd < 0)
        die(device);
    unsigned long long bytes = 0;
    if (ioctl(fd, BLKGETSIZE64, &bytes) != 0)
        die("BLKGETSIZE64");
    report(name, "size", bytes / (double)MIB, "MiB");
    if ((unsigned long long)mib * MIB > bytes) {
        printf("IOBENCH error %s holds %llu bytes, fewer than %ld MiB\n", device, bytes, mib);
        return 1;
    }
    unsigned char *buf = aligned(MIB);
    for (long i = 0; i < MIB; i++)
        buf[i] = (unsigned char)(i * 131 + 7);

    double t = now();
    for (long b = 0; b < mib; b++) {
        stamp(buf, b);
        if (pwrite(fd, buf, MIB, b * MIB) != MIB)
            die("sequential write");
    }
    if (fsync(fd) != 0)
        die("fsync");
    report(name, "seq-write", mib / (now() - t), "MiB/s");

    long wrong = 0;
    t = now();
    for (long b = 0; b < mib; b++) {
        if (pread(fd, buf, MIB, b * MIB) != MIB)
            die("sequential read");
        long seen;
        memcpy(&seen, buf, sizeof seen);
        wrong += seen != b || buf[MIB - 1] != (unsigned char)((MIB - 1) * 131 + 7);
    }
    report(name, "seq-read", mib / (now() - t), "MiB/s");
    report(name, "seq-read-mismatches", wrong, "blocks");

    long slots = mib * (MIB / SMALL);
    uint64_t state = 0x9e3779b97f4a7c15ULL;
    t = now();
    for (long i = 0; i < ops; i++) {
        off_t at = (off_t)(next_random(&state) % slots) * SMALL;
        if (pread(fd, buf, SMALL, at) != SMALL)
            die("random read");
    }
    report(name, "rand-read-4k", ops / (now() - t), "IOPS");

    t = now();
    for (long i = 0; i < ops; i++) {
        off_t at = (off_t)(next_random(&state) % slots) * SMALL;
        if (pwrite(fd, buf, SMALL, at) != SMALL)
            die("random write");
    }
    if (fsync(fd) != 0)
        die("fsync");
    report(name, "rand-write-4k", ops / (now() - t), "IOPS");
    close(fd);
    free(buf);
    return 0;
}

static int connect_to(const char *host, int port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0)
        die("socket");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        errno = EINVAL;
        die(host);
    }
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0)
        die("connect");
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return s;
}

static void send_all(int s, const void *data, size_t n)
{
    const char *p = data;
    while (n > 0) {
        ssize_t k = write(s, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            die("send");
        p += k;
        n -= k;
    }
}

/* Reads up to n bytes or to EOF; returns how many came. */
static size_t recv_upto(int s, void *data, size_t n)
{
    char *p = data;
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(s, p + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            die("receive");
        if (k == 0)
            break;
        got += k;
    }
    return got;
}

static int tcp(const char *host, int port, long mib, long round_trips)
{
    const size_t chunk = 128 * 1024;
    char *buf = aligned(chunk);
    memset(buf, 0x5a, chunk);
    char line[128];
    long long total = (long long)mib * MIB;

    /* guest -> host: timed until the host has counted every byte and said so */
    int s = connect_to(host, port);
    double t = now();
    int n = snprintf(line, sizeof line, "PUT %lld\n", total);
    send_all(s, line, n);
    for (long long sent = 0; sent < total; sent += chunk)
        send_all(s, buf, total - sent < (long long)chunk ? (size_t)(total - sent) : chunk);
    size_t got = recv_upto(s, line, sizeof line - 1);
    double put = now() - t;
    line[got] = 0;
    close(s);
    if (strncmp(line, "OK", 2) != 0) {
        printf("IOBENCH error the sink answered '%s'\n", line);
        return 1;
    }
    report("tcp", "guest-to-host", mib / put, "MiB/s");

    /* host -> guest: timed from the request to the last byte */
    s = connect_to(host, port);
    t = now();
    n = snprintf(line, sizeof line, "GET %lld\n", total);
    send_all(s, line, n);
    long long received = 0;
    for (;;) {
        size_t k = recv_upto(s, buf, chunk);
        received += k;
        if (k < chunk)
            break;
    }
    double get = now() - t;
    close(s);
    if (received != total) {
        printf("IOBENCH error received %lld of %lld bytes\n", received, total);
        return 1;
    }
    report("tcp", "host-to-guest", mib / get, "MiB/s");

    if (round_trips > 0) {
        s = connect_to(host, port);
        n = snprintf(line, sizeof line, "ECHO %ld\n", round_trips);
        send_all(s, line, n);
        t = now();
        for (long i = 0; i < round_trips; i++) {
            send_all(s, "x", 1);
            if (recv_upto(s, line, 1) != 1) {
                printf("IOBENCH error the echo ended after %ld round trips\n", i);
                return 1;
            }
        }
        report("tcp", "round-trip", (now() - t) / round_trips * 1e6, "us");
        close(s);
    }
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 4 && strcmp(argv[1], "disk") == 0)
        return disk(argv[2], atol(argv[3]), argc > 4 ? atol(argv[4]) : 2000);
    if (argc >= 5 && strcmp(argv[1], "tcp") == 0)
        return tcp(argv[2], atoi(argv[3]), atol(argv[4]), argc > 5 ? atol(argv[5]) : 200);
    fprintf(stderr, "usage: iobench disk DEVICE MIB [OPS] | iobench tcp HOST PORT MIB [ROUND_TRIPS]\n");
    return 2;
}
