/* SPDX-License-Identifier: MIT */
/* Diagnostics on stderr, each prefixed with the program name. */
#ifndef PMEMPROBE_LOG_H
#define PMEMPROBE_LOG_H

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
