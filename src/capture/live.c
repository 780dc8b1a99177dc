/* live.c - live capture on interfaces, the -w writer, and privilege drop.
 *
 * Modelled on libpcap's testprogs/capturetest.c: create, set options,
 * activate (negative = error, positive = warning), compile and set the
 * filter, then read. Several interfaces are polled on their selectable fds
 * in non-blocking mode; a 100 ms poll timeout returns control to the caller
 * so timers, snapshots and --duration run even when the wire is quiet. */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture_int.h"

int cap_open_live(cap_set **out, const cap_live_config *cfg, char *errbuf, size_t errlen)
{
    *out = NULL;
    cap_set *s = calloc(1, sizeof *s);
    if (s == NULL || (s->in = calloc(cfg->nifaces ? cfg->nifaces : 1, sizeof *s->in)) == NULL) {
        free(s);
        snprintf(errbuf, errlen, "out of memory");
        return -1;
    }
    s->live = 1;
    s->last = -1;
    for (size_t i = 0; i < cfg->nifaces; i++) {
        char perr[PCAP_ERRBUF_SIZE] = "";
        const char *dev = cfg->ifaces[i];
        cap_input *in = &s->in[s->n];
        in->fd = -1;
        if ((in->pcap = pcap_create(dev, perr)) == NULL) {
            snprintf(errbuf, errlen, "%s: %s", dev, perr);
            cap_close(s);
            return -1;
        }
        s->n++;
        in->name = cap_strdup(dev);
        pcap_set_snaplen(in->pcap, cfg->snaplen > 0 ? cfg->snaplen : 262144);
        pcap_set_promisc(in->pcap, cfg->promisc);
        pcap_set_timeout(in->pcap, 100);
        pcap_set_immediate_mode(in->pcap, cfg->immediate);
        if (cfg->buffer_mib > 0)
            pcap_set_buffer_size(in->pcap, cfg->buffer_mib * 1024 * 1024);
        int r = pcap_activate(in->pcap);
        if (r < 0) {
            /* PCAP_ERROR_PERM_DENIED etc.: pcap_geterr says which, or the code does */
            const char *why = pcap_geterr(in->pcap);
            snprintf(errbuf, errlen, "%s: %s", dev,
                     (why && *why) ? why : pcap_statustostr(r));
            cap_close(s);
            return -1;
        }
        if (r > 0)
            fprintf(stderr, "sipscope: warning: %s: %s\n", dev, pcap_statustostr(r));
        in->linktype = pcap_datalink(in->pcap);
        if (cfg->bpf && *cfg->bpf) {
            struct bpf_program prog;
            if (pcap_compile(in->pcap, &prog, cfg->bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
                snprintf(errbuf, errlen, "bad filter '%s': %s", cfg->bpf, pcap_geterr(in->pcap));
                cap_close(s);
                return -1;
            }
            r = pcap_setfilter(in->pcap, &prog);
            pcap_freecode(&prog);
            if (r < 0) {
                snprintf(errbuf, errlen, "%s: cannot set filter: %s", dev, pcap_geterr(in->pcap));
                cap_close(s);
                return -1;
            }
        }
        if (pcap_setnonblock(in->pcap, 1, perr) < 0) {
            snprintf(errbuf, errlen, "%s: %s", dev, perr);
            cap_close(s);
            return -1;
        }
        in->fd = pcap_get_selectable_fd(in->pcap);
    }
    *out = s;
    return 0;
}

int cap_is_live(const cap_set *s) { return s->live; }

int cap_next_live(cap_set *s, dec_frame *f)
{
    struct pollfd pfd[64];
    for (int round = 0; round < 2; round++) {
        size_t alive = 0;
        /* round-robin from the input after the last one served, for fairness */
        for (size_t k = 0; k < s->n; k++) {
            if (s->stop)
                return 0;
            size_t i = (size_t)(s->last + 1 + (ssize_t)k) % s->n;
            cap_input *in = &s->in[i];
            if (in->ended)
                continue;
            alive++;
            struct pcap_pkthdr *h;
            const u_char *d;
            int r = in->hep ? cap_hep_next(in, &h, &d) : pcap_next_ex(in->pcap, &h, &d);
            if (r == 1) {
                in->hdr = h;
                in->data = d;
                in->frame_no++;
                f->ts_us = cap_ts_us(&h->ts);
                f->frame_no = in->frame_no;
                f->linktype = in->linktype;
                f->caplen = h->caplen;
                f->wirelen = h->len;
                f->data = d;
                f->input = (unsigned)i;
                s->last = (ssize_t)i;
                if (s->dumper.dump)
                    cap_dump_frame(s, in);
                return 1;
            }
            if (r == PCAP_ERROR_BREAK) {
                in->ended = 1;
            } else if (r < 0) {
                /* the interface went away (or similar): keep the reason */
                if (in->error == NULL)
                    in->error = cap_strdup(pcap_geterr(in->pcap));
                in->ended = 1;
            }
        }
        if (alive == 0 || s->stop)
            return 0;
        if (round == 1)
            break;
        size_t nfd = 0;
        for (size_t i = 0; i < s->n && nfd < 64; i++)
            if (!s->in[i].ended && s->in[i].fd >= 0) {
                pfd[nfd].fd = s->in[i].fd;
                pfd[nfd].events = POLLIN;
                nfd++;
            }
        if (nfd == 0) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        } else if (poll(pfd, nfd, 100) <= 0) {
            return s->stop ? 0 : -1;
        }
    }
    return s->stop ? 0 : -1;
}

