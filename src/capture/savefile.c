/* savefile.c - the records of a classic pcap file, handed out in place
 * from a mapping of the file or from one large read buffer (capture
 * frontend, offline).
 *
 * Why not pcap_next_ex(): libpcap reads each record with two fread()
 * calls and copies every packet from stdio's buffer into its own. On the
 * bench's udp-20k capture (140,000 packets, 60 MB) that is 8 ms of the
 * 24 ms the bare libpcap loop needs to read the file (bench/floor.c with
 * pcap_next_ex against the same loop over read(): 24.4 -> 16.0 ms). In
 * sipscope it saves less, about 3 ms of 78 (release build): part of what
 * the copy cost moves to the first touch of each packet.
 *
 * libpcap stays in charge of everything else: it opens and checks the
 * file header (and words the error when that is bad), compiles the BPF
 * filter that pcap_offline_filter() then runs here, writes -w files, and
 * reads whatever this file does not take: pcapng, stdin and pipes,
 * format versions before 2.4, byte-swapped pseudo-headers, link types
 * with a larger maximum record. Records are checked as libpcap 1.10's
 * sf-pcap.c checks them and failures are worded as it words them, so an
 * input error reads the same either way; tests/unit/test_capture.c
 * compares the two readers frame by frame.
 *
 * Map mode (regular files that mmap() takes): the file is mapped read-only
 * one _MAP_WINDOW at a time and records come straight out of the page
 * cache, where pread() copied every byte once more: system time about
 * 12-16 -> 8 ms on udp-20k, wall time 2-5 % less on the bench captures
 * (part of the copy's cost moves to the parser's first touch of each
 * packet). A window is no larger than the read buffer was, so peak RSS
 * stays where it was. The pread() path (read mode) stays for files mmap()
 * refuses and for file systems whose fstat() size falls short of the
 * header. Two things a read() never meets:
 *  - the file grows or shrinks between windows: each window ends where
 *    fstat() says the file now ends, so the records end as a read would
 *    find them;
 *  - the file shrinks inside the window being read (a ring of tcpdump -W
 *    files reopened with O_TRUNC, copytruncate log rotation): touching
 *    the lost pages raises SIGBUS, _on_sigbus maps zero pages there and
 *    flags the loss, and cap_savefile_next reports it as the input's
 *    error before it hands out another record; the rest of the last page
 *    reads as zeros without a fault, which the first all-zero record
 *    header gives away (_header_gone). No crash. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture_int.h"

#define _MAGIC_US 0xa1b2c3d4u
#define _MAGIC_NS 0xa1b23c4du
#define _RECORD_HDR 16u
/* libpcap's MAXIMUM_SNAPLEN: the largest record it accepts for the link
 * types below (max_snaplen_for_dlt() gives more only to D-Bus, EBHSCR
 * and USBPcap, which stay with libpcap). */
#define _MAX_CAPLEN 262144u
/* Bytes asked of the kernel per pread(); the buffer also holds one whole
 * record left over from the previous read. 32 KiB to 256 KiB ran no
 * faster. */
#define _READ_CHUNK (1u << 20)
#define _BUF_MAX (_READ_CHUNK + _RECORD_HDR + _MAX_CAPLEN)
/* Map mode: bytes mapped at a time, more than the largest record so that
 * the record at the start of a window always fits in it. */
#define _MAP_WINDOW (1u << 20)
/* Files mapped at once; an input beyond this is read with pread(). */
#define _MAPS_MAX 64

int cap_savefile_no_map;

struct cap_savefile {
    int fd;                  /* the FILE's descriptor: pread(), fstat(), mmap() */
    uint64_t off;            /* file offset of buf[0] (0 in map mode) */
    uint8_t *buf;            /* the read buffer, or in map mode the mapping */
    size_t size;             /* read mode: _BUF_MAX, or the file's size when smaller */
    size_t have, pos;        /* buf[pos..have) is read and not handed out */
    int mapped;              /* map mode: buf is a window of the file from offset off */
    int slot;                /* map mode: its entry in _maps */
    size_t map_len;          /* map mode: bytes mapped at buf */
    int eof, err;            /* err: errno of a failed read */
    int swapped;             /* written in the other byte order */
    int nsec;                /* nanosecond time stamps (scaled to us) */
    uint32_t snapshot;       /* pcap_snapshot(): the header's, as libpcap fixed it */
    int filtered;
    struct bpf_program filter;
    struct pcap_pkthdr hdr;  /* the frame handed out last */
};

