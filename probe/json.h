/* SPDX-License-Identifier: MIT */
/* Minimal JSON writing helpers. */
#ifndef PMEMPROBE_JSON_H
#define PMEMPROBE_JSON_H

#include <stdint.h>
#include <stdio.h>

/* A quoted, escaped string; NULL prints null. */
void json_str(FILE *f, const char *s);
/* "key": prefixed by a comma unless @first. */
void json_key(FILE *f, const char *key, int first);
/* An address as a "0x..." string. */
void json_hex(FILE *f, uint64_t v);

#endif
