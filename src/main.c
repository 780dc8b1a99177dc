/* main.c - sipscope command line: options, wiring the stages, exit codes.
 *
 *   capture -> decode -> sip -> correlate -> report
 *
 * main owns no analysis: it reads frames from the capture frontend, feeds
 * decode, parses each payload it gets back, hands parsed messages to
 * correlate, and lets correlate's sink drive the report. */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "sipscope/capture.h"
#include "sipscope/correlate.h"
#include "sipscope/decode.h"
#include "sipscope/report.h"
#include "sipscope/sip.h"

#define EXIT_INPUT 2 /* usage or input error; 1 is kept for --fail-if */
#define MAX_INPUTS 64
#define MAX_ALIASES 64

typedef struct pipeline {
    dec_ctx *dec;
    cor_ctx *cor;
    rep_ctx *rep;
    sip_msg msg; /* reused for every message: large, never on the stack */
    uint64_t frames;
    uint64_t sip_errors[SIP_E__COUNT];
    uint64_t sip_defects[SIP_DEF__COUNT];
    uint64_t not_sip, not_sip_on_port;
    int64_t first_us, last_us, advanced_us;
} pipeline;

static volatile sig_atomic_t g_stop;

static void _on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

/* ---- stage wiring ---- */
static void _sink_message(void *user, const cor_msg *m, const cor_record *rec)
{
    rep_message(((pipeline *)user)->rep, m, rec);
}

static void _sink_record(void *user, const cor_record *rec)
{
    rep_record(((pipeline *)user)->rep, rec);
}

/* One transport payload holds one SIP message: a TCP/WebSocket payload is
 * exactly one framed message, and in a datagram the bytes after the first
 * message's Content-Length are not a message (RFC 3261 §18.3, RFC 4475
 * §3.1.1.8 "dblreq"); the parser flags them as a defect. */
static void _on_payload(void *user, const dec_payload *pl)
{
    pipeline *p = user;
    int stream = pl->transport == DEC_TP_TCP || pl->transport == DEC_TP_WS;
    size_t used = 0;
    sip_result r = sip_parse(&p->msg, pl->data.p, pl->data.len, stream, &used);
    if (r == SIP_OK) {
        for (int b = 0; b < SIP_DEF__COUNT; b++)
            if (p->msg.defects & (1u << b))
                p->sip_defects[b]++;
        cor_message(p->cor, &p->msg, pl);
    } else if (r == SIP_NOT_SIP) {
        p->not_sip++;
        if (pl->flags & DEC_PL_SIP_PORT)
            p->not_sip_on_port++;
    } else {
        /* malformed, or (datagram) a message that cannot be complete */
        sip_error e = r == SIP_MALFORMED ? p->msg.error : SIP_E_BAD_START_LINE;
        p->sip_errors[e < SIP_E__COUNT ? e : SIP_E_BAD_START_LINE]++;
    }
}

/* ---- terminal ---- */
static unsigned _term_width(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        return ws.ws_col;
    const char *c = getenv("COLUMNS");
    if (c && atoi(c) >= 40)
        return (unsigned)atoi(c);
    return 100;
}

static double _now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void _progress(const cap_set *cap, const pipeline *p, double t0, int final)
{
    uint64_t done, total;
    cap_progress(cap, &done, &total);
    const uint64_t *cc = cor_counters(p->cor);
    double el = _now() - t0;
    if (final) {
        fprintf(stderr, "\r\033[K");
        return;
    }
    fprintf(stderr, "\r\033[K[sipscope] %.1f/%.1f MB  %llu SIP msgs  %llu calls  %.0f msg/s",
            (double)done / 1e6, (double)total / 1e6, (unsigned long long)cc[COR_C_MESSAGES],
            (unsigned long long)cc[COR_C_CALLS], el > 0 ? (double)cc[COR_C_MESSAGES] / el : 0.0);
}

