/*
 * Origin: this team's own reference benchmark, copied unchanged (but for this note) from
 * the shared anchors directory (shared/bench/cpubench.c), where native and QEMU TCG anchor
 * figures were measured with it; kept here so that bench/cpu is self-contained. Keep the
 * two copies identical: checksums and times are compared across them.
 */
/*
 * cpubench.c - small, deterministic, single-file CPU benchmark used to anchor
 * emulator performance (native vs. QEMU user/system vs. our own VMM).
 *
 * Usage:  cpubench [SCALE] [KERNEL ...]
 *   SCALE   work multiplier (default 1.0; fractional values allowed, e.g. 0.1)
 *   KERNEL  any of: hash qsort chase nbody matmul string interp   (default: all)
 *
 * Every kernel does a small untimed set-up, then a timed region measured with
 * clock_gettime(CLOCK_MONOTONIC), and prints
 *   <name> <ms> ms  checksum <16 hex digits>
 * The checksum depends only on SCALE, never on the platform, so output from
 * x86-64, qemu-riscv64 and a riscv64 guest can be compared line by line.
 *
 * Build (both must use -ffp-contract=off so that a*b+c is never fused into
 * an FMA on one platform only; otherwise FP checksums legitimately differ):
 *   gcc -O2 -ffp-contract=off -o cpubench cpubench.c
 *   riscv64-linux-gnu-gcc -O2 -ffp-contract=off -static -o cpubench.rv64 cpubench.c
 *
 * Portability notes: only fixed-width integer types are used for checksummed
 * data; chars are handled as unsigned char (char is signed on x86-64 but
 * unsigned on RISC-V); no libm function other than sqrt (correctly rounded
 * everywhere) is used.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>

/* ------------------------------------------------------------------ utils */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Start of the timed region of the current kernel (set by the harness and
 * reset by each kernel once its set-up is done). */
static double g_t0;
static void timed_start(void) { g_t0 = now_s(); }

/* xorshift64* */
static inline uint64_t rnd(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* uniform integer in [0, n) without division (Lemire's multiply-shift) */
static inline uint32_t rnd_below(uint64_t *s, uint32_t n)
{
    return (uint32_t)(((rnd(s) >> 32) * (uint64_t)n) >> 32);
}

/* exact double in [0,1) from the top 53 bits */
static inline double rnd_double(uint64_t *s)
{
    return (double)(rnd(s) >> 11) * (1.0 / 9007199254740992.0);
}

static inline uint64_t mix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

static inline uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t dbl_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static uint64_t scaled(double base, double scale)
{
    double v = base * scale;
    if (v < 1.0)
        v = 1.0;
    return (uint64_t)(v + 0.5);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        fprintf(stderr, "cpubench: out of memory (%zu bytes)\n", n);
        exit(2);
    }
    return p;
}

/* ------------------------------------------------- 1. hash: integer/bit ops
 * Per pass: fill 1 MiB with xorshift64* output, CRC-32 (table driven,
 * byte at a time) over it, and fold a 64-bit finaliser over every word. */

static uint32_t crc_table[256];

static uint64_t k_hash(double scale)
{
    const size_t nbytes = 1u << 20, nwords = nbytes / 8;
    uint64_t *buf = xmalloc(nbytes);
    uint64_t passes = scaled(80, scale), s = 0x9E3779B97F4A7C15ULL, acc = 0;
    uint32_t crc = 0xFFFFFFFFu;

    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    timed_start();
    for (uint64_t p = 0; p < passes; p++) {
        for (size_t i = 0; i < nwords; i++)
            buf[i] = rnd(&s);
        const unsigned char *b = (const unsigned char *)buf;
        for (size_t i = 0; i < nbytes; i++)
            crc = crc_table[(crc ^ b[i]) & 0xFFu] ^ (crc >> 8);
        for (size_t i = 0; i < nwords; i++)
            acc = rotl64(acc, 5) ^ mix64(buf[i] + i);
    }
    free(buf);
    return ((uint64_t)(~crc) << 32) ^ acc;
}

/* ------------------------------------------------- 2. qsort: branchy code
 * Own quicksort (median of three, insertion sort below 16) of 1M int32. */

static void quicksort(int32_t *a, long lo, long hi)
{
    while (hi - lo > 16) {
        long mid = lo + (hi - lo) / 2, i = lo, j = hi;
        int32_t t;
        if (a[mid] < a[lo]) { t = a[mid]; a[mid] = a[lo]; a[lo] = t; }
        if (a[hi] < a[lo])  { t = a[hi];  a[hi] = a[lo];  a[lo] = t; }
        if (a[hi] < a[mid]) { t = a[hi];  a[hi] = a[mid]; a[mid] = t; }
        int32_t pivot = a[mid];
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) { t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
        }
        if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; }
        else                 { quicksort(a, i, hi); hi = j; }
    }
    for (long i = lo + 1; i <= hi; i++) {
        int32_t v = a[i];
        long j = i - 1;
        while (j >= lo && a[j] > v) { a[j + 1] = a[j]; j--; }
        a[j + 1] = v;
    }
}

