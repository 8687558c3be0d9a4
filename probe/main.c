// SPDX-License-Identifier: MIT
/* pmemprobe: prove, page by page, whether a mapping is on PMem or in DRAM. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anon.h"
#include "exitcode.h"
#include "log.h"
#include "out.h"
#include "probe.h"
#include "serve.h"
#include "size.h"
#include "survey.h"

struct options {
	struct probe_opts probe;
	enum format format;
	pid_t pid;
};

static const char usage_text[] =
	"usage: pmemprobe [OPTIONS] PATH\n"
	"       pmemprobe --anon SIZE --node N [--format FMT] [--pages] [--expect V]\n"
	"       pmemprobe --pid PID [--format text|json] [--expect V] [--iomem FILE]\n"
	"                 [--sysfs DIR] [PATH]\n"
	"       pmemprobe --serve\n"
	"\n"
	"Map PATH (a regular file or a device-DAX /dev/daxX.Y) shared, give every page\n"
	"a write fault without changing its content, and classify each page's physical\n"
	"address against the Persistent Memory ranges of /proc/iomem.\n"
	"\n"
	"  --size SIZE       bytes to map (suffix K, M, G or T: powers of 1024);\n"
	"                    default: the whole file or device; never beyond its end\n"
	"  --format FMT      text (default), json (one object) or tap (TAP 13)\n"
	"  --pages           also list every page, runs of one placement collapsed\n"
	"  --expect VERDICT  pmem, dram or mixed: exit 1 when the verdict differs\n"
	"  --create          create PATH (never an existing file) with a per-page\n"
	"                    pattern of --size bytes, then probe it\n"
	"  --verify          check that PATH holds that pattern (exit 1 if not)\n"
	"  --pid PID         survey the file-backed mappings of process PID without\n"
	"                    touching them (only those of PATH if given)\n"
	"  --iomem FILE      read the ranges from FILE instead of /proc/iomem\n"
	"  --sysfs DIR       read libnvdimm regions, NUMA nodes and device-DAX devices\n"
	"                    under DIR, not /sys\n"
	"  --proc DIR        read self/pagemap, self/smaps and vmstat under DIR, not\n"
	"                    /proc (stand-ins for tests)\n"
	"  --anon SIZE       probe SIZE bytes of anonymous memory bound (mbind\n"
	"                    MPOL_BIND) to NUMA node N given by --node N: PMem\n"
	"                    onlined as System RAM (kmem) reads as pmem, volatile\n"
	"  --tracefs DIR     count DAX fault sizes with the tracefs mounted at DIR\n"
	"                    (default: /sys/kernel/tracing, /sys/kernel/debug/tracing)\n"
	"  --touch HOW       auto (default): one madvise(MADV_POPULATE_WRITE), page by\n"
	"                    page where the kernel refuses it; per-page: always\n"
	"  --serve           stay up and run each probe asked on stdin in a child forked\n"
	"                    from this process (one line per probe: OUT, ERR, then its\n"
	"                    arguments, tab-separated); answer its exit status on stdout\n"
	"  -h, --help        this text\n"
	"      --version     print \"pmemprobe VERSION\" (pmemlab\'s VERSION file at build\n"
	"                    time, \"unknown\" if built without it) and exit\n"
	"\n"
	"Verdicts: pmem, dram, mixed, unknown (physical addresses hidden: needs\n"
	"CAP_SYS_ADMIN). Exit: 0 pass, 1 expectation or pattern not met, 2 usage,\n"
	"3 runtime error, 4 placement undetermined. See docs/PROBE.md.\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("pmemprobe: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'pmemprobe --help'.\n", stderr);
	return EXIT_USAGE;
}

static int parse_format(const char *s, enum format *f)
{
	static const char *const names[] = {"text", "json", "tap"};
	int i;

	for (i = 0; i < 3; i++) {
		if (strcmp(s, names[i]) == 0) {
			*f = (enum format)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v;

	if (*s < '1' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v > INT_MAX)
		return -EINVAL;
	*pid = (pid_t)v;
	return 0;
}

static int parse_node(const char *s, unsigned int *node)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1]))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v > ANON_NODE_MAX)
		return -EINVAL;
	*node = (unsigned int)v;
	return 0;
}

enum { OPT_VERSION = 256 };

/* Fills @o. Returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"size", required_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},
		{"pages", no_argument, NULL, 'p'},
		{"expect", required_argument, NULL, 'e'},
		{"create", no_argument, NULL, 'c'},
		{"verify", no_argument, NULL, 'v'},
		{"pid", required_argument, NULL, 'P'},
		{"iomem", required_argument, NULL, 'i'},
		{"sysfs", required_argument, NULL, 'S'},
		{"proc", required_argument, NULL, 'O'},
		{"anon", required_argument, NULL, 'A'},
		{"tracefs", required_argument, NULL, 'R'},
		{"node", required_argument, NULL, 'N'},
		{"touch", required_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	struct probe_opts *p = &o->probe;
	int c, rc;

	memset(o, 0, sizeof(*o));
	p->iomem_path = "/proc/iomem";
	p->sysfs_path = "/sys";
	p->proc_path = "/proc";
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			rc = size_parse(optarg, &p->size);
			if (rc == -ERANGE)
				return usage_error("--size '%s': too large", optarg);
			if (rc)
				return usage_error("--size '%s': not a size (a positive number of "
						   "bytes, optionally with K, M, G or T)",
						   optarg);
			p->size_given = true;
			break;
		case 'f':
			if (parse_format(optarg, &o->format))
				return usage_error("--format '%s': use text, json or tap", optarg);
			break;
		case 'p':
			p->pages = true;
			break;
		case 'e':
			if (verdict_parse(optarg, &p->expect))
				return usage_error("--expect '%s': use pmem, dram or mixed",
						   optarg);
			p->expect_asked = true;
			break;
		case 'c':
			p->create = true;
			break;
		case 'v':
			p->verify = true;
			break;
		case 'P':
			if (parse_pid(optarg, &o->pid))
				return usage_error("--pid '%s': not a process id", optarg);
			break;
		case 'i':
			if (!*optarg)
				return usage_error(
					"--iomem '': empty; give a file such as /proc/iomem");
			p->iomem_path = optarg;
			break;
		case 'A':
			rc = size_parse(optarg, &p->size);
			if (rc == -ERANGE)
				return usage_error("--anon '%s': too large", optarg);
			if (rc)
				return usage_error("--anon '%s': not a size (a positive number of "
						   "bytes, optionally with K, M, G or T)",
						   optarg);
			p->anon = true;
			break;
		case 'N':
			if (parse_node(optarg, &p->node))
				return usage_error("--node '%s': not a NUMA node number (0-%d)",
						   optarg, ANON_NODE_MAX);
			p->node_given = true;
			break;
		case 'R':
			if (!*optarg)
				return usage_error("--tracefs '': empty; give a tracefs mount such "
						   "as /sys/kernel/tracing");
			p->tracefs = optarg;
			break;
		case 'S':
			if (!*optarg)
				return usage_error(
					"--sysfs '': empty; give a directory such as /sys");
			p->sysfs_path = optarg;
			break;
		case 'O':
			if (!*optarg)
				return usage_error(
					"--proc '': empty; give a directory such as /proc");
			p->proc_path = optarg;
			break;
		case 'T':
			if (!strcmp(optarg, "auto"))
				p->touch = TOUCH_AUTO;
			else if (!strcmp(optarg, "per-page"))
				p->touch = TOUCH_PER_PAGE;
			else
				return usage_error("--touch '%s': use auto or per-page", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_PASS;
		case OPT_VERSION:
			printf("pmemprobe %s\n", PMEMPROBE_VERSION);
			return EXIT_PASS;
		case ':':
			return usage_error("%s: needs an argument", argv[optind - 1]);
		default:
			return usage_error("%s: unknown option", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return usage_error("'%s': only one PATH, please", argv[optind + 1]);
	p->path = optind < argc ? argv[optind] : NULL;
	if (p->path && !*p->path)
		return usage_error("PATH is empty");
	if (p->node_given && !p->anon)
		return usage_error("--node goes with --anon");
	if (p->anon) {
		if (!p->node_given)
			return usage_error("--anon needs --node N");
		if (o->pid || p->path || p->size_given || p->create || p->verify)
			return usage_error("--anon takes no PATH, --pid, --size, --create or "
					   "--verify");
		return -1;
	}
	if (o->pid) {
		if (p->size_given || p->pages || p->create || p->verify)
			return usage_error(
				"--pid does not take --size, --pages, --create or --verify");
		if (o->format == FORMAT_TAP)
			return usage_error("--pid writes text or json, not tap");
		return -1;
	}
	if (!p->path)
		return usage_error("missing PATH");
	if (p->create && !p->size_given)
		return usage_error("--create needs --size");
	return -1;
}

static int finish_output(void)
{
	if (fflush(stdout) || ferror(stdout)) {
		log_err("write standard output: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	return EXIT_PASS;
}

static void report_failure(const struct failure *f, int rc)
{
	log_err("%s %s: %s", f->op, f->path, f->why ? f->why : strerror(-rc));
}

/* The exit code for a verdict; says why on stderr. */
static int judge(const char *what, enum verdict v, const char *reason, bool expect_asked,
		 enum verdict expect)
{
	if (v == VERDICT_UNKNOWN) {
		log_err("classify %s: placement undetermined: %s", what, reason);
		return EXIT_UNDETERMINED;
	}
	if (expect_asked && v != expect) {
		log_err("expect %s: verdict is %s, expected %s", what, verdict_name(v),
			verdict_name(expect));
		return EXIT_EXPECT;
	}
	return EXIT_PASS;
}

