/* savefile.c - the records of a classic pcap file, read into one large
 * buffer and handed out in place (capture frontend, offline).
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
 * compares the two readers frame by frame. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
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

struct cap_savefile {
    int fd;                  /* the FILE's descriptor, read with pread() only */
    uint64_t off;            /* file offset of buf[0] */
    uint8_t *buf;
    size_t size;             /* _BUF_MAX, or the file's size when smaller */
    size_t have, pos;        /* buf[pos..have) is read and not handed out */
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
    /* a small file gets a buffer of its size (grown if the file grows) */
    f->size = _BUF_MAX;
    if (file_size < (off_t)_BUF_MAX)
        f->size = (size_t)file_size > 4096 ? (size_t)file_size : 4096;
    if ((f->buf = malloc(f->size)) == NULL) {
        free(f);
        return NULL;
    }
    f->fd = fd;
    f->off = 24; /* the file header, read by libpcap */
    f->swapped = swapped;
    f->nsec = nsec;
    f->snapshot = (uint32_t)snap;
    return f;
}

void cap_savefile_set_filter(cap_savefile *f, struct bpf_program *prog)
{
    f->filter = *prog; /* taken over: freed by cap_savefile_close */
    f->filtered = 1;
}

/* Makes buf[pos..pos+need) hold file bytes, reading more if it can.
 * Returns 1, or 0 at the end of the file or on a read error. */
static int _fill(cap_savefile *f, size_t need)
{
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

int cap_savefile_next(cap_savefile *f, struct pcap_pkthdr **hdr, const u_char **data, char *err,
                      size_t errlen)
{
    for (;;) {
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
    free(f->buf);
    free(f);
}
