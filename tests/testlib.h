/* SPDX-License-Identifier: MIT */
/*
 * Helpers the unit tests share: a template from a string, the node at a
 * JSON Pointer, a node's JSON form compared with the JSON text a test
 * expects, and a whole run of the passes. One copy, so that every
 * check_<area>.c loads and compares the same way.
 *
 * Ownership: test_load() and test_load_n() return a template the test
 * frees with cfh_template_free(); test_at() returns a node borrowed from
 * its template; test_harden() returns its run through @rp, freed with
 * cfh_run_free(). Helpers named for what must hold (test_load(),
 * test_at(), test_assert_json()) fail the test rather than return NULL.
 */
#ifndef CFH_TESTLIB_H
#define CFH_TESTLIB_H

#include <stddef.h>

#include "engine.h"

/**
 * test_load_n() - load @len bytes of @src as the template "test.yaml"
 * @d: receives the diagnostic of a refusal
 * Returns: the template, or NULL when the loader refuses @src.
 */
struct cfh_template *test_load_n(const char *src, size_t len,
				 struct cfh_diag *d);

/**
 * test_load() - load the string @src, which must load
 * Returns: the template; a refusal fails the test with its diagnostic.
 */
struct cfh_template *test_load(const char *src);

/**
 * test_at() - the node at JSON Pointer @ptr, which must exist
 * Returns: the node, borrowed from @t.
 */
struct cfh_node *test_at(const struct cfh_template *t, const char *ptr);

/**
 * test_assert_json() - fail unless @n's JSON form equals the JSON text
 * @want (any JSON value; key order does not count)
 */
void test_assert_json(const struct cfh_node *n, const char *want);

/**
 * test_harden() - parse the options @o and run the passes over @t
 * @d: receives the diagnostic of a refusal or an error
 * @rp: receives the run (NULL when the options were refused); it borrows
 *      nothing afterwards: the tests read only its log
 * Returns: cfh_run_harden()'s result, or -1 when @o was refused.
 */
int test_harden(struct cfh_template *t, const struct cfh_run_opts *o,
		struct cfh_diag *d, struct cfh_run **rp);

#endif
