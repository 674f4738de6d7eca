/* SPDX-License-Identifier: MIT */
/*
 * What least privilege needs to know, apart from the pass that applies it
 * (transforms/iam.c): for each resource type a principal uses, the
 * service, the actions it needs and the ARNs that name the resource (a
 * service profile); the actions that accept only Resource "*"; the broad
 * AWS managed policies, and those AWS retired or never had; the actions
 * that fail without a companion. And the readers that apply them to a
 * template: who runs as a role, and what they use.
 *
 * Ownership: tables and profiles are static; json_t values returned are
 * new references; nodes and logical IDs are borrowed from the template,
 * and stay valid while it is not edited.
 */
#ifndef CFH_IAM_DATA_H
#define CFH_IAM_DATA_H

#include "model.h"
#include "policy.h"

/* How the ARN of a profile's resource is written. */
enum cfh_iam_arn {
	CFH_IAM_ARN_GETATT,	/* !GetAtt X.Arn */
	CFH_IAM_ARN_REF,	/* !Ref X is the ARN */
	CFH_IAM_ARN_PIPELINE,	/* arn:...:codepipeline:REGION:ACCT:NAME */
	CFH_IAM_ARN_LAMBDA_LOGS,	/* the log group Lambda writes:
					 * /aws/lambda/NAME */
	CFH_IAM_ARN_CODEBUILD_LOGS,	/* the one CodeBuild writes:
					 * /aws/codebuild/NAME */
};

/* What a resource type is used for: the actions a principal that uses
 * one needs, on the resource and on what lies below it. */
struct cfh_iam_profile {
	const char *type;
	const char *service;		/* action prefix, "s3" */
	enum cfh_iam_arn arn;
	const char *const *actions;	/* on the resource itself */
	const char *const *sub_actions;	/* on a sub-resource, below */
	const char *sub;		/* suffix of the sub-resource ARN after
					 * ${X.Arn}: objects, indexes */
	const char *const *sub_whole;	/* on the sub-resource too, where the
					 * replaced policy granted the whole
					 * service: s3:GetObjectVersion */
};

/**
 * cfh_iam_profile_of() - the service profile of a resource
 * @res: a resource node
 * Returns: the profile (static), or NULL for a type no principal is
 * granted on.
 */
const struct cfh_iam_profile *cfh_iam_profile_of(const struct cfh_node *res);

/* The @i-th profile of the table, or NULL past the end: to visit the
 * types of one service. */
const struct cfh_iam_profile *cfh_iam_profile_at(size_t i);

/**
 * cfh_iam_own_logs() - the log group a principal writes by convention
 * @type: the principal's resource type
 *
 * Lambda writes /aws/lambda/NAME and CodeBuild /aws/codebuild/NAME,
 * creating the group on first use when the template declares none; the
 * target of the profile is the principal itself.
 * Returns: the profile (static), or NULL for other types.
 */
const struct cfh_iam_profile *cfh_iam_own_logs(const char *type);

/* True if @p is one of cfh_iam_own_logs()'s profiles. */
bool cfh_iam_is_own_logs(const struct cfh_iam_profile *p);

/**
 * cfh_iam_arn() - the ARN of a profile's resource
 * @id: the logical ID of the resource (of the principal, for
 *      cfh_iam_own_logs() profiles: the ARN is its log group's)
 * Returns: a Ref, a GetAtt or an Fn::Sub (caller owns it), or NULL when
 * out of memory.
 */
json_t *cfh_iam_arn(const struct cfh_iam_profile *p, const char *id);

/**
 * cfh_iam_sub_arn() - the ARN of what lies below a profile's resource
 * @id: as for cfh_iam_arn()
 *
 * Objects of a bucket, indexes of a table, streams of a log group.
 * Returns: an Fn::Sub (caller owns it), or NULL when out of memory.
 */
json_t *cfh_iam_sub_arn(const struct cfh_iam_profile *p, const char *id);

/**
 * cfh_iam_actions() - a NULL-terminated list of actions as a JSON list
 * Returns: the list (caller owns it; a list even of one), or NULL when
 * out of memory.
 */
json_t *cfh_iam_actions(const char *const *actions);

/**
 * cfh_iam_profile_actions() - every action of a profile, once
 * Returns: its actions on the resource, then those on what lies below it
 * that are not among them, as a JSON list (caller owns it), or NULL when
 * out of memory.
 */
json_t *cfh_iam_profile_actions(const struct cfh_iam_profile *p);

/*
 * What the IAM table answers for action patterns, kept for one run of a
 * pass: expanding a pattern ("sqs:*") is most of the cost of scoping a
 * statement, and every role of a template asks about the same few.
 * Zeroed to start; cfh_iam_memo_release() frees it. The functions that
 * take one accept NULL: no memo.
 */
