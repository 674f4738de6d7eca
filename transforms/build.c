/* SPDX-License-Identifier: MIT */
/*
 * Pass `build` (S000-06, S000-07, S001-09): CodeBuild projects that stop,
 * know where they run, and do not start from nothing every time.
 *
 * A project without TimeoutInMinutes runs a stuck build for an hour (and
 * waits in the queue for eight); without AWS_DEFAULT_REGION and the
 * stack's environment its buildspec cannot tell where it deploys; without
 * a cache every build downloads its sources and dependencies again. The
 * pass sets both timeouts (build.timeout-minutes,
 * build.queued-timeout-minutes), adds the variables the project lacks,
 * and a local cache (source, and docker layers for privileged builds in
 * a new stack) when none is set.
 *
 *   Build:                                Build:
 *     Type: AWS::CodeBuild::Project  ==>    Properties:
 *                                             TimeoutInMinutes: 30
 *                                             QueuedTimeoutInMinutes: 60
 *                                             Cache:
 *                                               Type: LOCAL
 *                                               Modes: [LOCAL_SOURCE_CACHE]
 *                                             Environment:
 *                                               EnvironmentVariables:
 *                                                 - Name: AWS_DEFAULT_REGION
 *                                                   Value: !Ref AWS::Region
 *
 * Its log group comes from the `logs` pass, its artifact bucket's
 * versioning and lifecycle from the `s3` pass. ENVIRONMENT_SUFFIX is added
 * once the template has an environment parameter (the `parameters` pass,
 * later in the sequence, may add one; the engine runs the sequence again).
 */
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "passlib.h"

static int timeouts(struct cfh_run *r, struct cfh_node *res,
		    struct cfh_node *p)
{
	char why[400];
	long long v;

	/* A running project's builds may take longer than the new limit
	 * (its default is an hour): the limit is the owner's to choose. */
	if (cfh_is_running(r, res)) {
		if (cfh_map_get(p, "TimeoutInMinutes") &&
		    cfh_map_get(p, "QueuedTimeoutInMinutes"))
			return 0;
		snprintf(why, sizeof(why),
			 "no build or queue timeout: a stuck build runs, and "
			 "costs, for an hour, a queued one waits eight hours; "
			 "once you know how long its builds take, set "
			 "TimeoutInMinutes (say %lld) and QueuedTimeoutInMinutes "
			 "(say %lld) (S000-06)",
			 cfh_opt_int(r, "timeout-minutes"),
			 cfh_opt_int(r, "queued-timeout-minutes"));
		return cfh_advise(r, res, why);
	}
	if (!cfh_map_get(p, "TimeoutInMinutes")) {
		v = cfh_opt_int(r, "timeout-minutes");
		snprintf(why, sizeof(why),
			 "a stuck build stops after %lld minutes instead of "
			 "running, and costing, for an hour (S000-06)", v);
		if (cfh_edit_set_take(r, p, "TimeoutInMinutes",
				      json_integer(v), why, NULL))
			return -1;
	}
	if (!cfh_map_get(p, "QueuedTimeoutInMinutes")) {
		v = cfh_opt_int(r, "queued-timeout-minutes");
		snprintf(why, sizeof(why),
			 "a build that cannot start within %lld minutes fails "
			 "instead of waiting eight hours in the queue (S000-06)",
			 v);
		if (cfh_edit_set_take(r, p, "QueuedTimeoutInMinutes",
				      json_integer(v), why, NULL))
			return -1;
	}
	return 0;
}

static bool has_var(const struct cfh_node *vars, const char *name)
{
	const struct cfh_entry *e;

	if (!vars)
		return false;
	cfh_for_each_entry(vars, e)
		if (cfh_node_str_eq(cfh_map_get(e->value, "Name"), name))
			return true;
	return false;
}

