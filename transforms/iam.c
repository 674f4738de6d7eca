/* SPDX-License-Identifier: MIT */
/*
 * Pass `iam` (S000-03, S001-02, S001-07, S002-09, S003-01, S004-02): least
 * privilege, scoped to the template's own resources, never broader than the
 * input (invariant 5).
 *
 * First drafts grant with broad AWS managed policies (AdministratorAccess,
 * PowerUserAccess, *FullAccess) or with Resource "*", and sometimes name
 * managed policies AWS retired or never had, which fail deployment. The
 * pass follows the graph from each role to the principals that assume it
 * (a function, a build project, a pipeline, a task, a rule target, a state
 * machine, an instance profile) and from them to the resources they use,
 * and writes inline statements for exactly those, on those resources'
 * ARNs, for the services the replaced policy covered:
 *
 *   ManagedPolicyArns:                        Policies:
 *     - arn:aws:iam::aws:policy/    ==>         - PolicyName: LeastPrivilege
 *       AmazonDynamoDBFullAccess                  PolicyDocument:
 *                                                   Statement:
 *                                                     - Action: [dynamodb:GetItem, ...]
 *                                                       Resource: !GetAtt Table.Arn
 *
 * Statements with Resource "*" are scoped the same way, keeping "*" for
 * actions that accept nothing else and for services the template has no
 * resource of. Explicit role names go (they collide across stacks), with a
 * Name tag kept; Lambda permissions for services get SourceAccount and,
 * where the source is in the template, SourceArn.
 *
 * Statements that would make the role depend on a resource that already
 * depends on the role (a function's own log group, say) go into a separate
 * AWS::IAM::Policy attached to the role, so that no cycle is ever added.
 *
 * What the pass knows of services, actions and managed policies, and who
 * runs as a role and what they use, is in src/iam_data.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iam_data.h"
#include "options.h"
#include "passlib.h"
#include "policy.h"
#include "usage.h"

/* One role being hardened. */
struct role {
	struct cfh_run *r;
	const char *id;
	struct cfh_node *res;
	struct cfh_iam_needs needs;
	struct cfh_ids named;	/* the grants' targets, see role_names() */
	bool named_ok;
	struct cfh_iam_memo *memo;	/* the pass's, for every role */
};

/* ---- placing statements without adding a cycle ---- */

struct placed {
	json_t *inline_stmts;	/* safe inside the role */
	json_t *policy_stmts;	/* would make a cycle: separate policy */
};

/* True if the role would depend on a resource that depends on it. */
static bool would_cycle(struct cfh_template *t, const char *role,
			const char *target)
{
	struct cfh_graph *g = cfh_graph_get(t);

	return !g || cfh_graph_reaches(g, target, role);
}

static int place(struct role *role, struct placed *pl, const char *target,
		 json_t *stmt)
{
	json_t *dest = would_cycle(role->r->t, role->id, target)
			       ? pl->policy_stmts
			       : pl->inline_stmts;

	return json_array_append_new(dest, stmt);
}

/* Statements for the grants of services @services covers (NULL: all). */
static int grant_statements(struct role *role, struct placed *pl,
			    const char *services, const char *whole,
			    size_t *count)
{
	const struct cfh_iam_needs *n = &role->needs;
	size_t i;

	*count = 0;
	for (i = 0; i < n->ngrants; i++) {
		const struct cfh_iam_grant *g = &n->grants[i];
		json_t *st[3];
		int err;

		if (!cfh_iam_covers(services, g->prof->service))
			continue;
		if (cfh_iam_grant_stmts(g, cfh_iam_covers(whole,
							   g->prof->service),
					st))
			return -1;
		/* Each call takes its statement. The account-wide one names
		 * no resource: never a cycle. */
		err = place(role, pl, g->target, st[0]);
		if (st[1])
			err |= place(role, pl, g->target, st[1]);
		if (st[2])
			err |= json_array_append_new(pl->inline_stmts, st[2]);
		if (err)
			return -1;
		(*count)++;
	}
	return 0;
}

#define INLINE_NAME "LeastPrivilege"

/* Statements that name resources which depend on the role, in an
 * AWS::IAM::Policy of their own attached to it: no cycle. */
static int policy_resource(struct role *role, const char *name,
			   json_t *stmts, const char *reason)
{
	char pid[256], pname[128];
	const char *policy;

	if (!json_array_size(stmts))
		return 0;
	snprintf(pid, sizeof(pid), "%sPolicy", role->id);
	policy = cfh_fresh_id(role->r->t, pid);
	/* Attached to the role, it is one of its inline policies: its name
	 * must be free there, or one of the two is lost. */
	if (!policy || cfh_role_policy_name(role->r->t, role->id, name, pname,
					    sizeof(pname)))
		return -1;
	name = pname;
	return cfh_edit_add_resource_take(
		role->r, policy, role->id,
		json_pack("{s:s, s:{s:s, s:o, s:[o]}}", "Type",
			  "AWS::IAM::Policy", "Properties", "PolicyName", name,
			  "PolicyDocument",
			  cfh_policy_doc_take(json_incref(stmts)), "Roles",
			  cfh_json_ref(role->id)),
		reason, NULL);
}

