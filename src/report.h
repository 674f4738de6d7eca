/* SPDX-License-Identifier: MIT */
/*
 * The pieces of the reports that a batch run assembles from many
 * templates: the JSON report object of one template, the SARIF results of
 * one template and the SARIF log around them, and the unified diff.
 *
 * Ownership: json_t values returned are new references; _take functions
 * take the reference they are given; char * results are the caller's.
 */
#ifndef CFH_REPORT_H
#define CFH_REPORT_H

#include "engine.h"

/* The JSON report of one template (the object --report json writes). */
json_t *cfh_report_value(struct cfh_run *r, const char *name);

/*
 * Every resource the run's changes replace, once, with the chain that
 * replaces it: [{"resource", "chain": [IDs], "because": sentence}]; NULL
 * when out of memory. The JSON report's "replaced".
 */
json_t *cfh_report_replaced(const struct cfh_run *r);

/* The SARIF results of one template, and a SARIF 2.1.0 log with one run
 * holding @results and the rules of every pass. */
json_t *cfh_sarif_results(struct cfh_run *r, const char *name);
json_t *cfh_sarif_log_take(json_t *results);

/* @v as indented JSON text ending in a newline; NULL when out of memory. */
char *cfh_json_dump_take(json_t *v);

/**
 * cfh_diff() - a unified diff of two texts, three lines of context
 * @name: the file name for the --- and +++ lines (a/ and b/ prefixed)
 *
 * Lines are compared byte for byte (a CR stays part of its line); a last
 * line without a newline is marked as diff(1) does.
 * Returns: the diff, "" when the texts are equal; NULL when out of memory.
 */
char *cfh_diff(const char *a, size_t alen, const char *b, size_t blen,
	       const char *name);

#endif
