/* SPDX-License-Identifier: MIT */
/*
 * Pass `portability` (S002-04, S003-09): a template that deploys in any
 * region and account, not only the one it was written in.
 *
 *   - Hardcoded availability zones (cfn-lint W3010) become
 *     !Select [i, !GetAZs '']: the template's distinct zones, in order,
 *     take the region's first, second, ... zone, so that what was spread
 *     over two zones still is. Zones read from a region-only mapping,
 *     !Select [i, !FindInMap [M, !Ref 'AWS::Region', K]] where M's K
 *     lists zone names, become !Select [i, !GetAZs ''] too: the stack
 *     failed in every region the mapping lacks. A mapping read no more
 *     is removed (cfn-lint W7001). A running resource keeps its zones,
 *     with an advisory (running_zone()).
 *   - An ARN with a region or an account in it becomes either a Fn::Sub
 *     with ${AWS::Partition}, ${AWS::Region} and ${AWS::AccountId}, when
 *     it names a resource of the template's own (by its literal name) or
 *     one AWS owns in every region (no account, or the "aws" account); or
 *     else a parameter with the old value as its default (S003-09: a
 *     CodeStar connection, a topic of another team): the template still
 *     deploys as before, and another environment passes its own.
 *
 *   AvailabilityZone: us-east-1a
 *     ==>  AvailabilityZone: !Select [0, !GetAZs '']
 *   AvailabilityZone: !Select [1, !FindInMap [RegionMap, !Ref 'AWS::Region', AZs]]
 *     ==>  AvailabilityZone: !Select [1, !GetAZs '']
 *   ConnectionArn: arn:aws:codestar-connections:us-east-1:123456789012:...
 *     ==>  ConnectionArn: !Ref PipelineConnectionArn
 *          (Parameters: PipelineConnectionArn, Default: the old ARN)
 *
 * IAM and resource policies, and IAM ARNs (the role a principal runs
 * as), are left alone: they are the iam pass's, and a parameter there
 * would hide what is granted. ARNs with only a partition (managed
 * policies, buckets) are left as they are.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "options.h"
#include "passlib.h"
#include "policy.h"

/* Where cfn-lint's W3010 looks for zones; "*" is every item of a list. */
static const struct {
	const char *type;
	const char *path;
} az_paths[] = {
	{ "AWS::AutoScaling::AutoScalingGroup", "AvailabilityZones/*" },
	{ "AWS::DAX::Cluster", "AvailabilityZones/*" },
	{ "AWS::DMS::ReplicationInstance", "AvailabilityZone" },
	{ "AWS::EC2::Host", "AvailabilityZone" },
	{ "AWS::EC2::Instance", "AvailabilityZone" },
	{ "AWS::EC2::LaunchTemplate",
	  "LaunchTemplateData/Placement/AvailabilityZone" },
	{ "AWS::EC2::Subnet", "AvailabilityZone" },
	{ "AWS::EC2::Volume", "AvailabilityZone" },
	{ "AWS::ElasticLoadBalancing::LoadBalancer", "AvailabilityZones/*" },
	{ "AWS::ElasticLoadBalancingV2::TargetGroup",
	  "Targets/*/AvailabilityZone" },
	{ "AWS::EMR::Cluster", "Instances/Placement/AvailabilityZone" },
	{ "AWS::Glue::Connection",
	  "ConnectionInput/PhysicalConnectionRequirements/AvailabilityZone" },
	{ "AWS::OpsWorks::Instance", "AvailabilityZone" },
	{ "AWS::RDS::DBCluster", "AvailabilityZones/*" },
	{ "AWS::RDS::DBInstance", "AvailabilityZone" },
};

/* Subtrees that hold policies: not this pass's. */
static const char *const policy_keys[] = {
	"PolicyDocument", "AssumeRolePolicyDocument", "KeyPolicy",
	"Policies", "ManagedPolicyArns", "PolicyText", "ResourcePolicy",
	"PermissionsBoundary", "Statement",
};

/* Per run of the pass. */
struct port {
	struct cfh_run *r;
	json_t *zones;		/* zone name -> its index, sorted */
	json_t *params;		/* external ARN -> parameter made for it */
	json_t *mapped;		/* mappings of zones no longer read here */
	struct cfh_ids names;	/* literal names of the template's resources */
	struct cfh_ids ids;	/* the resources the engine handed, in order */
};

