/* test_capture.c - the offline frontend's own pcap record reader
 * (src/capture/savefile.c) against libpcap's pcap_next_ex(), cmocka.
 *
 * Every frame of a file must come out of cap_next() exactly as libpcap
 * hands it over (time, captured and wire length, bytes), and a file that
 * ends badly must leave libpcap's words as the input's error. The files
 * are the bundled captures and hand-made ones that reach each branch of
 * the record checks: cut at every offset, a record longer than the
 * snapshot length, corrupt lengths, nanosecond and byte-swapped files,
 * time stamps past 2038, a BPF filter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture_diff.h"

/* ---- hand-made files ---- */

typedef struct pfile {
    uint8_t b[1 << 20];
    size_t n;
    int swapped;
} pfile;

static void _put32(pfile *f, uint32_t v)
{
    if (f->swapped)
        v = __builtin_bswap32(v);
    memcpy(f->b + f->n, &v, 4);
    f->n += 4;
}

static void _put16(pfile *f, uint16_t v)
{
    if (f->swapped)
        v = __builtin_bswap16(v);
    memcpy(f->b + f->n, &v, 2);
    f->n += 2;
}

static void _header(pfile *f, uint32_t magic, uint16_t minor, uint32_t snaplen, uint32_t linktype)
{
    f->n = 0;
    _put32(f, magic);
    _put16(f, 2);
    _put16(f, minor);
    _put32(f, 0);
    _put32(f, 0);
    _put32(f, snaplen);
    _put32(f, linktype);
}

/* One record: a UDP/IPv4 Ethernet frame of len bytes whose first caplen
 * are stored (caplen may exceed len for the corrupt cases). */
static void _record(pfile *f, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len)
{
    _put32(f, sec);
    _put32(f, frac);
    _put32(f, caplen);
    _put32(f, len);
    for (uint32_t i = 0; i < caplen; i++)
        f->b[f->n + i] = (uint8_t)(i * 7 + sec);
    if (caplen >= 14) {
        f->b[f->n + 12] = 0x08; /* IPv4, so a "ip" filter has something to match */
        f->b[f->n + 13] = 0x00;
    }
    f->n += caplen;
}

static char *_write(const pfile *f, size_t n)
{
    static int seq;
    char *path = malloc(96);
    snprintf(path, 96, "/tmp/test_capture.%d.%d.pcap", (int)getpid(), seq++);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(f->b, 1, n, fp), n);
    fclose(fp);
    return path;
}

/* ---- the comparison ---- */

/* capture_diff() on path; want_savefile: which reader cap_open_offline
 * must have chosen when the file opens. Returns the number of frames. */
static size_t _same_as_libpcap(const char *path, const char *bpf, int want_savefile)
{
    size_t frames;
    int savefile;
    const char *why = capture_diff(path, bpf, &frames, &savefile);
    if (why != NULL)
        fail_msg("%s: the readers differ: %s (after %zu frames)", path, why, frames);
    if (savefile >= 0)
        assert_int_equal(savefile, want_savefile);
    return frames;
}

/* Writes the first n bytes of f to a file, compares the two readers on it
 * and removes it. Returns the number of frames. */
static size_t _check(const pfile *f, size_t n, int want_savefile)
{
    char *path = _write(f, n);
    size_t frames = _same_as_libpcap(path, NULL, want_savefile);
    unlink(path);
    free(path);
    return frames;
}

static void test_bundled_captures(void **state)
{
    (void)state;
    static const char *const caps[] = {
        "captures/sipp-calls.pcap",        "captures/sipp-tcp-segmented.pcap",
        "captures/sipp-fragmented.pcap",   "captures/sipp-ipv6.pcap",
        "captures/sipp-any-sll2.pcap",     "captures/register-challenge.pcap",
        "captures/subscribe-notify.pcap",  "captures/hep-port-19062.pcap",
    };
    for (size_t i = 0; i < sizeof caps / sizeof *caps; i++)
        assert_true(_same_as_libpcap(caps[i], NULL, 1) > 0);
    /* the same with a filter that keeps some frames and drops others */
    size_t all = _same_as_libpcap("captures/sipp-calls.pcap", NULL, 1);
    size_t some = _same_as_libpcap("captures/sipp-calls.pcap", "udp port 5060 and udp[8] = 0x49", 1);
    assert_true(some > 0 && some < all);
}