static uint32_t _u32(const uint8_t *p, int swapped)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swapped ? __builtin_bswap32(v) : v;
}

/* The link types src/decode reads (decode.c's _LT_* list). */
static int _link_ok(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
#ifdef DLT_LINUX_SLL2
    case DLT_LINUX_SLL2:
#endif
    case DLT_NULL:
    case DLT_LOOP:
    case DLT_RAW:
    case 14:  /* DLT_RAW as BSD/OS numbers it */
    case 101: /* LINKTYPE_RAW, should libpcap hand it through */
#ifdef DLT_IPV4
    case DLT_IPV4:
    case DLT_IPV6:
#endif
        return 1;
    default:
        return 0;
    }
}

/* ---- map mode ---- */

/* The windows mapped now, for the SIGBUS handler: [lo, hi) is a window's
 * pages. lost is set, with lost_at the file offset from which bytes are
 * lost, when the handler had to put zero pages there or _header_gone saw
 * the file end before a record header. Captures are opened and read on
 * one thread, which is also the one that takes the fault. */
static struct {
    int used;
    uintptr_t lo, hi;
    uint64_t off; /* file offset of lo */
    volatile sig_atomic_t lost;
    volatile uint64_t lost_at;
} _maps[_MAPS_MAX];
static struct sigaction _sigbus_prev;
static uintptr_t _page_mask;

/* A read past the end of a file that shrank after its window was mapped.
 * Zero pages from the faulting page to the end of the window let the read
 * go on (mmap is a plain system call here: it takes no lock the signal
 * could have interrupted). Any other SIGBUS gets the disposition it had
 * before: it is put back and the fault repeats. */
static void _on_sigbus(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    uintptr_t a = (uintptr_t)si->si_addr;
    for (size_t i = 0; i < _MAPS_MAX; i++) {
        if (!_maps[i].used || a < _maps[i].lo || a >= _maps[i].hi)
            continue;
        uintptr_t pg = a & ~_page_mask;
        if (mmap((void *)pg, _maps[i].hi - pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                 -1, 0) == MAP_FAILED)
            break;
        if (!_maps[i].lost) {
            _maps[i].lost_at = _maps[i].off + (pg - _maps[i].lo);
            _maps[i].lost = 1;
        }
        return;
    }
    sigaction(SIGBUS, &_sigbus_prev, NULL);
}

/* Puts f in map mode, with no window yet (the first _fill maps one).
 * 0 when it cannot: tests asked for read mode, no free entry in _maps,
 * or no SIGBUS handler. */
static int _map_mode(cap_savefile *f)
{
    if (cap_savefile_no_map)
        return 0;
    int slot = 0;
    while (slot < _MAPS_MAX && _maps[slot].used)
        slot++;
    if (slot == _MAPS_MAX)
        return 0;
    /* installed at every open, not once: something else may have taken
     * SIGBUS since (cmocka does, around each test) */
    struct sigaction cur;
    if (sigaction(SIGBUS, NULL, &cur) != 0)
        return 0;
    if (!(cur.sa_flags & SA_SIGINFO) || cur.sa_sigaction != _on_sigbus) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = _on_sigbus;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        long page = sysconf(_SC_PAGESIZE);
        if (page <= 0 || (page & (page - 1)) != 0 || sigaction(SIGBUS, &sa, &_sigbus_prev) != 0)
            return 0;
        _page_mask = (uintptr_t)page - 1;
    }
    memset((void *)&_maps[slot], 0, sizeof _maps[slot]);
    _maps[slot].used = 1;
    f->mapped = 1;
    f->slot = slot;
    return 1;
}

static void _unmap_window(cap_savefile *f)
{
    _maps[f->slot].lo = _maps[f->slot].hi = 0;
    if (f->buf)
        munmap(f->buf, f->map_len);
    f->buf = NULL;
    f->map_len = 0;
}

