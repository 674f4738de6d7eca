/* SPDX-License-Identifier: MIT */
/*
 * cfh-edit: apply a script of edits to a template through the edit API and
 * print the result. The reprinter's golden tests use it to exercise edits
 * that no pass makes yet (and every edit shape on both formats).
 *
 *   cfh-edit TEMPLATE EDITS.json
 *
 * EDITS.json is a list of {"op": "set"|"insert"|"replace"|"append"|
 * "remove"|"add-resource", "path": JSON Pointer, "key", "after", "id",
 * "value"}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"

static int apply(struct cfh_run *r, json_t *e)
{
	struct cfh_template *t = cfh_run_template(r);
	const char *op = json_string_value(json_object_get(e, "op"));
	const char *path = json_string_value(json_object_get(e, "path"));
	const char *key = json_string_value(json_object_get(e, "key"));
	const char *after = json_string_value(json_object_get(e, "after"));
	const char *id = json_string_value(json_object_get(e, "id"));
	json_t *value = json_object_get(e, "value");
	struct cfh_node *n = path ? cfh_node_at(t, path) : NULL;

	if (value)
		json_incref(value);
	if (!op)
		return -1;
	if (!strcmp(op, "set"))
		return cfh_edit_set_take(r, n, key, value, "test", NULL);
	if (!strcmp(op, "insert"))
		return cfh_edit_insert_take(r, n, after, key, value, "test",
					    NULL);
	if (!strcmp(op, "replace"))
		return cfh_edit_replace_take(r, n, value, "test", NULL);
	if (!strcmp(op, "append"))
		return cfh_edit_append_take(r, n, value, "test", NULL);
	if (!strcmp(op, "add-resource"))
		return cfh_edit_add_resource_take(r, id, after, value, "test",
						  NULL);
	json_decref(value);
	if (!strcmp(op, "remove"))
		return n ? cfh_edit_remove_node(r, n, "test") : -1;
	return -1;
}

int main(int argc, char **argv)
{
	struct cfh_template *t = NULL;
	struct cfh_run *r = NULL;
	struct cfh_diag d;
	json_error_t jerr;
	json_t *edits = NULL, *e;
	char *src = NULL, *out = NULL;
	static const char *const settings[] = { "general.mode=new-stack" };
	struct cfh_run_opts ro = { .settings = settings, .nsettings = 1 };
	struct cfh_opts *opts = NULL;
	size_t len, i;
	int rc = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: cfh-edit TEMPLATE EDITS.json\n");
		return 2;
	}
	src = cfh_read_file(argv[1], &len, &d);
	t = src ? cfh_template_load(src, len, argv[1], &d) : NULL;
	if (!t) {
		fprintf(stderr, "%s:%d:%d: error: %s\n", argv[1], d.line,
			d.col, d.msg);
		goto out;
	}
	edits = json_load_file(argv[2], 0, &jerr);
	if (!json_is_array(edits)) {
		fprintf(stderr, "%s: bad edit script: %s\n", argv[2], jerr.text);
		goto out;
	}
	/* The reprinter's tests make every edit they ask for: a new stack,
	 * where no replacement is declined. */
	opts = cfh_opts_new(&ro, &d);
	r = opts ? cfh_run_new(t, opts) : NULL;
	if (!r)
		goto out;
	json_array_foreach(edits, i, e)
		if (apply(r, e)) {
			fprintf(stderr, "%s: edit %zu failed\n", argv[2], i);
			goto out;
		}
	out = cfh_template_print(t, &len);
	if (!out || fwrite(out, 1, len, stdout) != len)
		goto out;
	rc = 0;
out:
	free(out);
	json_decref(edits);
	cfh_run_free(r);
	cfh_opts_free(opts);
	cfh_template_free(t);
	free(src);
	return rc;
}
