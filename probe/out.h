/* SPDX-License-Identifier: MIT */
/* Output formats: text (people), json (scripts, one object per run), tap (harnesses). */
#ifndef PMEMPROBE_OUT_H
#define PMEMPROBE_OUT_H

#include <stdio.h>

#include "report.h"
#include "survey.h"

/* The Makefile passes -DPMEMLAB_VERSION from the VERSION file. */
#ifndef PMEMLAB_VERSION
#define PMEMLAB_VERSION "unknown"
#endif
#define PMEMPROBE_VERSION PMEMLAB_VERSION

enum format {
	FORMAT_TEXT,
	FORMAT_JSON,
	FORMAT_TAP,
};

void out_text(FILE *f, const struct report *r);
void out_json(FILE *f, const struct report *r);
void out_tap(FILE *f, const struct report *r);

/* The --pages table; every line starts with @prefix ("" or "# " for TAP). */
void out_page_table(FILE *f, const struct report *r, const char *prefix);

void out_survey_text(FILE *f, const struct survey *s);
void out_survey_json(FILE *f, const struct survey *s);

#endif
