/* SPDX-License-Identifier: MIT */
/*
 * The informational commands: --list-passes, --explain, --list-settings.
 * The work itself (cfh_cli_run) is in src/run.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "options.h"

int cfh_cli_list_passes(void)
{
	size_t i;

	printf("# id\tseverity\tgroup\tfixes\ttitle\n");
	for (i = 0; i < cfh_pass_count(); i++) {
		const struct cfh_pass *p = cfh_pass_at(i);

		printf("%s\t%s\t%s\t%s\t%s\n", p->id,
		       cfh_severity_name(p->severity), p->group, p->fixes,
		       p->title);
	}
	return CFH_EXIT_OK;
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
		if (cfh_word_in(p->fixes, id) || cfh_word_in(p->checks, id)) {
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