struct cfh_iam_memo {
	json_t *star_only;	/* action or pattern -> true or false */
	json_t *members;	/* pattern -> its actions that take only "*" */
};

void cfh_iam_memo_release(struct cfh_iam_memo *m);

/* True if @action ("ecr:GetAuthorizationToken") accepts only Resource
 * "*": the service authorises it per account, not per resource. A
 * pattern does when every action it matches does. */
bool cfh_iam_is_star_only(struct cfh_iam_memo *m, const char *action);

/**
 * cfh_iam_star_members() - what a pattern grants that only works on "*"
 * @pattern: an action with wildcards ("ecr:*"); exact actions add nothing
 * @keep: a JSON array of action names; those of the actions @pattern
 *        matches that only work on "*" are appended, each once (in the
 *        lower case of the IAM data, which IAM accepts)
 *
 * Scoping "ecr:*" on "*" to a repository must keep these on "*", or the
 * role loses them: ecr:GetAuthorizationToken, without which docker login
 * fails, works on nothing else.
 * Returns: 0, or -1 when out of memory.
 */
int cfh_iam_star_members(struct cfh_iam_memo *m, const char *pattern,
			 json_t *keep);

/* True if the JSON list of action names @list has @a, in any case. */
bool cfh_iam_list_has(json_t *list, const char *a);

/* Append the action name @a (a JSON string, borrowed) to @list unless it
 * has it. Returns 0, or -1 when out of memory. */
int cfh_iam_list_add(json_t *list, json_t *a);

/**
 * cfh_iam_star_note() - why a service's pattern stays on "*"
 * @stars: what cfh_iam_star_members() found for it
 *
 * Names the first three, those roles use most first.
 * Returns: the advisory's text (caller frees), or NULL when out of memory.
 */
char *cfh_iam_star_note(const char *svc, json_t *stars);

/**
 * cfh_iam_service_of() - the service prefix of an action
 * @buf: receives "s3" for "s3:GetObject"
 * Returns: @buf, or NULL when @action has no prefix or it does not fit.
 */
const char *cfh_iam_service_of(const char *action, char *buf, size_t size);

/**
 * cfh_iam_split_actions() - the actions of one service, by what they act on
 * @list: @n actions; NULL items are left out
 * @service: the service prefix ("s3")
 * @on_res: receives, in order, those that act on the resource itself (a
 *          bucket)
 * @on_sub: receives those that act on what lies below it (objects);
 *          s3:*, s3:Get* and s3:Put* go to both
 *
 * Actions of other services, and those that accept only "*", are left out.
 * Returns: 0, or -1 when out of memory.
 */
int cfh_iam_split_actions(struct cfh_iam_memo *m, const char *const *list,
			  size_t n, const char *service, json_t *on_res,
			  json_t *on_sub);

/* True if the Resource @res (a string or a list) names "*". */
bool cfh_iam_is_star(const struct cfh_node *res);

/* True if the Action @acts (a string or a list) holds @action, in any
 * letter case, as IAM compares actions. */
bool cfh_iam_has_action(const struct cfh_node *acts, const char *action);

/* A broad AWS managed policy. */
struct cfh_iam_broad {
	const char *name;
	const char *services;	/* space-separated prefixes; NULL: all */
	bool missing;		/* AWS never had it or retired it */
	bool whole;		/* grants every action of its services, so
				 * the input allowed what a profile grants
				 * only then (cfh_iam_profile.sub_whole) */
};

/**
 * cfh_iam_broad_of() - the broad managed policy an ARN names
 * @arn: an item of ManagedPolicyArns: a literal ARN, or an Fn::Sub with
 *       ${AWS::Partition}
 * Returns: the policy (static), or NULL when @arn is not a well-formed
 * ARN of one of them.
 */
const struct cfh_iam_broad *cfh_iam_broad_of(const struct cfh_node *arn);

/* The fix-catalogue ID of replacing @b: a policy that does not exist
 * (S001-02), PowerUserAccess (S003-01), a *FullAccess one (S004-02), any
 * other broad grant (S001-07). */
const char *cfh_iam_broad_fix(const struct cfh_iam_broad *b);

/* True if the services of a broad policy (NULL: all) cover @service. */
bool cfh_iam_covers(const char *services, const char *service);

/**
 * cfh_iam_broad_whole() - the services several broad policies grant whole
 * Returns: their prefixes, space-separated, in @buf ("" for none); NULL
 * when one of them grants every service.
 */
const char *cfh_iam_broad_whole(const struct cfh_iam_broad *const *b,
				size_t n, char *buf, size_t size);

