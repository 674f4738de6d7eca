/* SPDX-License-Identifier: MIT */
/*
 * Helpers the unit tests share; see testlib.h.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

struct cfh_template *test_load_n(const char *src, size_t len,
				 struct cfh_diag *d)
{
	return cfh_template_load(src, len, "test.yaml", d);
}

struct cfh_template *test_load(const char *src)
{
	struct cfh_diag d;
	struct cfh_template *t = test_load_n(src, strlen(src), &d);

	ck_assert_msg(t != NULL, "load failed: %d:%d: %s", d.line, d.col,
		      d.msg);
	return t;
}

struct cfh_node *test_at(const struct cfh_template *t, const char *ptr)
{
	struct cfh_node *n = cfh_node_at(t, ptr);

	ck_assert_msg(n != NULL, "no node at '%s'", ptr);
	return n;
}

void test_assert_json(const struct cfh_node *n, const char *want)
{
	json_error_t err;
	json_t *w = json_loads(want, JSON_DECODE_ANY, &err);
	json_t *j = cfh_node_to_json(n);
	char *got;

	ck_assert_msg(w != NULL, "bad expectation '%s': %s", want, err.text);
	ck_assert_ptr_nonnull(j);
	got = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	ck_assert_msg(json_equal(j, w), "got %s, want %s", got, want);
	free(got);
	json_decref(j);
	json_decref(w);
}

int test_harden(struct cfh_template *t, const struct cfh_run_opts *o,
		struct cfh_diag *d, struct cfh_run **rp)
{
	struct cfh_opts *opts = cfh_opts_new(o, d);
	struct cfh_run *r;
	int rc;

	*rp = NULL;
	if (!opts)
		return -1;
	r = cfh_run_new(t, opts);
	ck_assert_ptr_nonnull(r);
	rc = cfh_run_harden(r, d);
	/* The run borrows the options: the tests read only its log after. */
	r->opts = NULL;
	cfh_opts_free(opts);
	*rp = r;
	return rc;
}
