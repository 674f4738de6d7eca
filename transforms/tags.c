/* SPDX-License-Identifier: MIT */
/*
 * Pass `tags` (S001-11, S002-12, S004-13): every resource that takes tags
 * carries the standard ones.
 *
 * Untagged resources cannot be told apart in the console, in Cost Explorer
 * or in an incident: which stack, which environment, which project made
 * this queue? Each taggable resource gets the tags it lacks of Name (the
 * logical ID and the environment), Environment (the environment
 * parameter), Project (the stack name, or tags.project) and ManagedBy
 * (tags.managed-by), in the shape its type takes, read from the
 * resource-schema table: a list of {Key, Value} for most types, a map for
 * SAM types, SSM parameters and a few others; none for types without tags.
 *
 *   Vpc:                                Vpc:
 *     Type: AWS::EC2::VPC        ==>      Properties:
 *                                           Tags:
 *                                             - Key: Name
 *                                               Value: !Sub Vpc-${EnvironmentSuffix}
 *                                             - Key: Environment
 *                                               Value: !Ref EnvironmentSuffix
 *                                             ...
 *
 * Keys a resource already has (in any letter case) are kept as they are,
 * and no resource goes past 50 tags, the limit of most services. Types
 * whose tags cannot change without replacing the resource are left alone:
 * a tag is not worth a new database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "options.h"
#include "passlib.h"
#include "schema.h"

#define MAX_TAGS 50

/* Does the literal tag collection @tags (a list or a map) have @key, in
 * any letter case? Keys given by an intrinsic cannot be compared: they
 * only count towards the limit. */
static bool has_key(const struct cfh_node *tags, const char *key)
{
	const struct cfh_entry *e;

	cfh_for_each_entry(tags, e) {
		const struct cfh_node *k =
			e->key ? e->key : cfh_map_get(cfh_node_deref(e->value),
						      "Key");
		const char *s = cfh_is_dynamic(k) ? NULL : cfh_node_str(k);

		if (s && !strcasecmp(s, key))
			return true;
	}
	return false;
}

struct want {
	const char *key;
	json_t *value;
	const char *why;
};

/* The tags every resource should carry, made once per run of the pass;
 * only Name differs per resource. */
struct tags {
	const char *env;
	struct want w[4];
};

static json_t *item(const struct cfh_rtype *rt, const char *key, json_t *v)
{
	/* Auto Scaling requires PropagateAtLaunch on every tag; true gives
	 * the instances the group's tags too. */
	if (!strcmp(cfh_rtype_name(rt), "AWS::AutoScaling::AutoScalingGroup"))
		return json_pack("{s:s, s:O, s:b}", "Key", key, "Value", v,
				 "PropagateAtLaunch", 1);
	return json_pack("{s:s, s:O}", "Key", key, "Value", v);
}

static int tag_resource(struct cfh_run *r, struct cfh_node *res,
			const struct cfh_rtype *rt, struct want *w, size_t nw)
{
	bool list = rt->tag_shape == CFH_TAGS_LIST;
	struct cfh_node *p, *tags;
	size_t i, count;

	p = cfh_map_get(res, "Properties");
	tags = cfh_map_get(p, cfh_rtype_tag_prop(rt));
	if (tags && (cfh_is_dynamic(tags) ||
		     tags->kind != (list ? CFH_SEQ : CFH_MAP)))
		return 0;	/* decided at deploy time, or not ours to read */
	count = tags ? cfh_node_count(tags) : 0;
	for (i = 0; i < nw && count < MAX_TAGS; i++) {
		json_t *v;

		if (!w[i].value || (tags && has_key(tags, w[i].key)))
			continue;
		if (!tags) {
			p = cfh_res_props(r, res, "add Properties");
			if (!p)
				return 0;
			v = list ? json_pack("[o]", item(rt, w[i].key, w[i].value))
				 : json_pack("{s:O}", w[i].key, w[i].value);
			if (cfh_edit_set_take(r, p, cfh_rtype_tag_prop(rt), v, w[i].why,
					      &tags))
				return -1;
			if (!tags)
				return 0;	/* declined */
		} else if (list) {
			if (cfh_edit_append_take(r, tags,
						 item(rt, w[i].key, w[i].value),
						 w[i].why, NULL))
				return -1;
		} else if (cfh_edit_set_take(r, tags, w[i].key,
					     json_incref(w[i].value), w[i].why,
					     NULL)) {
			return -1;
		}
		count++;
	}
	return 0;
}

