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

static json_t *item(const struct cfh_rtype *rt, const char *key, json_t *v)
{
	/* Auto Scaling requires PropagateAtLaunch on every tag; true gives
	 * the instances the group's tags too. */
	if (!strcmp(rt->name, "AWS::AutoScaling::AutoScalingGroup"))
		return json_pack("{s:s, s:O, s:b}", "Key", key, "Value", v,
				 "PropagateAtLaunch", 1);
	return json_pack("{s:s, s:O}", "Key", key, "Value", v);
}

static int tag_resource(struct cfh_template *t, struct cfh_node *res,
			const struct cfh_rtype *rt, struct want *w, size_t nw)
{
	bool list = rt->tag_shape == CFH_TAGS_LIST;
	struct cfh_node *p, *tags;
	size_t i, count;

	p = cfh_map_get(res, "Properties");
	tags = cfh_map_get(p, rt->tag_prop);
	if (tags && (cfh_is_dynamic(tags) ||
		     tags->kind != (list ? CFH_SEQ : CFH_MAP)))
		return 0;	/* decided at deploy time, or not ours to read */
	count = tags ? cfh_node_count(tags) : 0;
	for (i = 0; i < nw && count < MAX_TAGS; i++) {
		json_t *v;

		if (!w[i].value || (tags && has_key(tags, w[i].key)))
			continue;
		if (!tags) {
			p = cfh_res_props(t, res, "add Properties");
			if (!p)
				return 0;
			v = list ? json_pack("[o]", item(rt, w[i].key, w[i].value))
				 : json_pack("{s:O}", w[i].key, w[i].value);
			if (cfh_edit_set_take(t, p, rt->tag_prop, v, w[i].why,
					      &tags))
				return -1;
			if (!tags)
				return 0;	/* declined */
		} else if (list) {
			if (cfh_edit_append_take(t, tags,
						 item(rt, w[i].key, w[i].value),
						 w[i].why, NULL))
				return -1;
		} else if (cfh_edit_set_take(t, tags, w[i].key,
					     json_incref(w[i].value), w[i].why,
					     NULL)) {
			return -1;
		}
		count++;
	}
	return 0;
}

int cfh_pass_tags(struct cfh_template *t)
{
	const char *env = cfh_env_param_str(t);
	const char *project = cfh_opt_str(t, "project");
	const char *managed = cfh_opt_str(t, "managed-by");
	struct cfh_ids ids = { 0 };
	struct want w[4] = {
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
	size_t i;
	int rc = -1;

	if (env)
		w[1].value = cfh_json_ref(env);
	w[2].value = project && *project ? json_string(project)
					 : cfh_json_ref("AWS::StackName");
	if (managed && *managed)
		w[3].value = json_string(managed);
	if (cfh_pass_resources(t, &ids))
		goto out;
	for (i = 0; i < ids.n; i++) {
		struct cfh_node *res = cfh_resource(t, ids.v[i]);
		const char *type = cfh_resource_type(res);
		const struct cfh_rtype *rt = type ? cfh_rtype_find(type) : NULL;
		char sub[512];

		if (!rt || rt->tag_shape == CFH_TAGS_NONE || !rt->tag_prop ||
		    cfh_prop_replaces(res, rt->tag_prop))
			continue;
		json_decref(w[0].value);
		if (env) {
			snprintf(sub, sizeof(sub), "%s-${%s}", ids.v[i], env);
			w[0].value = json_pack("{s:s}", "Fn::Sub", sub);
		} else {
			w[0].value = json_string(ids.v[i]);
		}
		if (!w[0].value ||
		    tag_resource(t, res, rt, w, sizeof(w) / sizeof(*w)))
			goto out;
	}
	rc = 0;
out:
	for (i = 0; i < sizeof(w) / sizeof(*w); i++)
		json_decref(w[i].value);
	cfh_ids_release(&ids);
	return rc;
}
