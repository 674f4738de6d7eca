/* SPDX-License-Identifier: MIT */
/* The usage model: who uses a resource; see usage.h. */
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>

#include "graph.h"
#include "passlib.h"
#include "usage.h"

/* A value that is set and not !Ref AWS::NoValue. */
static bool is_set(const struct cfh_node *n)
{
	struct cfh_fn_view fv;

	n = cfh_node_deref(n);
	if (!n)
		return false;
	if (cfh_node_fn(n, &fv) && fv.fn == CFH_FN_REF &&
	    cfh_node_str_eq(cfh_node_deref(fv.arg), "AWS::NoValue"))
		return false;
	return !(n->kind == CFH_SCALAR && !cfh_node_fn(n, &fv) && !*n->text);
}

/*
 * How one origin that names the bucket reaches it. Origin access control
 * is the OriginAccessControlId with no identity beside it: an origin with
 * both is refused by CloudFront, and one with an identity alone cannot
 * serve SSE-KMS objects.
 */
static enum cfh_origin origin_kind(const struct cfh_node *o)
{
	const struct cfh_node *s3 = cfh_map_get(o, "S3OriginConfig");

	if (!cfh_node_is_map(o))
		return CFH_ORIGIN_OTHER;
	if (!is_set(cfh_map_get(o, "OriginAccessControlId")))
		return CFH_ORIGIN_OTHER;
	if (is_set(cfh_map_get(s3, "OriginAccessIdentity")))
		return CFH_ORIGIN_OTHER;
	return CFH_ORIGIN_OAC;
}

enum cfh_origin cfh_usage_origin(struct cfh_template *t, const char *id)
{
	enum cfh_origin worst = CFH_ORIGIN_NONE;
	const struct cfh_entry *e;
	const char **refs;
	size_t n, i;

	if (cfh_referrers(t, id, "AWS::CloudFront::Distribution", &refs, &n))
		return CFH_ORIGIN_OTHER;
	for (i = 0; i < n && worst != CFH_ORIGIN_OTHER; i++) {
		const struct cfh_node *origins = cfh_map_path(
			cfh_resource(t, refs[i]), "Properties",
			"DistributionConfig", "Origins", NULL);

		if (!cfh_refers_to(origins, id))
			continue;
		/* Origins not written as a list: not read, so not safe. */
		if (!cfh_node_is_seq(origins)) {
			worst = CFH_ORIGIN_OTHER;
			continue;
		}
		cfh_for_each_entry(cfh_node_deref(origins), e) {
			if (!cfh_refers_to(e->value, id))
				continue;
			worst = origin_kind(cfh_node_deref(e->value));
			if (worst == CFH_ORIGIN_OTHER)
				break;
		}
	}
	free(refs);
	return worst;
}

/* 1 and the phrase in @why when @v, the value of name property @prop, is
 * a fixed name; 0 when it is unset or the stack's own. */
static int fixed_name(const struct cfh_node *v, const char *prop, char *why,
		      size_t n)
{
	struct cfh_fn_view fv;

	v = cfh_node_deref(v);
	if (!is_set(v) || cfh_refers_to(v, "AWS::StackName"))
		return 0;
	if (!cfh_node_fn(v, &fv))
		snprintf(why, n, "its %s '%s' is fixed", prop, v->text);
	else if (fv.fn == CFH_FN_REF)
		snprintf(why, n, "its %s comes from parameter '%s'", prop,
			 cfh_node_str(cfh_node_deref(fv.arg)));
	else if (fv.fn == CFH_FN_IMPORTVALUE)
		snprintf(why, n, "its %s comes from an import", prop);
	else
		snprintf(why, n, "its %s is fixed", prop);
	return 1;
}

int cfh_usage_outside(struct cfh_template *t, const char *id, char *why,
		      size_t n)
{
	const struct cfh_node *res = cfh_resource(t, id);
	const struct cfh_name_prop *np = cfh_name_prop(cfh_resource_type(res));
	const struct cfh_graph *g = cfh_graph_get(t);
	const struct cfh_vertex *v;
	char scratch[8];
	size_t i;

	if (!why) {
		why = scratch;
		n = sizeof(scratch);
	}
	if (!g)
		return -1;
	v = cfh_graph_find_resource(g, id);
	for (i = 0; v && i < v->nin; i++) {
		const struct cfh_vertex *w = &g->v[v->in[i]];

		if (w->kind != CFH_V_OUTPUT)
			continue;
		snprintf(why, n, "%s by Output '%s'",
			 cfh_map_get(w->node, "Export") ? "exported" : "shown",
			 w->id);
		return 1;
	}
	if (np && fixed_name(cfh_map_path(res, "Properties", np->prop, NULL),
			     np->prop, why, n))
		return 1;
	return 0;
}

/* ---- resources of other stacks and accounts ---- */

/*
 * Words that name a resource of a service, as people name parameters,
 * exports and variables. Compared without case, '-' and '_'.
 */
static const struct {
	const char *service;
	const char *words[4];
} nouns[] = {
	{ "dynamodb", { "table" } },
	{ "ecr", { "repository", "repo", "image" } },
	{ "kinesis", { "stream" } },
	{ "firehose", { "firehose", "deliverystream" } },
	{ "kms", { "kmskey", "keyarn", "keyid" } },
	{ "lambda", { "function" } },
	{ "logs", { "loggroup" } },
	{ "s3", { "bucket" } },
	{ "secretsmanager", { "secret" } },
	{ "sns", { "topic" } },
	{ "sqs", { "queue" } },
	{ "ssm", { "parameter", "ssmpath" } },
	{ "states", { "statemachine" } },
};

