// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daxtrace.h"

/* The events counted; the first two must exist. */
static const char *const events[] = {
	"dax_pmd_fault_done", "dax_pte_fault_done",	    "dax_load_hole",
	"dax_pmd_load_hole",  "dax_pmd_load_hole_fallback",
};

/* Per-instance buffer per CPU: a 1 GiB file faulted 4 KiB at a time is 262144 events. */
#define BUFFER_KB "8192"

static int write_str(const char *path, const char *s)
{
	/* O_TRUNC: set_event_pid and trace start empty (a borrowed instance) */
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC), rc = 0;
	size_t len = strlen(s);

	if (fd < 0)
		return -errno;
	if (write(fd, s, len) != (ssize_t)len)
		rc = errno ? -errno : -EIO;
	close(fd);
	return rc;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void why(struct dax_trace *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void why(struct dax_trace *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
}

static uint64_t lost_events(const struct dax_trace *t);

/* The instance in flight, for the signal handler. */
static struct dax_trace *volatile active;

static void on_signal(int sig)
{
	struct dax_trace *t = active;

	if (t && t->inst[0] && !t->borrowed)
		rmdir(t->inst); /* async-signal-safe */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_signals(struct dax_trace *t, bool on)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa = {.sa_handler = on ? on_signal : SIG_DFL};
	size_t i;

	sigemptyset(&sa.sa_mask);
	active = on ? t : NULL;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		/* keep an inherited SIG_IGN */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

/* A tracefs mount: @tracefs, or the first of the usual two with instances. *@denied: one refused
 * us. */
static const char *find_root(const char *tracefs, const char **denied)
{
	static const char *const roots[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
	char path[300];
	size_t i;

	*denied = NULL;
	for (i = 0; i < 2; i++) {
		const char *root = tracefs ? tracefs : roots[i];

		snprintf(path, sizeof(path), "%s/instances", root);
		if (is_dir(path))
			return root;
		if (errno == EACCES && !*denied)
			*denied = root;
		if (tracefs)
			break;
	}
	return NULL;
}

/* The first bytes of @path into @buf: their count, or -1. */
static ssize_t read_head(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size);
	close(fd);
	return n;
}

/*
 * Are the two required events of instance @inst already enabled, with no
 * pid filter? Then the owner armed it once for many probes: enabling or
 * disabling a tracepoint patches kernel text, about 0.1 s per probe in a
 * TCG guest (docs/PROBE.md, "Fault sizes").
 */
static bool events_armed(const char *inst)
{
	char path[512], buf[4];
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/events/fs_dax/%s/enable", inst, events[i]);
		if (read_head(path, buf, sizeof(buf)) < 1 || buf[0] != '1')
			return false;
	}
	/* a pid filter left by someone else would hide this probe's faults */
	snprintf(path, sizeof(path), "%s/set_event_pid", inst);
	return read_head(path, buf, sizeof(buf)) == 0;
}

long dax_trace_line_pid(const char *line)
{
	const char *p;

	/* "<comm>-<pid> [<cpu>] ...": comm may hold '-', ' ' and '[' itself */
	for (p = strchr(line, '['); p; p = strchr(p + 1, '[')) {
		const char *q = p + 1, *end = p, *digits;
		long pid = 0;

		while (*q >= '0' && *q <= '9')
			q++;
		if (q == p + 1 || *q != ']')
			continue;
		while (end > line && end[-1] == ' ')
			end--;
		if (end == p)
			continue;
		for (digits = end; digits > line && digits[-1] >= '0' && digits[-1] <= '9';)
			digits--;
		if (digits == end || digits == line || digits[-1] != '-' || end - digits > 9 ||
		    (*digits == '0' && end - digits > 1))
			continue;
		for (; digits < end; digits++)
			pid = pid * 10 + (*digits - '0');
		return pid;
	}
	return -1;
}

void dax_trace_start(struct dax_trace *t, const char *tracefs)
{
	char path[512], pid[32];
	const char *root;
	size_t i;
	int rc;

	const char *denied;

	memset(t, 0, sizeof(*t));
	root = find_root(tracefs, &denied);
	if (!root) {
		if (denied)
			why(t, "%s: Permission denied (tracing needs root)", denied);
		else if (tracefs)
			why(t, "%s is not a tracefs mount (no instances directory)", tracefs);
		else
			why(t, "no tracefs at /sys/kernel/tracing or /sys/kernel/debug/tracing "
			       "(mount -t tracefs nodev /sys/kernel/tracing)");
		return;
	}
	snprintf(t->root, sizeof(t->root), "%s", root);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/events/fs_dax/%s", t->root, events[i]);
		if (!is_dir(path)) {
			why(t,
			    "no event fs_dax/%s in %s (a kernel without CONFIG_FS_DAX, or "
			    "events hidden: tracing needs root)",
			    events[i], t->root);
			return;
		}
	}
	/*
	 * Creating an instance populates a directory for every trace event of
	 * the kernel: about 0.3 s per probe under TCG. A guest that probes
	 * many files makes one instance at boot and names it here; the probe
	 * clears and borrows it (one probe at a time).
	 */
	const char *borrow = getenv("PMEMPROBE_TRACE_INSTANCE");

	if (borrow && *borrow && !strchr(borrow, '/')) {
		snprintf(t->inst, sizeof(t->inst), "%s/instances/%s", t->root, borrow);
		if (!is_dir(t->inst)) {
			why(t, "PMEMPROBE_TRACE_INSTANCE: no trace instance %s", t->inst);
			t->inst[0] = '\0';
			return;
		}
		t->borrowed = true;
		t->armed = events_armed(t->inst);
		/*
		 * Clearing a buffer waits for an RCU grace period (about 20 ms
		 * under TCG): an armed instance is drained through trace_pipe
		 * instead, so it is empty again after each probe.
		 */
		snprintf(path, sizeof(path), "%s/trace", t->inst);
		rc = t->armed ? 0 : write_str(path, ""); /* an empty write clears the buffer */
		if (rc) {
			why(t, "clear trace instance %s: %s", t->inst, strerror(-rc));
			t->inst[0] = '\0';
			return;
		}
	} else {
		snprintf(t->inst, sizeof(t->inst), "%s/instances/pmemprobe-%d", t->root,
			 (int)getpid());
	}
	if (!t->borrowed && mkdir(t->inst, 0700)) {
		rc = errno;
		why(t, "create trace instance %s: %s%s", t->inst, strerror(rc),
		    rc == EACCES || rc == EPERM ? " (tracing needs root)" : "");
		t->inst[0] = '\0';
		return;
	}
	catch_signals(t, true);
	t->pid = (long)getpid();
	/* armed: its events stay on, other tasks' lines are skipped when read */
	rc = 0;
	if (!t->armed) {
		snprintf(pid, sizeof(pid), "%ld", t->pid);
		snprintf(path, sizeof(path), "%s/set_event_pid", t->inst);
		rc = write_str(path, pid);
	}
	if (!rc && !t->borrowed) {
		snprintf(path, sizeof(path), "%s/buffer_size_kb", t->inst);
		write_str(path, BUFFER_KB); /* a smaller buffer only loses events, counted */
	}
	for (i = 0; !rc && !t->armed && i < sizeof(events) / sizeof(events[0]); i++) {
		snprintf(path, sizeof(path), "%s/events/fs_dax/%s/enable", t->inst, events[i]);
		rc = write_str(path, "1");
		if (rc == -ENOENT && i >= 2)
			rc = 0; /* the optional ones */
	}
	if (!rc && t->armed)
		t->lost_before = lost_events(t); /* counters of an earlier probe */
	if (!rc) {
		snprintf(path, sizeof(path), "%s/tracing_on", t->inst);
		rc = write_str(path, "1");
	}
	if (rc) {
		why(t, "set up trace instance %s: %s (writing %s)", t->inst, strerror(-rc), path);
		dax_trace_remove(t);
		return;
	}
	t->traced = true;
}

