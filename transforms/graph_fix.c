/* SPDX-License-Identifier: MIT */
/*
 * Pass `graph` (S004-04, S004-11, S002-10): the template's references
 * form a graph CloudFormation can deploy, and say what the author meant.
 *
 * The classic first-draft cycle: a bucket notifies a function, so it
 * depends on the function (and on the permission that lets S3 invoke it);
 * the permission's SourceArn, or the function role's policy, names the
 * bucket by !GetAtt Bucket.Arn, so they depend on the bucket. CloudFormation
 * refuses the template ("Circular dependency between resources"). The fix
 * is to name the bucket by its name, which is known before the bucket
 * exists: those references become !Sub arn:${AWS::Partition}:s3:::<name>,
 * and a bucket without a BucketName gets one (S004-04).
 *
 *   Permission:                        Permission:
 *     SourceArn: !GetAtt Bucket.Arn ==>  SourceArn: !Sub arn:${AWS::Partition}:s3:::uploads-${AWS::AccountId}-${AWS::Region}
 *
 * A permission that lets S3 invoke a function for a bucket of the template,
 * when that bucket sends the function no notification, is a notification
 * the author forgot: the bucket gets one for created objects, and depends
 * on the permission, which must exist first (S004-11).
 *
 * Security groups nothing uses (S002-10) and references to logical IDs the
 * template does not define are reported.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "passlib.h"
#include "policy.h"

#define EVENT "s3:ObjectCreated:*"

/* Per run of the pass. */
struct gfix {
	struct cfh_run *r;
	const struct cfh_graph *g;	/* as the pass started */
};

static struct cfh_node *props_of(const struct cfh_node *res)
{
	return cfh_map_get(res, "Properties");
}

/* The bucket's name as Sub text (*@sub) or a literal, when it is known
 * before the bucket exists; NULL otherwise. */
static const char *bucket_name(struct gfix *x, const struct cfh_node *name,
			       bool *sub)
{
	struct cfh_fn_view fv;
	const char *s, *p;

	*sub = false;
	if (cfh_node_is_str(name))
		return cfh_node_str(name);
	if (cfh_node_ref(name) &&
	    cfh_map_get(cfh_template_section(x->r->t, "Parameters"),
			cfh_node_ref(name))) {
		char *buf = malloc(strlen(cfh_node_ref(name)) + 4);
		const char *out;

		if (!buf)
			return NULL;
		sprintf(buf, "${%s}", cfh_node_ref(name));
		out = cfh_arena_strndup(&x->r->t->arena, buf, strlen(buf));
		free(buf);
		*sub = true;
		return out;
	}
	if (!cfh_node_fn(name, &fv) || fv.fn != CFH_FN_SUB ||
	    fv.arg->kind != CFH_SCALAR)
		return NULL;
	/* Only pseudo parameters and parameters: nothing that could depend
	 * on a resource. */
	s = cfh_node_str(fv.arg);
	for (p = s; (p = strstr(p, "${"));) {
		size_t len;
		char id[256];

		p += 2;
		len = strcspn(p, "}");
		if (*p == '!' || len >= sizeof(id))
			continue;
		memcpy(id, p, len);
		id[len] = '\0';
		if (strncmp(id, "AWS::", 5) &&
		    !cfh_map_get(cfh_template_section(x->r->t, "Parameters"),
				 id))
			return NULL;
		p += len;
	}
	*sub = true;
	return s;
}

/* ---- finding the references to a bucket ---- */

enum ref_kind { REF_NAME, REF_ARN, REF_SUB };

struct ref {
	struct cfh_node *node;
	enum ref_kind kind;
};

struct refs {
	struct ref v[64];
	size_t n;
	bool other;	/* a reference we cannot rewrite by name */
};

static bool sub_names(const char *s, const char *id, bool *other)
{
	size_t k = strlen(id);
	bool hit = false;

	for (; s && (s = strstr(s, "${")); s += 2) {
		if (strncmp(s + 2, id, k))
			continue;
		if (s[2 + k] == '}')
			hit = true;
		else if (!strncmp(s + 2 + k, ".Arn}", 5))
			hit = true;
		else if (s[2 + k] == '.')
			*other = true;
	}
	return hit;
}

