/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the passes: walking resources, finding references,
 * building common values. Everything here only reads the template or goes
 * through the edit API.
 *
 * Ownership: nodes are borrowed from the template; json_t values returned
 * are new references.
 */
#ifndef CFH_PASSLIB_H
#define CFH_PASSLIB_H

#include "edit.h"
#include "engine.h"
#include "graph.h"

/*
 * Iterate, to look things up, over the live resources (@e is a struct
 * cfh_entry *; the key is the logical ID), in template order, including
 * those the running pass added. What a pass changes, the engine hands it
 * through its handlers (struct cfh_pass_ops), and the edit layer refuses
 * edits inside resources the pass is suppressed for, whichever way the
 * pass found them.
 */
#define cfh_for_each_resource(t, e)                                          \
	for ((e) = cfh_resources_begin(t); (e) && (e) < cfh_resources_end(t); \
	     (e)++)                                                          \
		if (!((e)->flags & CFH_EF_REMOVED) && cfh_node_is_map((e)->value))

struct cfh_entry *cfh_resources_begin(const struct cfh_template *t);
struct cfh_entry *cfh_resources_end(const struct cfh_template *t);

/**
 * cfh_resource_live() - a resource as a walk of Resources sees it now
 *
 * cfh_resource() answers from the graph's index, which, while a pass
 * runs, is the one the pass started with: it still gives a resource the
 * pass removed, and the value a pass replaced. This gives what a walk
 * of Resources would: the live value of the entry @id, or NULL when
 * there is none, in constant time. Like cfh_resource(), it does not ask
 * for a mapping (cfh_for_each_resource() skips the others).
 * Returns: the node (borrowed), or NULL.
 */
struct cfh_node *cfh_resource_live(struct cfh_template *t, const char *id);

/* True if the resource @res is of @type. */
bool cfh_res_is(const struct cfh_node *res, const char *type);

/* True if bucket @b's default encryption is something other than SSE-S3
 * (or none), or is decided at deploy time: services that deliver logs
 * through the bucket's ACL or as ELB (CloudFront, load balancers) need
 * SSE-S3. */
bool cfh_bucket_not_sse_s3(const struct cfh_node *b);

/* True unless bucket @b's own settings rule out public reads: a public
 * policy (RestrictPublicBuckets) and public ACLs (IgnorePublicAcls, or
 * ACLs off by BucketOwnerEnforced). A running bucket that may be public
 * may be so outside the template: objects uploaded with ACL public-read,
 * a policy set in the console. */
bool cfh_bucket_may_be_public(const struct cfh_node *b);


/**
 * cfh_res_props() - a resource's Properties, added empty if missing
 * Returns: the mapping, or NULL if Properties is not a mapping (an
 * intrinsic, say) or out of memory.
 */
struct cfh_node *cfh_res_props(struct cfh_run *r, struct cfh_node *res,
			       const char *reason);


/* True if @n (any subtree) refers to logical ID @id by Ref, GetAtt or Sub. */
bool cfh_refers_to(const struct cfh_node *n, const char *id);

/**
 * cfh_role_has_policy() - is the policy name @name taken on role @role?
 *
 * IAM keeps one inline policy per name and role, and an AWS::IAM::Policy
 * or RolePolicy that names the role is one of its inline policies: a
 * second policy of the same name silently replaces the first.
 * Returns: true if the role's Policies has @name, or a policy resource of
 * the template attached to the role is named @name.
 */
bool cfh_role_has_policy(struct cfh_template *t, const char *role,
			 const char *name);

/**
 * cfh_role_policy_name() - a policy name free on role @role
 * @base: the wanted name; 2, 3, ... is appended while it is taken
 * Returns: 0 with the name in @buf, or -1 when it does not fit.
 */
int cfh_role_policy_name(struct cfh_template *t, const char *role,
			 const char *base, char *buf, size_t size);

/**
 * cfh_role_grant_take() - add statements to a role's inline policy
 * @role: logical ID of an AWS::IAM::Role of the template
 * @policy: the PolicyName to add them under (made if missing); when the
 *          name is taken by a policy the statements cannot join (one
 *          attached as a resource, or not a literal list), the first free
 *          of @policy2, @policy3, ...
 * @stmts: a JSON array of statements; taken
 *
 * Statements the policy already has are not added again, so a pass may
 * call this on every run. When the role's Policies is not a literal list,
 * an advisory says what to grant by hand.
 * Returns: 0, or -1 on error.
 */