/* us-east-1a, eu-central-2c, us-gov-west-1b: a region and one letter. */
static bool is_zone(const struct cfh_node *n)
{
	const char *s;
	size_t len;

	if (!cfh_node_is_str(n))
		return false;
	s = cfh_node_str(n);
	len = strlen(s);
	if (len < 6 || len > 30 || !islower((unsigned char)s[len - 1]) ||
	    !isdigit((unsigned char)s[len - 2]))
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    *s != '-')
			return false;
	return strchr(cfh_node_str(n), '-') != NULL;
}

typedef int (*visit_fn)(struct port *, const char *id, struct cfh_node *);

/* Call @fn on each node at @path below @n. */
static int walk_path(struct port *x, const char *id, struct cfh_node *n,
		     const char *path, visit_fn fn)
{
	const char *slash = strchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : strlen(path);
	struct cfh_entry *e;
	char key[128];

	if (!n || cfh_is_dynamic(n) || n->kind == CFH_ALIAS)
		return 0;
	if (len == 1 && *path == '*') {
		if (n->kind != CFH_SEQ)
			return 0;
		cfh_for_each_entry(n, e) {
			if (slash ? walk_path(x, id, e->value, slash + 1, fn)
				  : fn(x, id, e->value))
				return -1;
		}
		return 0;
	}
	if (n->kind != CFH_MAP || len >= sizeof(key))
		return 0;
	snprintf(key, sizeof(key), "%.*s", (int)len, path);
	n = cfh_map_get(n, key);
	if (!n)
		return 0;
	return slash ? walk_path(x, id, n, slash + 1, fn) : fn(x, id, n);
}

static int collect_zone(struct port *x, const char *id, struct cfh_node *n)
{
	(void)id;
	if (!is_zone(n))
		return 0;
	return json_object_set_new(x->zones, cfh_node_str(n), json_integer(0));
}

/*
 * A running resource stays in its zone. !Select [i, !GetAZs ''] lists the
 * account's zones in its own order (only those with a default subnet,
 * where there are any), so it may name another zone in the very region
 * the stack runs in, and a volume, subnet or database cannot move: the
 * update fails or replaces it. Advised, for the template's next stack.
 */
static int running_zone(struct port *x, const char *id, struct cfh_node *n,
			const char *what)
{
	char why[500];

	snprintf(why, sizeof(why),
		 "%s, but this resource runs in that zone, and !Select [i, "
		 "!GetAZs ''] may name another one in the same region: it "
		 "stays; write zones that way for a stack made anew "
		 "(S002-04)",
		 what);
	(void)id;
	return cfh_advise(x->r, n, why);
}

static int fix_zone(struct port *x, const char *id, struct cfh_node *n)
{
	json_t *i;
	char why[200];

	if (!is_zone(n))
		return 0;
	i = json_object_get(x->zones, cfh_node_str(n));
	if (!i)
		return 0;
	if (cfh_is_running(x->r, cfh_resource(x->r->t, id))) {
		snprintf(why, sizeof(why), "the zone '%s' exists in one region "
			 "only", cfh_node_str(n));
		return running_zone(x, id, n, why);
	}
	snprintf(why, sizeof(why),
		 "the zone '%s' exists in one region only: take the region's "
		 "zone %lld instead (S002-04)",
		 cfh_node_str(n), (long long)json_integer_value(i));
	return cfh_edit_replace_take(
		x->r, n,
		json_pack("{s:[I,{s:s}]}", "Fn::Select",
			  (json_int_t)json_integer_value(i), "Fn::GetAZs", ""),
		why, NULL);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Number the zones in name order: us-east-1b and us-east-1d become the
 * region's first and second. */
static int number_zones(json_t *zones)
{
	size_t n = json_object_size(zones), i = 0;
	const char **v, *k;
	json_t *val;

	if (!n)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return -1;
	json_object_foreach(zones, k, val)
		v[i++] = k;
	qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++)
		json_integer_set(json_object_get(zones, v[i]), (json_int_t)i);
	free(v);
	return 0;
}

/* ---- Zones from a region-only mapping ---- */