/* Map mode, when buf[pos..pos+need) is not all in the window: maps the
 * next one, from the page of the next record to _MAP_WINDOW bytes on or
 * the end of the file as fstat() gives it now (so a file that grows is
 * read on, and one that shrank ends where it now ends, as a read would
 * find them). Bytes the old window held at pos stay counted even if the
 * file lost them since: touching them then takes the SIGBUS path.
 * Returns 1 when the bytes are there, else 0: at the end of the file, on
 * a failed fstat (err), or with mapped cleared when mmap refused the
 * window (the caller reads on with pread from the same offset). */
static int _map_next(cap_savefile *f, size_t need)
{
    uint64_t at = f->off + f->pos, held = f->off + f->have;
    uint64_t start = at & ~(uint64_t)_page_mask;
    struct stat st;
    if (fstat(f->fd, &st) != 0) {
        f->err = errno;
        return 0;
    }
    uint64_t size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
    uint64_t end = size < start + _MAP_WINDOW ? size : start + _MAP_WINDOW;
    if (end < held)
        end = held;
    if (end < at)
        end = at;
    if (f->buf != NULL && start == f->off && end == held)
        return 0; /* nothing more in the file */
    _unmap_window(f);
    f->off = start;
    f->pos = (size_t)(at - start);
    f->have = f->pos;
    if (end > start) {
        void *m = mmap(NULL, (size_t)(end - start), PROT_READ, MAP_PRIVATE, f->fd, (off_t)start);
        if (m == MAP_FAILED) {
            /* read mode from the next record on */
            _maps[f->slot].used = 0;
            f->mapped = 0;
            f->off = at;
            f->pos = f->have = 0;
            f->size = _BUF_MAX;
            if ((f->buf = malloc(f->size)) == NULL)
                f->err = ENOMEM;
            return 0;
        }
        f->buf = m;
        f->map_len = f->have = (size_t)(end - start);
        _maps[f->slot].off = start;
        _maps[f->slot].lo = (uintptr_t)m;
        _maps[f->slot].hi = ((uintptr_t)m + f->map_len + _page_mask) & ~_page_mask;
    }
    return f->have - f->pos >= need;
}

/* The file header's magic and version say pcap 2.4 (either byte order);
 * *swapped, *nsec as they say. */
static int _header_ok(int fd, int *swapped, int *nsec, off_t *file_size)
{
    struct stat st;
    uint8_t h[24];
    /* regular files only: a pipe cannot be read at an offset */
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    if (pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h)
        return 0;
    *file_size = st.st_size;
    uint32_t magic;
    memcpy(&magic, h, 4);
    *swapped = magic == __builtin_bswap32(_MAGIC_US) || magic == __builtin_bswap32(_MAGIC_NS);
    if (!*swapped && magic != _MAGIC_US && magic != _MAGIC_NS)
        return 0; /* pcapng, or a variant only libpcap knows */
    *nsec = (*swapped ? __builtin_bswap32(magic) : magic) == _MAGIC_NS;
    uint16_t major, minor;
    memcpy(&major, h + 4, 2);
    memcpy(&minor, h + 6, 2);
    if (*swapped) {
        major = __builtin_bswap16(major);
        minor = __builtin_bswap16(minor);
    }
    /* 2.4 only: libpcap swaps caplen and len in older files. The link
     * type field must carry no FCS length or other flag bits. */
    return major == 2 && minor == 4 && (_u32(h + 20, *swapped) & 0xffff0000u) == 0;
}

int cap_savefile_probe(int fd)
{
    int swapped, nsec;
    off_t size;
    return _header_ok(fd, &swapped, &nsec, &size);
}