static int write_placed(struct role *role, struct placed *pl,
			const char *reason)
{
	struct cfh_run *r = role->r;

	/* Under a name free on the role, or into its own LeastPrivilege
	 * policy of an earlier run. */
	if (json_array_size(pl->inline_stmts) &&
	    cfh_role_grant_take(r, role->id, INLINE_NAME,
				json_incref(pl->inline_stmts), reason))
		return -1;
	return policy_resource(role, INLINE_NAME, pl->policy_stmts,
			       "least-privilege statements that name resources "
			       "which depend on the role: a policy of their own "
			       "adds no cycle");
}

/* ---- managed policies ---- */

/*
 * Does a principal of the role use resources of the @services
 * (space-separated IAM prefixes, or NULL for any) that the template does
 * not define (usage.h)? Then 1, with an advisory at @at that starts with
 * @lead: scoped to the template's ARNs, that access would be cut off.
 */
static int foreign_use(struct role *role, const struct cfh_node *at,
		       const char *services, const char *lead)
{
	char svc[64], why[300], msg[700];
	const char *p = services, *end;
	size_t i, k;
	int rc;

	do {
		if (p) {
			p += strspn(p, " ");
			end = p + strcspn(p, " ");
			k = (size_t)(end - p);
			if (!k)
				break;
			snprintf(svc, sizeof(svc), "%.*s", (int)k, p);
			p = end;
		}
		for (i = 0; i < role->needs.nprincipals; i++) {
			rc = cfh_usage_foreign(role->r->t,
					       role->needs.principals[i],
					       services ? svc : NULL, why,
					       sizeof(why));
			if (rc < 0)
				return -1;
			if (!rc)
				continue;
			snprintf(msg, sizeof(msg),
				 "%s: '%s' also uses %s%sresources the "
				 "template does not define (%s), which "
				 "statements scoped to the template's ARNs "
				 "would cut off; list their ARNs beside the "
				 "template's",
				 lead, role->needs.principals[i],
				 services ? svc : "", services ? " " : "", why);
			return cfh_advise(role->r, at, msg) ? -1 : 1;
		}
	} while (p && *p);
	return 0;
}

static int replace_managed(struct role *role)
{
	struct cfh_run *r = role->r;
	struct cfh_node *props = cfh_map_get(role->res, "Properties");
	struct cfh_node *arns = cfh_map_get(props, "ManagedPolicyArns");
	struct placed pl = { json_array(), json_array() };
	const struct cfh_entry *e;
	struct cfh_node **drop = NULL;
	const struct cfh_iam_broad **dropped = NULL;
	size_t ndrop = 0, i, count;
	char reason[400], services[512], whole[512];
	int rc = -1, fr;

	if (!cfh_node_is_seq(arns) || arns->kind != CFH_SEQ)
		goto done;
	drop = calloc(arns->n + 1, sizeof(*drop));
	dropped = calloc(arns->n + 1, sizeof(*dropped));
	if (!drop || !dropped || !pl.inline_stmts || !pl.policy_stmts)
		goto out;
	cfh_for_each_entry(arns, e) {
		const struct cfh_iam_broad *b = cfh_iam_broad_of(e->value);

		if (!b)
			continue;
		/* A deployed stack's principals call what they call: which
		 * of a broad policy's actions those are is not in the
		 * template, and a list of likely ones would take the others
		 * away. A retired policy still works where it is attached:
		 * replacing it narrows as much. */
		if (cfh_mode_deployed(r)) {
			snprintf(reason, sizeof(reason),
				 b->missing
					 ? "AWS retired %s: it keeps working "
					   "where it is attached, but a new stack "
					   "from this template fails to create the "
					   "role; replace it with statements for "
					   "what the role's principals use "
					   "(--mode new-stack writes the usual "
					   "ones)"
					 : "%s grants more than the role's "
					   "principals seem to use, but which of "
					   "its actions they call is not in the "
					   "template: replace it with statements "
					   "on the resources they use once you "
					   "know (--mode new-stack writes the "
					   "usual ones)",
				 b->name);
			if (cfh_advise(r, e->value, reason))
				goto out;
			continue;
		}
		snprintf(reason, sizeof(reason), "%s not replaced", b->name);
		fr = b->missing ? 0 : foreign_use(role, e->value, b->services,
						  reason);
		if (fr < 0)
			goto out;
		if (fr)
			continue;
		if (grant_statements(role, &pl, b->services, "", &count))
			goto out;
		if (!count && !b->missing) {
			snprintf(reason, sizeof(reason),
				 "%s is broader than this role needs, but what "
				 "it needs could not be derived from the "
				 "template: replace it by hand",
				 b->name);
			if (cfh_advise(r, e->value, reason))
				goto out;
			continue;
		}
		drop[ndrop] = e->value;
		dropped[ndrop++] = b;
	}
	if (!ndrop)
		goto done;
	/* The statements were collected per policy; several broad policies
	 * overlap, so collect once more for all of them together. */
	json_array_clear(pl.inline_stmts);
	json_array_clear(pl.policy_stmts);
	if (grant_statements(role, &pl,
			     cfh_iam_broad_services(dropped, ndrop, services,
						    sizeof(services)),
			     cfh_iam_broad_whole(dropped, ndrop, whole,
						 sizeof(whole)),
			     &count))
		goto out;
	for (i = 0; i < ndrop; i++) {
		snprintf(reason, sizeof(reason),
			 dropped[i]->missing
				 ? "%s does not exist as an AWS managed policy "
				   "(deployment fails): replaced by statements "
				   "scoped to the resources the role's principals "
				   "use (%s)"
				 : "%s grants far more than the role's principals "
				   "use: replaced by statements scoped to the "
				   "template's resources they use (%s)",
			 dropped[i]->name, cfh_iam_broad_fix(dropped[i]));
		if (cfh_edit_remove_node(r, drop[i], reason))
			goto out;
	}
	if (!cfh_node_count(arns) &&
	    cfh_edit_remove(r, props, "ManagedPolicyArns",
			    "no managed policy left"))
		goto out;
	if (write_placed(role, &pl,
			 "least-privilege statements for what the role's "
			 "principals use, on those resources' ARNs"))
		goto out;
done:
	rc = 0;
out:
	json_decref(pl.inline_stmts);
	json_decref(pl.policy_stmts);
	free(drop);
	free(dropped);
	return rc;
}