int cfh_role_grant_take(struct cfh_run *r, const char *role,
			const char *policy, json_t *stmts, const char *reason);

/**
 * cfh_refs_in() - the logical IDs a subtree names (Ref, GetAtt, ${X} in Sub)
 * @out: receives a malloc'ed list (caller frees the array; the strings
 *       belong to the template)
 * Returns: 0, or -1 when out of memory.
 */
int cfh_refs_in(struct cfh_template *t, const struct cfh_node *n,
		const char ***out, size_t *cnt);


/* {"Fn::GetAtt": [id, attr]} and {"Ref": id}. */
json_t *cfh_json_getatt(const char *id, const char *attr);
json_t *cfh_json_ref(const char *id);

/**
 * cfh_role_of() - the template role a principal runs as
 * @by_name: also accept !Ref R (the role's name), as a CodeBuild
 *           ServiceRole does; otherwise only !GetAtt R.Arn
 *
 * Reads the principal's Role, else its ServiceRole.
 * Returns: the role's logical ID (borrowed), or NULL when the role is not
 * one of the template's.
 */
const char *cfh_role_of(struct cfh_template *t, const struct cfh_node *res,
			bool by_name);

/* The environment parameter's name (EnvironmentSuffix, environmentSuffix,
 * Environment, Env, Stage), or NULL. */
const char *cfh_env_param(const struct cfh_template *t);

/**
 * cfh_principal_uses() - the resources a principal works with
 * @pid: the logical ID of a principal (a function, a build project, a
 *       pipeline, a task definition, a rule, an instance, ...)
 * @out: receives a malloc'ed list of logical IDs (caller frees the array)
 *
 * What its properties name; the log groups named after it; for a function,
 * the sources of the event source mappings that feed it; for a build
 * project, the artifact store of every pipeline that runs it. One
 * definition, so that the passes that grant access (iam) and the one that
 * grants the keys (encryption) agree on who uses what.
 * Returns: 0, or -1 when out of memory.
 */
int cfh_principal_uses(struct cfh_template *t, const char *pid,
		       const char ***out, size_t *n);

/**
 * cfh_referrers() - the resources whose Properties name @id
 * @type: only resources of this type, or NULL for all
 * @out: receives a malloc'ed list of logical IDs (caller frees the array)
 *
 * Through the reference graph, so a pass asking this of every resource
 * stays linear. Returns: 0, or -1 when out of memory.
 */
int cfh_referrers(struct cfh_template *t, const char *id, const char *type,
		  const char ***out, size_t *n);

/* Append @s to a NULL-terminated, malloc'ed list of borrowed strings
 * unless it is already there; for short lists (a scan per add). Returns
 * 0, or -1 when out of memory. */
int cfh_strlist_add(const char ***list, size_t *n, const char *s);
bool cfh_strlist_has(const char *const *list, size_t n, const char *s);

/*
 * A set of logical IDs in insertion order, with a hash index, for the
 * lists a pass keeps over the whole template (every resource, every store
 * it encrypts): membership and insertion in O(1).
 * Ownership: the strings are borrowed; cfh_ids_release() frees the rest.
 */
struct cfh_ids {
	const char **v;
	size_t n, cap;
	json_t *index;
};

int cfh_ids_add(struct cfh_ids *s, const char *id);

bool cfh_ids_has(const struct cfh_ids *s, const char *id);
void cfh_ids_release(struct cfh_ids *s);

/* The environment parameter (cfh_env_param()) when its Ref is a string
 * (Type String, or no Type), so that it can go into names and tags;
 * else NULL. */
const char *cfh_env_param_str(const struct cfh_template *t);

/*
 * The property that gives a resource of @type its physical name
 * (BucketName, TableName, QueueName, DBSubnetGroupName, ...) and the
 * longest name the service accepts, for the types whose fixed names
 * collide between environments; NULL for other types.
 */
struct cfh_name_prop {
	const char *type;
	const char *prop;
	size_t max;
};
const struct cfh_name_prop *cfh_name_prop(const char *type);

#endif
