/* test_capture.c - the offline frontend's own pcap record reader
 * (src/capture/savefile.c) against libpcap's pcap_next_ex(), cmocka.
 *
 * Every frame of a file must come out of cap_next() exactly as libpcap
 * hands it over (time, captured and wire length, bytes), and a file that
 * ends badly must leave libpcap's words as the input's error. The files
 * are the bundled captures and hand-made ones that reach each branch of
 * the record checks: cut at every offset, a record longer than the
 * snapshot length, corrupt lengths, nanosecond and byte-swapped files,
 * time stamps past 2038, a BPF filter, files larger than one mapped
 * window. Every comparison runs in both of savefile.c's modes (the file
 * mapped, and read with pread). Then what only the mapping meets: a
 * file that grows or shrinks while it is read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture_diff.h"

/* ---- hand-made files ---- */

typedef struct pfile {
    uint8_t b[4 << 20]; /* more than three of savefile.c's 1 MiB windows */
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

/* capture_diff() on path, with savefile.c mapping the file and again
 * reading it with pread; want_savefile: which reader cap_open_offline
 * must have chosen when the file opens. Returns the number of frames. */
static size_t _same_as_libpcap(const char *path, const char *bpf, int want_savefile)
{
    size_t frames[2];
    for (int no_map = 0; no_map < 2; no_map++) {
        int savefile;
        cap_savefile_no_map = no_map;
        const char *why = capture_diff(path, bpf, &frames[no_map], &savefile);
        cap_savefile_no_map = 0;
        if (why != NULL)
            fail_msg("%s (%s): the readers differ: %s (after %zu frames)", path,
                     no_map ? "pread" : "mapped", why, frames[no_map]);
        if (savefile >= 0)
            assert_int_equal(savefile, want_savefile);
    }
    assert_int_equal(frames[0], frames[1]);
    return frames[0];
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

/* Records of every size up to the largest libpcap takes, so that some
 * cross each 1 MiB window boundary and one fills most of a window; the
 * file is cut inside records on both sides of the second boundary. */
static void test_larger_than_a_window(void **state)
{
    (void)state;
    static pfile f;
    static const uint32_t sizes[] = {60, 1514, 300, 9000, 65535, 262144, 0, 777, 131072};
    _header(&f, 0xa1b2c3d4, 4, 262144, 1);
    size_t records = 0;
    for (uint32_t i = 0; f.n < (3u << 20) + (1u << 19); i++, records++)
        _record(&f, 1000 + i, i, sizes[i % 9], sizes[i % 9] + 4);
    assert_int_equal(_check(&f, f.n, 1), records);
    for (size_t cut = (2u << 20) - 70000; cut < (2u << 20) + 70000; cut += 17001)
        _check(&f, cut, 1);
}

/* ---- a file that changes while it is read (map mode) ---- */

/* Opens path with cap_open_offline, mapped, and reads n frames. */
static cap_set *_open_read(const char *path, size_t n, dec_frame *last)
{
    const char *paths[1] = {path};
    char err[CAP_ERRBUF_SIZE];
    cap_set *s = NULL;
    assert_int_equal(cap_open_offline(&s, paths, 1, NULL, err, sizeof err), 0);
    assert_non_null(s->in[0].savefile);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(cap_next(s, last), 1);
    return s;
}

/* Frames cap_next hands out until it ends; *error: the input's error. */
static size_t _read_rest(cap_set *s, const char **error)
{
    size_t n = 0;
    dec_frame fr;
    while (cap_next(s, &fr) == 1)
        n++;
    *error = cap_input_error(s, 0);
    return n;
}

static void _truncate(const char *path, off_t size)
{
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, size), 0);
    close(fd);
}