/* ---- Resource "*" ---- */

/* Patterns are scoped when they grant at most this many actions that
 * only work on "*" (those stay on "*", listed). */
#define MAX_STAR_MEMBERS 4

/* Say why a service's pattern stays on "*". */
static int star_advice(struct role *role, const struct cfh_stmt *st,
		       const char *svc, json_t *stars)
{
	char *msg = cfh_iam_star_note(svc, stars);
	int rc;

	if (!msg)
		return -1;
	rc = cfh_advise(role->r, st->node, msg);
	free(msg);
	return rc;
}

/* Is @id the role itself, or a resource its principals name (the target
 * of a grant)? A set, made on the first question: a role that many
 * principals share has many grants. */
static bool role_names(struct role *role, const char *id)
{
	size_t k;

	if (!strcmp(id, role->id))
		return true;
	if (!role->named_ok) {
		for (k = 0; k < role->needs.ngrants; k++)
			if (cfh_ids_add(&role->named,
					role->needs.grants[k].target))
				break;
		role->named_ok = k == role->needs.ngrants;
	}
	if (role->named_ok)
		return cfh_ids_has(&role->named, id);
	for (k = 0; k < role->needs.ngrants; k++)
		if (!strcmp(role->needs.grants[k].target, id))
			return true;
	return false;
}

/*
 * The first resource of the template, in template order, of service
 * @svc that the role's principals do not name: through the resources by
 * type, since a walk of every resource for every statement on "*" made
 * the pass quadratic. @found is false when there is none; -1 when there
 * is no index (see cfh_resources_of_type()).
 */
static int first_unnamed(struct role *role, const char *svc,
			 const char **found)
{
	struct cfh_template *t = role->r->t;
	const struct cfh_iam_profile *p;
	const struct cfh_node *best = NULL;
	struct cfh_node *const *keys;
	size_t i, k, n;

	*found = NULL;
	for (i = 0; (p = cfh_iam_profile_at(i)); i++) {
		if (strcmp(p->service, svc))
			continue;
		n = cfh_resources_of_type(t, p->type, &keys);
		if (n == (size_t)-1)
			return -1;
		for (k = 0; k < n; k++) {
			const struct cfh_entry *e =
				cfh_resource_key_entry(t, keys[k]);

			/* The profile a resource has is the first of its
			 * type. */
			if (!e || cfh_iam_profile_of(e->value) != p ||
			    role_names(role, keys[k]->text))
				continue;
			if (!best || keys[k]->slot < best->slot)
				best = keys[k];
			break;
		}
	}
	*found = best ? best->text : NULL;
	return 0;
}

/*
 * In a deployed stack, a statement on "*" is scoped only when the role's
 * principals name every resource of the service that the template has:
 * one they do not name (found at run time by a naming convention, say)
 * would lose its access. Then 1, with an advisory at @at.
 */
