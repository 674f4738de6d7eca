/* SPDX-License-Identifier: MIT */
/*
 * The configuration file (.cfn-harden.yaml), read with the template loader
 * so that every mistake in it is reported at its line and column.
 */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "engine.h"

static int bad(struct cfh_diag *d, const struct cfh_node *at,
	       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int bad(struct cfh_diag *d, const struct cfh_node *at,
	       const char *fmt, ...)
{
	va_list ap;

	d->code = CFH_EXIT_USAGE;
	d->line = at ? at->line : 0;
	d->col = at ? at->col : 0;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static const char *scalar(const struct cfh_node *n)
{
	n = cfh_node_deref(n);
	return n && n->kind == CFH_SCALAR && n->stype != CFH_T_NULL ? n->text
								    : NULL;
}

static int push(char ***v, size_t *n, char *s)
{
	char **r = s ? realloc(*v, (*n + 1) * sizeof(**v)) : NULL;

	if (!r) {
		free(s);
		return -1;
	}
	r[(*n)++] = s;
	*v = r;
	return 0;
}

/* A list of pass ids, as a YAML list or one comma-separated string. */
static int pass_list(const struct cfh_node *n, char **out, struct cfh_diag *d)
{
	unsigned long long set;
	struct cfh_diag pd;
	struct cfh_buf b;
	const struct cfh_entry *e;
	const char *s;

	n = cfh_node_deref(n);
	cfh_buf_init(&b);
	if (scalar(n)) {
		cfh_buf_adds(&b, scalar(n));
	} else if (n->kind == CFH_SEQ) {
		cfh_for_each_entry(n, e) {
			s = scalar(e->value);
			if (!s) {
				cfh_buf_release(&b);
				return bad(d, e->value, "expected a pass id");
			}
			cfh_buf_addf(&b, "%s%s", b.len ? "," : "", s);
		}
	} else {
		cfh_buf_release(&b);
		return bad(d, n, "expected a list of pass ids");
	}
	*out = cfh_buf_steal(&b, NULL);
	if (!*out)
		return -1;
	/* Every id must be a pass: the engine's own parser says which. */
	if (cfh_pass_set(*out, &set, &pd))
		return bad(d, n, "%s", pd.msg);
	return 0;
}

static int settings(struct cfh_config *c, const struct cfh_node *n,
		    struct cfh_diag *d)
{
	const struct cfh_entry *pe, *ke;
	char buf[512], err[256];

	n = cfh_node_deref(n);
	if (n->kind != CFH_MAP)
		return bad(d, n, "'settings' must map pass ids to settings");
	cfh_for_each_entry(n, pe) {
		const struct cfh_node *keys = cfh_node_deref(pe->value);

		if (keys->kind != CFH_MAP)
			return bad(d, pe->value,
				   "settings of '%s' must be a mapping",
				   pe->key->text);
		cfh_for_each_entry(keys, ke) {
			const char *v = scalar(ke->value);

			if (!v)
				return bad(d, ke->value, "expected a value");
			snprintf(buf, sizeof(buf), "%s.%s=%s", pe->key->text,
				 ke->key->text, v);
			if (cfh_setting_check(buf, err, sizeof(err)))
				return bad(d, ke->key, "%s", err);
			if (push(&c->settings, &c->nsettings, strdup(buf)))
				return -1;
		}
	}
	return 0;
}

static int parse(struct cfh_config *c, const struct cfh_node *root,
		 struct cfh_diag *d)
{
	const struct cfh_entry *e, *g;
	char buf[128], err[256];

	root = cfh_node_deref(root);
	if (root->kind == CFH_SCALAR && root->stype == CFH_T_NULL)
		return 0;	/* an empty file: all defaults */
	if (root->kind != CFH_MAP)
		return bad(d, root, "the configuration must be a mapping");
	cfh_for_each_entry(root, e) {
		const char *k = e->key->text;
		const struct cfh_node *v = cfh_node_deref(e->value);

		if (!strcmp(k, "only") || !strcmp(k, "skip")) {
			if (pass_list(v, !strcmp(k, "only") ? &c->only : &c->skip,
				      d))
				return -1;
		} else if (!strcmp(k, "profile") || !strcmp(k, "mode")) {
			snprintf(buf, sizeof(buf), "general.%s=%s", k,
				 scalar(v) ? scalar(v) : "");
			if (cfh_setting_check(buf, err, sizeof(err)))
				return bad(d, v, "%s", err);
			if (push(&c->settings, &c->nsettings, strdup(buf)))
				return -1;
		} else if (!strcmp(k, "no-replace")) {
			if (v->kind != CFH_SCALAR || v->stype != CFH_T_BOOL)
				return bad(d, v, "'no-replace' must be true "
					   "or false");
			c->no_replace = !strcmp(v->text, "true");
		} else if (!strcmp(k, "settings")) {
			if (settings(c, v, d))
				return -1;
		} else if (!strcmp(k, "exclude")) {
			if (v->kind != CFH_SEQ)
				return bad(d, v, "'exclude' must be a list "
					   "of globs");
			cfh_for_each_entry(v, g) {
				if (!scalar(g->value))
					return bad(d, g->value,
						   "expected a glob");
				if (push(&c->exclude, &c->nexclude,
					 strdup(scalar(g->value))))
					return -1;
			}
		} else {
			return bad(d, e->key, "unknown key '%s' (expected "
				   "only, skip, profile, mode, no-replace, "
				   "settings "
				   "or exclude)", k);
		}
	}
	return 0;
}

struct cfh_config *cfh_config_load(const char *path, struct cfh_diag *d)
{
	struct cfh_config *c = calloc(1, sizeof(*c));
	struct cfh_template *t = NULL;
	char *src = NULL, *slash;
	size_t len;

	memset(d, 0, sizeof(*d));
	if (!c)
		goto oom;
	c->path = strdup(path);
	c->dir = strdup(path);
	if (!c->path || !c->dir)
		goto oom;
	slash = strrchr(c->dir, '/');
	if (slash)
		slash[slash == c->dir] = '\0';
	else
		strcpy(c->dir, ".");
	src = cfh_read_file(path, &len, d);
	if (!src)
		goto fail;
	t = cfh_yaml_load(src, len, path, d);
	if (!t) {
		/* A configuration that is not YAML is a configuration
		 * error (exit 2), whatever the loader calls it. */
		if (d->code == CFH_EXIT_INPUT)
			d->code = CFH_EXIT_USAGE;
		goto fail;
	}
	if (parse(c, t->root, d)) {
		if (!d->code)
			goto oom;
		goto fail;
	}
	free(src);
	cfh_template_free(t);
	return c;
oom:
	d->code = CFH_EXIT_INTERNAL;
	snprintf(d->msg, sizeof(d->msg), "out of memory");
fail:
	free(src);
	cfh_template_free(t);
	cfh_config_free(c);
	return NULL;
}

void cfh_config_free(struct cfh_config *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nsettings; i++)
		free(c->settings[i]);
	for (i = 0; i < c->nexclude; i++)
		free(c->exclude[i]);
	free(c->settings);
	free(c->exclude);
	free(c->merged);
	free(c->merged_skip);
	free(c->only);
	free(c->skip);
	free(c->dir);
	free(c->path);
	free(c);
}

char *cfh_config_find(const char *template)
{
	char *copy = strdup(template), *slash, *dir, *path = NULL;
	struct stat st;

	if (!copy)
		return NULL;
	slash = strrchr(copy, '/');
	if (slash)
		slash[slash == copy] = '\0';
	else
		strcpy(copy, ".");
	dir = realpath(copy, NULL);
	free(copy);
	/* Up to the root: the nearest file wins, as git finds .gitignore. */
	while (dir) {
		path = malloc(strlen(dir) + sizeof(CFH_CONFIG_NAME) + 2);
		if (!path)
			break;
		sprintf(path, "%s/%s", strcmp(dir, "/") ? dir : "",
			CFH_CONFIG_NAME);
		if (!stat(path, &st) && S_ISREG(st.st_mode))
			break;
		free(path);
		path = NULL;
		if (!strcmp(dir, "/"))
			break;
		slash = strrchr(dir, '/');
		slash[slash == dir] = '\0';
	}
	free(dir);
	return path;
}

bool cfh_config_excludes(const struct cfh_config *c, const char *path)
{
	char *dir = realpath(c->dir, NULL), *full = realpath(path, NULL);
	const char *rel = path, *base = strrchr(path, '/');
	size_t dl = dir ? strlen(dir) : 0, i;
	bool hit = false;

	base = base ? base + 1 : path;
	if (dir && full && !strncmp(full, dir, dl) && full[dl] == '/')
		rel = full + dl + 1;
	for (i = 0; i < c->nexclude && !hit; i++)
		hit = !fnmatch(c->exclude[i], rel, 0) ||
		      !fnmatch(c->exclude[i], base, 0);
	free(dir);
	free(full);
	return hit;
}

int cfh_config_run(struct cfh_config *c, const struct cfh_run_opts *cli,
		   struct cfh_run_opts *out)
{
	size_t i, n = 0;

	*out = *cli;
	if (!c)
		return 0;
	free(c->merged);
	free(c->merged_skip);
	c->merged_skip = NULL;
	c->merged = malloc((c->nsettings + cli->nsettings + 1) *
			   sizeof(*c->merged));
	if (!c->merged)
		return -1;
	for (i = 0; i < c->nsettings; i++)
		c->merged[n++] = c->settings[i];
	for (i = 0; i < cli->nsettings; i++)
		c->merged[n++] = cli->settings[i];
	out->settings = c->merged;
	out->nsettings = n;
	if (!cli->only)
		out->only = c->only;
	if (c->skip && cli->skip) {
		size_t len = strlen(c->skip) + strlen(cli->skip) + 2;

		c->merged_skip = malloc(len);
		if (!c->merged_skip)
			return -1;
		snprintf(c->merged_skip, len, "%s,%s", c->skip, cli->skip);
		out->skip = c->merged_skip;
	} else if (c->skip) {
		out->skip = c->skip;
	}
	out->no_replace = cli->no_replace || c->no_replace;
	return 0;
}