int cap_live_stats(const cap_set *s, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop)
{
    *recv = *drop = *ifdrop = 0;
    if (!s->live)
        return -1;
    for (size_t i = 0; i < s->n; i++) {
        struct pcap_stat st;
        if (s->in[i].hep) /* --hep-listen: datagrams received (no kernel counter) */
            *recv += s->in[i].frame_no;
        else if (s->in[i].pcap && pcap_stats(s->in[i].pcap, &st) == 0) {
            *recv += st.ps_recv;
            *drop += st.ps_drop;
            *ifdrop += st.ps_ifdrop;
        }
    }
    return 0;
}

int cap_list_devices(FILE *out, char *errbuf, size_t errlen)
{
    pcap_if_t *devs = NULL;
    char perr[PCAP_ERRBUF_SIZE];
    if (pcap_findalldevs(&devs, perr) < 0) {
        snprintf(errbuf, errlen, "%s", perr);
        return -1;
    }
    int i = 1;
    for (pcap_if_t *d = devs; d; d = d->next, i++) {
        fprintf(out, "%d.%s", i, d->name);
        if (d->description)
            fprintf(out, " (%s)", d->description);
        fprintf(out, " [%s%s%s]\n", (d->flags & PCAP_IF_UP) ? "Up" : "Down",
                (d->flags & PCAP_IF_RUNNING) ? ", Running" : "",
                (d->flags & PCAP_IF_LOOPBACK) ? ", Loopback" : "");
    }
    if (devs == NULL)
        fprintf(out, "(no interfaces found)\n");
    pcap_freealldevs(devs);
    return 0;
}

/* ---- -w writer ---- */
static int _dump_open_file(cap_set *s, int64_t now_us, char *errbuf, size_t errlen)
{
    cap_dumper *w = &s->dumper;
    char name[4096];
    if (w->rotate_secs) {
        time_t t = (time_t)(now_us / 1000000);
        struct tm tm;
        localtime_r(&t, &tm);
        /* -G: the user's file name is a strftime pattern, as with tcpdump */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        size_t k = strftime(name, sizeof name, w->path, &tm);
#pragma GCC diagnostic pop
        if (k == 0)
            snprintf(name, sizeof name, "%s", w->path);
    } else {
        snprintf(name, sizeof name, "%s", w->path);
    }
    if (w->rotate_bytes && w->files > 0) {
        size_t l = strlen(name);
        snprintf(name + l, sizeof name - l, "%u", w->files);
    }
    if (w->dump) {
        pcap_dump_close(w->dump);
        w->dump = NULL;
    }
    w->dump = pcap_dump_open(s->in[0].pcap, name);
    if (w->dump == NULL) {
        snprintf(errbuf, errlen, "%s: %s", name, pcap_geterr(s->in[0].pcap));
        return -1;
    }
    w->files++;
    w->bytes = 24;
    w->opened_us = now_us;
    return 0;
}

int cap_dump_open(cap_set *s, const char *path, uint64_t rotate_mb, uint32_t rotate_secs,
                  char *errbuf, size_t errlen)
{
    if (s->n == 0) {
        snprintf(errbuf, errlen, "-w needs an input");
        return -1;
    }
    for (size_t i = 1; i < s->n; i++)
        if (s->in[i].linktype != s->in[0].linktype) {
            snprintf(errbuf, errlen, "-w: inputs have different link types (%s, %s); use -i any",
                     s->in[0].name, s->in[i].name);
            return -1;
        }
    s->dumper.path = cap_strdup(path);
    s->dumper.rotate_bytes = rotate_mb * 1000000ULL;
    s->dumper.rotate_secs = rotate_secs;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return _dump_open_file(s, (int64_t)ts.tv_sec * 1000000, errbuf, errlen);
}

void cap_dump_frame(cap_set *s, const cap_input *in)
{
    cap_dumper *w = &s->dumper;
    int64_t now = cap_ts_us(&in->hdr->ts);
    if ((w->rotate_bytes && w->bytes + 16 + in->hdr->caplen > w->rotate_bytes) ||
        (w->rotate_secs && now - w->opened_us >= (int64_t)w->rotate_secs * 1000000)) {
        char err[256];
        if (_dump_open_file(s, now, err, sizeof err) < 0) {
            fprintf(stderr, "sipscope: -w rotation failed, writing stops: %s\n", err);
            return;
        }
    }
    pcap_dump((u_char *)w->dump, in->hdr, in->data);
    w->bytes += 16 + in->hdr->caplen;
}

void cap_dump_close(cap_set *s)
{
    if (s->dumper.dump) {
        pcap_dump_flush(s->dumper.dump);
        pcap_dump_close(s->dumper.dump);
    }
    s->dumper.dump = NULL;
    free(s->dumper.path);
    s->dumper.path = NULL;
}

/* ---- -Z ---- */
int cap_drop_privileges(const char *user, char *errbuf, size_t errlen)
{
    struct passwd *pw = getpwnam(user);
    if (pw == NULL) {
        snprintf(errbuf, errlen, "-Z: no such user '%s'", user);
        return -1;
    }
    /* groups first: after setuid we may no longer change them */
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
        setuid(pw->pw_uid) != 0) {
        snprintf(errbuf, errlen, "-Z %s: %s", user, strerror(errno));
        return -1;
    }
    /* a process that could regain root has not dropped it */
    if (pw->pw_uid != 0 && (setuid(0) == 0 || geteuid() != pw->pw_uid)) {
        snprintf(errbuf, errlen, "-Z %s: could not give up root", user);
        return -1;
    }
    return 0;
}