static int unnamed_use(struct role *role, const struct cfh_node *at,
		       const char *svc, const char *lead)
{
	const struct cfh_entry *e;
	const struct cfh_iam_profile *p;
	const char *id = NULL;
	char msg[600];

	if (first_unnamed(role, svc, &id))
		cfh_for_each_resource(role->r->t, e) {
			p = cfh_iam_profile_of(e->value);
			if (p && !strcmp(p->service, svc) &&
			    !role_names(role, e->key->text)) {
				id = e->key->text;
				break;
			}
		}
	if (!id)
		return 0;
	snprintf(msg, sizeof(msg),
		 "%s: the template's '%s' is a %s resource the role's "
		 "principals do not name but may use; scoped to the "
		 "ones they name, it would lose its access. List the "
		 "ARNs of every %s resource they use",
		 lead, id, svc, svc);
	return cfh_advise(role->r, at, msg) ? -1 : 1;
}

static json_t *scope_statement(struct role *role, const struct cfh_stmt *st,
			       const char *owner, bool *cycle, char *why,
			       size_t whysize)
{
	const struct cfh_iam_needs *n = &role->needs;
	json_t *orig = cfh_node_to_json(st->node), *out = json_array();
	json_t *keep = json_array();	/* actions that stay on "*" */
	json_t *stars = json_array();	/* one service's, found in patterns */
	const char *list[256];
	size_t nact = 0, i, k, scoped = 0;
	char svc[64], svc2[64], lead[100];
	int fr;

	why[0] = '\0';
	if (!orig || !out || !keep || !stars)
		goto none;
	if (!cfh_stmt_allows(st) || st->not_action || st->not_resource ||
	    !cfh_iam_is_star(st->resource))
		goto none;
	/* Every action must be a scalar; an item the pass cannot read
	 * leaves the statement alone. */
	for (i = 0; i < cfh_strs_count(st->action); i++) {
		const char *a = cfh_node_str(cfh_strs_node(st->action, i));

		if (!a || nact == CFH_ARRAY_SIZE(list))
			goto none;
		list[nact++] = a;
	}
	/* Group the actions by service; a service the role's principals use
	 * resources of gets those resources' ARNs. */
	for (i = 0; i < nact; i++) {
		json_t *acts_s, *res_s, *sub_acts, *sub_res, *s;
		bool done = false;

		if (!list[i] || !cfh_iam_service_of(list[i], svc, sizeof(svc)))
			continue;
		if (cfh_iam_is_star_only(role->memo, list[i]) ||
		    !strcmp(list[i], "*")) {
			json_array_append_new(keep, json_string(list[i]));
			list[i] = NULL;
			continue;
		}
		/* What a pattern grants that works on "*" alone stays on
		 * "*" when the rest is scoped: scoped, it would grant
		 * nothing. */
		json_array_clear(stars);
		for (k = i; k < nact; k++)
			if (list[k] &&
			    cfh_iam_service_of(list[k], svc2, sizeof(svc2)) &&
			    !strcmp(svc, svc2) &&
			    cfh_iam_star_members(role->memo, list[k], stars))
				goto none;
		acts_s = json_array();
		sub_acts = json_array();
		res_s = json_array();
		sub_res = json_array();
		if (!acts_s || !sub_acts || !res_s || !sub_res ||
		    cfh_iam_split_actions(role->memo, list + i, nact - i, svc,
					  acts_s,
					  sub_acts)) {
			json_decref(acts_s);
			json_decref(sub_acts);
			json_decref(res_s);
			json_decref(sub_res);
			goto none;
		}
		/* A pattern that also grants many actions only "*" takes
		 * ("ecr:*": registry policy, account settings, the login
		 * token) is left as it is: listing them all on "*" is no
		 * least privilege, and dropping them breaks what uses them
		 * (docker login). Which of them the role needs is the
		 * user's call. */
		if (json_array_size(stars) > MAX_STAR_MEMBERS &&
		    star_advice(role, st, svc, stars)) {
			json_decref(acts_s);
			json_decref(sub_acts);
			json_decref(res_s);
			json_decref(sub_res);
			goto none;
		}
		/* Resources of the service that the template does not
		 * define (a bucket passed in as a parameter) would lose
		 * their access: the service's actions stay on "*". So
		 * would, in a deployed stack, the template's resources
		 * its principals do not name but may reach. */
		snprintf(lead, sizeof(lead), "%s actions on \"*\" not scoped",
			 svc);
		fr = foreign_use(role, st->node, svc, lead);
		if (!fr && cfh_mode_deployed(role->r))
			fr = unnamed_use(role, st->node, svc, lead);
		if (fr < 0) {
			json_decref(acts_s);
			json_decref(sub_acts);
			json_decref(res_s);
			json_decref(sub_res);
			goto none;
		}
		for (k = 0; k < n->ngrants && !fr &&
			    json_array_size(stars) <= MAX_STAR_MEMBERS;
		     k++) {
			const struct cfh_iam_grant *g = &n->grants[k];
			const struct cfh_iam_profile *p = g->prof;

			if (strcmp(p->service, svc))
				continue;
			json_array_append_new(res_s, cfh_iam_arn(p, g->target));
			if (p->sub)
				json_array_append_new(
					sub_res, cfh_iam_sub_arn(p, g->target));
			if (would_cycle(role->r->t, owner, g->target))
				*cycle = true;
			done = true;
		}
		for (k = i; k < nact; k++)
			if (list[k] &&
			    cfh_iam_service_of(list[k], svc2, sizeof(svc2)) &&
			    !strcmp(svc, svc2) &&
			    !cfh_iam_is_star_only(role->memo, list[k])) {
				if (!done)
					json_array_append_new(keep,
							      json_string(list[k]));
				list[k] = NULL;
			}
		if (done) {
			scoped++;
			json_array_foreach(stars, k, s)
				if (cfh_iam_list_add(keep, s))
					goto none;
			if (json_array_size(acts_s) && json_array_size(res_s)) {
				s = json_deep_copy(orig);
				json_object_del(s, "Sid");
				json_object_set(s, "Action", acts_s);
				json_object_set(s, "Resource", res_s);
				json_array_append_new(out, s);
			}
			if (json_array_size(sub_acts)) {
				s = json_deep_copy(orig);
				json_object_del(s, "Sid");
				json_object_set(s, "Action", sub_acts);
				json_object_set(s, "Resource",
						json_array_size(sub_res) ? sub_res
									 : res_s);
				json_array_append_new(out, s);
			}
			if (strlen(why) + strlen(svc) + 3 < whysize) {
				strcat(why, why[0] ? ", " : "");
				strcat(why, svc);
			}
		}
		json_decref(acts_s);
		json_decref(sub_acts);
		json_decref(res_s);
		json_decref(sub_res);
	}
	if (!scoped)
		goto none;
	if (json_array_size(keep)) {
		json_t *s = json_deep_copy(orig);

		json_object_set(s, "Action", keep);
		json_object_set_new(s, "Resource", json_string("*"));
		json_array_insert_new(out, 0, s);
	}
	json_decref(orig);
	json_decref(keep);
	json_decref(stars);
	return out;
none:
	json_decref(orig);
	json_decref(out);
	json_decref(keep);
	json_decref(stars);
	return NULL;
}

