/* SPDX-License-Identifier: MIT */
/* pmemprobe --serve: one process that stays up and runs each probe asked
 * of it in a child forked from itself, so a probe skips the dynamic
 * linking of libpmem and the libraries it pulls in (docs/PROBE.md). */
#ifndef PMEMPROBE_SERVE_H
#define PMEMPROBE_SERVE_H

#include <stdio.h>

/* What one request runs: pmemprobe's main without --serve. */
typedef int (*serve_fn)(int argc, char **argv);

/* Reads requests from @in until end of file, answers each on @out.
 * A request is one line of tab-separated fields: OUT, ERR, then the
 * probe's arguments (no tab or newline inside a field). The child writes
 * its standard output to the file OUT and its standard error to ERR
 * (each created or truncated). The answer is one line: the child's exit
 * status, or 128 + the signal that ended it. Returns the exit code. */
int serve(FILE *in, FILE *out, serve_fn run);

/* The line written once at start, before any request is read: a client
 * waits for it to know the server is up. */
#define SERVE_READY "pmemprobe serve 1"

#endif
