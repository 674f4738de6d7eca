/* SPDX-License-Identifier: MIT */
/* Helpers shared by the passes; see passlib.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "passlib.h"
#include "policy.h"

/* Resources, looked up once per generation of the template: a walk of
 * every resource asks for its end at every step. The cache is the
 * template's own bookkeeping, like its graph. */
static const struct cfh_node *resources_map(const struct cfh_template *ct)
{
	struct cfh_template *t = (struct cfh_template *)ct;
	const struct cfh_node *r;

	if (!t->resources_ok || t->resources_gen != t->generation) {
		r = cfh_node_deref(cfh_template_section(t, "Resources"));
		t->resources = (struct cfh_node *)(r && r->kind == CFH_MAP ? r
									  : NULL);
		t->resources_gen = t->generation;
		t->resources_ok = true;
	}
	return t->resources;
}

struct cfh_entry *cfh_resources_begin(const struct cfh_template *t)
{
	const struct cfh_node *r = resources_map(t);

	return r ? r->ent : NULL;
}

struct cfh_entry *cfh_resources_end(const struct cfh_template *t)
{
	const struct cfh_node *r = resources_map(t);

	return r && r->ent ? r->ent + r->n : NULL;
}

struct cfh_node *cfh_resource_live(struct cfh_template *t, const char *id)
{
	const struct cfh_node *resources =
		cfh_node_deref(cfh_template_section(t, "Resources"));
	struct cfh_node *n = cfh_resource(t, id);
	struct cfh_entry *e;

	if (!n || !resources || n->parent != resources)
		return NULL;
	e = cfh_node_entry(n);
	if (!e || (e->flags & CFH_EF_REMOVED) || !e->key ||
	    strcmp(e->key->text, id))
		return NULL;
	return e->value;
}

bool cfh_res_is(const struct cfh_node *res, const char *type)
{
	const char *ty = cfh_resource_type(res);

	return ty && !strcmp(ty, type);
}


struct cfh_node *cfh_res_props(struct cfh_run *r, struct cfh_node *res,
			       const char *reason)
{
	struct cfh_node *p = cfh_map_get(res, "Properties");

	if (p)
		return cfh_props_dynamic(res) ? NULL : p;
	if (cfh_edit_set_take(r, res, "Properties", json_object(), reason, &p))
		return NULL;
	return p;
}


static bool sub_mentions(const char *s, const char *id)
{
	size_t n = strlen(id);

	while ((s = strstr(s, "${"))) {
		s += 2;
		if (!strncmp(s, id, n) && (s[n] == '}' || s[n] == '.'))
			return true;
	}
	return false;
}

bool cfh_refers_to(const struct cfh_node *n, const char *id)
{
	const struct cfh_entry *e;
	struct cfh_fn_view fv;
	const char *s;

	n = cfh_node_deref(n);
	if (!n)
		return false;
	if (cfh_node_fn(n, &fv)) {
		const struct cfh_node *arg = cfh_node_deref(fv.arg);

		switch (fv.fn) {
		case CFH_FN_REF:
			return cfh_node_str_eq(arg, id);
		case CFH_FN_GETATT:
			if (arg->kind == CFH_SCALAR) {
				size_t k = strlen(id);

				return !strncmp(arg->text, id, k) &&
				       arg->text[k] == '.';
			}
			return cfh_node_str_eq(cfh_seq_at(arg, 0), id);
		case CFH_FN_SUB:
			s = arg->kind == CFH_SCALAR ? arg->text
						    : cfh_node_str(cfh_seq_at(arg, 0));
			if (s && sub_mentions(s, id))
				return true;
			if (arg->kind == CFH_SCALAR)
				return false;
			return cfh_refers_to(cfh_seq_at(arg, 1), id);
		default:
			if (fv.short_form && n->kind == CFH_SCALAR)
				return false;
			break;
		}
	}
	if (n->kind != CFH_MAP && n->kind != CFH_SEQ)
		return false;
	cfh_for_each_entry(n, e)
		if (cfh_refers_to(e->value, id))
			return true;
	return false;
}


json_t *cfh_json_getatt(const char *id, const char *attr)
{
	return json_pack("{s:[s,s]}", "Fn::GetAtt", id, attr);
}

json_t *cfh_json_ref(const char *id)
{
	return json_pack("{s:s}", "Ref", id);
}

