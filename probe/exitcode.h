/* SPDX-License-Identifier: MIT */
/* pmemprobe exit codes: defined here and nowhere else. Only main() picks one. */
#ifndef PMEMPROBE_EXITCODE_H
#define PMEMPROBE_EXITCODE_H

enum exit_code {
	EXIT_PASS = 0,	       /* probe ran; --expect / --verify (if given) met */
	EXIT_EXPECT = 1,       /* verdict differs from --expect, or --verify mismatch */
	EXIT_USAGE = 2,	       /* bad option, bad size, missing argument */
	EXIT_RUNTIME = 3,      /* missing path, mmap refused, I/O error, ... */
	EXIT_UNDETERMINED = 4, /* PFNs or iomem addresses hidden (no CAP_SYS_ADMIN) */
};

#endif