/*
 * The zones a !FindInMap [M, !Ref AWS::Region, K] gives, when every
 * region's K in the mapping M is a list of zone names: the number of zones
 * (the same in every region), or 0 when it is not such a mapping, or
 * SIZE_MAX when the regions' lists differ in length. @map receives M.
 */
static size_t mapped_zones(struct port *x, const struct cfh_node *n,
			   const char **map)
{
	const struct cfh_node *arg, *m, *k, *mp;
	struct cfh_fn_view fv;
	const char *key, *region;
	struct cfh_entry *e, *z;
	size_t count = 0;

	n = cfh_node_deref(n);
	if (!n || !cfh_node_fn(n, &fv) || fv.fn != CFH_FN_FINDINMAP)
		return 0;
	arg = cfh_node_deref(fv.arg);
	if (!arg || arg->kind != CFH_SEQ || cfh_node_count(arg) != 3)
		return 0;
	m = cfh_node_deref(cfh_seq_at(arg, 0));
	k = cfh_node_deref(cfh_seq_at(arg, 2));
	region = cfh_node_ref(cfh_node_deref(cfh_seq_at(arg, 1)));
	if (!cfh_node_is_str(m) || !cfh_node_is_str(k) || !region ||
	    strcmp(region, "AWS::Region"))
		return 0;
	key = cfh_node_str(k);
	mp = cfh_map_get(cfh_map_get(x->r->t->root, "Mappings"),
			 cfh_node_str(m));
	if (!mp || mp->kind != CFH_MAP)
		return 0;
	cfh_for_each_entry(mp, e) {
		const struct cfh_node *l = cfh_map_get(e->value, key);
		size_t len = 0;

		if (!l || l->kind != CFH_SEQ)
			return 0;
		cfh_for_each_entry(l, z) {
			if (!is_zone(z->value))
				return 0;
			len++;
		}
		if (!len)
			return 0;
		if (count && len != count)
			count = SIZE_MAX;
		else if (!count)
			count = len;
	}
	*map = cfh_node_str(m);
	return count;
}

static int note_mapping(struct port *x, const char *map)
{
	return json_object_set_new(x->mapped, map, json_true());
}

/* !Select [i, !FindInMap [M, !Ref AWS::Region, K]] where M lists zones:
 * the region's own zone i, in every region. */
static int fix_mapped(struct port *x, const char *id, struct cfh_node *n)
{
	const struct cfh_node *arg, *i;
	struct cfh_fn_view fv;
	const char *map = NULL;
	char why[300];
	long long idx;
	char *end;

	if (!cfh_node_fn(n, &fv) || fv.fn != CFH_FN_SELECT)
		return 0;
	arg = cfh_node_deref(fv.arg);
	if (!arg || arg->kind != CFH_SEQ || cfh_node_count(arg) != 2)
		return 0;
	i = cfh_node_deref(cfh_seq_at(arg, 0));
	if (!i || i->kind != CFH_SCALAR || i->tag || !i->text[0] ||
	    !mapped_zones(x, cfh_seq_at(arg, 1), &map))
		return 0;
	idx = strtoll(i->text, &end, 10);
	if (*end || idx < 0)
		return 0;
	if (cfh_is_running(x->r, cfh_resource(x->r->t, id))) {
		snprintf(why, sizeof(why),
			 "the mapping '%s' lists zones for some regions only, "
			 "and the stack fails in any other",
			 map);
		return running_zone(x, id, n, why);
	}
	snprintf(why, sizeof(why),
		 "the mapping '%s' lists zones for some regions only, and "
		 "the stack fails in any other: take the region's zone %lld "
		 "instead (S002-04)",
		 map, idx);
	if (note_mapping(x, map))
		return -1;
	return cfh_edit_replace_take(
		x->r, n,
		json_pack("{s:[I,{s:s}]}", "Fn::Select", (json_int_t)idx,
			  "Fn::GetAZs", ""),
		why, NULL);
}

/* A list of zones that is the mapping's list as a whole: as many of the
 * region's own zones. */