static void collect(struct gfix *x, struct cfh_node *n, const char *b,
		    struct refs *out, int depth)
{
	struct cfh_entry *e;
	struct cfh_fn_view fv;
	const char *id, *attr;

	if (!n || depth > 64 || out->other)
		return;
	if (n->kind == CFH_ALIAS) {
		out->other |= cfh_refers_to(n, b);
		return;
	}
	if (cfh_node_fn(n, &fv)) {
		switch (fv.fn) {
		case CFH_FN_REF:
			if (cfh_node_str_eq(fv.arg, b))
				goto add_name;
			return;
		case CFH_FN_GETATT:
			if (cfh_node_getatt(x->r->t, n, &id, &attr) ||
			    strcmp(id, b))
				return;
			if (strcmp(attr, "Arn")) {
				out->other = true;
				return;
			}
			if (out->n == sizeof(out->v) / sizeof(*out->v)) {
				out->other = true;
				return;
			}
			out->v[out->n].node = n;
			out->v[out->n++].kind = REF_ARN;
			return;
		case CFH_FN_SUB:
			if (fv.arg->kind != CFH_SCALAR) {
				out->other |= cfh_refers_to(n, b);
				return;
			}
			if (!sub_names(fv.arg->text, b, &out->other))
				return;
			if (out->n == sizeof(out->v) / sizeof(*out->v)) {
				out->other = true;
				return;
			}
			out->v[out->n].node = n;
			out->v[out->n++].kind = REF_SUB;
			return;
		default:
			break;
		}
	}
	if (n->kind != CFH_MAP && n->kind != CFH_SEQ)
		return;
	cfh_for_each_entry(n, e)
		collect(x, e->value, b, out, depth + 1);
	return;
add_name:
	if (out->n == sizeof(out->v) / sizeof(*out->v)) {
		out->other = true;
		return;
	}
	out->v[out->n].node = n;
	out->v[out->n++].kind = REF_NAME;
}

/* Does resource @rid name @b outside its Properties (DependsOn, ...)? */
static bool names_outside(struct gfix *x, const char *rid, const char *b)
{
	const struct cfh_node *res = cfh_resource(x->r->t, rid);
	const struct cfh_node *dep = cfh_map_get(res, "DependsOn");
	const struct cfh_entry *e;

	if (cfh_node_str_eq(dep, b))
		return true;
	if (cfh_node_is_seq(dep))
		cfh_for_each_entry(cfh_node_deref(dep), e)
			if (cfh_node_str_eq(e->value, b))
				return true;
	return cfh_refers_to(cfh_map_get(res, "Metadata"), b);
}

/* Replace @from with @to in @s; a string the caller frees. */
static char *replace_all(const char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = 0;
	const char *p;
	char *out, *o;

	for (p = s; (p = strstr(p, from)); p += fl)
		n++;
	out = malloc(strlen(s) + n * (tl > fl ? tl - fl : 0) + 1);
	if (!out)
		return NULL;
	for (o = out; (p = strstr(s, from)); s = p + fl) {
		memcpy(o, s, (size_t)(p - s));
		o += p - s;
		memcpy(o, to, tl);
		o += tl;
	}
	strcpy(o, s);
	return out;
}