/* ---- options ---- */
static void _usage(FILE *out)
{
    fprintf(out,
            "Usage: sipscope -r FILE [-r FILE ...] [options] [BPF filter words]\n"
            "Analyze SIP signalling in pcap/pcapng captures: statistics, ladder diagrams, JSON.\n"
            "\n"
            "Input:\n"
            "  -r, --read FILE         capture to read (pcap or pcapng; - = stdin); repeat to\n"
            "                          merge several files by time\n"
            "  FILTER...               trailing words form a BPF filter, as in tcpdump\n"
            "      --sip-port PORT     a port that carries SIP (repeatable; default 5060, 5061)\n"
            "      --strict-ports      only payloads on SIP ports (no detection on other ports)\n"
            "      --max-dialogs N     live dialogs kept at once; the oldest is evicted (200000)\n"
            "\n"
            "Output (one pass produces all of them):\n"
            "      --stats[=MODE]      statistics: default, tshark (layout of tshark -z sip,stat),\n"
            "                          none; printed by default when nothing else goes to stdout\n"
            "  -l, --ladder            a ladder diagram per dialog (Call-ID)\n"
            "      --call-id ID        ladder and JSON dialogs for this Call-ID only\n"
            "  -j, --json FILE         JSON report (- = stdout); schema in docs/report-schema.md\n"
            "      --messages FILE     one TSV line per SIP message (- = stdout)\n"
            "      --alias IP[:PORT]=NAME  name an endpoint in ladders (repeatable)\n"
            "      --color[=WHEN]      auto (default: on a terminal unless NO_COLOR), always, never\n"
            "      --ascii             plain ASCII ladders (default off a UTF-8 terminal)\n"
            "      --width N           ladder width in columns (default: terminal width or 100)\n"
            "  -q, --quiet             no statistics on stdout\n"
            "\n"
            "  -h, --help              this text\n"
            "  -V, --version           version\n"
            "\n"
            "Exit status: 0 success, 2 usage or input error.\n");
}

static int _parse_alias(const char *arg, rep_alias *a)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg || eq[1] == '\0')
        return -1;
    char host[128];
    size_t hl = (size_t)(eq - arg);
    if (hl >= sizeof host)
        return -1;
    memcpy(host, arg, hl);
    host[hl] = '\0';
    memset(a, 0, sizeof *a);
    snprintf(a->name, sizeof a->name, "%s", eq + 1);
    char *ip = host, *port = NULL;
    if (host[0] == '[') { /* [v6]:port */
        char *rb = strchr(host, ']');
        if (rb == NULL)
            return -1;
        *rb = '\0';
        ip = host + 1;
        if (rb[1] == ':')
            port = rb + 2;
    } else {
        char *colon = strchr(host, ':');
        if (colon && strchr(colon + 1, ':') == NULL) { /* one colon: v4:port */
            *colon = '\0';
            port = colon + 1;
        }
    }
    if (inet_pton(AF_INET, ip, a->addr.ip) == 1)
        a->addr.family = 4;
    else if (inet_pton(AF_INET6, ip, a->addr.ip) == 1)
        a->addr.family = 6;
    else
        return -1;
    if (port) {
        char *end;
        long v = strtol(port, &end, 10);
        if (*end || v <= 0 || v > 65535)
            return -1;
        a->addr.port = (uint16_t)v;
    }
    return 0;
}

enum {
    OPT_STATS = 256,
    OPT_CALL_ID,
    OPT_MESSAGES,
    OPT_ALIAS,
    OPT_COLOR,
    OPT_ASCII,
    OPT_WIDTH,
    OPT_STRICT,
    OPT_SIP_PORT,
    OPT_MAX_DIALOGS,
};