static int fix_mapped_list(struct port *x, const char *id, struct cfh_node *n)
{
	const char *map = NULL;
	size_t count = mapped_zones(x, n, &map), i;
	char why[300];
	json_t *list;

	if (!count)
		return 0;
	if (cfh_is_running(x->r, cfh_resource(x->r->t, id))) {
		snprintf(why, sizeof(why),
			 "the mapping '%s' lists zones for some regions only, "
			 "and the stack fails in any other",
			 map);
		return running_zone(x, id, n, why);
	}
	if (count == SIZE_MAX) {
		snprintf(why, sizeof(why),
			 "not changed: the mapping '%s' lists zones for some "
			 "regions only, and the stack fails in any other; its "
			 "regions list different numbers of zones, so take as "
			 "many as you need with !Select [i, !GetAZs ''] "
			 "(S002-04)",
			 map);
		return cfh_advise(x->r, n, why);
	}
	list = json_array();
	for (i = 0; list && i < count; i++)
		if (json_array_append_new(
			    list, json_pack("{s:[I,{s:s}]}", "Fn::Select",
					    (json_int_t)i, "Fn::GetAZs", "")))
			goto oom;
	if (!list)
		return -1;
	snprintf(why, sizeof(why),
		 "the mapping '%s' lists zones for some regions only, and "
		 "the stack fails in any other: take the region's first %zu "
		 "zones instead (S002-04)",
		 map, count);
	if (note_mapping(x, map))
		goto oom;
	return cfh_edit_replace_take(x->r, n, list, why, NULL);
oom:
	json_decref(list);
	return -1;
}

/* Does a !FindInMap below @n still read the mapping @map (or one that
 * cannot be told, its name computed)? */
static bool mapping_used(const struct cfh_node *n, const char *map, int depth)
{
	const struct cfh_entry *e;
	struct cfh_fn_view fv;

	n = cfh_node_deref(n);
	if (!n || depth > CFH_MAX_DEPTH)
		return false;
	if (cfh_node_fn(n, &fv) && fv.fn == CFH_FN_FINDINMAP) {
		const struct cfh_node *arg = cfh_node_deref(fv.arg);
		const struct cfh_node *m = cfh_node_deref(cfh_seq_at(arg, 0));

		if (!m || !cfh_node_is_str(m) || !strcmp(cfh_node_str(m), map))
			return true;
	}
	if (n->kind != CFH_MAP && n->kind != CFH_SEQ)
		return false;
	cfh_for_each_entry(n, e)
		if (mapping_used(e->value, map, depth + 1))
			return true;
	return false;
}

/* A mapping nothing reads any more goes (cfn-lint W7001), and with the
 * last one the Mappings section. */
static int drop_mappings(struct port *x)
{
	struct cfh_node *maps = cfh_map_get(x->r->t->root, "Mappings");
	const char *map;
	json_t *v;
	char why[300];

	json_object_foreach(x->mapped, map, v) {
		if (!maps || mapping_used(x->r->t->root, map, 0))
			continue;
		snprintf(why, sizeof(why),
			 "the mapping '%s' is read no more, its zones now the "
			 "region's own (S002-04)",
			 map);
		if (cfh_node_count(maps) == 1) {
			if (cfh_edit_remove(x->r, x->r->t->root, "Mappings",
					    why))
				return -1;
			break;
		}
		if (cfh_edit_remove(x->r, maps, map, why))
			return -1;
	}
	return 0;
}

/* ---- ARNs ---- */

struct arn {
	char partition[16], service[64], region[32], account[16];
	const char *resource;
};

static bool parse_arn(const char *s, struct arn *a)
{
	size_t i, len;
	const char *p;

	if (strncmp(s, "arn:", 4))
		return false;
	/* partition:service:region:account:resource */
	for (i = 0, p = s + 4; i < 4; i++) {
		p = strchr(p, ':');
		if (!p)
			return false;
		p++;
	}
	a->resource = p;
	p = s + 4;
#define FIELD(dst)                                                  \
	len = strcspn(p, ":");                                      \
	if (len >= sizeof(dst))                                     \
		return false;                                       \
	memcpy(dst, p, len);                                        \
	dst[len] = '\0';                                            \
	p += len + 1;
	FIELD(a->partition)
	FIELD(a->service)
	FIELD(a->region)
	FIELD(a->account)
#undef FIELD
	if (strcmp(a->partition, "aws") && strcmp(a->partition, "aws-cn") &&
	    strcmp(a->partition, "aws-us-gov"))
		return false;
	for (i = 0; a->account[i]; i++)
		if (!isdigit((unsigned char)a->account[i]))
			return !strcmp(a->account, "aws");
	return (!*a->account || i == 12) && !strchr(s, '$') &&
	       !strchr(s, '*') && !strstr(s, "{{");
}