/* Rewrite one reference to bucket @b by its name. */
static int rewrite(struct gfix *x, const struct ref *ref, const char *b,
		   const char *name, bool sub, const char *reason)
{
	/* Room for "arn:${AWS::Partition}:s3:::" and the name. */
	size_t size = strlen(name) + 32;
	char *arn = malloc(size);
	char *pat = NULL, *t1 = NULL, *t2 = NULL;
	struct cfh_fn_view fv;
	json_t *v = NULL;
	int rc = -1;

	if (!arn || cfh_arn_format(arn, size, "s3", CFH_ARN_GLOBAL, NULL, NULL,
				   name)) {
		free(arn);
		return -1;
	}
	switch (ref->kind) {
	case REF_NAME:
		v = sub ? json_pack("{s:s}", "Fn::Sub", name) : json_string(name);
		break;
	case REF_ARN:
		v = json_pack("{s:s}", "Fn::Sub", arn);
		break;
	case REF_SUB:
		cfh_node_fn(ref->node, &fv);
		pat = malloc(strlen(b) + 8);
		if (!pat)
			goto out;
		sprintf(pat, "${%s.Arn}", b);
		t1 = replace_all(fv.arg->text, pat, arn);
		sprintf(pat, "${%s}", b);
		t2 = t1 ? replace_all(t1, pat, name) : NULL;
		if (!t2)
			goto out;
		v = json_pack("{s:s}", "Fn::Sub", t2);
		break;
	}
	rc = v ? cfh_edit_replace_take(x->r, ref->node, v, reason, NULL) : -1;
out:
	free(arn);
	free(pat);
	free(t1);
	free(t2);
	return rc;
}

/* Does rewriting @n, somewhere under the Properties of @res, replace
 * the deployed resource? */
static bool replaces(const struct cfh_node *res, const struct cfh_node *n)
{
	const struct cfh_node *props = props_of(res);
	const struct cfh_entry *e;

	while (n && n->parent && n->parent != props)
		n = n->parent;
	if (!n || !props)
		return false;
	e = cfh_node_entry(n);
	return e && e->key && cfh_prop_replaces(res, cfh_node_str(e->key));
}

/* ---- one bucket ---- */

struct wire {
	const char *perm, *fn;
};

/* The name of bucket @b, given one when it has none. */
static const char *name_bucket(struct gfix *x, const char *b, bool *sub)
{
	struct cfh_node *res = cfh_resource(x->r->t, b), *p;
	const struct cfh_node *name = cfh_map_get(props_of(res), "BucketName");
	char text[160], low[32];
	size_t i, k = 0;
	const char *s;

	if (name)
		return bucket_name(x, name, sub);
	for (i = 0; b[i] && k < sizeof(low) - 1; i++)
		if (isalnum((unsigned char)b[i]))
			low[k++] = (char)tolower((unsigned char)b[i]);
	low[k] = '\0';
	snprintf(text, sizeof(text), "%s-${AWS::AccountId}-${AWS::Region}", low);
	p = cfh_res_props(x->r, res, "add Properties");
	if (!p || cfh_edit_set_take(x->r, p, "BucketName",
				    json_pack("{s:s}", "Fn::Sub", text),
				    "a name known before the bucket exists, unique "
				    "per account and region, so that others can "
				    "name it without depending on it (S004-04)",
				    NULL))
		return NULL;
	/* Under --no-replace the name is not given: nothing may use it. */
	if (!cfh_map_get(props_of(res), "BucketName"))
		return NULL;
	s = cfh_arena_strndup(&x->r->t->arena, text, strlen(text));
	*sub = true;
	return s;
}

static bool reaches_or_is(struct gfix *x, const char *from, const char *to)
{
	return !strcmp(from, to) || cfh_graph_reaches(x->g, from, to);
}

/* Permissions that let S3 invoke a function for bucket @b, whose
 * function the bucket does not notify. */
static size_t missing_notifications(struct gfix *x, const char *b,
				    struct wire *w, size_t max)
{
	const struct cfh_node *lc = cfh_map_path(cfh_resource(x->r->t, b),
						 "Properties",
						 "NotificationConfiguration",
						 "LambdaConfigurations", NULL);
	const char **refs, *fn, *attr;
	size_t n, i, k = 0;

	if (cfh_referrers(x->r->t, b, "AWS::Lambda::Permission", &refs, &n))
		return 0;
	for (i = 0; i < n && k < max; i++) {
		const struct cfh_node *res = cfh_resource(x->r->t, refs[i]);
		const struct cfh_node *p = props_of(res);
		const struct cfh_node *f = cfh_map_get(p, "FunctionName");

		if (!cfh_node_str_eq(cfh_map_get(p, "Principal"),
				     "s3.amazonaws.com") ||
		    !cfh_refers_to(cfh_map_get(p, "SourceArn"), b) ||
		    cfh_pass_skips(x->r, res))
			continue;
		fn = cfh_node_ref(f);
		if (!fn && !cfh_node_getatt(x->r->t, f, &fn, &attr) &&
		    strcmp(attr, "Arn"))
			fn = NULL;
		if (!fn || (!cfh_res_is(cfh_resource(x->r->t, fn),
					"AWS::Lambda::Function") &&
			    !cfh_res_is(cfh_resource(x->r->t, fn),
					"AWS::Serverless::Function")))
			continue;
		if (cfh_refers_to(lc, fn))
			continue;
		w[k].perm = refs[i];
		w[k++].fn = fn;
	}
	free(refs);
	return k;
}