static int before(struct cfh_run *r, void *st)
{
	struct tags *x = st;
	const char *project = cfh_opt_str(r, "project");
	const char *managed = cfh_opt_str(r, "managed-by");
	static const struct want init[4] = {
		{ "Name", NULL,
		  "a Name tag tells the resource apart in the console, in "
		  "bills and in an incident (S002-12)" },
		{ "Environment", NULL,
		  "an Environment tag says which environment the resource "
		  "serves, for cost and access reports (S004-13)" },
		{ "Project", NULL,
		  "a Project tag groups the resource with the rest of its "
		  "project, for cost allocation (S004-13)" },
		{ "ManagedBy", NULL,
		  "a ManagedBy tag says the resource is managed by a "
		  "template: change it there, not by hand (S001-11)" },
	};

	memcpy(x->w, init, sizeof(init));
	x->env = cfh_env_param_str(r->t);
	if (x->env && !(x->w[1].value = cfh_json_ref(x->env)))
		return -1;
	x->w[2].value = project && *project ? json_string(project)
					    : cfh_json_ref("AWS::StackName");
	if (managed && *managed)
		x->w[3].value = json_string(managed);
	return x->w[2].value ? 0 : -1;
}

/*
 * SAM adds an API's tags to its OpenAPI document: a DefinitionBody SAM
 * cannot read as one (an Fn::If of two, a Transform) makes the whole
 * template fail to transform. Such an API is left untagged.
 */
static bool sam_api_untaggable(const struct cfh_node *res)
{
	const struct cfh_node *body;
	struct cfh_fn_view fv;

	if (!cfh_res_is(res, "AWS::Serverless::Api") &&
	    !cfh_res_is(res, "AWS::Serverless::HttpApi"))
		return false;
	body = cfh_node_deref(cfh_map_path(res, "Properties", "DefinitionBody",
					   NULL));
	return body && (cfh_node_fn(body, &fv) || !cfh_node_is_map(body));
}

static int tag(struct cfh_run *r, void *st, const char *id,
	       struct cfh_node *res)
{
	struct tags *x = st;
	const struct cfh_rtype *rt = cfh_rtype_find(cfh_resource_type(res));
	char sub[512];

	if (!rt || rt->tag_shape == CFH_TAGS_NONE || !cfh_rtype_tag_prop(rt) ||
	    cfh_prop_replaces(res, cfh_rtype_tag_prop(rt)) ||
	    sam_api_untaggable(res))
		return 0;
	json_decref(x->w[0].value);
	if (x->env) {
		snprintf(sub, sizeof(sub), "%s-${%s}", id, x->env);
		x->w[0].value = json_pack("{s:s}", "Fn::Sub", sub);
	} else {
		x->w[0].value = json_string(id);
	}
	if (!x->w[0].value)
		return -1;
	return tag_resource(r, res, rt, x->w, CFH_ARRAY_SIZE(x->w));
}

static void release(void *st)
{
	struct tags *x = st;
	size_t i;

	for (i = 0; i < CFH_ARRAY_SIZE(x->w); i++)
		json_decref(x->w[i].value);
}

static const struct cfh_handler handlers[] = {
	{ "*", tag },
};

const struct cfh_pass_ops cfh_pass_tags = {
	.state_size = sizeof(struct tags),
	.before = before,
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
	.release = release,
};