static void test_file_grows(void **state)
{
    (void)state;
    static pfile f;
    _header(&f, 0xa1b2c3d4, 4, 65535, 1);
    for (uint32_t i = 0; i < 10; i++)
        _record(&f, i, 0, 100, 100);
    size_t first = f.n;
    /* past the first window: the reader must map on from where it was */
    for (uint32_t i = 10; f.n < (1u << 20) + 5000; i++)
        _record(&f, i, 0, 1400, 1400);
    for (int no_map = 0; no_map < 2; no_map++) {
        cap_savefile_no_map = no_map;
        char *path = _write(&f, first);
        dec_frame fr;
        cap_set *s = _open_read(path, 5, &fr);
        cap_savefile_no_map = 0;
        FILE *fp = fopen(path, "ab");
        assert_non_null(fp);
        assert_int_equal(fwrite(f.b + first, 1, f.n - first, fp), f.n - first);
        fclose(fp);
        const char *error;
        size_t rest = _read_rest(s, &error);
        assert_null(error);
        char *whole = _write(&f, f.n);
        size_t all = _same_as_libpcap(whole, NULL, 1);
        assert_int_equal(5 + rest, all);
        cap_close(s);
        unlink(path);
        unlink(whole);
        free(path);
        free(whole);
    }
}

/* Cut at a window boundary's size check: the records end where the file
 * now ends, with the words libpcap has for a file cut there. */
static void test_file_shrinks_between_windows(void **state)
{
    (void)state;
    static pfile f;
    _header(&f, 0xa1b2c3d4, 4, 65535, 1);
    for (uint32_t i = 0; f.n < (3u << 20); i++)
        _record(&f, i, 0, 1000 + i % 500, 1500);
    const size_t cut = (2u << 20) + 123;
    char *path = _write(&f, f.n), *short_copy = _write(&f, cut);
    dec_frame fr;
    cap_set *s = _open_read(path, 100, &fr); /* inside the first window */
    _truncate(path, (off_t)cut);
    const char *error;
    size_t rest = _read_rest(s, &error);
    /* the short file read from the start: the same frames, the same end */
    cap_set *t = _open_read(short_copy, 0, &fr);
    const char *want_error;
    size_t want = _read_rest(t, &want_error);
    assert_int_equal(100 + rest, want);
    assert_non_null(error);
    assert_non_null(want_error);
    assert_string_equal(error, want_error);
    assert_non_null(strstr(error, "truncated dump file"));
    cap_close(s);
    cap_close(t);
    unlink(path);
    unlink(short_copy);
    free(path);
    free(short_copy);
}

/* Cut inside the window being read: no crash, and an input error that
 * says so. Frames before the cut are handed out as they were. */
static void test_file_shrinks_inside_the_window(void **state)
{
    (void)state;
    static pfile f;
    _header(&f, 0xa1b2c3d4, 4, 65535, 1);
    for (uint32_t i = 0; i < 60; i++)
        _record(&f, i, 0, 200, 200); /* 216 bytes each: 12 pages */
    /* to the file header: the rest of the first page then reads as zeros
     * (caught at the first zero record header); to one page: the pages
     * after it are gone (caught by the SIGBUS handler) */
    const off_t cuts[] = {24, 4096, 3 * 4096};
    for (size_t c = 0; c < 3; c++) {
        char *path = _write(&f, f.n);
        dec_frame fr;
        cap_set *s = _open_read(path, 1, &fr);
        _truncate(path, cuts[c]);
        /* the frame handed out before the cut is still readable */
        volatile uint8_t sum = 0;
        for (uint32_t i = 0; i < fr.caplen; i++)
            sum += fr.data[i];
        (void)sum;
        const char *error;
        size_t rest = _read_rest(s, &error);
        /* frames wholly before the cut, at most */
        assert_true(24 + (1 + rest) * 216 <= (size_t)cuts[c] + 216);
        assert_non_null(error);
        assert_non_null(strstr(error, "the file shrank while it was read"));
        cap_close(s);
        unlink(path);
        free(path);
    }
    /* the handler is still there for the next file, and a second input
     * (a second entry in its table) is read as before */
    char *path = _write(&f, f.n);
    assert_int_equal(_same_as_libpcap(path, NULL, 1), 60);
    unlink(path);
    free(path);
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
        cmocka_unit_test(test_larger_than_a_window),
        cmocka_unit_test(test_file_grows),
        cmocka_unit_test(test_file_shrinks_between_windows),
        cmocka_unit_test(test_file_shrinks_inside_the_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
