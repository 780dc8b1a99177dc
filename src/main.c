/* main.c - sipscope command line: options, wiring the stages, exit codes.
 *
 *   capture -> decode -> sip -> correlate -> report
 *
 * main owns no analysis: it reads frames from the capture frontend, feeds
 * decode, parses each payload it gets back, hands parsed messages to
 * correlate, and lets correlate's sink drive the report. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
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
#include "sipscope/pipeline.h"
#include "sipscope/sip.h"

#define EXIT_INPUT 2 /* usage or input error; 1 is kept for --fail-if */
#define MAX_INPUTS 64
#define MAX_ALIASES 64

static volatile sig_atomic_t g_stop, g_snapshot;
static cap_set *g_cap; /* for the signal handler: breaks a live capture's loop */

static void _on_signal(int sig)
{
    if (sig == SIGUSR1) {
        g_snapshot = 1;
        return;
    }
    g_stop = 1;
    if (g_cap)
        cap_break(g_cap);
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

static void _progress(const cap_set *cap, const ss_pipeline *p, double t0, int final)
{
    uint64_t done, total;
    cap_progress(cap, &done, &total);
    uint64_t msgs = ss_pipeline_messages(p);
    double el = _now() - t0;
    if (final) {
        fprintf(stderr, "\r\033[K");
        return;
    }
    fprintf(stderr, "\r\033[K[sipscope] %.1f/%.1f MB  %llu SIP msgs  %llu calls  %.0f msg/s",
            (double)done / 1e6, (double)total / 1e6, (unsigned long long)msgs,
            (unsigned long long)ss_pipeline_calls(p), el > 0 ? (double)msgs / el : 0.0);
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
            "      --hep-port PORT     UDP payloads on PORT are HEP (repeatable; 9060 always)\n"
            "      --max-dialogs N     live dialogs kept at once; the oldest is evicted (200000)\n"
            "      --settle S          report a finished dialog after S seconds without a\n"
            "                          message (default 2)\n"
            "      --linger S          know late retransmissions of a reported dialog for S\n"
            "                          seconds after its last message (default 32, Timer J/L)\n"
            "      --max-tcp-streams N        TCP directions tracked at once; the least\n"
            "                                 recently active is evicted (65536)\n"
            "      --max-tcp-stream-buf BYTES bytes buffered per direction (262144)\n"
            "      --max-tcp-buf BYTES        bytes buffered over all streams (67108864)\n"
            "      --max-frag-pending N       IP datagrams being rebuilt at once (4096)\n"
            "      --max-frag-per-datagram N  fragments kept per datagram (64)\n"
            "\n"
            "Live capture:\n"
            "  -i, --interface IFACE   capture on IFACE (any = all); repeatable\n"
            "  -D, --list-interfaces   list the interfaces and exit\n"
            "  -s, --snaplen N         bytes per packet (default 262144)\n"
            "  -B, --buffer-size MIB   kernel capture buffer\n"
            "      --immediate         hand each packet over at once (libpcap immediate mode;\n"
            "                          small ring: use with -B under load)\n"
            "  -p, --no-promiscuous-mode\n"
            "  -c, --count N           stop after N packets\n"
            "      --duration S        stop after S seconds\n"
            "  -w, --write FILE        also write the packets analyzed to FILE (pcap)\n"
            "  -C MB                   with -w: start a new file past MB megabytes\n"
            "  -G S                    with -w: start a new file every S seconds (FILE is\n"
            "                          a strftime pattern)\n"
            "  -Z, --relinquish-privileges USER  drop root once the interfaces are open\n"
            "      --hep-listen udp:ADDR:PORT  receive HEP (v2/v3) from capture agents on a\n"
            "                          UDP socket instead of -r/-i (ADDR: IPv4 or IPv6 literal)\n"
            "      --hep-send udp:HOST:PORT    mirror every SIP message as HEPv3 to a collector\n"
            "      --brief             one line per dialog as it finishes, with what it did\n"
            "                          (binding, hold, transfer ...; instead of a ladder)\n"
            "      --events FILE       NDJSON events as they happen (- = stdout): message,\n"
            "                          state, transaction, dialog_done (with its summary)\n"
            "      --interval S        print a statistics snapshot every S seconds\n"
            "                          (SIGUSR1 prints one at any time)\n"
            "\n"
            "Output (one pass produces all of them):\n"
            "      --stats[=MODE]      statistics: default, tshark (layout of tshark -z sip,stat),\n"
            "                          none; printed by default when nothing else goes to stdout\n"
            "  -l, --ladder            a ladder diagram per dialog (Call-ID)\n"
            "      --call-id ID        ladder and JSON dialogs for this Call-ID only\n"
            "      --filter EXPR       ladders, JSON dialogs, HTML, SVG, Mermaid, PlantUML and\n"
            "                          --brief only for records matching EXPR: kind=call,...,\n"
            "                          user=TEXT, code=486|4xx|none, from=TIME, to=TIME (ISO\n"
            "                          UTC or seconds after the first message); repeatable,\n"
            "                          all must hold; statistics still count everything\n"
            "  -j, --json FILE         JSON report (- = stdout); schema in docs/report-schema.md\n"
            "      --messages FILE     one TSV line per SIP message (- = stdout)\n"
            "      --html FILE         self-contained HTML report (tables, charts, SVG ladders)\n"
            "      --svg FILE          SVG ladder of --call-id (else of the first call)\n"
            "      --mermaid FILE      Mermaid sequence diagram(s) (- = stdout)\n"
            "      --plantuml FILE     PlantUML sequence diagram(s) (- = stdout)\n"
            "      --markdown FILE     Markdown summary for a CI job (failed calls as Mermaid)\n"
            "      --junit FILE        JUnit XML: a test case per call/registration/subscription\n"
            "      --fail-if EXPR      exit 1 when EXPR holds, e.g. 'asr < 0.95',\n"
            "                          'responses.5xx > 0' (repeatable; docs/gating.md)\n"
            "      --alias IP[:PORT]=NAME  name an endpoint in ladders (repeatable)\n"
            "      --color[=WHEN]      auto (default: on a terminal unless NO_COLOR), always, never\n"
            "      --ascii             plain ASCII ladders (default off a UTF-8 terminal)\n"
            "      --width N           ladder width in columns (default: terminal width or 100)\n"
            "  -q, --quiet             no statistics on stdout\n"
            "\n"
            "  -h, --help              this text\n"
            "  -V, --version           version\n"
            "\n"
            "  sipscope merge A.json B.json ... [-o OUT.json]   combine JSON reports\n"
            "\n"
            "Exit status: 0 success, 1 a --fail-if condition held, 2 usage or input error.\n");
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
    OPT_SETTLE,
    OPT_LINGER,
    OPT_DURATION,
    OPT_IMMEDIATE,
    OPT_INTERVAL,
    OPT_HTML,
    OPT_SVG,
    OPT_MERMAID,
    OPT_PLANTUML,
    OPT_MARKDOWN,
    OPT_JUNIT,
    OPT_FAIL_IF,
    OPT_FILTER,
    OPT_EVENTS,
    OPT_BRIEF,
    OPT_HEP_LISTEN,
    OPT_HEP_SEND,
    OPT_HEP_PORT,
    OPT_MAX_TCP_STREAMS,
    OPT_MAX_TCP_STREAM_BUF,
    OPT_MAX_TCP_BUF,
    OPT_MAX_FRAG_PENDING,
    OPT_MAX_FRAG_PER_DATAGRAM,
};

