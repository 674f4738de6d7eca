/* SPDX-License-Identifier: MIT */
/*
 * IAM policy documents and ARNs: reading the statements of a policy the way
 * IAM does, knowing which resource types hold policy documents, and
 * building the statements and ARNs the passes add. One helper per idea, so
 * that no pass reads a lone statement differently from a list of them, or
 * writes an ARN with a hard-coded partition.
 *
 * Ownership: nodes are borrowed from the template; json_t values returned
 * are new references; _take arguments are taken even on failure.
 */
#ifndef CFH_POLICY_H
#define CFH_POLICY_H

#include <stdarg.h>

#include "model.h"

/* What a policy document of a resource type governs. */
enum cfh_policy_kind {
	CFH_POLICY_IDENTITY,	/* attached to roles, users or groups */
	CFH_POLICY_RESOURCE,	/* on the resource: who may use it */
	CFH_POLICY_TRUST,	/* who may assume a role */
};

/*
 * Where a resource type keeps a policy document: the property (under
 * Properties) and, for a list of named policies (a role's Policies), the
 * key of the document inside each item.
 */
struct cfh_policy_site {
	const char *type;
	const char *prop;
	const char *item_key;	/* NULL: the property is the document */
	enum cfh_policy_kind kind;
};

/**
 * cfh_policy_sites() - the policy documents a resource type holds
 * @type: a resource type
 * @n: receives the count (0 for types that hold none)
 * Returns: the sites (static), or NULL when there are none.
 */
const struct cfh_policy_site *cfh_policy_sites(const char *type, size_t *n);

/* True for the standalone identity policies (AWS::IAM::Policy,
 * ManagedPolicy, RolePolicy, UserPolicy, GroupPolicy): resources whose
 * document is granted to the roles, users or groups they name. */
bool cfh_is_policy_type(const char *type);

/*
 * A statement, as IAM reads it. Statement may be a list of mappings or a
 * lone mapping; Action and Resource may be NotAction and NotResource, and
 * each a string or a list. Members are NULL when absent.
 */
struct cfh_stmt {
	struct cfh_node *node;		/* the statement's mapping */
	const struct cfh_node *effect;
	const struct cfh_node *principal;	/* Principal or NotPrincipal */
	const struct cfh_node *action;	/* Action or NotAction */
	const struct cfh_node *resource;	/* Resource or NotResource */
	const struct cfh_node *condition;
	bool not_principal, not_action, not_resource;
};

struct cfh_stmt_iter {
	struct cfh_node *stmts;	/* the Statement value */
	size_t i;
	bool done;
};

/*
 * Iterate over the statements of the document @doc (the mapping with
 * Version and Statement):
 *
 *	struct cfh_stmt_iter it;
 *	struct cfh_stmt s;
 *
 *	cfh_stmt_iter_init(&it, doc);
 *	while (cfh_stmt_next(&it, &s))
 *		...
 *
 * Statements that are not literal mappings (an Fn::If, say) are skipped:
 * ask cfh_policy_is_literal() first where that matters.
 */
void cfh_stmt_iter_init(struct cfh_stmt_iter *it, struct cfh_node *doc);
bool cfh_stmt_next(struct cfh_stmt_iter *it, struct cfh_stmt *out);

/* True if every statement of @doc can be read: Statement is a literal
 * list of mappings or one mapping, not an intrinsic. */
bool cfh_policy_is_literal(const struct cfh_node *doc);

/* True if the statement allows (Effect: Allow, literally). */
bool cfh_stmt_allows(const struct cfh_stmt *s);

/*
 * A string or a list of strings (Action, Resource, a principal): the
 * count of items, and the i-th as text, or NULL when it is not a literal
 * string (an intrinsic, a number).
 */
size_t cfh_strs_count(const struct cfh_node *n);
const char *cfh_strs_at(const struct cfh_node *n, size_t i);
const struct cfh_node *cfh_strs_node(const struct cfh_node *n, size_t i);

/* True if the string-or-list @n holds the literal @s. */
bool cfh_strs_has(const struct cfh_node *n, const char *s);

/*
 * Statements the passes add, keys in IAM's customary order (Sid, Effect,
 * Principal, Action, Resource, Condition).
 * @actions: space-separated; one action becomes a string, several a list
 * @resource: taken; a string, an intrinsic or a list
 * Returns: the statement, or NULL when out of memory.
 */
json_t *cfh_stmt_allow_take(const char *actions, json_t *resource);

/* The same, for a service principal ("sns.amazonaws.com"). */
json_t *cfh_stmt_service_take(const char *service, const char *actions,
			      json_t *resource);

/* @stmt with Sid @sid first, where IAM's customary order puts it (so
 * that a later run finds the statement by its Sid). @stmt is taken.
 * Returns the statement, or NULL when out of memory. */
json_t *cfh_stmt_with_sid_take(const char *sid, json_t *stmt);

/* Add Condition {@op: {@key: @value}} to @stmt (merging with a
 * condition it has). @value is taken. Returns @stmt, or NULL (and @stmt
 * is released) when out of memory. */
json_t *cfh_stmt_when_take(json_t *stmt, const char *op, const char *key,
			   json_t *value);

/* {"Version": "2012-10-17", "Statement": @stmts}; @stmts taken (a list,
 * or one statement). */
json_t *cfh_policy_doc_take(json_t *stmts);

/*
 * ARNs of the stack's own partition, region and account, with the pseudo
 * parameters, so that a template deploys in any partition and region:
 *
 *	cfh_arn_sub("logs", CFH_ARN_HERE, "log-group:/aws/lambda/${%s}:*", fn)
 *	-> {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:
 *	    ${AWS::AccountId}:log-group:/aws/lambda/${Fn}:*"}
 *
 * @scope says which of region and account the service's ARNs carry.
 */
enum cfh_arn_scope {
	CFH_ARN_HERE,		/* region and account: most services */
	CFH_ARN_GLOBAL,		/* neither: S3 buckets and objects */
	CFH_ARN_ACCOUNT,	/* account, no region: IAM */
};

/**
 * cfh_arn_format() - an ARN's text for Fn::Sub
 * @region: the region, or NULL for ${AWS::Region} (ignored unless
 *          @scope is CFH_ARN_HERE)
 * @account: the account, or NULL for ${AWS::AccountId} (ignored for
 *           CFH_ARN_GLOBAL)
 * @resource: the resource part, as is
 * Returns: 0, or -1 when the ARN does not fit in @size bytes.
 */
int cfh_arn_format(char *buf, size_t size, const char *service,
		   enum cfh_arn_scope scope, const char *region,
		   const char *account, const char *resource);

/* {"Fn::Sub": ARN} with the resource part printf-formatted; NULL when out
 * of memory or too long. */
json_t *cfh_arn_sub(const char *service, enum cfh_arn_scope scope,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