static int add_depends(struct gfix *x, struct cfh_node *res, const char *on)
{
	struct cfh_node *dep = cfh_map_get(res, "DependsOn");
	const char *why = "S3 checks that it may invoke the function when "
			  "the notification is made: the permission comes "
			  "first (S004-11)";

	if (!dep)
		return cfh_edit_set_take(x->r, res, "DependsOn",
					 json_string(on), why, NULL);
	if (dep->kind == CFH_SEQ)
		return cfh_edit_append_take(x->r, dep, json_string(on), why,
					    NULL);
	if (cfh_node_str(dep))
		return cfh_edit_replace_take(x->r, dep,
					     json_pack("[s,s]", cfh_node_str(dep),
						       on),
					     why, NULL);
	return 0;
}

static int notify(struct gfix *x, const char *b, const struct wire *w)
{
	struct cfh_node *res = cfh_resource(x->r->t, b);
	struct cfh_node *p = cfh_res_props(x->r, res, "add Properties");
	struct cfh_node *nc, *lc;
	json_t *cfg;
	const char *why = "a permission lets S3 invoke the function for this "
			  "bucket, but the bucket never notifies it: send it "
			  "created objects (S004-11)";

	if (!p)
		return -1;
	cfg = json_pack("{s:s, s:o}", "Event", EVENT, "Function",
			cfh_json_getatt(w->fn, "Arn"));
	nc = cfh_map_get(p, "NotificationConfiguration");
	lc = cfh_map_get(nc, "LambdaConfigurations");
	if (!nc) {
		if (cfh_edit_set_take(x->r, p, "NotificationConfiguration",
				      json_pack("{s:[o]}", "LambdaConfigurations",
						cfg),
				      why, NULL))
			return -1;
	} else if (!lc && nc->kind == CFH_MAP) {
		if (cfh_edit_set_take(x->r, nc, "LambdaConfigurations",
				      json_pack("[o]", cfg), why, NULL))
			return -1;
	} else if (lc && lc->kind == CFH_SEQ) {
		if (cfh_edit_append_take(x->r, lc, cfg, why, NULL))
			return -1;
	} else {
		json_decref(cfg);
		return cfh_advise(x->r, res,
				  "its notification configuration is not "
				  "literal: wire the function by hand (S004-11)");
	}
	return add_depends(x, res, w->perm);
}

