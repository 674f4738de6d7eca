/* SPDX-License-Identifier: MIT */
/*
 * Settings (transforms/options.def): validation of what the user wrote
 * and typed lookup for the passes. Values are the user's strings,
 * validated once when they are given; the last setting of a key wins.
 *
 * Ownership: everything returned is static or borrowed from the run
 * options, which outlive the run.
 */
#ifndef CFH_OPTIONS_H
#define CFH_OPTIONS_H

#include "engine.h"

enum cfh_opt_type {
	CFH_OPT_INT,
	CFH_OPT_STR,
	CFH_OPT_BOOL,
	CFH_OPT_ENUM,
};

struct cfh_option {
	const char *pass;	/* pass id or "general" */
	const char *key;
	enum cfh_opt_type type;
	const char *def;
	long long min, max;	/* CFH_OPT_INT */
	const char *choices;	/* CFH_OPT_ENUM: "a|b|c" */
	const char *doc;
};

size_t cfh_option_count(void);
const struct cfh_option *cfh_option_at(size_t i);

/* The option named "pass.key", or NULL. */
const struct cfh_option *cfh_option_find(const char *name, size_t len);

/* Fill @values (one per option, table order) from the settings, the last
 * of a key winning, defaults elsewhere; the settings are already checked
 * and must outlive @values. */
void cfh_opts_resolve(struct cfh_optval *values, const char *const *settings,
		      size_t n);
void cfh_opts_resolve_one(const struct cfh_option *o, struct cfh_optval *v);

/*
 * The value of an option for the running pass (@key "max-receive-count")
 * or of any pass ("general.profile"). The key must be in options.def.
 */
long long cfh_opt_int(const struct cfh_run *r, const char *key);
const char *cfh_opt_str(const struct cfh_run *r, const char *key);
bool cfh_opt_bool(const struct cfh_run *r, const char *key);

/*
 * True under --mode deployed (the default): the template may already run,
 * and clients the template cannot see may use what it defines. Passes
 * that change what a resource admits ask the usage model (usage.h) first.
 */
bool cfh_mode_deployed(const struct cfh_run *r);

/*
 * True when no change may replace a resource: under --mode deployed, and
 * under --no-replace in a new stack too. A replacing change then becomes
 * an advisory that names everything it would replace.
 */
bool cfh_no_replace(const struct cfh_run *r);

/*
 * True when @res is running: the stack is deployed (--mode deployed) and
 * the resource is not one the run added. A change of what such a
 * resource does (how long it keeps data, where it writes, how long it
 * may run) becomes an advisory.
 */
bool cfh_is_running(const struct cfh_run *r, const struct cfh_node *res);

#endif
