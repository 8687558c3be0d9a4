/* SPDX-License-Identifier: MIT */
/*
 * DAX fault sizes from the kernel's fs_dax tracepoints
 * (include/trace/events/fs_dax.h), in a private tracefs instance filtered
 * to this process, removed afterwards.
 */
#ifndef PMEMPROBE_DAXTRACE_H
#define PMEMPROBE_DAXTRACE_H

#include <stdbool.h>
#include <stdint.h>

/* What the trace buffer said. */
struct dax_faults {
	uint64_t pte;	       /* dax_pte_fault_done: 4 KiB faults */
	uint64_t pmd;	       /* dax_pmd_fault_done without FALLBACK: 2 MiB mappings */
	uint64_t pmd_fallback; /* dax_pmd_fault_done with FALLBACK: retried as 4 KiB */
	uint64_t load_hole;    /* dax_load_hole, dax_pmd_load_hole: zero page for a hole */
	uint64_t other;	       /* other fs_dax lines */
	bool have_fallback;    /* the first fallback's address and pgoff below */
	uint64_t fallback_address, fallback_pgoff;
};

struct dax_trace {
	bool traced;	      /* counts are valid */
	char why[200];	      /* why not traced */
	char root[256];	      /* the tracefs mount used */
	char inst[320];	      /* the instance directory, "" when none exists */
	bool borrowed;	      /* inst is PMEMPROBE_TRACE_INSTANCE's: cleared, never removed */
	bool armed;	      /* borrowed with its events on: left on, lines filtered by pid */
	long pid;	      /* this process, for an armed instance's lines */
	uint64_t lost;	      /* events overwritten or dropped ("overrun" in per_cpu stats) */
	uint64_t lost_before; /* an armed instance's counts when this probe began */
	struct dax_faults n;
};

/*
 * Create the instance, filter it to this pid and enable the fs_dax fault
 * events. @tracefs: a tracefs mount, or NULL to look at /sys/kernel/tracing,
 * then /sys/kernel/debug/tracing. Never fails the run: when tracing is not
 * possible t->traced stays false and t->why says why.
 */
void dax_trace_start(struct dax_trace *t, const char *tracefs);
/* Stop, read and count, remove the instance (also after an error). */
void dax_trace_stop(struct dax_trace *t);
/* Remove the instance, if any: safe to call twice, and from a signal handler. */
void dax_trace_remove(struct dax_trace *t);

/* One line of a trace file: counts the fs_dax fault lines in @n (the fuzz harness's entry). */
void dax_trace_line(const char *line, struct dax_faults *n);
/* The pid of a trace line's task ("comm-PID [CPU] ..."), -1 when it has none. */
long dax_trace_line_pid(const char *line);

#endif