/* @s, lower-cased without '-', '_', ' ' and '.', into @out. */
static void squash(const char *s, char *out, size_t n)
{
	size_t k = 0;

	for (; s && *s && k + 1 < n; s++)
		if (!strchr("-_ .", *s))
			out[k++] = (char)tolower((unsigned char)*s);
	out[k] = '\0';
}

static bool names_service(const char *s, const char *service)
{
	char sq[256], arn[64];
	size_t i, k;

	if (!s)
		return false;
	/* An ARN of the service, in either partition spelling. */
	if (!strncmp(s, "arn:", 4)) {
		const char *p = s + 4;

		if (!strncmp(p, "${AWS::Partition}", 17))
			p += 17;
		else
			p = strchr(p, ':');
		if (!service)
			return true;
		snprintf(arn, sizeof(arn), ":%s:", service);
		return p && !strncmp(p, arn, strlen(arn));
	}
	squash(s, sq, sizeof(sq));
	for (i = 0; i < CFH_ARRAY_SIZE(nouns); i++) {
		if (service && strcmp(nouns[i].service, service))
			continue;
		for (k = 0; k < 4 && nouns[i].words[k]; k++)
			if (strstr(sq, nouns[i].words[k]))
				return true;
	}
	return false;
}

struct foreign {
	struct cfh_template *t;
	const struct cfh_graph *g;
	const char *service;
	char *why;
	size_t n;
};

/* A parameter @id that may name a resource of the service. */
static bool param_names(const struct foreign *f, const char *id)
{
	const struct cfh_vertex *v = cfh_graph_find(f->g, id);
	const struct cfh_node *def;

	if (!v || v->kind != CFH_V_PARAM)
		return false;
	def = cfh_map_get(v->node, "Default");
	if (!names_service(id, f->service) &&
	    !names_service(cfh_node_str(cfh_map_get(v->node, "Description")),
			   f->service) &&
	    !(cfh_node_is_str(def) && names_service(def->text, f->service)))
		return false;
	snprintf(f->why, f->n, "parameter '%s'", id);
	return true;
}

/* ${X} names in a Sub string that are parameters naming the service. */
static bool sub_names(const struct foreign *f, const char *s)
{
	char id[256];
	const char *e;
	size_t k;

	while (s && (s = strstr(s, "${"))) {
		s += 2;
		e = strchr(s, '}');
		if (!e)
			break;
		k = (size_t)(e - s);
		if (k < sizeof(id) && *s != '!') {
			memcpy(id, s, k);
			id[k] = '\0';
			if (param_names(f, id))
				return true;
		}
		s = e;
	}
	return false;
}

static bool walk_foreign(const struct foreign *f, const struct cfh_node *n,
			 bool env)
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
			return param_names(f, cfh_node_str(arg));
		case CFH_FN_IMPORTVALUE:
			s = cfh_node_str(arg);
			if (!s && cfh_node_fn(arg, &fv) && fv.fn == CFH_FN_SUB)
				s = cfh_node_str(cfh_node_deref(fv.arg));
			if (names_service(s, f->service)) {
				snprintf(f->why, f->n, "the import '%s'", s);
				return true;
			}
			break;
		case CFH_FN_SUB:
			s = arg && arg->kind == CFH_SCALAR
				    ? arg->text
				    : cfh_node_str(cfh_seq_at(arg, 0));
			if (sub_names(f, s))
				return true;
			break;
		default:
			break;
		}
		if (!arg || arg->kind == CFH_SCALAR)
			return false;
		/* In the tag form the argument is the tagged node itself
		 * (!If [C, A, B]): walk its entries, not the call again. */
		if (arg != n)
			return walk_foreign(f, arg, false);
		env = false;
	}
	if (n->kind == CFH_SCALAR) {
		if (!strncmp(n->text, "arn:", 4) &&
		    names_service(n->text, f->service)) {
			snprintf(f->why, f->n, "the ARN '%.200s'", n->text);
			return true;
		}
		return false;
	}
	cfh_for_each_entry(n, e) {
		/* BUCKET_NAME: legacy-uploads names one the template does
		 * not define. */
		if (env && e->key && cfh_node_is_str(e->value) &&
		    !cfh_node_fn(e->value, &fv) && *e->value->text &&
		    names_service(e->key->text, f->service)) {
			snprintf(f->why, f->n, "the variable %s='%.100s'",
				 e->key->text, e->value->text);
			return true;
		}
		if (walk_foreign(f, e->value,
				 e->key && !strcmp(e->key->text, "Variables")))
			return true;
	}
	return false;
}

int cfh_usage_foreign(struct cfh_template *t, const char *pid,
		      const char *service, char *why, size_t n)
{
	char scratch[8];
	struct foreign f = { t, cfh_graph_get(t), service, why, n };

	if (!f.g)
		return -1;
	if (!why) {
		f.why = scratch;
		f.n = sizeof(scratch);
	}
	return walk_foreign(&f, cfh_map_get(cfh_resource(t, pid), "Properties"),
			    false);
}