/* Fields of a fault line: "... address 0x7f... ... pgoff 0x... ... RESULT". */
static bool field_hex(const char *s, const char *key, uint64_t *v)
{
	const char *p = strstr(s, key);
	char *end;

	if (!p)
		return false;
	p += strlen(key);
	if (p[0] != '0' || p[1] != 'x')
		return false;
	errno = 0;
	*v = strtoull(p + 2, &end, 16);
	return !errno && end != p + 2;
}

/* Is @word one of the '|'-separated flags at the end of @s? */
static bool has_result(const char *s, const char *word)
{
	const char *last = strrchr(s, ' ');
	size_t len = strlen(word);
	const char *p;

	if (!last)
		return false;
	for (p = last + 1; (p = strstr(p, word)); p += len) {
		bool start = p == last + 1 || p[-1] == '|';
		bool stop = p[len] == '\0' || p[len] == '|' || p[len] == '\n';

		if (start && stop)
			return true;
	}
	return false;
}

void dax_trace_line(const char *line, struct dax_faults *n)
{
	const char *p;

	if (line[0] == '#')
		return;
	if ((p = strstr(line, ": dax_pmd_fault_done: "))) {
		if (has_result(p, "FALLBACK")) {
			n->pmd_fallback++;
			if (!n->have_fallback && field_hex(p, " address ", &n->fallback_address) &&
			    field_hex(p, " pgoff ", &n->fallback_pgoff))
				n->have_fallback = true;
		} else {
			n->pmd++;
		}
	} else if (strstr(line, ": dax_pte_fault_done: ")) {
		n->pte++;
	} else if (strstr(line, ": dax_load_hole: ") || strstr(line, ": dax_pmd_load_hole: ")) {
		n->load_hole++;
	} else if (strstr(line, ": dax_")) {
		n->other++;
	}
}