/**
 * cfh_iam_broad_services() - the services several broad policies cover
 * @b: @n policies
 * @buf: receives their services, space-separated (those that do not fit
 *       in @size bytes are left out)
 * Returns: @buf, or NULL when one of them covers every service.
 */
const char *cfh_iam_broad_services(const struct cfh_iam_broad *const *b,
				   size_t n, char *buf, size_t size);

/* An action that fails in practice without a companion (S000-03). */
struct cfh_iam_companion {
	const char *have, *need;
	bool versioned_only;	/* only on buckets with versioning */
};

/**
 * cfh_iam_companions() - the actions that need a companion
 * @n: receives the count
 * Returns: the table (static).
 */
const struct cfh_iam_companion *cfh_iam_companions(size_t *n);

/* True if @res (a Resource) names a bucket of the template that keeps
 * versions. */
bool cfh_iam_names_versioned_bucket(struct cfh_template *t,
				    const struct cfh_node *res);

/**
 * cfh_iam_log_wildcard() - a statement on every log group of a service
 * @s: a statement
 *
 * A plain Allow (no condition) of logs actions whose every resource is
 * log-group:/aws/codebuild/ or /aws/lambda/ and a star, with or without
 * ":*", literally or in a one-string Fn::Sub.
 * Returns: the cfh_iam_own_logs() profile of that service, or NULL.
 */
const struct cfh_iam_profile *cfh_iam_log_wildcard(const struct cfh_stmt *s);

/* A grant a role needs: the actions of @prof on the resource @target. */
struct cfh_iam_grant {
	const struct cfh_iam_profile *prof;
	const char *target;	/* logical ID */
};

/* What the principals of a role use. */
struct cfh_iam_needs {
	const char **principals;	/* logical IDs */
	size_t nprincipals;
	struct cfh_iam_grant *grants;
	size_t ngrants, capgrants;
};

/**
 * cfh_iam_grant_stmts() - the statements a grant needs
 * @out: receives three statements (new references), NULL where there is
 *       none: the actions on the resource (and on a log group's streams),
 *       those on what lies below it, and the account-wide action the
 *       service needs besides (ECR's authorization token, on "*")
 *
 * @whole: the replaced policy granted the whole service: the profile's
 *         sub_whole actions are granted too (never more than the input)
 *
 * Action is a list even of one action, as the pass has always written
 * it: cfh_stmt_allow_take() would write one action as a string.
 * Returns: 0, or -1 (and nothing in @out) when out of memory.
 */
int cfh_iam_grant_stmts(const struct cfh_iam_grant *g, bool whole,
			json_t *out[3]);

/**
 * cfh_iam_invoker() - the one resource that invokes a function through a
 *                     service
 * @principal: the service principal of a Lambda permission
 *             ("s3.amazonaws.com")
 * @function: the logical ID of the function
 *
 * A bucket for S3, a rule for EventBridge, a topic for SNS, whose
 * Properties name @function.
 * Returns: its logical ID (borrowed), or NULL when the template has none,
 * or more than one, or the service is another.
 */
const char *cfh_iam_invoker(struct cfh_template *t, const char *principal,
			    const char *function);

/**
 * cfh_iam_statements_apply() - replace some statements of a document
 * @doc: a policy document whose Statement is a literal list or one
 *       statement
 * @repls: one item per statement cfh_stmt_next() reads from @doc, in
 *         order: a list of statements that replaces it, or null to keep it
 *
 * Edits stay at the statement they change: a statement that stays one
 * gets only its changed keys (Resource, Action), one that splits is
 * replaced and the others are inserted after it; the statements around
 * and items that are not statements (an Fn::If) keep their bytes.
 * Returns: 0, or -1 when out of memory.
 */
int cfh_iam_statements_apply(struct cfh_run *r, struct cfh_node *doc,
			     json_t *repls, const char *reason);

/* True if a scalar of @n (the template's root, say), other than @self,
 * contains @name: something may depend on the name @self gives. */
bool cfh_iam_name_elsewhere(const struct cfh_node *n, const char *name,
			    const struct cfh_node *self);

/**
 * cfh_iam_needs_init() - who runs as a role, and what they use
 * @role: the logical ID of an AWS::IAM::Role of the template
 *
 * The principals are the resources that name the role, directly or
 * through an instance profile, except the policies attached to it. Their
 * grants are what cfh_principal_uses() finds them using, and their own
 * log group by the service's convention where the template declares none.
 * Call cfh_iam_needs_release() even on failure.
 * Returns: 0, or -1 when out of memory.
 */
int cfh_iam_needs_init(struct cfh_iam_needs *n, struct cfh_template *t,
		       const char *role);
void cfh_iam_needs_release(struct cfh_iam_needs *n);

#endif
