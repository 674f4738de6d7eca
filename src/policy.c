/* SPDX-License-Identifier: MIT */
/* Policy documents, statements and ARNs; see policy.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "policy.h"

/* Grouped by type: cfh_policy_sites() returns a run of rows. The resource
 * schemas name these properties; the list is of the types the passes
 * read or write. */
static const struct cfh_policy_site sites[] = {
	{ "AWS::IAM::Group", "Policies", "PolicyDocument", CFH_POLICY_IDENTITY },
	{ "AWS::IAM::GroupPolicy", "PolicyDocument", NULL, CFH_POLICY_IDENTITY },
	{ "AWS::IAM::ManagedPolicy", "PolicyDocument", NULL,
	  CFH_POLICY_IDENTITY },
	{ "AWS::IAM::Policy", "PolicyDocument", NULL, CFH_POLICY_IDENTITY },
	{ "AWS::IAM::Role", "Policies", "PolicyDocument", CFH_POLICY_IDENTITY },
	{ "AWS::IAM::Role", "AssumeRolePolicyDocument", NULL, CFH_POLICY_TRUST },
	{ "AWS::IAM::RolePolicy", "PolicyDocument", NULL, CFH_POLICY_IDENTITY },
	{ "AWS::IAM::User", "Policies", "PolicyDocument", CFH_POLICY_IDENTITY },
	{ "AWS::IAM::UserPolicy", "PolicyDocument", NULL, CFH_POLICY_IDENTITY },
	{ "AWS::KMS::Key", "KeyPolicy", NULL, CFH_POLICY_RESOURCE },
	{ "AWS::S3::BucketPolicy", "PolicyDocument", NULL, CFH_POLICY_RESOURCE },
	{ "AWS::SNS::TopicPolicy", "PolicyDocument", NULL, CFH_POLICY_RESOURCE },
	{ "AWS::SQS::QueuePolicy", "PolicyDocument", NULL, CFH_POLICY_RESOURCE },
	{ "AWS::SecretsManager::ResourcePolicy", "ResourcePolicy", NULL,
	  CFH_POLICY_RESOURCE },
};

const struct cfh_policy_site *cfh_policy_sites(const char *type, size_t *n)
{
	size_t i, k;

	*n = 0;
	for (i = 0; type && i < CFH_ARRAY_SIZE(sites); i++)
		if (!strcmp(sites[i].type, type)) {
			for (k = i; k < CFH_ARRAY_SIZE(sites) &&
				    !strcmp(sites[k].type, type);
			     k++)
				;
			*n = k - i;
			return &sites[i];
		}
	return NULL;
}

bool cfh_is_policy_type(const char *type)
{
	size_t n;
	const struct cfh_policy_site *s = cfh_policy_sites(type, &n);

	/* Standalone: the document is the resource's whole point, granted
	 * to the principals it names. */
	return s && s->kind == CFH_POLICY_IDENTITY && !s->item_key;
}

void cfh_stmt_iter_init(struct cfh_stmt_iter *it, struct cfh_node *doc)
{
	memset(it, 0, sizeof(*it));
	it->stmts = cfh_node_is_map(doc) ? cfh_map_get(doc, "Statement") : NULL;
	if (it->stmts && it->stmts->kind == CFH_ALIAS)
		it->stmts = (struct cfh_node *)cfh_node_deref(it->stmts);
	it->done = !it->stmts;
}

/* The value of @key, else of its Not- form. */
static const struct cfh_node *either(const struct cfh_node *m,
				     const char *key, const char *not_key,
				     bool *is_not)
{
	const struct cfh_node *v = cfh_map_get(m, key);

	*is_not = false;
	if (v)
		return v;
	v = cfh_map_get(m, not_key);
	*is_not = v != NULL;
	return v;
}

static bool fill(struct cfh_node *m, struct cfh_stmt *out)
{
	if (!cfh_node_is_map(m) || cfh_is_dynamic(m))
		return false;
	memset(out, 0, sizeof(*out));
	out->node = m;
	out->effect = cfh_map_get(m, "Effect");
	out->principal = either(m, "Principal", "NotPrincipal",
				&out->not_principal);
	out->action = either(m, "Action", "NotAction", &out->not_action);
	out->resource = either(m, "Resource", "NotResource",
			       &out->not_resource);
	out->condition = cfh_map_get(m, "Condition");
	return true;
}

bool cfh_stmt_next(struct cfh_stmt_iter *it, struct cfh_stmt *out)
{
	struct cfh_node *s = it->stmts;

	if (it->done)
		return false;
	/* A lone statement is one mapping: IAM reads it as a list of one. */
	if (s->kind == CFH_MAP) {
		it->done = true;
		return fill(s, out);
	}
	if (s->kind != CFH_SEQ) {
		it->done = true;
		return false;
	}
	while (it->i < s->n) {
		const struct cfh_entry *e = &s->ent[it->i++];

		if (!(e->flags & CFH_EF_REMOVED) &&
		    fill((struct cfh_node *)cfh_node_deref(e->value), out))
			return true;
	}
	it->done = true;
	return false;
}