static uint64_t k_qsort(double scale)
{
    const long n = 1L << 20;
    int32_t *a = xmalloc((size_t)n * sizeof *a);
    uint64_t reps = scaled(3, scale), s = 12345, acc = 0;

    timed_start();
    for (uint64_t r = 0; r < reps; r++) {
        for (long i = 0; i < n; i++)
            a[i] = (int32_t)(uint32_t)(rnd(&s) >> 32);
        quicksort(a, 0, n - 1);
        for (long i = 0; i < n; i++) {
            if (i && a[i - 1] > a[i]) {
                fprintf(stderr, "cpubench: qsort produced unsorted output\n");
                exit(3);
            }
            acc = rotl64(acc, 1) + (uint64_t)(uint32_t)a[i] * (uint64_t)(i + 1);
        }
    }
    free(a);
    return acc;
}

/* ------------------------------------------------- 3. chase: memory latency
 * 8M nodes (64 MiB) linked into one pseudo-random cycle; walk 4M steps of it,
 * updating each visited node (load + dependent load + store).
 * The cycle visits perm(0), perm(1), ..., perm(n-1) where perm is an
 * invertible 23-bit mixing function, so node i links to
 * perm(perm^-1(i) + 1): set-up is sequential and cheap on every platform
 * (a Fisher-Yates/Sattolo shuffle would do 8M random swaps, which costs
 * seconds under a full-system emulator), while consecutive nodes of the
 * walk land on unrelated pages. */

#define CH_BITS 23
#define CH_MASK ((1u << CH_BITS) - 1)
#define CH_M1 0x5bd1e9u
#define CH_M2 0x3a8f05u
#define CH_A  0x2c9277u

static uint32_t inv_odd(uint32_t m)   /* inverse of odd m modulo 2^32 (Newton) */
{
    uint32_t x = m;
    for (int i = 0; i < 5; i++)
        x *= 2u - m * x;
    return x;
}

static inline uint32_t ch_perm(uint32_t x)
{
    x = (x * CH_M1 + CH_A) & CH_MASK;
    x ^= x >> 11;
    x = (x * CH_M2) & CH_MASK;
    x ^= x >> 12;
    return x;
}

static inline uint32_t ch_unperm(uint32_t x, uint32_t inv1, uint32_t inv2)
{
    x ^= x >> 12;
    x = (x * inv2) & CH_MASK;
    x ^= (x >> 11) ^ (x >> 22);
    return ((x - CH_A) * inv1) & CH_MASK;
}

struct node { uint32_t next, val; };

static uint64_t k_chase(double scale)
{
    const uint32_t n = 1u << CH_BITS;
    const uint32_t inv1 = inv_odd(CH_M1), inv2 = inv_odd(CH_M2);
    struct node *nd = xmalloc((size_t)n * sizeof *nd);
    uint64_t s = 777, steps = scaled((double)n / 2, scale), sum = 0;

    for (uint32_t i = 0; i < n; i++) {
        nd[i].next = ch_perm((ch_unperm(i, inv1, inv2) + 1u) & CH_MASK);
        nd[i].val = (uint32_t)rnd(&s);
    }
    timed_start();
    uint32_t p = ch_perm(0);
    for (uint64_t k = 0; k < steps; k++) {
        uint32_t v = nd[p].val;
        sum += v ^ k;
        nd[p].val = v * 2654435761u + 1u;
        p = nd[p].next;
    }
    free(nd);
    return sum ^ ((uint64_t)p << 40);
}

/* ------------------------------------------------- 4. nbody: FP + sqrt/div
 * 32 bodies with pseudo-random positions/masses, softened gravity,
 * symplectic Euler steps. */