/* The last name in an ARN's resource part: "function:Name:alias" gives
 * "alias" too, so every ':' and '/' separated part is tried. */
static bool names_own(const struct port *x, const char *res)
{
	char buf[512];
	char *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", res);
	for (tok = strtok_r(buf, ":/", &save); tok;
	     tok = strtok_r(NULL, ":/", &save))
		if (cfh_ids_has(&x->names, tok))
			return true;
	return false;
}

/* "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:Topic":
 * the region and account the ARN had become the stack's own; an empty
 * account stays empty, and AWS's own ("aws") stays as it is. */
static json_t *arn_sub(const struct arn *a)
{
	/* Room for the pseudo parameters and the parsed fields. */
	size_t size = strlen(a->resource) + 160;
	char *buf = malloc(size);
	json_t *v = NULL;

	if (buf &&
	    !cfh_arn_format(buf, size, a->service,
			    *a->region ? CFH_ARN_HERE : CFH_ARN_ACCOUNT, NULL,
			    !*a->account		? ""
			    : strcmp(a->account, "aws") ? NULL
							: "aws",
			    a->resource))
		v = json_pack("{s:s}", "Fn::Sub", buf);
	free(buf);
	return v;
}

static const char *param_for(struct port *x, const char *id, const char *key,
			     const char *arn)
{
	json_t *have = json_object_get(x->params, arn);
	struct cfh_node *params;
	const char *pid;
	char base[256], desc[300];
	size_t kl = strlen(key);

	if (have)
		return json_string_value(have);
	snprintf(base, sizeof(base), "%s%c%s%s", id,
		 toupper((unsigned char)*key), kl ? key + 1 : "",
		 kl >= 3 && !strcasecmp(key + kl - 3, "arn") ? "" : "Arn");
	pid = cfh_fresh_id(x->r->t, base);
	params = cfh_edit_section(x->r, "Parameters");
	if (!pid || !params)
		return NULL;
	snprintf(desc, sizeof(desc), "%s of %s, in the account and region it "
		 "lives in", key, id);
	if (cfh_edit_set_take(x->r, params, pid,
			      json_pack("{s:s, s:s, s:s}", "Type", "String",
					"Default", arn, "Description", desc),
			      "an ARN of another account or region: a parameter, "
			      "whose default is the old value, lets each "
			      "environment pass its own (S003-09)",
			      NULL) ||
	    json_object_set_new(x->params, arn, json_string(pid)))
		return NULL;
	return json_string_value(json_object_get(x->params, arn));
}

/* Would changing @n, under a resource's Properties, replace the deployed
 * resource? Then --no-replace refuses the edit, and a parameter made for
 * it would be left unused. */
static bool refused(struct port *x, const char *id, const struct cfh_node *n)
{
	char *ptr, *p, *seg;
	char path[512] = "";
	bool replaces = false;

	if (!(cfh_no_replace(x->r)))
		return false;
	ptr = cfh_node_pointer(n);
	p = ptr ? strstr(ptr, "/Properties/") : NULL;
	if (!p) {
		free(ptr);
		return false;
	}
	/* "A/B" down to the first list item: the property as a whole. */
	for (seg = strtok(p + 12, "/"); seg && !isdigit((unsigned char)*seg);
	     seg = strtok(NULL, "/")) {
		if (*path)
			strncat(path, "/", sizeof(path) - strlen(path) - 1);
		strncat(path, seg, sizeof(path) - strlen(path) - 1);
	}
	replaces = *path && cfh_prop_replaces(cfh_resource(x->r->t, id), path);
	free(ptr);
	return replaces;
}

static int fix_arn(struct port *x, const char *id, const char *key,
		   struct cfh_node *n)
{
	struct arn a;
	const char *pid;

