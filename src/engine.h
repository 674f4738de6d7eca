/* SPDX-License-Identifier: MIT */
/*
 * The pass engine and its run context.
 *
 * A run is one hardening of one template: the template (the model, which
 * knows nothing of passes), the options the user chose (parsed and checked
 * once, before any pass runs), the pass that runs now and the change log.
 * Every pass, helper and edit gets the run, as git hands `struct
 * repository` to every command, so nothing hides run state in the model
 * or in globals.
 *
 * A pass declares what it handles as data (struct cfh_pass_ops): a table
 * of {resource type, handler}, and whole-template hooks before and after.
 * The engine walks Resources, leaves out the resources the pass is
 * suppressed for (cfn-harden's own Metadata and the mapped checks of
 * cfn-lint, checkov, cfn_nag, cfn-guard and cdk-nag) and those whose
 * Properties are decided at deploy time, and calls the handlers. The edit
 * layer refuses any edit inside a resource the running pass is suppressed
 * for, so a pass cannot break a suppression even by mistake.
 *
 * Ownership: passes are static data. A run borrows its template and its
 * options; both must outlive it. Change records belong to the run.
 */
#ifndef CFH_ENGINE_H
#define CFH_ENGINE_H

#include "model.h"

#define CFH_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct cfh_run;

/*
 * A handler of a pass: called once per resource of @type that the pass may
 * change, in template order. @type is a resource type, a prefix pattern
 * ending in '*' ("AWS::Serverless::*"), or "*" for every type.
 * @st is the pass's state (NULL when it declares none).
 * Returns 0, or -1 to stop the run with an error.
 */
struct cfh_handler {
	const char *type;
	int (*fn)(struct cfh_run *r, void *st, const char *id,
		  struct cfh_node *res);
};

/*
 * What a pass does, as data. Every member may be zero.
 * @state_size: bytes of state the engine allocates zeroed for one run of
 *              the pass and hands to every hook and handler;
 * @before: whole-template work before the walk (indexing what the
 *          handlers will look up, template-level fixes);
 * @handlers: each resource goes to every handler whose type matches, in
 *            table order; the walk sees the resources as they were when
 *            it started (what the pass adds is hardened in the next round);
 * @after: whole-template work after the walk (what needs every resource
 *         seen: a dashboard, a shared topic);
 * @release: frees what the state points to; called once, always.
 */
struct cfh_pass_ops {
	size_t state_size;
	int (*before)(struct cfh_run *r, void *st);
	const struct cfh_handler *handlers;
	size_t nhandlers;
	int (*after)(struct cfh_run *r, void *st);
	void (*release)(void *st);
};

struct cfh_pass {
	const char *id;		/* kebab-case, stable: users write it */
	const char *title;
	enum cfh_severity severity;
	const char *group;	/* "security", "reliability" or
				 * "bookkeeping": --only and --skip take it */
	const char *fixes;	/* fix-catalogue IDs, space-separated */
	const char *checks;	/* checks of other tools this pass satisfies,
				 * "tool:ID" space-separated; suppressing one
				 * of them on a resource turns the pass off
				 * there */
	const char *rationale;
	const char *example;	/* before/after, for --explain */
	const struct cfh_pass_ops *ops;
};

/* The registry holds at most this many passes (a selection is a bitset). */
#define CFH_MAX_PASSES 64

/*
 * Options, parsed and validated once (cfh_opts_new()): the selected
 * passes as a set, --no-replace, and the value of every setting of
 * transforms/options.def, typed.
 */
struct cfh_optval {
	const char *s;		/* as written, or the default; static or
				 * borrowed from the struct cfh_run_opts */
	long long i;		/* CFH_OPT_INT, numeric CFH_OPT_ENUM */
	bool b;			/* CFH_OPT_BOOL */
};

struct cfh_opts {
	unsigned long long passes;	/* bit i: registry[i] runs */
	bool no_replace;
	struct cfh_optval *values;	/* one per option, table order */
};

struct cfh_run {
	struct cfh_template *t;		/* borrowed */
	const struct cfh_opts *opts;	/* borrowed */
	const struct cfh_pass *current;	/* running now, or NULL */
	struct cfh_change *changes;
	size_t nchanges, capchanges;
	json_t *advised;	/* "pass\npath\nreason" of every advisory, so
				 * that a second round says each once */
	size_t refused;		/* edits refused inside suppressed resources */
	/* cfh_template_print() of t once the passes are done, when the
	 * caller has it (borrowed, or NULL): the reports use it rather
	 * than print the template again. */
	const char *printed;
	size_t printed_len;
};

/**
 * cfh_pass_set() - the passes a comma-separated list of ids and groups names
 * @set: receives bit i for registry[i]
 * @diag: filled in (CFH_EXIT_USAGE) for an id that names no pass, so
 *        that a typo is an error rather than a silent no-op
 * Returns: 0, or -1.
 */
int cfh_pass_set(const char *list, unsigned long long *set,
		 struct cfh_diag *diag);

/* The registry index of @p. */
size_t cfh_pass_index(const struct cfh_pass *p);

/**
 * cfh_pass_skips() - is the running pass turned off for this resource?
 * @res: a resource node (the value of an entry in Resources), or NULL for
 *       the template as a whole
 *
 * Reads Metadata of the resource and of the template: cfn-harden's own
 * `skip` list (pass ids or "all"), and the suppressions of cfn-lint,
 * checkov, cfn_nag, cfn-guard and cdk-nag that name a check this pass maps
 * to. Returns: true if the pass must leave @res alone.
 */
bool cfh_pass_skips(const struct cfh_run *r, const struct cfh_node *res);

/* True if the pass @id runs in this run (--only and --skip), so that a
 * pass may prepare what a later one will use. */
bool cfh_pass_selected(const struct cfh_run *r, const char *id);

/* True if @word is one of the words of the space-separated @list (the
 * registry's fixes and checks, a pass's list of services). */
bool cfh_word_in(const char *list, const char *word);

/* True if @check ("checkov:CKV_AWS_18") is suppressed in @meta. */
bool cfh_meta_suppresses(const struct cfh_node *meta, const char *check);

void cfh_change_release(struct cfh_change *c);

#endif