/* Sum "overrun: N" and "dropped events: N" over per_cpu/cpuN/stats. */
static uint64_t lost_events(const struct dax_trace *t)
{
	char path[512], line[128];
	uint64_t lost = 0;
	int cpu;

	for (cpu = 0; cpu < 4096; cpu++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/stats", t->inst, cpu);
		f = fopen(path, "re");
		if (!f)
			break;
		while (fgets(line, sizeof(line), f)) {
			unsigned long long v;

			if (sscanf(line, "overrun: %llu", &v) == 1 ||
			    sscanf(line, "dropped events: %llu", &v) == 1)
				lost += v;
		}
		fclose(f);
	}
	return lost;
}

/* trace_pipe, read without blocking: it consumes what it returns. */
static FILE *open_drain(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

void dax_trace_stop(struct dax_trace *t)
{
	char path[512], line[1024];
	FILE *f;

	if (!t->traced) {
		dax_trace_remove(t);
		return;
	}
	snprintf(path, sizeof(path), "%s/tracing_on", t->inst);
	write_str(path, "0");
	snprintf(path, sizeof(path), "%s/%s", t->inst, t->armed ? "trace_pipe" : "trace");
	f = t->armed ? open_drain(path) : fopen(path, "re");
	if (!f) {
		why(t, "read %s: %s", path, strerror(errno));
		t->traced = false;
	} else {
		while (fgets(line, sizeof(line), f)) {
			size_t len = strlen(line);

			if (!t->armed || dax_trace_line_pid(line) == t->pid)
				dax_trace_line(line, &t->n);
			/* the rest of an overlong line is not a new line */
			while (len && line[len - 1] != '\n' && fgets(line, sizeof(line), f))
				len = strlen(line);
		}
		/* an armed instance's trace_pipe ends with EAGAIN when drained */
		if (ferror(f) && !(t->armed && errno == EAGAIN)) {
			why(t, "read %s: %s", path, strerror(errno));
			t->traced = false;
		}
		fclose(f);
		t->lost = lost_events(t);
		t->lost = t->lost >= t->lost_before ? t->lost - t->lost_before : t->lost;
	}
	dax_trace_remove(t);
}

void dax_trace_remove(struct dax_trace *t)
{
	if (t->inst[0]) {
		char path[512];
		size_t i;

		/* disable first: an instance with enabled events may refuse rmdir on old kernels */
		for (i = 0; !t->armed && i < sizeof(events) / sizeof(events[0]); i++) {
			snprintf(path, sizeof(path), "%s/events/fs_dax/%s/enable", t->inst,
				 events[i]);
			write_str(path, "0");
		}
		if (t->borrowed) {
			snprintf(path, sizeof(path), "%s/tracing_on", t->inst);
			write_str(path, "0");
		} else if (rmdir(t->inst) && !t->why[0]) {
			why(t, "remove trace instance %s: %s", t->inst, strerror(errno));
		}
		t->inst[0] = '\0';
	}
	catch_signals(t, false);
}