static int bucket(struct gfix *x, const char *b)
{
	const struct cfh_vertex *v = cfh_graph_find(x->g, b);
	struct wire w[16];
	const char *rids[64], *name;
	struct refs found[64];
	size_t nw, nr = 0, i, k;
	bool sub, cyc = false;
	bool no_replace = cfh_no_replace(x->r);
	char why[300];

	if (!v)
		return 0;
	nw = missing_notifications(x, b, w, sizeof(w) / sizeof(*w));
	/* A bucket that names nothing is on no cycle; most buckets. */
	if (!v->nout && !nw)
		return 0;
	/* The referrers whose references to the bucket close a cycle now,
	 * or would once the bucket notifies the functions (and depends on
	 * the permissions). */
	for (i = 0; i < v->nin; i++) {
		const struct cfh_vertex *r = &x->g->v[v->in[i]];
		bool close = false;

		if (r->kind != CFH_V_RESOURCE || !strcmp(r->id, b))
			continue;
		if (cfh_graph_reaches(x->g, b, r->id))
			close = cyc = true;
		for (k = 0; k < nw && !close; k++)
			close = reaches_or_is(x, w[k].fn, r->id) ||
				reaches_or_is(x, w[k].perm, r->id);
		if (close && nr == sizeof(rids) / sizeof(*rids))
			return cfh_advise(x->r, cfh_resource(x->r->t, b),
					  "too many resources close dependency "
					  "cycles through this bucket to name it "
					  "by its name: break them by hand "
					  "(S004-04)");
		if (close)
			rids[nr++] = r->id;
	}
	if (!nr && !nw)
		return 0;
	for (i = 0; i < nr; i++) {
		struct cfh_node *res = cfh_resource(x->r->t, rids[i]);

		memset(&found[i], 0, sizeof(found[i]));
		found[i].other = names_outside(x, rids[i], b) ||
				 cfh_pass_skips(x->r, res) ||
				 cfh_props_dynamic(res);
		collect(x, props_of(res), b, &found[i], 0);
		/* Under --no-replace a rewrite that replaces the referrer (a
		 * permission's SourceArn) is not made: the cycle would stay,
		 * or a wired notification would close one. */
		for (k = 0; k < found[i].n && no_replace; k++)
			found[i].other |= replaces(res, found[i].v[k].node);
		if (found[i].other)
			return cfh_advise(x->r, res,
					  cyc ? "closes a dependency cycle through "
						"the bucket with a reference the "
						"pass cannot rewrite to the bucket's "
						"name (a form it does not read, or a "
						"replacement --no-replace skips): "
						"break it by hand (S004-04)"
					      : "names the bucket in a way that "
						"would close a dependency cycle "
						"once the bucket notifies the "
						"function, and the pass cannot "
						"rewrite it (a form it does not read, "
						"or a replacement --no-replace "
						"skips): wire it by hand (S004-11)");
	}
	if (nr) {
		name = name_bucket(x, b, &sub);
		if (!name)
			return cfh_advise(x->r, cfh_resource(x->r->t, b),
					  "no name known before the bucket exists "
					  "(none given, or one other resources "
					  "decide): break the dependency cycle by "
					  "hand (S004-04)");
		snprintf(why, sizeof(why),
			 "name bucket %s by its name, not its attributes: %s "
			 "(S004-04)",
			 b, cyc ? "the reference closed a dependency cycle"
				: "the bucket will depend on this resource");
		for (i = 0; i < nr; i++)
			for (k = 0; k < found[i].n; k++)
				if (rewrite(x, &found[i].v[k], b, name, sub, why))
					return -1;
	}
	for (k = 0; k < nw; k++)
		if (notify(x, b, &w[k]))
			return -1;
	return 0;
}

/* ---- advisories ---- */

static bool sg_user(struct gfix *x, const struct cfh_vertex *u,
		    const char *sg)
{
	if (u->kind == CFH_V_OUTPUT)
		return true;
	if (u->kind != CFH_V_RESOURCE)
		return false;
	if (cfh_res_is(u->node, "AWS::EC2::SecurityGroup"))
		return false;
	if (cfh_res_is(u->node, "AWS::EC2::SecurityGroupIngress") ||
	    cfh_res_is(u->node, "AWS::EC2::SecurityGroupEgress"))
		return !cfh_refers_to(cfh_map_path(u->node, "Properties",
						   "GroupId", NULL),
				      sg);
	(void)x;
	return true;
}

static int unused_groups(struct gfix *x)
{
	const struct cfh_vertex **sgs;
	size_t n, i, k;
	int rc = 0;

	n = cfh_graph_of_type(x->g, "AWS::EC2::SecurityGroup", &sgs);
	if (n == (size_t)-1)
		return -1;
	for (i = 0; i < n && !rc; i++) {
		bool used = false;

		if (cfh_pass_skips(x->r, sgs[i]->node))
			continue;
		for (k = 0; k < sgs[i]->nin && !used; k++)
			used = sg_user(x, &x->g->v[sgs[i]->in[k]], sgs[i]->id);
		if (!used)
			rc = cfh_advise(x->r, sgs[i]->node,
					"security group that nothing in the "
					"template uses: remove it, or attach it "
					"where it was meant to be (S002-10)");
	}
	free((void *)sgs);
	return rc;
}

