/* SPDX-License-Identifier: MIT */
/*
 * The pass engine: the registry (transforms/passes.def), selection with
 * --only and --skip, and suppressions written in the template.
 *
 * Ownership: passes are static data; nothing here allocates for callers.
 */
#ifndef CFH_ENGINE_H
#define CFH_ENGINE_H

#include "model.h"

struct cfh_pass {
	const char *id;		/* kebab-case, stable: users write it */
	const char *title;
	enum cfh_severity severity;
	const char *fixes;	/* fix-catalogue IDs, space-separated */
	const char *checks;	/* checks of other tools this pass satisfies,
				 * "tool:ID" space-separated; suppressing one
				 * of them on a resource turns the pass off
				 * there */
	const char *rationale;
	const char *example;	/* before/after, for --explain */
	int (*run)(struct cfh_template *t);
};

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
bool cfh_pass_skips(const struct cfh_template *t, const struct cfh_node *res);

/* True if @word is one of the words of the space-separated @list (the
 * registry's fixes and checks, a pass's list of services). */
bool cfh_word_in(const char *list, const char *word);

/* True if @check ("checkov:CKV_AWS_18") is suppressed in @meta. */
bool cfh_meta_suppresses(const struct cfh_node *meta, const char *check);

void cfh_change_release(struct cfh_change *c);

#endif