cap_savefile *cap_savefile_open(pcap_t *p, FILE *fp)
{
    int fd = fileno(fp), swapped, nsec;
    off_t file_size;
    if (!_header_ok(fd, &swapped, &nsec, &file_size))
        return NULL;
    int snap = pcap_snapshot(p);
    if (!_link_ok(pcap_datalink(p)) || snap <= 0)
        return NULL;

    cap_savefile *f = calloc(1, sizeof *f);
    if (f == NULL)
        return NULL;
    f->fd = fd;
    f->swapped = swapped;
    f->nsec = nsec;
    f->snapshot = (uint32_t)snap;
    /* a size below the header just read is a file system that does not
     * know its files' sizes (procfs, some FUSE): windows need it */
    if (file_size >= 24 && _map_mode(f)) {
        f->off = 24; /* the file header, read by libpcap; no window yet */
        return f;
    }
    /* read mode; a small file gets a buffer of its size (grown if the
     * file grows) */
    f->size = _BUF_MAX;
    if (file_size < (off_t)_BUF_MAX)
        f->size = (size_t)file_size > 4096 ? (size_t)file_size : 4096;
    if ((f->buf = malloc(f->size)) == NULL) {
        free(f);
        return NULL;
    }
    f->off = 24; /* the file header, read by libpcap */
    return f;
}

void cap_savefile_set_filter(cap_savefile *f, struct bpf_program *prog)
{
    f->filter = *prog; /* taken over: freed by cap_savefile_close */
    f->filtered = 1;
}

/* _fill when buf[pos..pos+need) is not all there yet. */
static int _fill_more(cap_savefile *f, size_t need)
{
    if (f->mapped) {
        if (_map_next(f, need))
            return 1;
        if (f->mapped || f->err)
            return 0;
        /* mmap refused a window: pread from here on */
    }
    while (f->have - f->pos < need) {
        if (f->eof || f->err)
            return 0;
        if (f->pos > 0) {
            /* at most one partial record moves to the front */
            memmove(f->buf, f->buf + f->pos, f->have - f->pos);
            f->off += f->pos;
            f->have -= f->pos;
            f->pos = 0;
        }
        if (f->have == f->size) {
            /* only when the file has grown since it was opened: need is at
             * most one record, which _BUF_MAX holds */
            uint8_t *b = f->size < _BUF_MAX ? realloc(f->buf, _BUF_MAX) : NULL;
            if (b == NULL) {
                f->err = ENOMEM;
                return 0;
            }
            f->buf = b;
            f->size = _BUF_MAX;
        }
        size_t want = f->size - f->have;
        if (want > _READ_CHUNK)
            want = _READ_CHUNK;
        ssize_t r = pread(f->fd, f->buf + f->have, want, (off_t)(f->off + f->have));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            f->err = errno;
            return 0;
        }
        if (r == 0)
            f->eof = 1;
        f->have += (size_t)r;
    }
    return 1;
}

/* Makes buf[pos..pos+need) hold file bytes, mapping or reading more if
 * it can. Returns 1, or 0 at the end of the file or on a read error.
 * Inline: twice per record, and nearly always already true (have >= pos
 * holds in both modes). */
static inline int _fill(cap_savefile *f, size_t need)
{
    return f->have - f->pos >= need || _fill_more(f, need);
}

/* Map mode: 1 with the error when the file lost bytes the window still
 * maps: zero pages stood in for whole lost pages (_on_sigbus), read by
 * this record or by the code that took the one before; or the part of
 * the last page past the new end, which reads as zeros without a fault,
 * was taken for a record header (_header_gone). Inline: twice per record,
 * nearly always 0. */
static inline int _lost(const cap_savefile *f, char *err, size_t errlen)
{
    if (!f->mapped || !_maps[f->slot].lost)
        return 0;
    snprintf(err, errlen, "the file shrank while it was read: bytes from offset %llu on are lost",
             (unsigned long long)_maps[f->slot].lost_at);
    return 1;
}

/* Map mode, on a record header of 16 zero bytes (no real record has one:
 * its time stamp would be 1970-01-01 00:00:00.000000; it is what the
 * zeros past a shrunk file's new end look like): 1, with the loss
 * flagged, when the file no longer holds the header. One fstat, only for
 * such headers. */
