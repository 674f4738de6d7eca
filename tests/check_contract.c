/* SPDX-License-Identifier: MIT */
/*
 * The pass contract, over every golden input (which between them give
 * every pass work to do): a resource suppressed for a pass is never
 * edited by it, and no pass even tries (the edit layer counts the edits
 * it refuses inside suppressed resources).
 *
 * For each input and each pass P, every resource that has no Metadata gets
 * `Metadata: {cfn-harden: {skip: [P]}}`; then P runs alone. No change of
 * P may lie in one of those resources.
 */
#include <check.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "passlib.h"
#include "suites.h"
#include "testlib.h"

/* The input with every resource that has no Metadata suppressed for
 * @pass; the list of those resources goes to @ids (strings of the
 * returned template). NULL when the input is not a template. */
static struct cfh_template *suppressed(const char *src, size_t len,
				       const char *name, const char *pass,
				       const char ***ids, size_t *n)
{
	struct cfh_diag d;
	struct cfh_template *t = cfh_template_load(src, len, name, &d), *u;
	struct cfh_run *r;
	const struct cfh_node *res;
	const struct cfh_entry *e;
	char *text;
	size_t tlen;

	*ids = NULL;
	*n = 0;
	if (!t)
		return NULL;
	r = cfh_run_new(t, NULL);
	ck_assert_ptr_nonnull(r);
	res = cfh_node_deref(cfh_template_section(t, "Resources"));
	cfh_for_each_entry(res, e) {
		struct cfh_node *v = e->value;

		/* An alias is another resource's node: leave it. */
		if (v->kind != CFH_MAP || cfh_map_get(v, "Metadata"))
			continue;
		ck_assert_int_eq(cfh_edit_set_take(r, v, "Metadata",
						   json_pack("{s:{s:[s]}}",
							     "cfn-harden",
							     "skip", pass),
						   "test", NULL),
				 0);
	}
	text = cfh_template_print(t, &tlen);
	ck_assert_ptr_nonnull(text);
	cfh_run_free(r);
	cfh_template_free(t);
	u = cfh_template_load(text, tlen, name, &d);
	free(text);
	ck_assert_msg(u != NULL, "%s: suppressed input does not load: %s",
		      name, d.msg);
	res = cfh_node_deref(cfh_template_section(u, "Resources"));
	cfh_for_each_entry(res, e) {
		const struct cfh_node *skip = cfh_map_path(
			e->value, "Metadata", "cfn-harden", "skip", NULL);

		if (cfh_node_str_eq(cfh_seq_at(skip, 0), pass)) {
			*ids = realloc(*ids, (*n + 1) * sizeof(**ids));
			ck_assert_ptr_nonnull(*ids);
			(*ids)[(*n)++] = e->key->text;
		}
	}
	return u;
}

START_TEST(test_suppressed_never_edited)
{
	glob_t g;
	size_t i, k, runs = 0, checked = 0;

	ck_assert_int_eq(glob("tests/golden/*/*/input.*", 0, NULL, &g), 0);
	ck_assert_uint_gt(g.gl_pathc, 100);
	for (i = 0; i < g.gl_pathc; i++) {
		struct cfh_diag d;
		size_t len;
		char *src = cfh_read_file(g.gl_pathv[i], &len, &d);

		ck_assert_ptr_nonnull(src);
		for (k = 0; k < cfh_pass_count(); k++) {
			const char *pass = cfh_pass_id(cfh_pass_at(k));
			struct cfh_run_opts ro = { .only = pass };
			const char **ids;
			size_t n, c;
			struct cfh_template *t = suppressed(src, len,
							    g.gl_pathv[i],
							    pass, &ids, &n);
			struct cfh_run *r;

			if (!t)
				break;	/* a bad-input case */
			ck_assert_msg(!test_harden(t, &ro, &d, &r), "%s: %s",
				      g.gl_pathv[i], d.msg);
			runs++;
			for (c = 0; c < cfh_run_change_count(r); c++) {
				const struct cfh_change *ch =
					cfh_run_change_at(r, c);

				checked++;
				ck_assert_msg(!ch->resource ||
						      !cfh_strlist_has(ids, n, ch->resource),
					      "%s: pass '%s' edited '%s', "
					      "suppressed for it (%s)",
					      g.gl_pathv[i], pass, ch->resource,
					      ch->path);
			}
			ck_assert_msg(r->refused == 0,
				      "%s: pass '%s' tried %zu edits inside "
				      "resources suppressed for it",
				      g.gl_pathv[i], pass, r->refused);
			cfh_run_free(r);
			free(ids);
			cfh_template_free(t);
		}
		free(src);
	}
	globfree(&g);
	/* The test saw work: the passes still change what is not
	 * suppressed (outputs, parameters, the resources they add). */
	ck_assert_uint_gt(runs, 1000);
	ck_assert_uint_gt(checked, 0);
}
END_TEST

Suite *contract_suite(void)
{
	Suite *s = suite_create("contract");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_suppressed_never_edited);
	suite_add_tcase(s, tc);
	return s;
}