bool cfh_policy_is_literal(const struct cfh_node *doc)
{
	const struct cfh_node *s = cfh_node_deref(cfh_map_get(doc, "Statement"));
	const struct cfh_entry *e;

	if (!s || cfh_is_dynamic(s))
		return false;
	if (s->kind == CFH_MAP)
		return true;
	if (s->kind != CFH_SEQ)
		return false;
	cfh_for_each_entry(s, e) {
		const struct cfh_node *v = cfh_node_deref(e->value);

		if (!cfh_node_is_map(v) || cfh_is_dynamic(v))
			return false;
	}
	return true;
}

bool cfh_stmt_allows(const struct cfh_stmt *s)
{
	return cfh_node_str_eq(s->effect, "Allow") && !cfh_is_dynamic(s->effect);
}

size_t cfh_strs_count(const struct cfh_node *n)
{
	n = cfh_node_deref(n);
	if (!n)
		return 0;
	if (n->kind == CFH_SEQ && !cfh_is_dynamic(n))
		return cfh_node_count(n);
	return 1;
}

const struct cfh_node *cfh_strs_node(const struct cfh_node *n, size_t i)
{
	n = cfh_node_deref(n);
	if (!n)
		return NULL;
	if (n->kind == CFH_SEQ && !cfh_is_dynamic(n))
		return cfh_node_deref(cfh_seq_at(n, i));
	return i ? NULL : n;
}

const char *cfh_strs_at(const struct cfh_node *n, size_t i)
{
	const struct cfh_node *v = cfh_strs_node(n, i);

	return cfh_node_is_str(v) ? v->text : NULL;
}

bool cfh_strs_has(const struct cfh_node *n, const char *s)
{
	size_t i, k = cfh_strs_count(n);

	for (i = 0; i < k; i++) {
		const char *v = cfh_strs_at(n, i);

		if (v && !strcmp(v, s))
			return true;
	}
	return false;
}

/* "a b c" as a string (one word) or a list (several). */
static json_t *actions_value(const char *actions)
{
	json_t *list;
	const char *p = actions;

	if (!strchr(actions, ' '))
		return json_string(actions);
	list = json_array();
	while (list && *p) {
		size_t len = strcspn(p, " ");

		if (len && json_array_append_new(list, json_stringn(p, len))) {
			json_decref(list);
			return NULL;
		}
		p += len;
		p += strspn(p, " ");
	}
	return list;
}

static json_t *stmt(json_t *principal, const char *actions, json_t *resource)
{
	json_t *s = json_object(), *a = actions_value(actions);

	if (!s || !a || !resource || json_object_set_new(s, "Effect",
							 json_string("Allow")) ||
	    (principal && json_object_set(s, "Principal", principal)) ||
	    json_object_set(s, "Action", a) ||
	    json_object_set(s, "Resource", resource)) {
		json_decref(s);
		s = NULL;
	}
	json_decref(principal);
	json_decref(a);
	json_decref(resource);
	return s;
}

json_t *cfh_stmt_allow_take(const char *actions, json_t *resource)
{
	return stmt(NULL, actions, resource);
}

json_t *cfh_stmt_service_take(const char *service, const char *actions,
			      json_t *resource)
{
	json_t *p = json_pack("{s:s}", "Service", service);

	if (!p) {
		json_decref(resource);
		return NULL;
	}
	return stmt(p, actions, resource);
}

json_t *cfh_stmt_with_sid_take(const char *sid, json_t *stmt)
{
	json_t *s = stmt ? json_pack("{s:s}", "Sid", sid) : NULL;

	if (s && json_object_update(s, stmt)) {
		json_decref(s);
		s = NULL;
	}
	json_decref(stmt);
	return s;
}

json_t *cfh_stmt_when_take(json_t *s, const char *op, const char *key,
			   json_t *value)
{
	json_t *cond, *ops;

	if (!s || !value)
		goto fail;
	cond = json_object_get(s, "Condition");
	if (!cond && (json_object_set_new(s, "Condition", json_object()) ||
		      !(cond = json_object_get(s, "Condition"))))
		goto fail;
	ops = json_object_get(cond, op);
	if (!ops && (json_object_set_new(cond, op, json_object()) ||
		     !(ops = json_object_get(cond, op))))
		goto fail;
	if (json_object_set_new(ops, key, value))
		goto fail_s;
	return s;
fail:
	json_decref(value);
fail_s:
	json_decref(s);
	return NULL;
}

json_t *cfh_policy_doc_take(json_t *stmts)
{
	if (!stmts)
		return NULL;
	return json_pack("{s:s, s:o}", "Version", "2012-10-17", "Statement",
			 stmts);
}

int cfh_arn_format(char *buf, size_t size, const char *service,
		   enum cfh_arn_scope scope, const char *region,
		   const char *account, const char *resource)
{
	int n;

	if (scope != CFH_ARN_HERE)
		region = "";
	else if (!region)
		region = "${AWS::Region}";
	if (scope == CFH_ARN_GLOBAL)
		account = "";
	else if (!account)
		account = "${AWS::AccountId}";
	n = snprintf(buf, size, "arn:${AWS::Partition}:%s:%s:%s:%s", service,
		     region, account, resource);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

json_t *cfh_arn_sub(const char *service, enum cfh_arn_scope scope,
		    const char *fmt, ...)
{
	char res[1024], arn[1200];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(res, sizeof(res), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(res) ||
	    cfh_arn_format(arn, sizeof(arn), service, scope, NULL, NULL, res))
		return NULL;
	return json_pack("{s:s}", "Fn::Sub", arn);
}
