/* SPDX-License-Identifier: MIT */
/*
 * What the command does, behind src/main.c's option parsing: load, harden,
 * write the template and the report, and turn failures into one line on
 * stderr and an exit code. Outputs are written only after everything
 * succeeded, and atomically, so bad input never leaves a partial file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "options.h"

static int fail(const char *file, const struct cfh_diag *d)
{
	if (d->line > 0)
		fprintf(stderr, "%s:%d:%d: error: %s\n", file, d->line, d->col,
			d->msg);
	else
		fprintf(stderr, "%s: error: %s\n", file, d->msg);
	return d->code ? (int)d->code : CFH_EXIT_INTERNAL;
}

static int oom(void)
{
	fprintf(stderr, "cfn-harden: error: out of memory\n");
	return CFH_EXIT_INTERNAL;
}

static int write_out(const char *path, const char *data, size_t len)
{
	struct cfh_diag d;

	if (path && strcmp(path, "-"))
		return cfh_write_file(path, data, len, &d) ? fail(path, &d) : 0;
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout)) {
		fprintf(stderr, "cfn-harden: error: cannot write the output\n");
		return CFH_EXIT_IO;
	}
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static enum cfh_report_format report_format(const struct cfh_cli *cli)
{
	if (cli->report_format)
		return strcmp(cli->report_format, "md") ? CFH_REPORT_JSON
							: CFH_REPORT_MD;
	return ends_with(cli->report, ".md") ? CFH_REPORT_MD : CFH_REPORT_JSON;
}

int cfh_cli_run(const struct cfh_cli *cli)
{
	const char *name = strcmp(cli->input, "-") ? cli->input : "<stdin>";
	struct cfh_template *t = NULL;
	struct cfh_diag d;
	char *src = NULL, *out = NULL, *rep = NULL;
	size_t len, outlen = 0, i, changes = 0;
	int rc;

	src = cfh_read_file(cli->input, &len, &d);
	if (!src) {
		rc = fail(name, &d);
		goto out;
	}
	t = cfh_template_load(src, len, name, &d);
	if (!t) {
		rc = fail(name, &d);
		goto out;
	}
	if (cfh_template_harden(t, &cli->run, &d)) {
		rc = fail(d.code == CFH_EXIT_USAGE ? "cfn-harden" : name, &d);
		goto out;
	}
	for (i = 0; i < cfh_template_change_count(t); i++)
		changes += cfh_template_change_at(t, i)->op != CFH_OP_ADVISORY;
	if (cli->check) {
		rc = changes ? CFH_EXIT_CHANGES : CFH_EXIT_OK;
		if (changes)
			fprintf(stderr, "%s: %zu change%s needed\n", name,
				changes, changes == 1 ? "" : "s");
		goto out;
	}
	if (cli->to)
		out = cfh_template_convert(t, strcmp(cli->to, "json")
						      ? CFH_FORMAT_YAML
						      : CFH_FORMAT_JSON,
					   &outlen);
	else
		out = cfh_template_print(t, &outlen);
	if (!out) {
		rc = oom();
		goto out;
	}
	if (cli->report) {
		rep = cfh_report(t, report_format(cli), name);
		if (!rep) {
			rc = oom();
			goto out;
		}
	}
	/* Everything is rendered: only now touch the file system. The
	 * report goes first, so that a report that cannot be written leaves
	 * no output behind; and a report of an output that could not be
	 * written is taken back. */
	rc = rep ? write_out(cli->report, rep, strlen(rep)) : 0;
	if (!rc) {
		rc = write_out(cli->output, out, outlen);
		if (rc && rep && strcmp(cli->report, "-"))
			unlink(cli->report);
	}
out:
	free(rep);
	free(out);
	cfh_template_free(t);
	free(src);
	return rc;
}

int cfh_cli_list_passes(void)
{
	size_t i;

	printf("# id\tseverity\tfixes\ttitle\n");
	for (i = 0; i < cfh_pass_count(); i++) {
		const struct cfh_pass *p = cfh_pass_at(i);

		printf("%s\t%s\t%s\t%s\n", p->id, cfh_severity_name(p->severity),
		       p->fixes, p->title);
	}
	return CFH_EXIT_OK;
}

static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

static void print_setting(const struct cfh_option *o)
{
	printf("%s.%s (default %s", o->pass, o->key, o->def);
	if (o->type == CFH_OPT_INT)
		printf("; %lld to %lld", o->min, o->max);
	else if (o->type == CFH_OPT_ENUM)
		printf("; %s", o->choices);
	printf(")\n    %s\n", o->doc);
}

static void explain_pass(const struct cfh_pass *p)
{
	size_t i, n = 0;

	printf("%s: %s\n\nseverity: %s\nfixes: %s\nsatisfies: %s\n\n%s\n\n%s\n",
	       p->id, p->title, cfh_severity_name(p->severity), p->fixes,
	       p->checks, p->rationale, p->example);
	for (i = 0; i < cfh_option_count(); i++) {
		const struct cfh_option *o = cfh_option_at(i);

		if (strcmp(o->pass, p->id))
			continue;
		if (!n++)
			printf("\nsettings:\n");
		print_setting(o);
	}
}

int cfh_cli_list_settings(void)
{
	size_t i;

	for (i = 0; i < cfh_option_count(); i++)
		print_setting(cfh_option_at(i));
	return CFH_EXIT_OK;
}

int cfh_cli_explain(const char *id)
{
	const struct cfh_pass *p = cfh_pass_find(id);
	size_t i, found = 0;

	if (p) {
		explain_pass(p);
		return CFH_EXIT_OK;
	}
	for (i = 0; i < cfh_pass_count(); i++) {
		p = cfh_pass_at(i);
		if (word_in(p->fixes, id) || word_in(p->checks, id)) {
			if (found++)
				printf("\n");
			explain_pass(p);
		}
	}
	if (found)
		return CFH_EXIT_OK;
	fprintf(stderr, "cfn-harden: error: no pass or fix-catalogue ID '%s' "
			"(see --list-passes)\n", id);
	return CFH_EXIT_USAGE;
}