/*
 * Scope the statements of one policy document. Statement is a list, or a
 * lone statement that IAM reads as a list of one: scoped the same way, it
 * becomes a list. Either way the edit replaces Statement's value. Only
 * values written in place: an alias's anchor is other documents' too.
 */
static int scope_document(struct role *role, struct cfh_node *doc,
			  bool in_role)
{
	struct cfh_node *stmts = cfh_map_get(doc, "Statement");
	struct cfh_stmt_iter it;
	struct cfh_stmt s;
	json_t *repls;
	bool changed = false, cycle = false;
	char why[256], reason[512], services[256] = "";
	/* The resource the statements are in: the role, or a policy
	 * attached to it, which a resource it would name may depend on
	 * (a project that DependsOn its policy). */
	const char *owner = cfh_node_resource_id(role->r->t, doc);
	int rc = -1;

	if (!stmts || (stmts->kind != CFH_SEQ && stmts->kind != CFH_MAP))
		return 0;
	repls = json_array();
	if (!repls)
		return -1;
	cfh_stmt_iter_init(&it, doc);
	while (cfh_stmt_next(&it, &s)) {
		json_t *repl = scope_statement(role, &s, owner ? owner : role->id,
					       &cycle, why, sizeof(why));

		if (repl) {
			changed = true;
			if (strlen(services) + strlen(why) + 3 < sizeof(services)) {
				strcat(services, services[0] ? ", " : "");
				strcat(services, why);
			}
		}
		if (json_array_append_new(repls, repl ? repl : json_null()))
			goto out;
	}
	if (!changed || cycle) {
		rc = !changed ? 0
		     : in_role
			? cfh_advise(role->r, doc,
				     "Resource \"*\" could be scoped to the "
				     "template's resources, but naming them "
				     "in this role would make a circular "
				     "dependency: move the statement to an "
				     "AWS::IAM::Policy")
			: cfh_advise(role->r, doc,
				     "Resource \"*\" could be scoped to the "
				     "template's resources, but a resource it "
				     "would name depends on this policy (a "
				     "DependsOn, or a reference): naming it "
				     "here would make a circular dependency; "
				     "scope the statement in a policy that "
				     "resource does not wait for");
		goto out;
	}
	snprintf(reason, sizeof(reason),
		 "scope Resource \"*\" to the ARNs of the template's resources "
		 "the role's principals use (%s); actions that accept only "
		 "\"*\" keep it (S001-07)",
		 services);
	rc = cfh_iam_statements_apply(role->r, doc, repls, reason);
out:
	json_decref(repls);
	return rc;
}

/* Run @fn on the PolicyDocument of every policy resource attached to the
 * role by its Roles (found through the graph, so that this stays linear).
 * They are reached through the role: each is left alone where the pass is
 * suppressed on it. */
