/* SPDX-License-Identifier: MIT */
/*
 * Settings: the table of transforms/options.def, validation of the
 * user's "pass.key=value" strings and typed lookup for the passes.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "options.h"

static const struct cfh_option table[] = {
#define CFH_OPTION(pass, key, type, def, min, max, choices, doc) \
	{ pass, key, type, def, min, max, choices, doc },
#include "../transforms/options.def"
#undef CFH_OPTION
};

size_t cfh_option_count(void)
{
	return sizeof(table) / sizeof(table[0]);
}

const struct cfh_option *cfh_option_at(size_t i)
{
	return i < cfh_option_count() ? &table[i] : NULL;
}

const struct cfh_option *cfh_option_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < cfh_option_count(); i++) {
		size_t pl = strlen(table[i].pass);

		if (len == pl + 1 + strlen(table[i].key) &&
		    !strncmp(name, table[i].pass, pl) && name[pl] == '.' &&
		    !strncmp(name + pl + 1, table[i].key, len - pl - 1))
			return &table[i];
	}
	return NULL;
}

static bool parse_int(const char *v, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(v, &end, 10);
	return *v && !*end && !errno;
}

/* True if @v is a boolean word; its value goes to @out. */
static bool parse_bool(const char *v, bool *out)
{
	*out = !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on");
	return *out || !strcmp(v, "false") || !strcmp(v, "no") ||
	       !strcmp(v, "off");
}

static bool choice_ok(const char *choices, const char *v)
{
	size_t n = strlen(v);
	const char *c = choices;

	while (c) {
		if (!strncmp(c, v, n) && (c[n] == '|' || !c[n]))
			return true;
		c = strchr(c, '|');
		c = c ? c + 1 : NULL;
	}
	return false;
}

int cfh_setting_check(const char *setting, char *err, size_t errlen)
{
	const char *eq = strchr(setting, '=');
	const struct cfh_option *o;
	const char *v;
	long long n;
	bool b;

	if (!eq) {
		snprintf(err, errlen, "setting '%s' is not PASS.KEY=VALUE",
			 setting);
		return -1;
	}
	o = cfh_option_find(setting, (size_t)(eq - setting));
	if (!o) {
		snprintf(err, errlen, "unknown setting '%.*s' (see --explain "
			 "PASS for the settings of a pass)",
			 (int)(eq - setting), setting);
		return -1;
	}
	v = eq + 1;
	switch (o->type) {
	case CFH_OPT_INT:
		if (parse_int(v, &n) && n >= o->min && n <= o->max)
			return 0;
		snprintf(err, errlen, "%s.%s must be a whole number from %lld "
			 "to %lld, not '%s'", o->pass, o->key, o->min, o->max,
			 v);
		return -1;
	case CFH_OPT_BOOL:
		if (parse_bool(v, &b))
			return 0;
		snprintf(err, errlen, "%s.%s must be true or false, not '%s'",
			 o->pass, o->key, v);
		return -1;
	case CFH_OPT_ENUM:
		if (choice_ok(o->choices, v))
			return 0;
		snprintf(err, errlen, "%s.%s must be one of %s, not '%s'",
			 o->pass, o->key, o->choices, v);
		return -1;
	case CFH_OPT_STR:
		break;
	}
	return 0;
}

/* Enumerations of numbers (log retention) read as numbers too. */
static void typed(struct cfh_optval *v)
{
	long long num;

	v->i = parse_int(v->s, &num) ? num : 0;
	parse_bool(v->s, &v->b);	/* false unless a true word */
}

void cfh_opts_resolve_one(const struct cfh_option *o, struct cfh_optval *v)
{
	v->s = o->def;
	typed(v);
}

void cfh_opts_resolve(struct cfh_optval *values, const char *const *settings,
		      size_t n)
{
	size_t i;

	for (i = 0; i < cfh_option_count(); i++)
		cfh_opts_resolve_one(&table[i], &values[i]);
	/* In order: the last setting of a key wins. */
	for (i = 0; i < n; i++) {
		const char *eq = strchr(settings[i], '=');
		const struct cfh_option *o =
			eq ? cfh_option_find(settings[i],
					     (size_t)(eq - settings[i]))
			   : NULL;

		if (o) {
			values[o - table].s = eq + 1;
			typed(&values[o - table]);
		}
	}
}

/* The value of @key for the running pass ("max-receive-count") or of any
 * pass ("general.profile"): the user's, else the default. */
static const struct cfh_optval *value_of(const struct cfh_run *r,
					 const char *key,
					 struct cfh_optval *def)
{
	char name[128];
	const struct cfh_option *o;

	if (strchr(key, '.'))
		snprintf(name, sizeof(name), "%s", key);
	else
		snprintf(name, sizeof(name), "%s.%s",
			 r->current ? r->current->id : "general", key);
	o = cfh_option_find(name, strlen(name));
	assert(o && "every option a pass reads is in options.def");
	if (r->opts)
		return &r->opts->values[o - table];
	cfh_opts_resolve_one(o, def);
	return def;
}

long long cfh_opt_int(const struct cfh_run *r, const char *key)
{
	struct cfh_optval def;

	return value_of(r, key, &def)->i;
}

const char *cfh_opt_str(const struct cfh_run *r, const char *key)
{
	struct cfh_optval def;

	return value_of(r, key, &def)->s;
}

bool cfh_opt_bool(const struct cfh_run *r, const char *key)
{
	struct cfh_optval def;

	return value_of(r, key, &def)->b;
}

bool cfh_mode_deployed(const struct cfh_run *r)
{
	return !strcmp(cfh_opt_str(r, "general.mode"), "deployed");
}

bool cfh_no_replace(const struct cfh_run *r)
{
	return (r->opts && r->opts->no_replace) || cfh_mode_deployed(r);
}

bool cfh_is_running(const struct cfh_run *r, const struct cfh_node *res)
{
	return cfh_mode_deployed(r) && res && !(res->flags & CFH_NF_NEW);
}