#define NB 32

static uint64_t k_nbody(double scale)
{
    double x[NB], y[NB], z[NB], vx[NB], vy[NB], vz[NB], m[NB];
    uint64_t s = 4242, steps = scaled(70000, scale);
    const double dt = 1e-3, eps2 = 1e-2;

    for (int i = 0; i < NB; i++) {
        x[i] = rnd_double(&s) * 2.0 - 1.0;
        y[i] = rnd_double(&s) * 2.0 - 1.0;
        z[i] = rnd_double(&s) * 2.0 - 1.0;
        vx[i] = (rnd_double(&s) - 0.5) * 0.1;
        vy[i] = (rnd_double(&s) - 0.5) * 0.1;
        vz[i] = (rnd_double(&s) - 0.5) * 0.1;
        m[i] = 0.5 + rnd_double(&s);
    }
    timed_start();
    for (uint64_t st = 0; st < steps; st++) {
        for (int i = 0; i < NB; i++) {
            for (int j = i + 1; j < NB; j++) {
                double dx = x[i] - x[j], dy = y[i] - y[j], dz = z[i] - z[j];
                double d2 = dx * dx + dy * dy + dz * dz + eps2;
                double mag = dt / (d2 * sqrt(d2));
                double mi = m[i] * mag, mj = m[j] * mag;
                vx[i] -= dx * mj; vy[i] -= dy * mj; vz[i] -= dz * mj;
                vx[j] += dx * mi; vy[j] += dy * mi; vz[j] += dz * mi;
            }
        }
        for (int i = 0; i < NB; i++) {
            x[i] += dt * vx[i];
            y[i] += dt * vy[i];
            z[i] += dt * vz[i];
        }
    }
    double e = 0.0;                               /* total energy */
    for (int i = 0; i < NB; i++) {
        e += 0.5 * m[i] * (vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i]);
        for (int j = i + 1; j < NB; j++) {
            double dx = x[i] - x[j], dy = y[i] - y[j], dz = z[i] - z[j];
            e -= m[i] * m[j] / sqrt(dx * dx + dy * dy + dz * dz + eps2);
        }
    }
    uint64_t acc = dbl_bits(e);
    for (int i = 0; i < NB; i++)
        acc = rotl64(acc, 7) ^ dbl_bits(x[i]) ^ dbl_bits(vy[i]);
    return acc;
}

/* ------------------------------------------------- 5. matmul: FP throughput
 * C = A*B for 192x192 doubles (i-k-j order), repeated. */

#define MM 192

static uint64_t k_matmul(double scale)
{
    double *a = xmalloc(sizeof(double) * MM * MM), *b = xmalloc(sizeof(double) * MM * MM),
           *c = xmalloc(sizeof(double) * MM * MM);
    uint64_t s = 99, reps = scaled(80, scale), acc = 0;

    for (int i = 0; i < MM * MM; i++) {
        a[i] = rnd_double(&s) - 0.5;
        b[i] = rnd_double(&s) - 0.5;
    }
    timed_start();
    for (uint64_t r = 0; r < reps; r++) {
        for (int i = 0; i < MM * MM; i++)
            c[i] = 0.0;
        for (int i = 0; i < MM; i++)
            for (int k = 0; k < MM; k++) {
                double aik = a[i * MM + k];
                for (int j = 0; j < MM; j++)
                    c[i * MM + j] += aik * b[k * MM + j];
            }
        /* feed the result back so repetitions are not independent */
        a[(r * 31) % (MM * MM)] += c[(r * 17) % (MM * MM)] * 1e-3;
        acc = rotl64(acc, 3) ^ dbl_bits(c[(r * 7919) % (MM * MM)]);
    }
    double tr = 0.0;
    for (int i = 0; i < MM; i++)
        tr += c[i * MM + i];
    free(a); free(b); free(c);
    return acc ^ dbl_bits(tr);
}

/* ------------------------------------------------- 6. string: libc strings
 * 1 MiB of text from a 2048-word vocabulary; per repetition: count lines
 * (memchr), tokenize a copy (memcpy + strtok_r), count words in an
 * open-addressing hash table (strcmp), strstr a few patterns, and format a
 * report with snprintf.  No system calls in the timed region. */

#define NVOC 2048
#define HT 8192

