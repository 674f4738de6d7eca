/* SPDX-License-Identifier: MIT */
/*
 * The pieces of the reports that a batch run assembles from many
 * templates: the JSON report object of one template, the SARIF results of
 * one template and the SARIF log around them, the JUnit testsuite of one
 * template and the document around them, and the unified diff.
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

/**
 * cfh_sarif_results() - the SARIF results of one template
 * @name: the template's path, the results' artifact URI
 *
 * One result per finding (a pass on one resource), located at the
 * resource's line in the input, with the finding's part of the diff as a
 * fix; advisories are results of kind "review".
 * Returns: a new array; NULL when out of memory.
 */
json_t *cfh_sarif_results(struct cfh_run *r, const char *name);

/**
 * cfh_sarif_texts() - a batch's SARIF results of one template as text
 * @name: the template's URI in the log (not NULL)
 *
 * Returns: [[uri, text], ...], each result's text as cfh_json_dump_at()
 * gives cfh_sarif_results()'s at depth 4, the same bytes, written without
 * building them; NULL when out of memory.
 */
json_t *cfh_sarif_texts(struct cfh_run *r, const char *name);

/**
 * cfh_sarif_log_take() - a SARIF 2.1.0 log around @results
 * @results: the results of one or more templates, in order (taken)
 *
 * One run with the rules of every pass, or, past the 25,000 results GitHub
 * code scanning takes in one run, several, each with whole templates and
 * an automationDetails.id of its own.
 * Returns: a new log; NULL when out of memory.
 */
json_t *cfh_sarif_log_take(json_t *results);

/*
 * For a batch that writes its SARIF log as templates finish: GitHub code
 * scanning takes at most CFH_SARIF_RUN_RESULTS results in a run and
 * CFH_SARIF_RUNS runs in a log; the log and a run with no results yet
 * (new values, NULL when out of memory; @category as
 * cfh_sarif_log_take() gives it, or NULL), and the artifact URI of a
 * result (borrowed, NULL if none), by which results are grouped.
 */
#define CFH_SARIF_RUN_RESULTS 25000
#define CFH_SARIF_RUNS 20
json_t *cfh_sarif_log_empty(void);
json_t *cfh_sarif_run_empty(const char *category);
const char *cfh_sarif_uri(const json_t *res);

/*
 * A JUnit XML report is CFH_JUNIT_HEAD, the testsuite of each template in
 * order, and CFH_JUNIT_TAIL; the root element has no counts, so that the
 * suites can be written as they come.
 */
#define CFH_JUNIT_HEAD \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"cfn-harden\">\n"
#define CFH_JUNIT_TAIL "</testsuites>\n"

/**
 * cfh_junit_suite() - the JUnit testsuite element of one template
 * @name: the template's path, the suite's name
 *
 * One testcase per finding: a failure for changes, skipped for
 * advisories; one passing testcase when there is no finding.
 * Returns: the XML text, indented for its place in the document and
 * ending in a newline (caller frees); NULL when out of memory.
 */
char *cfh_junit_suite(struct cfh_run *r, const char *name);

/* @v as indented JSON text ending in a newline; NULL when out of memory. */
char *cfh_json_dump_take(json_t *v);

/* @v as indented JSON text (no final newline) for its place @depth levels
 * down in a document that is written in pieces: every line after the
 * first indented by 2 * @depth spaces, as json_dumps() would indent it
 * there. The caller frees; NULL when out of memory. */
char *cfh_json_dump_at(const json_t *v, unsigned depth);

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