static bool defined(struct gfix *x, const char *id)
{
	return !strncmp(id, "AWS::", 5) || cfh_resource(x->r->t, id) ||
	       cfh_map_get(cfh_template_section(x->r->t, "Parameters"), id);
}

static int dangle(struct gfix *x, const struct cfh_node *at, const char *id)
{
	char why[400];

	if (defined(x, id))
		return 0;
	snprintf(why, sizeof(why),
		 "refers to '%.200s', which the template does not define: the "
		 "stack cannot deploy until it does (S002-03)",
		 id);
	return cfh_advise(x->r, at, why);
}

static int dangling_in(struct gfix *x, const struct cfh_node *n, int depth)
{
	const struct cfh_entry *e;
	struct cfh_fn_view fv;
	const char *id, *attr, *s;

	n = cfh_node_deref(n);
	if (!n || depth > 64)
		return 0;
	if (cfh_node_fn(n, &fv)) {
		switch (fv.fn) {
		case CFH_FN_REF:
			s = cfh_node_str(fv.arg);
			return s ? dangle(x, n, s) : 0;
		case CFH_FN_GETATT:
			return cfh_node_getatt(x->r->t, n, &id, &attr)
				       ? 0
				       : dangle(x, n, id);
		case CFH_FN_SUB:
			if (fv.arg->kind != CFH_SCALAR)
				return 0;	/* local variables */
			for (s = fv.arg->text; (s = strstr(s, "${"));) {
				char name[256];
				size_t len;

				s += 2;
				len = strcspn(s, ".}");
				if (*s == '!' || !s[len] || len >= sizeof(name))
					continue;
				memcpy(name, s, len);
				name[len] = '\0';
				if (dangle(x, n, name))
					return -1;
				s += len;
			}
			return 0;
		default:
			break;
		}
	}
	if (n->kind != CFH_MAP && n->kind != CFH_SEQ)
		return 0;
	cfh_for_each_entry(n, e)
		if (dangling_in(x, e->value, depth + 1))
			return -1;
	return 0;
}

static int dangling(struct gfix *x)
{
	const struct cfh_entry *e, *d;
	const struct cfh_node *outs;

	/* A transform makes resources of its own (SAM's roles, stages,
	 * APIs) that its templates refer to. */
	if (cfh_template_section(x->r->t, "Transform"))
		return 0;
	cfh_for_each_resource(x->r->t, e) {
		const struct cfh_node *dep = cfh_map_get(e->value, "DependsOn");

		if (cfh_pass_skips(x->r, e->value))
			continue;
		if (dangling_in(x, cfh_map_get(e->value, "Properties"), 0))
			return -1;
		if (cfh_node_is_str(dep) && dangle(x, dep, cfh_node_str(dep)))
			return -1;
		if (cfh_node_is_seq(dep))
			cfh_for_each_entry(cfh_node_deref(dep), d)
				if (cfh_node_is_str(d->value) &&
				    dangle(x, d->value, cfh_node_str(d->value)))
					return -1;
	}
	outs = cfh_template_section(x->r->t, "Outputs");
	return outs ? dangling_in(x, outs, 0) : 0;
}

static int before(struct cfh_run *r, void *st)
{
	struct gfix *x = st;

	x->r = r;
	x->g = cfh_graph_get(r->t);
	return x->g ? 0 : -1;
}

/* Each bucket in template order, as the walk found them when the pass
 * started; the graph stays the one the pass started with. */
static int bucket_handler(struct cfh_run *r, void *st, const char *id,
			  struct cfh_node *res)
{
	(void)r;
	(void)res;
	return bucket(st, id);
}

/* The advisories read the whole template, once every bucket is done. */
static int after(struct cfh_run *r, void *st)
{
	(void)r;
	return unused_groups(st) || dangling(st) ? -1 : 0;
}

static const struct cfh_handler handlers[] = {
	{ "AWS::S3::Bucket", bucket_handler },
};

const struct cfh_pass_ops cfh_pass_graph = {
	.state_size = sizeof(struct gfix),
	.before = before,
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
	.after = after,
};