static uint64_t k_string(double scale)
{
    const size_t tsize = 1u << 20;
    char *text = xmalloc(tsize + 64), *work = xmalloc(tsize + 64), *report = xmalloc(64 * NVOC);
    char (*voc)[16] = xmalloc(sizeof(*voc) * NVOC);
    const char **key = xmalloc(sizeof(*key) * HT);
    uint32_t *cnt = xmalloc(sizeof(*cnt) * HT);
    uint64_t s = 2024, reps = scaled(40, scale), acc = 0;
    size_t len = 0;

    for (int w = 0; w < NVOC; w++) {
        int l = 3 + (int)rnd_below(&s, 10);
        for (int k = 0; k < l; k++)
            voc[w][k] = (char)('a' + rnd_below(&s, 26));
        voc[w][l] = 0;
    }
    for (int words = 0; len < tsize - 32; words++) {
        /* skewed word distribution: min of two uniforms favours low ids */
        uint32_t a = rnd_below(&s, NVOC), b = rnd_below(&s, NVOC);
        size_t l = strlen(voc[a < b ? a : b]);
        memcpy(text + len, voc[a < b ? a : b], l);
        len += l;
        text[len++] = (words % 13 == 12) ? '\n' : ' ';
    }
    text[len] = 0;

    timed_start();
    for (uint64_t r = 0; r < reps; r++) {
        uint64_t lines = 0, tokens = 0, found = 0, h2 = 1469598103934665603ULL;
        for (const char *p = text; (p = memchr(p, '\n', (size_t)(text + len - p))) != NULL; p++)
            lines++;

        memcpy(work, text, len + 1);
        memset(key, 0, sizeof(*key) * HT);
        memset(cnt, 0, sizeof(*cnt) * HT);
        char *save = NULL;
        for (char *t = strtok_r(work, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
            uint32_t h = 2166136261u;
            for (const unsigned char *q = (const unsigned char *)t; *q; q++)
                h = (h ^ *q) * 16777619u;
            uint32_t slot = h & (HT - 1);
            while (key[slot] && strcmp(key[slot], t) != 0)
                slot = (slot + 1) & (HT - 1);
            if (!key[slot])
                key[slot] = t;
            cnt[slot]++;
            tokens++;
        }

        for (int k = 0; k < 4; k++) {
            const char *pat = voc[(r * 4 + (uint64_t)k) * 97 % NVOC];
            for (const char *p = text; (p = strstr(p, pat)) != NULL; p++)
                found++;
        }

        size_t off = 0;
        for (uint32_t i = 0; i < HT; i++)
            if (key[i])
                off += (size_t)snprintf(report + off, 64, "%s=%u/%08x;", key[i], cnt[i], i);
        for (size_t i = 0; i < off; i++)
            h2 = (h2 ^ (unsigned char)report[i]) * 1099511628211ULL;

        acc = rotl64(acc, 9) ^ h2 ^ (lines << 48) ^ (tokens << 24) ^ found ^ (uint64_t)strlen(report);
        text[(r * 7919) % len] = (char)('a' + (int)(r % 26)); /* vary next repetition */
    }
    free(text); free(work); free(report); free(voc); free(key); free(cnt);
    return acc;
}

/* ------------------------------------------------- 7. interp: dispatch
 * A switch-dispatched register bytecode machine (an indirect jump per
 * bytecode) running an xorshift/table-update loop. */

enum { OP_LI, OP_ADD, OP_XOR, OP_SHL, OP_SHR, OP_ANDI, OP_LD, OP_ST, OP_DEC, OP_JNZ, OP_HALT };
struct insn { uint8_t op, d, a, b; int32_t imm; };

static uint64_t k_interp(double scale)
{
    uint64_t iters = scaled(9000000, scale);
    uint64_t mem[256], r[8] = {0};
    for (int i = 0; i < 256; i++)
        mem[i] = (uint64_t)i * 0x9E3779B97F4A7C15ULL;
    /* r0 = loop counter, r1 = xorshift state, r2 tmp, r3 index, r4 value, r5 sum */
    const struct insn prog[] = {
        {OP_LI, 1, 0, 0, 88172645},
        /* loop: pc = 1 */
        {OP_SHL, 2, 1, 0, 13}, {OP_XOR, 1, 1, 2, 0},
        {OP_SHR, 2, 1, 0, 7},  {OP_XOR, 1, 1, 2, 0},
        {OP_SHL, 2, 1, 0, 17}, {OP_XOR, 1, 1, 2, 0},
        {OP_ANDI, 3, 1, 0, 255}, {OP_LD, 4, 3, 0, 0},
        {OP_ADD, 4, 4, 1, 0},  {OP_ST, 0, 3, 4, 0},
        {OP_ADD, 5, 5, 4, 0},  {OP_DEC, 0, 0, 0, 0},
        {OP_JNZ, 0, 0, 0, 1},  {OP_HALT, 0, 0, 0, 0},
    };
    r[0] = iters;
    timed_start();
    for (const struct insn *pc = prog;;) {
        const struct insn *i = pc++;
        switch (i->op) {
        case OP_LI:   r[i->d] = (uint64_t)(int64_t)i->imm; break;
        case OP_ADD:  r[i->d] = r[i->a] + r[i->b]; break;
        case OP_XOR:  r[i->d] = r[i->a] ^ r[i->b]; break;
        case OP_SHL:  r[i->d] = r[i->a] << i->imm; break;
        case OP_SHR:  r[i->d] = r[i->a] >> i->imm; break;
        case OP_ANDI: r[i->d] = r[i->a] & (uint64_t)i->imm; break;
        case OP_LD:   r[i->d] = mem[r[i->a] & 255]; break;
        case OP_ST:   mem[r[i->a] & 255] = r[i->b]; break;
        case OP_DEC:  r[i->d]--; break;
        case OP_JNZ:  if (r[i->d]) pc = prog + i->imm; break;
        case OP_HALT: goto done;
        default:      abort();
        }
    }
done:;
    uint64_t acc = r[5] ^ rotl64(r[1], 17);
    for (int i = 0; i < 256; i++)
        acc = rotl64(acc, 1) ^ mem[i];
    return acc;
}

/* ------------------------------------------------------------------ main */

static const struct kernel {
    const char *name;
    uint64_t (*fn)(double);
    const char *what;
} kernels[] = {
    {"hash",   k_hash,   "integer/bit ops: xorshift fill + CRC-32 + 64-bit mixing"},
    {"qsort",  k_qsort,  "branchy: quicksort of 1M int32"},
    {"chase",  k_chase,  "memory: pointer chase over a 64 MiB pseudo-random cycle"},
    {"nbody",  k_nbody,  "FP: 32-body gravity, sqrt + div"},
    {"matmul", k_matmul, "FP: 192x192 double matrix multiply"},
    {"string", k_string, "libc strings: memchr/strtok_r/strcmp/strstr/snprintf"},
    {"interp", k_interp, "indirect jumps: switch-dispatched bytecode loop"},
};
#define NK (sizeof kernels / sizeof kernels[0])

int main(int argc, char **argv)
{
    double scale = 1.0;
    int first = 1;
    if (argc > 1 && (argv[1][0] == '.' || (argv[1][0] >= '0' && argv[1][0] <= '9'))) {
        scale = atof(argv[1]);
        first = 2;
    }
    if (scale <= 0.0) {
        fprintf(stderr, "usage: %s [SCALE] [hash|qsort|chase|nbody|matmul|string|interp ...]\n", argv[0]);
        return 2;
    }
    int sel[NK] = {0}, any = 0;
    for (int i = first; i < argc; i++) {
        size_t k;
        for (k = 0; k < NK; k++)
            if (strcmp(argv[i], kernels[k].name) == 0)
                break;
        if (k == NK) {
            fprintf(stderr, "cpubench: unknown kernel '%s'\n", argv[i]);
            return 2;
        }
        sel[k] = any = 1;
    }

    printf("cpubench v1 scale=%g\n", scale);
    fflush(stdout);
    double t_all = now_s(), sum_ms = 0.0;
    for (size_t k = 0; k < NK; k++) {
        if (any && !sel[k])
            continue;
        g_t0 = now_s();
        uint64_t cs = kernels[k].fn(scale);
        double ms = (now_s() - g_t0) * 1e3;
        sum_ms += ms;
        printf("%-7s %10.1f ms  checksum %016llx\n", kernels[k].name, ms, (unsigned long long)cs);
        fflush(stdout);
    }
    printf("TOTAL   %10.1f ms  (timed regions; %.1f ms incl. set-up)\n", sum_ms, (now_s() - t_all) * 1e3);
    return 0;
}