static int attached_each(struct role *role,
			 int (*fn)(struct role *, struct cfh_node *))
{
	struct cfh_run *r = role->r;
	const char **refs;
	size_t n, i;
	int rc = 0;

	if (cfh_referrers(r->t, role->id, NULL, &refs, &n))
		return -1;
	for (i = 0; i < n && !rc; i++) {
		struct cfh_node *w = cfh_resource(r->t, refs[i]);
		struct cfh_node *p = cfh_map_get(w, "Properties");

		if (!cfh_is_policy_type(cfh_resource_type(w)) ||
		    cfh_pass_skips(r, w) ||
		    !cfh_refers_to(cfh_map_get(p, "Roles"), role->id))
			continue;
		rc = fn(role, cfh_map_get(p, "PolicyDocument"));
	}
	free(refs);
	return rc;
}

static int scope_attached(struct role *role, struct cfh_node *doc)
{
	return scope_document(role, doc, false);
}

static int scope_role(struct role *role)
{
	struct cfh_node *pols = cfh_map_path(role->res, "Properties",
					     "Policies", NULL);
	const struct cfh_entry *e;

	if (!role->needs.ngrants)
		return 0;
	if (cfh_node_is_seq(pols) && pols->kind == CFH_SEQ)
		cfh_for_each_entry(pols, e)
			if (scope_document(role, cfh_map_get(e->value,
							     "PolicyDocument"),
					   true))
				return -1;
	/* Policies attached from outside: scoping them adds no cycle to the
	 * role, since the role never depends on them. */
	return attached_each(role, scope_attached);
}

/* ---- known-incomplete sets (S000-03) and wildcard actions ---- */

/* The statement's Action, as a node to edit; NULL for NotAction. */
static struct cfh_node *action_node(const struct cfh_stmt *s)
{
	return s->not_action ? NULL : cfh_map_get(s->node, "Action");
}

static int complete_statement(struct cfh_run *r, const struct cfh_stmt *s)
{
	struct cfh_node *acts = action_node(s);
	const struct cfh_iam_companion *c;
	size_t i, n;
	char reason[320];

	if (!cfh_stmt_allows(s) || !acts || cfh_is_dynamic(acts))
		return 0;
	c = cfh_iam_companions(&n);
	for (i = 0; i < n; i++) {
		if (!cfh_iam_has_action(acts, c[i].have) ||
		    cfh_iam_has_action(acts, c[i].need))
			continue;
		if (c[i].versioned_only &&
		    !cfh_iam_names_versioned_bucket(
			    r->t, s->not_resource ? NULL : s->resource))
			continue;
		/* A pass grants nothing the input did not: whether the role
		 * needs the companion is the owner's call. */
		snprintf(reason, sizeof(reason),
			 "%s without %s often fails in practice (S000-03): if "
			 "the role needs it, add %s on the same resources",
			 c[i].have, c[i].need, c[i].need);
		if (cfh_advise(r, s->node, reason))
			return -1;
	}
	return 0;
}

/*
 * "s3:*" on the template's own resources: the actions the principals'
 * use needs, from the resource's profile. Only where every resource of the
 * statement is a template resource of that profile's type.
 */
static int narrow_wildcards(struct role *role, const struct cfh_stmt *s)
{
	const struct cfh_iam_needs *n = &role->needs;
	struct cfh_node *acts = action_node(s);
	const struct cfh_node *res = s->not_resource ? NULL : s->resource;
	const struct cfh_iam_profile *prof = NULL;
	const char *wild = NULL;
	size_t i, k;
	char svc[64], reason[256];

	if (!cfh_stmt_allows(s) || !acts || cfh_iam_is_star(res) || !res)
		return 0;
	if (cfh_node_str(acts) && strstr(cfh_node_str(acts), ":*"))
		wild = cfh_node_str(acts);
	if (!wild || !cfh_iam_service_of(wild, svc, sizeof(svc)) ||
	    strcmp(wild + strlen(svc), ":*"))
		return 0;
	for (i = 0; i < n->ngrants; i++)
		if (!strcmp(n->grants[i].prof->service, svc) &&
		    cfh_refers_to(res, n->grants[i].target))
			prof = n->grants[i].prof;
	if (!prof)
		return 0;
	/* Every resource must be one of the template's of that type. */
	for (k = 0; cfh_node_is_seq(res) && k < cfh_strs_count(res); k++) {
		bool ok = false;

		for (i = 0; i < n->ngrants; i++)
			ok |= n->grants[i].prof == prof &&
			      cfh_refers_to(cfh_strs_node(res, k),
					    n->grants[i].target);
		if (!ok)
			return 0;
	}
	/* Which of the service's actions a deployed stack's principals
	 * call is not in the template: the usual ones are a guess, and
	 * the others would be taken away. */
	if (cfh_mode_deployed(role->r)) {
		snprintf(reason, sizeof(reason),
			 "%s on the template's %s not narrowed: which of its "
			 "actions the role's principals call is not in the "
			 "template; list them once you know (--mode new-stack "
			 "writes the usual ones)",
			 wild, prof->type);
		return cfh_advise(role->r, acts, reason);
	}
	snprintf(reason, sizeof(reason),
		 "narrow %s to the actions the role's principals use on the "
		 "template's %s (S001-07)",
		 wild, prof->type);
	return cfh_edit_replace_take(role->r, acts,
				     cfh_iam_profile_actions(prof), reason,
				     NULL);
}