const char *cfh_env_param(const struct cfh_template *t)
{
	static const char *const names[] = { "EnvironmentSuffix",
					     "environmentSuffix", "Environment",
					     "environment", "Env", "Stage",
					     "EnvironmentName" };
	const struct cfh_node *params = cfh_template_section(t, "Parameters");
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (cfh_map_get(params, names[i]))
			return names[i];
	return NULL;
}

bool cfh_strlist_has(const char *const *list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

int cfh_strlist_add(const char ***list, size_t *n, const char *s)
{
	const char **v;

	if (cfh_strlist_has(*list, *n, s))
		return 0;
	v = realloc(*list, (*n + 2) * sizeof(*v));
	if (!v)
		return -1;
	v[(*n)++] = s;
	v[*n] = NULL;
	*list = v;
	return 0;
}

/* Does the Properties of @w name @u, whose ID is @id? From the graph's
 * record of names when it can tell, which spares a walk of @w: a
 * dashboard that names every resource would make each query linear. */
static bool props_name(struct cfh_graph *g, const struct cfh_vertex *w,
		       const struct cfh_vertex *u, const char *id)
{
	int k = -1;

	/* The record holds IDs as the index resolves them. */
	if (!strcmp(u->id, id) && cfh_graph_find(g, id) == u)
		k = cfh_graph_names(g, (struct cfh_vertex *)w,
				    (size_t)(u - g->v));
	if (k >= 0)
		return k;
	return cfh_refers_to(cfh_map_get(w->node, "Properties"), id);
}

int cfh_principal_uses(struct cfh_template *t, const char *pid,
		       const char ***out, size_t *n)
{
	struct cfh_graph *g = cfh_graph_get(t);
	const struct cfh_vertex *v = g ? cfh_graph_find(g, pid) : NULL;
	const struct cfh_node *pres;
	size_t i, k;

	*out = NULL;
	*n = 0;
	if (!g)
		return -1;
	if (!v || v->kind != CFH_V_RESOURCE)
		return 0;
	pres = v->node;
	/* What it names, in its properties (not just DependsOn). */
	for (i = 0; i < v->nout; i++) {
		const struct cfh_vertex *x = &g->v[v->out[i]];

		if (x->kind == CFH_V_RESOURCE && props_name(g, v, x, x->id) &&
		    cfh_strlist_add(out, n, x->id))
			return -1;
	}
	/* What names it. */
	for (i = 0; i < v->nin; i++) {
		const struct cfh_vertex *w = &g->v[v->in[i]];
		const struct cfh_node *p = cfh_map_get(w->node, "Properties");

		if (w->kind != CFH_V_RESOURCE)
			continue;
		if (cfh_res_is(w->node, "AWS::Logs::LogGroup") &&
		    cfh_refers_to(cfh_map_get(p, "LogGroupName"), pid) &&
		    cfh_strlist_add(out, n, w->id))
			return -1;
		if (cfh_res_is(w->node, "AWS::Lambda::EventSourceMapping") &&
		    cfh_refers_to(cfh_map_get(p, "FunctionName"), pid))
			for (k = 0; k < w->nout; k++) {
				const struct cfh_vertex *src = &g->v[w->out[k]];

				if (src->kind == CFH_V_RESOURCE &&
				    cfh_refers_to(cfh_map_get(p, "EventSourceArn"),
						  src->id) &&
				    cfh_strlist_add(out, n, src->id))
					return -1;
			}
		if (cfh_res_is(pres, "AWS::CodeBuild::Project") &&
		    cfh_res_is(w->node, "AWS::CodePipeline::Pipeline") &&
		    cfh_refers_to(cfh_map_get(p, "Stages"), pid)) {
			const char *b = cfh_node_ref(cfh_map_path(
				p, "ArtifactStore", "Location", NULL));

			if (b && cfh_res_is(cfh_resource(t, b), "AWS::S3::Bucket") &&
			    cfh_strlist_add(out, n, b))
				return -1;
		}
	}
	return 0;
}

int cfh_referrers(struct cfh_template *t, const char *id, const char *type,
		  const char ***out, size_t *n)
{
	struct cfh_graph *g = cfh_graph_get(t);
	const struct cfh_vertex *v = g ? cfh_graph_find(g, id) : NULL;
	size_t i, cap = 0;

	*out = NULL;
	*n = 0;
	if (!g)
		return -1;
	for (i = 0; v && i < v->nin; i++) {
		const struct cfh_vertex *w = &g->v[v->in[i]];
		const char **l;

		if (w->kind != CFH_V_RESOURCE ||
		    (type && !cfh_res_is(w->node, type)) ||
		    !props_name(g, w, v, id))
			continue;
		/* In-lists hold each vertex once, and resource IDs are
		 * unique (the loader refuses duplicate keys): no scan of
		 * the list for repeats, which a role of a thousand
		 * functions would make quadratic. */
		if (*n + 2 > cap) {
			cap = cap ? cap * 2 : 8;
			l = realloc(*out, cap * sizeof(*l));
			if (!l)
				return -1;
			*out = l;
		}
		(*out)[(*n)++] = w->id;
		(*out)[*n] = NULL;
	}
	return 0;
}

int cfh_ids_add(struct cfh_ids *s, const char *id)
{
	if (!s->index && !(s->index = json_object()))
		return -1;
	if (json_object_get(s->index, id))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		const char **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	if (json_object_set_new(s->index, id, json_true()))
		return -1;
	s->v[s->n++] = id;
	return 0;
}

bool cfh_ids_has(const struct cfh_ids *s, const char *id)
{
	return s->index && json_object_get(s->index, id);
}

void cfh_ids_release(struct cfh_ids *s)
{
	free(s->v);
	json_decref(s->index);
	memset(s, 0, sizeof(*s));
}

static int refs_walk(const struct cfh_node *n, const char ***out, size_t *cnt,
		     struct cfh_template *t, int depth)
{
	const struct cfh_entry *e;
	struct cfh_fn_view fv;
	const char *s, *res, *attr;

	n = cfh_node_deref(n);
	if (!n || depth > CFH_MAX_DEPTH)
		return 0;
	if (cfh_node_fn(n, &fv)) {
		const struct cfh_node *arg = cfh_node_deref(fv.arg);

		switch (fv.fn) {
		case CFH_FN_REF:
			s = cfh_node_str(arg);
			return s ? cfh_strlist_add(out, cnt, s) : 0;
		case CFH_FN_GETATT:
			if (!cfh_node_getatt(t, n, &res, &attr))
				return cfh_strlist_add(out, cnt, res);
			return 0;
		case CFH_FN_SUB:
			s = arg->kind == CFH_SCALAR ? arg->text
						    : cfh_node_str(cfh_seq_at(arg, 0));
			while (s && (s = strstr(s, "${"))) {
				size_t len;
				char *name;

				s += 2;
				len = strcspn(s, ".}");
				if (*s != '!' && s[len]) {
					name = cfh_arena_strndup(&t->arena, s, len);
					if (!name || cfh_strlist_add(out, cnt, name))
						return -1;
				}
				s += len;
			}
			if (arg->kind == CFH_SEQ)
				return refs_walk(cfh_seq_at(arg, 1), out, cnt, t,
						 depth + 1);
			return 0;
		default:
			if (fv.short_form && n->kind == CFH_SCALAR)
				return 0;
			break;
		}
	}
	if (n->kind != CFH_MAP && n->kind != CFH_SEQ)
		return 0;
	cfh_for_each_entry(n, e)
		if (refs_walk(e->value, out, cnt, t, depth + 1))
			return -1;
	return 0;
}

int cfh_refs_in(struct cfh_template *t, const struct cfh_node *n,
		const char ***out, size_t *cnt)
{
	*out = NULL;
	*cnt = 0;
	return refs_walk(n, out, cnt, t, 0);
}

/* Policy names are tried as NAME, NAME2, ... below this bound. */
#define MAX_POLICY_NAMES 1000

/* The @k-th candidate name for @base: @base itself, then @base2, ...
 * Returns 0, or -1 when it does not fit in @size bytes. */
static int policy_candidate(char *buf, size_t size, const char *base, size_t k)
{
	int n = k == 1 ? snprintf(buf, size, "%s", base)
		       : snprintf(buf, size, "%s%zu", base, k);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* The inline policy @name of the role's Policies list, or NULL. */
static struct cfh_node *inline_policy(const struct cfh_node *pols,
				      const char *name)
{
	const struct cfh_entry *e;

	if (!pols || pols->kind != CFH_SEQ)
		return NULL;
	cfh_for_each_entry(pols, e)
		if (cfh_node_str_eq(cfh_map_get(cfh_node_deref(e->value),
						"PolicyName"),
				    name))
			return e->value;
	return NULL;
}

bool cfh_role_has_policy(struct cfh_template *t, const char *role,
			 const char *name)
{
	static const char *const types[] = { "AWS::IAM::Policy",
					     "AWS::IAM::RolePolicy" };
	const struct cfh_node *pols = cfh_map_path(cfh_resource(t, role),
						   "Properties", "Policies",
						   NULL);
	size_t i, k, n;
	const char **ids;
	bool found = false;

	if (inline_policy(cfh_node_deref(pols), name))
		return true;
	/* A policy resource that names the role is an inline policy of it
	 * too (PutRolePolicy): the same name replaces the other. */
	for (i = 0; i < CFH_ARRAY_SIZE(types) && !found; i++) {
		if (cfh_referrers(t, role, types[i], &ids, &n))
			return true;	/* cannot tell: take it as taken */
		for (k = 0; k < n && !found; k++)
			found = cfh_node_str_eq(
				cfh_map_path(cfh_resource(t, ids[k]),
					     "Properties", "PolicyName", NULL),
				name);
		free(ids);
	}
	return found;
}

int cfh_role_grant_take(struct cfh_run *r, const char *role,
			const char *policy, json_t *stmts, const char *reason)
{
	struct cfh_node *res = cfh_resource(r->t, role);
	struct cfh_node *p = res ? cfh_res_props(r, res, "add Properties") : NULL;
	struct cfh_node *pols, *mine = NULL;
	json_t *s, *doc;
	char name[128];
	size_t i, k;
	int rc = 0;

	if (!p || !stmts)
		goto out;
	pols = cfh_map_get(p, "Policies");
	if (pols && pols->kind != CFH_SEQ) {
		char msg[300];

		snprintf(msg, sizeof(msg),
			 "Policies is not a literal list: %s, by hand", reason);
		rc = cfh_advise(r, res, msg);
		goto out;
	}
	/*
	 * IAM keeps one inline policy per name and role: a second of the
	 * same name replaces the first, and the role loses what it granted.
	 * So the statements go into the first of @policy, @policy2, ... that
	 * is either this role's inline policy with a literal list of
	 * statements (the same name on every run: idempotent) or free.
	 */
	for (k = 1; k < MAX_POLICY_NAMES; k++) {
		if (policy_candidate(name, sizeof(name), policy, k)) {
			rc = -1;
			goto out;
		}
		mine = inline_policy(pols, name);
		mine = mine ? cfh_map_path(cfh_node_deref(mine),
					   "PolicyDocument", "Statement", NULL)
			    : NULL;
		if (mine && mine->kind == CFH_SEQ)
			break;
		if (!cfh_role_has_policy(r->t, role, name))
			break;
		mine = NULL;
	}
	if (k == MAX_POLICY_NAMES) {
		rc = -1;
		goto out;
	}
	if (mine) {
		json_t *have = cfh_node_to_json(mine);

		json_array_foreach(stmts, i, s) {
			size_t j;
			json_t *h;
			bool dup = false;

			json_array_foreach(have, j, h)
				dup |= json_equal(h, s);
			if (!dup && (rc = cfh_edit_append_take(r, mine,
							       json_incref(s),
							       reason, NULL)))
				break;
		}
		json_decref(have);
		goto out;
	}
	doc = json_pack("{s:s, s:o}", "PolicyName", name, "PolicyDocument",
			cfh_policy_doc_take(json_incref(stmts)));
	rc = pols ? cfh_edit_append_take(r, pols, doc, reason, NULL)
		  : cfh_edit_set_take(r, p, "Policies", json_pack("[o]", doc),
				      reason, NULL);
out:
	json_decref(stmts);
	return rc;
}

int cfh_role_policy_name(struct cfh_template *t, const char *role,
			 const char *base, char *buf, size_t size)
{
	size_t k;

	for (k = 1; k < MAX_POLICY_NAMES; k++) {
		if (policy_candidate(buf, size, base, k))
			return -1;
		if (!cfh_role_has_policy(t, role, buf))
			return 0;
	}
	return -1;
}

const char *cfh_role_of(struct cfh_template *t, const struct cfh_node *res,
			bool by_name)
{
	const struct cfh_node *p = cfh_map_get(res, "Properties");
	const struct cfh_node *role = cfh_map_get(p, "Role");
	const char *id = NULL, *attr;

	if (!role)
		role = cfh_map_get(p, "ServiceRole");
	if (role && cfh_node_getatt(t, role, &id, &attr))
		id = by_name ? cfh_node_ref(role) : NULL;
	return id && cfh_res_is(cfh_resource(t, id), "AWS::IAM::Role") ? id
								  : NULL;
}

const char *cfh_env_param_str(const struct cfh_template *t)
{
	const char *name = cfh_env_param(t);
	const struct cfh_node *p, *type;

	if (!name)
		return NULL;
	p = cfh_node_deref(cfh_map_get(cfh_template_section(t, "Parameters"),
				       name));
	type = cfh_map_get(p, "Type");
	if (!cfh_node_is_map(p) || (type && !cfh_node_str_eq(type, "String")))
		return NULL;
	return name;
}

/* Sorted by type for the binary search. IAM names are not here: the iam
 * pass removes them. Load balancers and target groups are not either:
 * their 32 characters leave no room for a suffix. */
static const struct cfh_name_prop name_props[] = {
	{ "AWS::CodeBuild::Project", "Name", 255 },
	{ "AWS::CodeCommit::Repository", "RepositoryName", 100 },
	{ "AWS::CodePipeline::Pipeline", "Name", 100 },
	{ "AWS::DynamoDB::Table", "TableName", 255 },
	{ "AWS::ECR::Repository", "RepositoryName", 256 },
	{ "AWS::ECS::Cluster", "ClusterName", 255 },
	{ "AWS::ECS::Service", "ServiceName", 255 },
	{ "AWS::ECS::TaskDefinition", "Family", 255 },
	{ "AWS::ElastiCache::SubnetGroup", "CacheSubnetGroupName", 255 },
	{ "AWS::Kinesis::Stream", "Name", 128 },
	{ "AWS::Lambda::Function", "FunctionName", 64 },
	{ "AWS::Logs::LogGroup", "LogGroupName", 512 },
	{ "AWS::RDS::DBCluster", "DBClusterIdentifier", 63 },
	{ "AWS::RDS::DBInstance", "DBInstanceIdentifier", 63 },
	{ "AWS::RDS::DBSubnetGroup", "DBSubnetGroupName", 255 },
	{ "AWS::S3::Bucket", "BucketName", 63 },
	{ "AWS::SNS::Topic", "TopicName", 256 },
	{ "AWS::SQS::Queue", "QueueName", 80 },
	{ "AWS::SecretsManager::Secret", "Name", 512 },
	{ "AWS::Serverless::Function", "FunctionName", 64 },
	{ "AWS::Serverless::SimpleTable", "TableName", 255 },
	{ "AWS::Serverless::StateMachine", "Name", 80 },
	{ "AWS::StepFunctions::StateMachine", "StateMachineName", 80 },
};

const struct cfh_name_prop *cfh_name_prop(const char *type)
{
	size_t lo = 0, hi = sizeof(name_props) / sizeof(*name_props);

	while (type && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(type, name_props[mid].type);

		if (!c)
			return &name_props[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

bool cfh_bucket_not_sse_s3(const struct cfh_node *b)
{
	const struct cfh_node *enc = cfh_map_path(b, "Properties",
						  "BucketEncryption", NULL);
	const struct cfh_node *rules, *alg;
	size_t i;

	if (!enc)
		return false;
	rules = cfh_map_get(enc, "ServerSideEncryptionConfiguration");
	if (!cfh_node_is_seq(rules))
		return true;
	for (i = 0; i < cfh_node_count(rules); i++) {
		alg = cfh_map_path(cfh_seq_at(rules, i),
				   "ServerSideEncryptionByDefault",
				   "SSEAlgorithm", NULL);
		if (alg && !cfh_node_str_eq(alg, "AES256"))
			return true;
	}
	return false;
}

bool cfh_bucket_may_be_public(const struct cfh_node *b)
{
	const struct cfh_node *p = cfh_map_get(b, "Properties");
	const struct cfh_node *pab = cfh_map_get(p,
						 "PublicAccessBlockConfiguration");
	const struct cfh_node *oc = cfh_map_path(
		cfh_seq_at(cfh_map_path(p, "OwnershipControls", "Rules", NULL),
			   0),
		"ObjectOwnership", NULL);

	return !cfh_node_str_eq(cfh_map_get(pab, "RestrictPublicBuckets"),
				"true") ||
	       !(cfh_node_str_eq(cfh_map_get(pab, "IgnorePublicAcls"), "true") ||
		 cfh_node_str_eq(oc, "BucketOwnerEnforced"));
}