static long _num_arg(const char *opt, const char *arg, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || *end || end == arg || v < lo || v > hi) {
        fprintf(stderr, "sipscope: %s takes a number from %ld to %ld, not '%s'\n", opt, lo, hi, arg);
        exit(EXIT_INPUT);
    }
    return v;
}

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
        {"settle", required_argument, NULL, OPT_SETTLE},
        {"linger", required_argument, NULL, OPT_LINGER},
        {"interface", required_argument, NULL, 'i'},
        {"list-interfaces", no_argument, NULL, 'D'},
        {"snaplen", required_argument, NULL, 's'},
        {"buffer-size", required_argument, NULL, 'B'},
        {"immediate", no_argument, NULL, OPT_IMMEDIATE},
        {"no-promiscuous-mode", no_argument, NULL, 'p'},
        {"count", required_argument, NULL, 'c'},
        {"duration", required_argument, NULL, OPT_DURATION},
        {"write", required_argument, NULL, 'w'},
        {"relinquish-privileges", required_argument, NULL, 'Z'},
        {"interval", required_argument, NULL, OPT_INTERVAL},
        {"html", required_argument, NULL, OPT_HTML},
        {"svg", required_argument, NULL, OPT_SVG},
        {"mermaid", required_argument, NULL, OPT_MERMAID},
        {"plantuml", required_argument, NULL, OPT_PLANTUML},
        {"markdown", required_argument, NULL, OPT_MARKDOWN},
        {"junit", required_argument, NULL, OPT_JUNIT},
        {"fail-if", required_argument, NULL, OPT_FAIL_IF},
        {"filter", required_argument, NULL, OPT_FILTER},
        {"events", required_argument, NULL, OPT_EVENTS},
        {"brief", no_argument, NULL, OPT_BRIEF},
        {"hep-listen", required_argument, NULL, OPT_HEP_LISTEN},
        {"hep-send", required_argument, NULL, OPT_HEP_SEND},
        {"hep-port", required_argument, NULL, OPT_HEP_PORT},
        {"max-tcp-streams", required_argument, NULL, OPT_MAX_TCP_STREAMS},
        {"max-tcp-stream-buf", required_argument, NULL, OPT_MAX_TCP_STREAM_BUF},
        {"max-tcp-buf", required_argument, NULL, OPT_MAX_TCP_BUF},
        {"max-frag-pending", required_argument, NULL, OPT_MAX_FRAG_PENDING},
        {"max-frag-per-datagram", required_argument, NULL, OPT_MAX_FRAG_PER_DATAGRAM},
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
    const char *ifaces[MAX_INPUTS];
    size_t nifaces = 0;
    cap_live_config lcfg = {.promisc = 1, .immediate = 0};
    long max_count = 0, duration_s = 0, interval_s = 0, rotate_mb = 0, rotate_s = 0;
    const char *write_path = NULL, *drop_user = NULL;
    const char *events_path = NULL;
    const char *hep_listen = NULL, *hep_send = NULL;
    const char *fail_if[32];
    size_t nfail_if = 0;
    const char *filters[32];
    size_t nfilters = 0;

    if (argc > 1 && strcmp(argv[1], "merge") == 0)
        return rep_merge_main(argc - 1, argv + 1);

    setlocale(LC_CTYPE, "");
    int c;
    while ((c = getopt_long(argc, argv, "+r:lj:qhVi:Ds:B:pc:w:C:G:Z:", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (ninputs == MAX_INPUTS) {
                fprintf(stderr, "sipscope: too many inputs (at most %d)\n", MAX_INPUTS);
                return EXIT_INPUT;
            }
            inputs[ninputs++] = optarg;
            break;
        case 'i':
            if (nifaces == MAX_INPUTS) {
                fprintf(stderr, "sipscope: too many interfaces (at most %d)\n", MAX_INPUTS);
                return EXIT_INPUT;
            }
            ifaces[nifaces++] = optarg;
            break;
        case 'D': {
            char eb[CAP_ERRBUF_SIZE];
            if (cap_list_devices(stdout, eb, sizeof eb) < 0) {
                fprintf(stderr, "sipscope: %s\n", eb);
                return EXIT_INPUT;
            }
            return 0;
        }
        case 's': lcfg.snaplen = (int)_num_arg("-s", optarg, 64, 262144); break;
        case 'B': lcfg.buffer_mib = (int)_num_arg("-B", optarg, 1, 4096); break;
        case OPT_IMMEDIATE: lcfg.immediate = 1; break;
        case 'p': lcfg.promisc = 0; break;
        case 'c': max_count = _num_arg("-c", optarg, 1, LONG_MAX); break;
        case OPT_DURATION: duration_s = _num_arg("--duration", optarg, 1, 100000000); break;
        case OPT_INTERVAL: interval_s = _num_arg("--interval", optarg, 1, 86400); break;
        case 'w': write_path = optarg; break;
        case 'C': rotate_mb = _num_arg("-C", optarg, 1, 1000000); break;
        case 'G': rotate_s = _num_arg("-G", optarg, 1, 86400 * 366); break;
        case 'Z': drop_user = optarg; break;
        case OPT_EVENTS: events_path = optarg; break;
        case OPT_BRIEF: rcfg.brief = 1; break;
        case OPT_HEP_LISTEN: hep_listen = optarg; break;
        case OPT_HEP_SEND: hep_send = optarg; break;
        case OPT_MAX_TCP_STREAMS:
            dcfg.tcp_max_streams = (uint32_t)_num_arg("--max-tcp-streams", optarg, 1, 100000000);
            break;
        case OPT_MAX_TCP_STREAM_BUF:
            dcfg.tcp_stream_buf_max = (uint32_t)_num_arg("--max-tcp-stream-buf", optarg, 1024, 1 << 30);
            break;
        case OPT_MAX_TCP_BUF:
            dcfg.tcp_total_buf_max = (uint64_t)_num_arg("--max-tcp-buf", optarg, 1024, LONG_MAX);
            break;
        case OPT_MAX_FRAG_PENDING:
            dcfg.frag_max_pending = (uint32_t)_num_arg("--max-frag-pending", optarg, 1, 10000000);
            break;
        case OPT_MAX_FRAG_PER_DATAGRAM:
            dcfg.frag_max_per_datagram = (uint32_t)_num_arg("--max-frag-per-datagram", optarg, 2, 8192);
            break;
        case OPT_HEP_PORT: {
            long v = _num_arg("--hep-port", optarg, 1, 65535);
            if (dec_config_add_hep_port(&dcfg, (uint16_t)v) < 0) {
                fprintf(stderr, "sipscope: too many --hep-port (at most %d with 9060)\n", DEC_MAX_HEP_PORTS - 1);
                return EXIT_INPUT;
            }
            break;
        }
        case OPT_HTML: rcfg.html_path = optarg; break;
        case OPT_SVG: rcfg.svg_path = optarg; break;
        case OPT_MERMAID: rcfg.mermaid_path = optarg; break;
        case OPT_PLANTUML: rcfg.plantuml_path = optarg; break;
        case OPT_MARKDOWN: rcfg.markdown_path = optarg; break;
        case OPT_JUNIT: rcfg.junit_path = optarg; break;
        case OPT_FAIL_IF:
            if (nfail_if == sizeof fail_if / sizeof fail_if[0]) {
                fprintf(stderr, "sipscope: too many --fail-if (at most 32)\n");
                return EXIT_INPUT;
            }
            fail_if[nfail_if++] = optarg;
            break;
        case OPT_FILTER: {
            char ferr[512];
            if (nfilters == sizeof filters / sizeof filters[0]) {
                fprintf(stderr, "sipscope: too many --filter (at most 32)\n");
                return EXIT_INPUT;
            }
            if (rep_filter_check(optarg, ferr, sizeof ferr) != 0) {
                fprintf(stderr, "sipscope: %s\n", ferr);
                return EXIT_INPUT;
            }
            filters[nfilters++] = optarg;
            break;
        }
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
        case OPT_SETTLE:
        case OPT_LINGER: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (end == optarg || *end || v < 0 || v > 86400) {
                fprintf(stderr, "sipscope: bad --%s '%s' (seconds, 0..86400)\n",
                        c == OPT_SETTLE ? "settle" : "linger", optarg);
                return EXIT_INPUT;
            }
            if (c == OPT_SETTLE)
                ccfg.settle_s = (uint32_t)v;
            else
                ccfg.linger_s = (uint32_t)v;
            break;
        }
        default:
            fprintf(stderr, "Try 'sipscope --help'.\n");
            return EXIT_INPUT;
        }
    }
    if (hep_listen && (ninputs || nifaces || optind < argc)) {
        fprintf(stderr, "sipscope: --hep-listen takes no -r, -i or filter words\n");
        return EXIT_INPUT;
    }
    if (ninputs == 0 && nifaces == 0 && hep_listen == NULL) {
        fprintf(stderr, "sipscope: no input: give a capture with -r FILE or an interface with -i (see --help)\n");
        return EXIT_INPUT;
    }
    if (ninputs && nifaces) {
        fprintf(stderr, "sipscope: -r and -i cannot be mixed\n");
        return EXIT_INPUT;
    }
    if ((rotate_mb || rotate_s) && write_path == NULL) {
        fprintf(stderr, "sipscope: -C and -G go with -w FILE\n");
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
    FILE *events_owned = NULL;
    if (events_path && (rcfg.events_out = _open_out(events_path, &events_owned)) == NULL) {
        fprintf(stderr, "sipscope: %s: %s\n", events_path, strerror(errno));
        return EXIT_INPUT;
    }
    int stdout_busy = rcfg.ladder || rcfg.brief || (events_path && strcmp(events_path, "-") == 0) || (rcfg.json_path && strcmp(rcfg.json_path, "-") == 0) ||
                      (messages_path && strcmp(messages_path, "-") == 0) ||
                      (rcfg.mermaid_path && strcmp(rcfg.mermaid_path, "-") == 0) ||
                      (rcfg.plantuml_path && strcmp(rcfg.plantuml_path, "-") == 0) ||
                      (rcfg.svg_path && strcmp(rcfg.svg_path, "-") == 0);
    rcfg.fail_if = fail_if;
    rcfg.nfail_if = nfail_if;
    rcfg.filter = filters;
    rcfg.nfilter = nfilters;
    rcfg.suite_name = ninputs ? inputs[0] : (nifaces ? ifaces[0] : hep_listen ? hep_listen : "sipscope");
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
    int live = nifaces > 0 || hep_listen;
    int opened;
    if (hep_listen) {
        uint16_t hport = 0;
        opened = cap_open_hep_listen(&cap, hep_listen, &hport, errbuf, sizeof errbuf);
        /* decode finds HEP by port: the listening port must be one */
        if (opened == 0 && dec_config_add_hep_port(&dcfg, hport) < 0)
            dcfg.hep_ports[DEC_MAX_HEP_PORTS - 1] = hport;
        inputs[0] = hep_listen;
        ninputs = 1;
    } else if (live) {
        lcfg.ifaces = ifaces;
        lcfg.nifaces = nifaces;
        lcfg.bpf = filter;
        opened = cap_open_live(&cap, &lcfg, errbuf, sizeof errbuf);
        for (size_t i = 0; i < nifaces; i++)
            inputs[i] = ifaces[i];
        ninputs = nifaces;
    } else {
        opened = cap_open_offline(&cap, inputs, ninputs, filter, errbuf, sizeof errbuf);
    }
    if (opened == 0 && write_path &&
        cap_dump_open(cap, write_path, (uint64_t)rotate_mb, (uint32_t)rotate_s, errbuf, sizeof errbuf) < 0)
        opened = -1;
    /* the devices are open: root is no longer needed */
    if (opened == 0 && drop_user && cap_drop_privileges(drop_user, errbuf, sizeof errbuf) < 0)
        opened = -1;
    if (opened < 0) {
        fprintf(stderr, "sipscope: %s\n", errbuf);
        cap_close(cap);
        if (messages_owned)
            fclose(messages_owned);
        return EXIT_INPUT;
    }

    rep_ctx *rep = NULL;
    ss_pipeline *p = NULL;
    if (rep_create(&rep, &rcfg, errbuf, sizeof errbuf) != 0) {
        fprintf(stderr, "sipscope: %s\n", errbuf);
        cap_close(cap);
        return EXIT_INPUT;
    }
    if (ss_pipeline_create(&p, &dcfg, &ccfg, rep) != 0) {
        fprintf(stderr, "sipscope: out of memory\n");
        return EXIT_INPUT;
    }
    hep_sender *hs = NULL;
    if (hep_send) {
        if (hep_sender_open(&hs, hep_send, HEP_CAPTURE_ID_DEFAULT, errbuf, sizeof errbuf) < 0) {
            fprintf(stderr, "sipscope: --hep-send %s\n", errbuf);
            ss_pipeline_destroy(p);
            rep_destroy(rep);
            cap_close(cap);
            return EXIT_INPUT;
        }
        ss_pipeline_set_hep_sender(p, hs);
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = _on_signal;
    g_cap = cap;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);

    int show_progress = !live && isatty(STDERR_FILENO);
    double t0 = _now(), last_progress = t0, last_snapshot = t0, last_flush = t0;
    const char *input_errors[MAX_INPUTS];
    rep_run_info info;
    dec_frame f;
    int got;
    int64_t clock_off = 0; /* --hep-listen: agent's capture clock - wall clock */
    while (!g_stop && (got = cap_next(cap, &f)) != 0) {
        if (live) {
            double now = _now();
            if (duration_s && now - t0 >= (double)duration_s)
                break;
            if (g_snapshot || (interval_s && now - last_snapshot >= (double)interval_s)) {
                g_snapshot = 0;
                last_snapshot = now;
                ss_pipeline_info(p, cap, inputs, input_errors, &info);
                rep_snapshot(rep, &info);
            }
            if (now - last_flush >= 1.0) { /* files on disk lag the wire by a second at most */
                last_flush = now;
                rep_flush(rep);
            }
            if (got < 0) {
                /* quiet wire: let timers run on the wall clock */
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                ss_pipeline_tick(p, (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + clock_off);
                continue;
            }
            if (hep_listen) { /* frames carry HEP time: a replayed feed keeps its own clock */
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                clock_off = f.ts_us - ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
            }
        }
        ss_pipeline_frame(p, &f);
        uint64_t nframes = ss_pipeline_frames(p);
        if (show_progress && (nframes & 0xffff) == 0) {
            double now = _now();
            if (now - last_progress >= 0.25) {
                _progress(cap, p, t0, 0);
                last_progress = now;
            }
        }
        if (max_count && nframes >= (uint64_t)max_count)
            break;
    }
    g_cap = NULL;
    if (show_progress && _now() - t0 >= 0.25)
        _progress(cap, p, t0, 1);

    ss_pipeline_finish(p, live);
    ss_pipeline_info(p, cap, inputs, input_errors, &info);
    int werr = rep_finish(rep, &info);
    for (size_t i = 0; i < ninputs; i++)
        if (input_errors[i])
            fprintf(stderr, "sipscope: warning: %s: %s (analyzed what came before)\n", inputs[i],
                    input_errors[i]);

    int rc = 0;
    if (werr) {
        fprintf(stderr, "sipscope: writing the report failed: %s\n", strerror(werr));
        rc = EXIT_INPUT;
    }
    int held = rep_gates_held(rep);
    if (held < 0)
        rc = EXIT_INPUT;
    else if (held > 0 && rc == 0)
        rc = 1;
    if (events_owned)
        fclose(events_owned);
    if (messages_owned && fclose(messages_owned) != 0) {
        fprintf(stderr, "sipscope: %s: %s\n", messages_path, strerror(errno));
        rc = EXIT_INPUT;
    }
    if (hs) {
        uint64_t sent, failed;
        const char *why;
        hep_sender_counts(hs, &sent, &failed, &why);
        if (failed)
            fprintf(stderr, "sipscope: --hep-send: %llu of %llu messages not sent (%s)\n",
                    (unsigned long long)failed, (unsigned long long)(sent + failed), why);
    }
    ss_pipeline_destroy(p);
    hep_sender_close(hs);
    rep_destroy(rep);
    cap_close(cap);
    return rc;
}