/*
 * S000-03: a statement on every log group of a service (the draft's
 * /aws/codebuild/ and a star) lets the role write into the logs of every
 * other project. It is replaced by the same actions on the groups of the
 * role's own principals of that service (the group and its streams),
 * placed where they add no cycle; the statement goes only when the policy
 * keeps others, so that no policy is left empty.
 */
static int scope_log_wildcards(struct role *role,
			       const struct cfh_node *stmts,
			       const struct cfh_stmt *s)
{
	const struct cfh_iam_profile *prof = cfh_iam_log_wildcard(s);
	const struct cfh_iam_needs *n = &role->needs;
	struct cfh_run *r = role->r;
	struct placed pl = { json_array(), json_array() };
	json_t *acts = NULL;
	size_t i, count = 0;
	int rc = -1;

	/* Counted at each statement: an earlier one may have gone. */
	if (!prof || stmts->kind != CFH_SEQ || cfh_node_count(stmts) < 2) {
		rc = 0;
		goto out;
	}
	acts = cfh_node_to_json(s->action);
	for (i = 0; acts && i < n->nprincipals; i++) {
		const char *pid = n->principals[i];
		json_t *st;

		if (!cfh_res_is(cfh_resource(r->t, pid), prof->type))
			continue;
		st = json_pack("{s:s, s:O, s:[o, o]}", "Effect", "Allow",
			       "Action", acts, "Resource",
			       cfh_iam_arn(prof, pid),
			       cfh_iam_sub_arn(prof, pid));
		if (!st || place(role, &pl, pid, st))
			goto out;
		count++;
	}
	if (!acts || !count) {
		rc = acts ? 0 : -1;
		goto out;
	}
	rc = cfh_edit_remove_node(r, s->node,
				  "a statement on every log group of the "
				  "service lets the role write into other "
				  "principals' logs: scoped to its own (S000-03)");
	if (!rc && json_array_size(pl.inline_stmts))
		rc = cfh_role_grant_take(r, role->id, "OwnLogs",
					 json_incref(pl.inline_stmts),
					 "write only the logs of the role's own "
					 "principals (S000-03)");
	if (!rc)
		rc = policy_resource(role, "OwnLogs", pl.policy_stmts,
				     "write only the logs of the role's own "
				     "principals, in a policy of its own since "
				     "they depend on the role (S000-03)");
out:
	json_decref(acts);
	json_decref(pl.inline_stmts);
	json_decref(pl.policy_stmts);
	return rc;
}

static int refine_document(struct role *role, struct cfh_node *doc)
{
	struct cfh_node *stmts = cfh_map_get(doc, "Statement");
	struct cfh_stmt_iter it;
	struct cfh_stmt s;

	/* As the pass always did: a lone statement also through an alias,
	 * a list only when written in place. */
	if (!stmts || (stmts->kind != CFH_SEQ && !cfh_node_is_map(stmts)))
		return 0;
	cfh_stmt_iter_init(&it, doc);
	while (cfh_stmt_next(&it, &s))
		if (narrow_wildcards(role, &s) ||
		    complete_statement(role->r, &s) ||
		    scope_log_wildcards(role, stmts, &s))
			return -1;
	return 0;
}

static int refine_role(struct role *role)
{
	struct cfh_node *pols = cfh_map_path(role->res, "Properties",
					     "Policies", NULL);
	struct cfh_entry *e;

	if (cfh_node_is_seq(pols) && pols->kind == CFH_SEQ)
		cfh_for_each_entry(pols, e)
			if (refine_document(role,
					    cfh_map_get(e->value,
							"PolicyDocument")))
				return -1;
	return attached_each(role, refine_document);
}

/* ---- RoleName (S002-09) ---- */