	if (!cfh_node_is_str(n) || !parse_arn(cfh_node_str(n), &a))
		return 0;
	/* The role a principal runs as is the iam pass's question, and a
	 * role behind a parameter could be any role. */
	if (!strcmp(a.service, "iam") || !strcmp(a.service, "sts"))
		return 0;
	if (!*a.region && (!*a.account || !strcmp(a.account, "aws")))
		return 0;	/* a partition alone: left */
	if (!*a.account || !strcmp(a.account, "aws") ||
	    names_own(x, a.resource))
		return cfh_edit_replace_take(
			x->r, n, arn_sub(&a),
			"the ARN's region and account are the stack's own: "
			"take them from pseudo parameters, so that the "
			"template deploys anywhere (S002-04)",
			NULL);
	if (refused(x, id, n))
		return cfh_advise(x->r, n,
				  "not changed (--no-replace): an ARN of another "
				  "account or region should be a parameter, but "
				  "changing it replaces the deployed resource "
				  "(S003-09)");
	pid = param_for(x, id, key, cfh_node_str(n));
	if (!pid)
		return -1;
	return cfh_edit_replace_take(x->r, n, cfh_json_ref(pid),
				     "take the ARN from its parameter (S003-09)",
				     NULL);
}

static bool policy_key(const char *k)
{
	size_t i;

	/* Asked of every key of the template: the first byte first. */
	for (i = 0; i < sizeof(policy_keys) / sizeof(*policy_keys); i++)
		if (k[0] == policy_keys[i][0] && !strcmp(k, policy_keys[i]))
			return true;
	return false;
}

/* Every literal ARN below @n, outside policies and intrinsics. @key is
 * the nearest mapping key, for a parameter's name. */
static int arns(struct port *x, const char *id, const char *key,
		struct cfh_node *n, int depth)
{
	struct cfh_entry *e;

	if (!n || depth > CFH_MAX_DEPTH || n->kind == CFH_ALIAS ||
	    (n->flags & CFH_NF_ALIASED))
		return 0;
	if (n->kind == CFH_SCALAR)
		return fix_arn(x, id, key, n);
	if (cfh_is_dynamic(n))
		return 0;
	cfh_for_each_entry(n, e) {
		const char *k = e->key ? e->key->text : key;

		if (e->key && policy_key(k))
			continue;
		if (arns(x, id, k, e->value, depth + 1))
			return -1;
	}
	return 0;
}

/* Policies are the iam pass's: every type named ...Policy, resource and
 * scaling policies too, a wider set than cfh_is_policy_type()'s
 * standalone identity policies. */
static bool policy_type(const struct cfh_node *res)
{
	const char *ty = cfh_resource_type(res);
	size_t len = ty ? strlen(ty) : 0;

	return len > 6 && !strcmp(ty + len - 6, "Policy");
}

/* Literal names of the template's resources: FunctionName, TopicName,
 * ... any property ending in "Name" with a plain string value. */
static int collect_names(struct port *x)
{
	struct cfh_entry *e, *pe;

	cfh_for_each_resource(x->r->t, e) {
		const struct cfh_node *p = cfh_map_get(e->value, "Properties");

		if (!cfh_node_is_map(p) || p->kind != CFH_MAP)
			continue;
		cfh_for_each_entry(p, pe) {
			size_t kl = strlen(pe->key->text);

			if (kl >= 4 && !strcmp(pe->key->text + kl - 4, "Name") &&
			    cfh_node_is_str(pe->value) &&
			    cfh_ids_add(&x->names, cfh_node_str(pe->value)))
				return -1;
		}
	}
	return 0;
}

/* Zones taken from a region-only mapping: the items at each zone path,
 * and, for a list path, the list property itself when it is the mapping's
 * list as a whole. */
static int fix_mapped_zones(struct port *x, const struct cfh_ids *ids)
{
	size_t i, j;

	for (i = 0; i < ids->n; i++) {
		struct cfh_node *res = cfh_resource(x->r->t, ids->v[i]);
		struct cfh_node *p = cfh_map_get(res, "Properties");
		const char *type = cfh_resource_type(res);

		for (j = 0; type && j < sizeof(az_paths) / sizeof(*az_paths);
		     j++) {
			const char *path = az_paths[j].path;
			size_t len = strlen(path);
			char list[128];

			if (strcmp(type, az_paths[j].type))
				continue;
			if (walk_path(x, ids->v[i], p, path, fix_mapped))
				return -1;
			if (len < 3 || strcmp(path + len - 2, "/*") ||
			    len - 2 >= sizeof(list))
				continue;
			snprintf(list, sizeof(list), "%.*s", (int)(len - 2), path);
			if (walk_path(x, ids->v[i], p, list, fix_mapped_list))
				return -1;
		}
	}
	return 0;
}