static int _header_gone(cap_savefile *f, const uint8_t *r)
{
    static const uint8_t zero[_RECORD_HDR];
    struct stat st;
    uint64_t end = f->off + f->pos + _RECORD_HDR;
    if (memcmp(r, zero, _RECORD_HDR) != 0 || fstat(f->fd, &st) != 0 ||
        (uint64_t)st.st_size >= end)
        return 0;
    if (!_maps[f->slot].lost) {
        _maps[f->slot].lost_at = (uint64_t)st.st_size;
        _maps[f->slot].lost = 1;
    }
    return 1;
}

int cap_savefile_next(cap_savefile *f, struct pcap_pkthdr **hdr, const u_char **data, char *err,
                      size_t errlen)
{
    for (;;) {
        if (_lost(f, err, errlen))
            return -1;
        if (!_fill(f, _RECORD_HDR)) {
            size_t got = f->have - f->pos;
            if (f->err)
                snprintf(err, errlen, "error reading dump file: %s", strerror(f->err));
            else if (got == 0)
                return 0;
            else
                snprintf(err, errlen,
                         "truncated dump file; tried to read %u header bytes, only got %zu",
                         _RECORD_HDR, got);
            return -1;
        }
        const uint8_t *r = f->buf + f->pos;
        uint32_t caplen = _u32(r + 8, f->swapped);
        if (caplen == 0 && f->mapped && _header_gone(f, r) && _lost(f, err, errlen))
            return -1;
        if (caplen > _MAX_CAPLEN) {
            if (caplen > f->snapshot)
                snprintf(err, errlen, "invalid packet capture length %u, bigger than snaplen of %d",
                         caplen, (int)f->snapshot);
            else
                snprintf(err, errlen, "invalid packet capture length %u, bigger than maximum of %u",
                         caplen, _MAX_CAPLEN);
            return -1;
        }
        if (!_fill(f, _RECORD_HDR + (size_t)caplen)) {
            size_t got = f->have - f->pos - _RECORD_HDR;
            if (f->err)
                snprintf(err, errlen, "error reading dump file: %s", strerror(f->err));
            else if (caplen > f->snapshot && got < f->snapshot)
                snprintf(err, errlen,
                         "truncated dump file; tried to read %d captured bytes, only got %zu",
                         (int)f->snapshot, got);
            else
                snprintf(err, errlen,
                         "truncated dump file; tried to read %u captured bytes, only got %zu",
                         caplen, got);
            return -1;
        }
        r = f->buf + f->pos; /* _fill may have moved it */
        /* The time fields as libpcap 1.10 reads them: signed 32-bit values
         * in a file of this machine's byte order, unsigned ones when it
         * swaps them (its SWAPLONG yields an unsigned int). Only values
         * past 2^31 tell, and test_capture has them. */
        uint32_t sec = _u32(r, f->swapped), frac = _u32(r + 4, f->swapped);
        if (f->swapped) {
            f->hdr.ts.tv_sec = (time_t)sec;
            f->hdr.ts.tv_usec = (suseconds_t)(f->nsec ? frac / 1000 : frac);
        } else {
            f->hdr.ts.tv_sec = (time_t)(int32_t)sec;
            f->hdr.ts.tv_usec = (suseconds_t)(int32_t)frac;
            if (f->nsec)
                f->hdr.ts.tv_usec /= 1000;
        }
        /* a record longer than the file's snapshot length is cut to it,
         * its tail skipped (libpcap: files from Solaris 2.3's bufmod) */
        f->hdr.caplen = caplen > f->snapshot ? f->snapshot : caplen;
        f->hdr.len = _u32(r + 12, f->swapped);
        f->pos += _RECORD_HDR + (size_t)caplen;
        if (_lost(f, err, errlen))
            return -1;
        if (f->filtered && !pcap_offline_filter(&f->filter, &f->hdr, r + _RECORD_HDR))
            continue;
        *hdr = &f->hdr;
        *data = r + _RECORD_HDR;
        return 1;
    }
}

uint64_t cap_savefile_offset(const cap_savefile *f) { return f->off + f->pos; }

void cap_savefile_close(cap_savefile *f)
{
    if (f == NULL)
        return;
    if (f->filtered)
        pcap_freecode(&f->filter);
    if (f->mapped) {
        _unmap_window(f);
        _maps[f->slot].used = 0;
    } else {
        free(f->buf);
    }
    free(f);
}