/* The variables a buildspec needs to know where it runs (S000-07). */
static int variables(struct cfh_run *r, struct cfh_node *res,
		     struct cfh_node *p)
{
	struct cfh_node *env = cfh_map_get(p, "Environment"), *vars;
	const char *param = cfh_env_param(r->t);
	json_t *want;
	size_t i;
	int rc = 0;

	if (!cfh_node_is_map(env) || cfh_is_dynamic(env))
		return 0;	/* none, or decided at deploy time */
	vars = cfh_map_get(env, "EnvironmentVariables");
	if (vars && !cfh_node_is_seq(vars))
		return cfh_is_dynamic(vars) ? 0 : cfh_advise(
				r, res, "EnvironmentVariables is not a list: "
				"add AWS_DEFAULT_REGION by hand");
	want = json_array();
	if (!has_var(vars, "AWS_DEFAULT_REGION"))
		json_array_append_new(want, json_pack("{s:s, s:o}", "Name",
						      "AWS_DEFAULT_REGION",
						      "Value",
						      cfh_json_ref("AWS::Region")));
	if (param && !has_var(vars, "ENVIRONMENT_SUFFIX"))
		json_array_append_new(want, json_pack("{s:s, s:o}", "Name",
						      "ENVIRONMENT_SUFFIX",
						      "Value",
						      cfh_json_ref(param)));
	if (!json_array_size(want))
		goto out;
	if (!vars) {
		rc = cfh_edit_set_take(r, env, "EnvironmentVariables",
				       json_incref(want),
				       "the buildspec learns the region and "
				       "environment it builds for (S000-07)",
				       NULL);
		goto out;
	}
	for (i = 0; i < json_array_size(want) && !rc; i++) {
		char why[160];

		snprintf(why, sizeof(why),
			 "the buildspec learns %s from the stack (S000-07)",
			 json_string_value(json_object_get(
				 json_array_get(want, i), "Name")));
		rc = cfh_edit_append_take(r, vars,
					  json_incref(json_array_get(want, i)),
					  why, NULL);
	}
out:
	json_decref(want);
	return rc;
}

/* A local cache where the build runs on a Linux container, the only kind
 * local caching supports; docker layers only for privileged (docker)
 * builds, which are the ones that have them (S001-09), and only in a new
 * stack: a running project's docker builds would start reusing layers,
 * and an image whose "RUN apt-get install" layer comes from the cache
 * misses the updates that the same build fetches today. The source cache
 * keeps only git metadata: the build still checks out the same commit. */
static int cache(struct cfh_run *r, const struct cfh_node *res,
		 struct cfh_node *p)
{
	const struct cfh_node *env = cfh_map_get(p, "Environment");
	json_t *modes;

	if (cfh_map_get(p, "Cache") ||
	    !cfh_node_str_eq(cfh_map_get(env, "Type"), "LINUX_CONTAINER"))
		return 0;
	modes = json_pack("[s]", "LOCAL_SOURCE_CACHE");
	if (cfh_node_str_eq(cfh_map_get(env, "PrivilegedMode"), "true") &&
	    !cfh_is_running(r, res))
		json_array_append_new(modes,
				      json_string("LOCAL_DOCKER_LAYER_CACHE"));
	return cfh_edit_set_take(r, p, "Cache",
				 json_pack("{s:s, s:o}", "Type", "LOCAL",
					   "Modes", modes),
				 "builds reuse what the last build on the same "
				 "host fetched instead of fetching everything "
				 "again (S001-09)",
				 NULL);
}

static int project(struct cfh_run *r, void *st, const char *id,
		   struct cfh_node *res)
{
	struct cfh_node *p = cfh_res_props(r, res, "add Properties");

	(void)st;
	(void)id;
	return !p || timeouts(r, res, p) || variables(r, res, p) ||
			       cache(r, res, p)
		       ? -1
		       : 0;
}

static const struct cfh_handler handlers[] = {
	{ "AWS::CodeBuild::Project", project },
};

const struct cfh_pass_ops cfh_pass_build = {
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
};