static FILE *_open_out(const char *path, FILE **owned)
{
    *owned = NULL;
    if (strcmp(path, "-") == 0)
        return stdout;
    return *owned = fopen(path, "w");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"read", required_argument, NULL, 'r'},     {"ladder", no_argument, NULL, 'l'},
        {"json", required_argument, NULL, 'j'},     {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},           {"version", no_argument, NULL, 'V'},
        {"stats", optional_argument, NULL, OPT_STATS},
        {"call-id", required_argument, NULL, OPT_CALL_ID},
        {"messages", required_argument, NULL, OPT_MESSAGES},
        {"alias", required_argument, NULL, OPT_ALIAS},
        {"color", optional_argument, NULL, OPT_COLOR},
        {"colour", optional_argument, NULL, OPT_COLOR},
        {"ascii", no_argument, NULL, OPT_ASCII},
        {"width", required_argument, NULL, OPT_WIDTH},
        {"strict-ports", no_argument, NULL, OPT_STRICT},
        {"sip-port", required_argument, NULL, OPT_SIP_PORT},
        {"max-dialogs", required_argument, NULL, OPT_MAX_DIALOGS},
        {NULL, 0, NULL, 0},
    };
    const char *inputs[MAX_INPUTS];
    size_t ninputs = 0;
    rep_alias aliases[MAX_ALIASES];
    size_t naliases = 0;
    int stats_mode = -1, quiet = 0, ascii = 0, color_when = 0; /* 0 auto, 1 always, 2 never */
    unsigned width = 0;
    const char *messages_path = NULL;
    rep_config rcfg = {0};
    dec_config dcfg;
    cor_config ccfg;
    dec_config_default(&dcfg);
    cor_config_default(&ccfg);
    int nports = 0;

    setlocale(LC_CTYPE, "");
    int c;
    while ((c = getopt_long(argc, argv, "+r:lj:qhV", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (ninputs == MAX_INPUTS) {
                fprintf(stderr, "sipscope: too many inputs (at most %d)\n", MAX_INPUTS);
                return EXIT_INPUT;
            }
            inputs[ninputs++] = optarg;
            break;
        case 'l': rcfg.ladder = 1; break;
        case 'j': rcfg.json_path = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': _usage(stdout); return 0;
        case 'V': printf("sipscope %s\n", SIPSCOPE_VERSION); return 0;
        case OPT_STATS:
            if (optarg == NULL || strcmp(optarg, "default") == 0)
                stats_mode = REP_STATS_DEFAULT;
            else if (strcmp(optarg, "tshark") == 0)
                stats_mode = REP_STATS_TSHARK;
            else if (strcmp(optarg, "none") == 0)
                stats_mode = REP_STATS_NONE;
            else {
                fprintf(stderr, "sipscope: --stats takes default, tshark or none, not '%s'\n", optarg);
                return EXIT_INPUT;
            }
            break;
        case OPT_CALL_ID: rcfg.call_id = optarg; break;
        case OPT_MESSAGES: messages_path = optarg; break;
        case OPT_ALIAS:
            if (naliases == MAX_ALIASES || _parse_alias(optarg, &aliases[naliases]) < 0) {
                fprintf(stderr, "sipscope: bad --alias '%s' (want IP[:PORT]=NAME)\n", optarg);
                return EXIT_INPUT;
            }
            naliases++;
            break;
        case OPT_COLOR:
            if (optarg == NULL || strcmp(optarg, "always") == 0)
                color_when = 1;
            else if (strcmp(optarg, "never") == 0)
                color_when = 2;
            else if (strcmp(optarg, "auto") == 0)
                color_when = 0;
            else {
                fprintf(stderr, "sipscope: --color takes auto, always or never\n");
                return EXIT_INPUT;
            }
            break;
        case OPT_ASCII: ascii = 1; break;
        case OPT_WIDTH:
            width = (unsigned)strtoul(optarg, NULL, 10);
            if (width < 40 || width > 10000) {
                fprintf(stderr, "sipscope: --width must be 40..10000\n");
                return EXIT_INPUT;
            }
            break;
        case OPT_STRICT: dcfg.strict_ports = 1; break;
        case OPT_SIP_PORT: {
            long v = strtol(optarg, NULL, 10);
            if (v <= 0 || v > 65535 || nports >= 7) {
                fprintf(stderr, "sipscope: bad --sip-port '%s'\n", optarg);
                return EXIT_INPUT;
            }
            if (nports == 0)
                memset(dcfg.sip_ports, 0, sizeof dcfg.sip_ports);
            dcfg.sip_ports[nports++] = (uint16_t)v;
            break;
        }
        case OPT_MAX_DIALOGS: {
            long v = strtol(optarg, NULL, 10);
            if (v < 1 || v > 100000000) {
                fprintf(stderr, "sipscope: bad --max-dialogs '%s'\n", optarg);
                return EXIT_INPUT;
            }
            ccfg.max_records = (uint32_t)v;
            break;
        }
        default:
            fprintf(stderr, "Try 'sipscope --help'.\n");
            return EXIT_INPUT;
        }
    }
    if (ninputs == 0) {
        fprintf(stderr, "sipscope: no input: give a capture with -r FILE (see --help)\n");
        return EXIT_INPUT;
    }

    /* trailing words: the BPF filter */
    char filter[4096] = "";
    size_t fl = 0;
    for (int i = optind; i < argc; i++) {
        int n = snprintf(filter + fl, sizeof filter - fl, "%s%s", fl ? " " : "", argv[i]);
        if (n < 0 || (size_t)n >= sizeof filter - fl) {
            fprintf(stderr, "sipscope: filter too long\n");
            return EXIT_INPUT;
        }
        fl += (size_t)n;
    }

    /* outputs */
    FILE *messages_owned = NULL;
    if (messages_path && (rcfg.messages_out = _open_out(messages_path, &messages_owned)) == NULL) {
        fprintf(stderr, "sipscope: %s: %s\n", messages_path, strerror(errno));
        return EXIT_INPUT;
    }
    int stdout_busy = rcfg.ladder || (rcfg.json_path && strcmp(rcfg.json_path, "-") == 0) ||
                      (messages_path && strcmp(messages_path, "-") == 0);
    if (stats_mode < 0)
        stats_mode = (quiet || stdout_busy) ? REP_STATS_NONE : REP_STATS_DEFAULT;
    rcfg.stats = (rep_stats_mode)stats_mode;
    rcfg.out = stdout;
    int tty = isatty(STDOUT_FILENO);
    const char *cs = nl_langinfo(CODESET);
    rcfg.ladder_opts.width = width ? width : (tty ? _term_width() : 100);
    rcfg.ladder_opts.utf8 = !ascii && tty && cs && strcmp(cs, "UTF-8") == 0;
    rcfg.ladder_opts.color = color_when == 1 || (color_when == 0 && tty && getenv("NO_COLOR") == NULL);
    rcfg.ladder_opts.aliases = aliases;
    rcfg.ladder_opts.naliases = naliases;

    char errbuf[CAP_ERRBUF_SIZE];
    cap_set *cap = NULL;
    if (cap_open_offline(&cap, inputs, ninputs, filter, errbuf, sizeof errbuf) < 0) {
        fprintf(stderr, "sipscope: %s\n", errbuf);
        if (messages_owned)
            fclose(messages_owned);
        return EXIT_INPUT;
    }

    pipeline *p = calloc(1, sizeof *p);
    if (p == NULL) {
        fprintf(stderr, "sipscope: out of memory\n");
        return EXIT_INPUT;
    }
    cor_sink sink = {_sink_message, _sink_record, p};
    if (rep_create(&p->rep, &rcfg, errbuf, sizeof errbuf) != 0) {
        fprintf(stderr, "sipscope: %s\n", errbuf);
        return EXIT_INPUT;
    }
    if (dec_create(&p->dec, &dcfg, _on_payload, p) != 0 || cor_create(&p->cor, &ccfg, &sink) != 0) {
        fprintf(stderr, "sipscope: out of memory\n");
        return EXIT_INPUT;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = _on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int show_progress = isatty(STDERR_FILENO);
    double t0 = _now(), last_progress = t0;
    dec_frame f;
    while (!g_stop && cap_next(cap, &f) == 1) {
        p->frames++;
        if (p->first_us == 0 || f.ts_us < p->first_us)
            p->first_us = f.ts_us;
        if (f.ts_us > p->last_us)
            p->last_us = f.ts_us;
        dec_frame_in(p->dec, &f);
        /* timers run on capture time; a few calls per simulated second suffice */
        if (f.ts_us - p->advanced_us >= 100000 || f.ts_us < p->advanced_us) {
            dec_advance(p->dec, f.ts_us);
            cor_advance(p->cor, f.ts_us);
            p->advanced_us = f.ts_us;
        }
        if (show_progress && (p->frames & 0xffff) == 0) {
            double now = _now();
            if (now - last_progress >= 0.25) {
                _progress(cap, p, t0, 0);
                last_progress = now;
            }
        }
    }
    if (show_progress && _now() - t0 >= 0.25)
        _progress(cap, p, t0, 1);

    dec_finish(p->dec);
    cor_finish(p->cor, 0);

    const char *input_errors[MAX_INPUTS];
    for (size_t i = 0; i < ninputs; i++)
        input_errors[i] = cap_input_error(cap, i);
    int exact = 1;
    rep_run_info info = {
        .inputs = inputs,
        .ninputs = ninputs,
        .packets = p->frames,
        .dec = dec_counters(p->dec),
        .sip_errors = p->sip_errors,
        .sip_not_sip = p->not_sip,
        .sip_not_sip_on_port = p->not_sip_on_port,
        .sip_defects = p->sip_defects,
        .cor = cor_counters(p->cor),
        .first_us = p->first_us,
        .last_us = p->last_us,
        .input_errors = input_errors,
    };
    info.call_ids = cor_distinct_call_ids(p->cor, &exact);
    info.call_ids_exact = exact;
    int werr = rep_finish(p->rep, &info);
    for (size_t i = 0; i < ninputs; i++)
        if (input_errors[i])
            fprintf(stderr, "sipscope: warning: %s: %s (analyzed what came before)\n", inputs[i],
                    input_errors[i]);

    int rc = 0;
    if (werr) {
        fprintf(stderr, "sipscope: writing the report failed: %s\n", strerror(werr));
        rc = EXIT_INPUT;
    }
    if (messages_owned && fclose(messages_owned) != 0) {
        fprintf(stderr, "sipscope: %s: %s\n", messages_path, strerror(errno));
        rc = EXIT_INPUT;
    }
    rep_destroy(p->rep);
    cor_destroy(p->cor);
    dec_destroy(p->dec);
    cap_close(cap);
    free(p);
    return rc;
}