static void test_cut_at_every_offset(void **state)
{
    (void)state;
    static pfile f;
    _header(&f, 0xa1b2c3d4, 4, 65535, 1);
    _record(&f, 1000, 1, 60, 60);
    _record(&f, 1000, 2, 100, 1514);
    _record(&f, 1001, 999999, 14, 14);
    _record(&f, 1002, 0, 0, 0); /* an empty record */
    _record(&f, 1003, 5, 300, 300);
    for (size_t cut = 24; cut <= f.n; cut++)
        _check(&f, cut, 1);
}

static void test_longer_than_snapshot(void **state)
{
    (void)state;
    static pfile f;
    /* snaplen 64: libpcap hands out the first 64 bytes and skips the rest */
    _header(&f, 0xa1b2c3d4, 4, 64, 1);
    _record(&f, 1, 0, 60, 60);
    _record(&f, 2, 0, 200, 200);
    _record(&f, 3, 0, 64, 64);
    assert_int_equal(_check(&f, f.n, 1), 3);
    /* cut inside the long record: before and after its first 64 bytes */
    for (size_t cut = 24 + 76 + 16 + 10; cut < 24 + 76 + 216; cut += 9)
        _check(&f, cut, 1);
}

static void test_corrupt_lengths(void **state)
{
    (void)state;
    static pfile f;
    const uint32_t bad[] = {262145, 0x7ffffff0, 0xffffffff};
    for (size_t i = 0; i < 3; i++) {
        /* bigger than the maximum; with snaplen 0 libpcap takes the maximum
         * as the snapshot, with 300000 the record is within the snapshot */
        const uint32_t snaps[] = {65535, 0, 300000};
        for (size_t k = 0; k < 3; k++) {
            _header(&f, 0xa1b2c3d4, 4, snaps[k], 1);
            _record(&f, 1, 0, 60, 60);
            _put32(&f, 2);
            _put32(&f, 0);
            _put32(&f, bad[i]);
            _put32(&f, 60);
            assert_int_equal(_check(&f, f.n, 1), 1);
        }
    }
}

static void test_time_stamps_and_byte_order(void **state)
{
    (void)state;
    static pfile f;
    const uint32_t magics[] = {0xa1b2c3d4, 0xa1b23c4d};
    for (int swapped = 0; swapped < 2; swapped++)
        for (size_t m = 0; m < 2; m++) {
            f.swapped = swapped;
            _header(&f, magics[m], 4, 65535, 1);
            _record(&f, 0x7fffffff, 999999999, 60, 60);
            _record(&f, 0x80000000, 1000, 60, 60);    /* past 2038 */
            _record(&f, 0xfffffffe, 0xfffffff0, 60, 60);
            _record(&f, 0, 0, 60, 120);
            assert_int_equal(_check(&f, f.n, 1), 4);
        }
    f.swapped = 0;
}

static void test_left_to_libpcap(void **state)
{
    (void)state;
    static pfile f;
    /* version 2.3 (caplen and len may be swapped), an FCS flag in the link
     * type, a link type sipscope does not decode: libpcap reads them */
    _header(&f, 0xa1b2c3d4, 3, 65535, 1);
    _record(&f, 1, 0, 60, 60);
    _record(&f, 2, 0, 80, 60);
    assert_int_equal(_check(&f, f.n, 0), 2);
    _header(&f, 0xa1b2c3d4, 4, 65535, 1 | 0x10000000u | 0x04000000u);
    _record(&f, 1, 0, 60, 60);
    _check(&f, f.n, 0);
    _header(&f, 0xa1b2c3d4, 4, 65535, 147); /* LINKTYPE_USER0 */
    _record(&f, 1, 0, 60, 60);
    assert_int_equal(_check(&f, f.n, 0), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundled_captures),
        cmocka_unit_test(test_cut_at_every_offset),
        cmocka_unit_test(test_longer_than_snapshot),
        cmocka_unit_test(test_corrupt_lengths),
        cmocka_unit_test(test_time_stamps_and_byte_order),
        cmocka_unit_test(test_left_to_libpcap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