static int drop_role_name(struct role *role)
{
	struct cfh_run *r = role->r;
	struct cfh_node *props = cfh_map_get(role->res, "Properties");
	struct cfh_node *name = cfh_map_get(props, "RoleName"), *tags;
	const struct cfh_entry *e;
	struct cfh_fn_view fv;
	json_t *tag;

	if (!name)
		return 0;
	/* A name chosen by a condition is the author's decision to make. */
	if (cfh_node_fn(name, &fv) && fv.fn != CFH_FN_SUB &&
	    fv.fn != CFH_FN_JOIN && fv.fn != CFH_FN_REF)
		return cfh_advise(r, name,
				  "the RoleName is chosen by a condition: "
				  "named roles collide across stacks (S002-09)");
	if (cfh_node_str(name) && !cfh_is_dynamic(name) &&
	    cfh_iam_name_elsewhere(r->t->root, cfh_node_str(name), name))
		return cfh_advise(r, name,
				  "the explicit RoleName is written literally "
				  "elsewhere: remove it by hand once nothing "
				  "depends on the name");
	tags = cfh_map_get(props, "Tags");
	if (tags && !cfh_node_is_seq(tags))
		return 0;
	tag = json_pack("{s:s, s:o}", "Key", "Name", "Value",
			cfh_node_to_json(name));
	if (tags) {
		bool has = false;

		cfh_for_each_entry(cfh_node_deref(tags), e)
			if (cfh_node_str_eq(cfh_map_get(e->value, "Key"), "Name"))
				has = true;
		if (has)
			json_decref(tag);
		else if (cfh_edit_append_take(r, tags, tag,
					      "keep the role's name as its Name "
					      "tag",
					      NULL))
			return -1;
	} else if (cfh_edit_set_take(r, props, "Tags",
				     json_pack("[o]", tag),
				     "keep the role's name as its Name tag",
				     NULL)) {
		return -1;
	}
	return cfh_edit_remove(r, props, "RoleName",
			       "explicit role names collide when the template "
			       "is deployed twice in an account and block "
			       "updates that replace the role (S002-09)");
}

/* ---- Lambda permissions ---- */

static int scope_permission(struct cfh_run *r, const char *id,
			    struct cfh_node *res)
{
	struct cfh_template *t = r->t;
	struct cfh_node *p = cfh_map_get(res, "Properties");
	const char *principal = cfh_node_str(cfh_map_get(p, "Principal"));
	const struct cfh_node *fn = cfh_map_get(p, "FunctionName");
	const char *source, *target, *attr;
	struct cfh_graph *g;

	if (!principal || !strstr(principal, ".amazonaws.com"))
		return 0;
	if (!cfh_map_get(p, "SourceAccount") &&
	    cfh_edit_set_take(r, p, "SourceAccount",
			      cfh_json_ref("AWS::AccountId"),
			      "only this account's resources may invoke the "
			      "function through the service (confused deputy)",
			      NULL))
		return -1;
	if (cfh_map_get(p, "SourceArn"))
		return 0;
	/* The source, when the template has exactly one that targets this
	 * function through that service. */
	target = cfh_node_ref(fn);
	if (!target && cfh_node_getatt(t, fn, &target, &attr))
		target = NULL;
	source = target ? cfh_iam_invoker(t, principal, target) : NULL;
	/* A bucket notification depends on the permission; naming the
	 * bucket here would close the cycle (S004-04). */
	g = source ? cfh_graph_get(t) : NULL;
	if (!g || cfh_graph_reaches(g, source, id))
		return 0;
	return cfh_edit_set_take(r, p, "SourceArn",
				 cfh_res_is(cfh_resource(t, source),
					    "AWS::SNS::Topic")
					 ? cfh_json_ref(source)
					 : cfh_json_getatt(source, "Arn"),
				 "only this source may invoke the function "
				 "through the service",
				 NULL);
}

/* ---- the pass ---- */

/* Per run: the Lambda permissions, in template order. Every role is
 * hardened before any permission changes, as the pass always did: the
 * permissions wait for after(). And what the IAM table said of the
 * patterns the roles grant, asked once per run, not once per role. */
struct iam {
	struct cfh_ids perms;
	struct cfh_iam_memo memo;
};

static int harden_role(struct cfh_run *r, void *st, const char *id,
		       struct cfh_node *res)
{
	struct iam *x = st;
	struct role role = { .r = r, .id = id, .res = res, .memo = &x->memo };
	int err;

	err = cfh_iam_needs_init(&role.needs, r->t, id) ||
	      replace_managed(&role) || scope_role(&role) ||
	      refine_role(&role) || drop_role_name(&role);
	cfh_iam_needs_release(&role.needs);
	cfh_ids_release(&role.named);
	return err ? -1 : 0;
}

static int collect_permission(struct cfh_run *r, void *st, const char *id,
			      struct cfh_node *res)
{
	struct iam *x = st;

	(void)r;
	(void)res;
	return cfh_ids_add(&x->perms, id);
}

static int after(struct cfh_run *r, void *st)
{
	struct iam *x = st;
	size_t i;

	for (i = 0; i < x->perms.n; i++)
		if (scope_permission(r, x->perms.v[i],
				     cfh_resource(r->t, x->perms.v[i])))
			return -1;
	return 0;
}

static void release(void *st)
{
	struct iam *x = st;

	cfh_ids_release(&x->perms);
	cfh_iam_memo_release(&x->memo);
}

static const struct cfh_handler handlers[] = {
	{ "AWS::IAM::Role", harden_role },
	{ "AWS::Lambda::Permission", collect_permission },
};

const struct cfh_pass_ops cfh_pass_iam = {
	.state_size = sizeof(struct iam),
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
	.after = after,
	.release = release,
};