static int run_probe(const struct options *o)
{
	const struct report *r;
	struct failure f;
	struct probe p;
	int rc = probe_run(&o->probe, &p, &f), code;

	if (rc) {
		report_failure(&f, rc);
		probe_free(&p);
		return EXIT_RUNTIME;
	}
	r = &p.r;
	if (o->format == FORMAT_JSON)
		out_json(stdout, r);
	else if (o->format == FORMAT_TAP)
		out_tap(stdout, r);
	else
		out_text(stdout, r);
	code = finish_output();
	if (code == EXIT_PASS && r->verify_asked && !r->verify_ok) {
		log_err("verify %s: pattern mismatch at page %llu (byte %llu)", r->path,
			(unsigned long long)r->verify_bad_page,
			(unsigned long long)r->verify_bad_offset);
		code = EXIT_EXPECT;
	}
	if (code == EXIT_PASS)
		code = judge(r->path, r->verdict, r->reason, r->expect_asked, r->expect);
	probe_free(&p);
	return code;
}

static int run_survey(const struct options *o)
{
	const struct probe_opts *p = &o->probe;
	struct failure f;
	struct survey s;
	char what[64];
	int rc = survey_run(o->pid, p->path, p->iomem_path, p->sysfs_path, &s, &f), code;

	if (rc) {
		report_failure(&f, rc);
		survey_free(&s);
		return EXIT_RUNTIME;
	}
	s.expect_asked = p->expect_asked;
	s.expect = p->expect;
	if (o->format == FORMAT_JSON)
		out_survey_json(stdout, &s);
	else
		out_survey_text(stdout, &s);
	code = finish_output();
	snprintf(what, sizeof(what), "process %d", (int)o->pid);
	if (code == EXIT_PASS)
		code = judge(what, s.verdict, s.reason, s.expect_asked, s.expect);
	survey_free(&s);
	return code;
}

static int probe_main(int argc, char **argv)
{
	struct options o;
	int code = parse_args(argc, argv, &o);

	if (code >= 0)
		return code;
	return o.pid ? run_survey(&o) : run_probe(&o);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "--serve")) {
		if (argc > 2)
			return usage_error("--serve takes no other argument");
		return serve(stdin, stdout, probe_main);
	}
	return probe_main(argc, argv);
}