/*
 * One NAT gateway for subnets in several zones: when its zone fails, every
 * private subnet loses its way out (seed 003, S003-02). One per zone costs
 * more; the pass says so and leaves the choice.
 */
static int nat_advice(struct cfh_run *r)
{
	struct cfh_entry *e, *nat = NULL;
	size_t nats = 0, subnets = 0;

	cfh_for_each_resource(r->t, e) {
		if (cfh_res_is(e->value, "AWS::EC2::NatGateway") && !nats++)
			nat = e;
		subnets += cfh_res_is(e->value, "AWS::EC2::Subnet");
	}
	if (nats != 1 || subnets < 3 || cfh_pass_skips(r, nat->value))
		return 0;
	return cfh_advise(r, nat->value,
			  "one NAT gateway serves the subnets of every zone: "
			  "when its zone fails, the others lose their way "
			  "out; one NAT gateway per zone, each zone's route "
			  "table to its own (S003-02)");
}

/* Call @fn on the zones at each zone path of the resource's type. */
static int zone_paths(struct port *x, const char *id, struct cfh_node *res,
		      visit_fn fn)
{
	struct cfh_node *p = cfh_map_get(res, "Properties");
	const char *type = cfh_resource_type(res);
	size_t j;

	/* The type read once: walk_path() edits no Type. */
	for (j = 0; type && j < sizeof(az_paths) / sizeof(*az_paths); j++)
		if (!strcmp(type, az_paths[j].type) &&
		    walk_path(x, id, p, az_paths[j].path, fn))
			return -1;
	return 0;
}

static int before(struct cfh_run *r, void *st)
{
	struct port *x = st;

	x->r = r;
	x->zones = json_object();
	x->params = json_object();
	x->mapped = json_object();
	if (!x->zones || !x->params || !x->mapped)
		return -1;
	return collect_names(x);
}

/*
 * The zones of every resource are numbered before any changes, so that
 * distinct zones stay distinct: the handler only collects them, and the
 * resources, and after() makes the changes in the order the pass always
 * did (zones, mapped zones, mappings, the NAT advisory, ARNs).
 */
static int collect(struct cfh_run *r, void *st, const char *id,
		   struct cfh_node *res)
{
	struct port *x = st;

	(void)r;
	if (cfh_ids_add(&x->ids, id))
		return -1;
	return zone_paths(x, id, res, collect_zone);
}

static int after(struct cfh_run *r, void *st)
{
	struct port *x = st;
	size_t i;

	if (number_zones(x->zones))
		return -1;
	for (i = 0; i < x->ids.n; i++)
		if (zone_paths(x, x->ids.v[i], cfh_resource(r->t, x->ids.v[i]),
			       fix_zone))
			return -1;
	if (fix_mapped_zones(x, &x->ids) || drop_mappings(x) || nat_advice(r))
		return -1;
	for (i = 0; i < x->ids.n; i++) {
		struct cfh_node *res = cfh_resource(r->t, x->ids.v[i]);

		/* SAM takes an application's Location as a literal only. */
		if (policy_type(res) ||
		    cfh_res_is(res, "AWS::Lambda::Permission") ||
		    cfh_res_is(res, "AWS::Serverless::Application"))
			continue;
		if (arns(x, x->ids.v[i], "", cfh_map_get(res, "Properties"), 0))
			return -1;
	}
	return 0;
}

static void release(void *st)
{
	struct port *x = st;

	json_decref(x->zones);
	json_decref(x->params);
	json_decref(x->mapped);
	cfh_ids_release(&x->names);
	cfh_ids_release(&x->ids);
}

static const struct cfh_handler handlers[] = {
	{ "*", collect },
};

const struct cfh_pass_ops cfh_pass_portability = {
	.state_size = sizeof(struct port),
	.before = before,
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
	.after = after,
	.release = release,
};
