/* SPDX-License-Identifier: MIT */
/*
 * Pass `naming` (S001-03, S002-02, S002-11, S003-11): names that differ
 * per environment.
 *
 * A bucket, table, queue, function or subnet group with a fixed name can
 * exist once per account and region: the second environment, or a second
 * copy for a test, fails with "already exists". Explicit names get the
 * environment parameter appended (or put in place of the environment name
 * they hardcode), through Fn::Sub:
 *
 *   BucketName: media-artifacts  ==>  BucketName: !Sub media-artifacts-${EnvironmentSuffix}
 *   QueueName: jobs-dev.fifo     ==>  QueueName: !Sub jobs-${EnvironmentSuffix}.fifo
 *
 * Renaming replaces the deployed resource: the edit API marks it, and
 * --no-replace skips it. A name that other text of the template repeats
 * (an ARN in a policy, a dynamic reference, a log group of a function) is
 * left alone with an advisory, since renaming would break that text; so
 * are names the service defines (/aws/...) and names with no room left
 * for the suffix. Function and container environment variables that
 * name an environment (ENV=production) get an advisory with the edit that
 * would use the parameter (seed 003, B9): they are configuration the code
 * reads, and never rewritten.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "passlib.h"

/* Room kept for the suffix: a hyphen and the 20 characters the default
 * environment pattern allows. */
#define SUFFIX_ROOM 21

struct cand {
	const char *id;
	struct cfh_node *node;		/* the name's value */
	const char *text;		/* literal, or the Sub template */
	bool sub;
	bool repeated;
	const struct cfh_name_prop *np;
};

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* @s contains @w as a whole word (a name inside an ARN, a path, ...). */
static bool has_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	const char *p = s;

	if (!n)
		return false;
	while ((p = strstr(p, w))) {
		if ((p == s || !word_char(p[-1])) && !word_char(p[n]))
			return true;
		p++;
	}
	return false;
}

/*
 * Mark the candidates whose name another scalar of the template repeats.
 * Another candidate is not a repeat: a name property defines a name, it
 * does not refer to one, so a service and its task family that happen to
 * share a name each take the suffix on their own.
 */
static void find_repeats(const struct cfh_node *n, struct cand *c, size_t nc,
			 int depth)
{
	const struct cfh_entry *e;
	size_t i;

	if (!n || depth > CFH_MAX_DEPTH)
		return;
	if (n->kind == CFH_SCALAR) {
		for (i = 0; i < nc; i++)
			if (n == c[i].node)
				return;
		for (i = 0; i < nc; i++)
			if (!c[i].repeated && n != c[i].node &&
			    !(c[i].sub && n->parent == c[i].node) &&
			    n->text && has_word(n->text, c[i].text))
				c[i].repeated = true;
		return;
	}
	if (n->kind != CFH_MAP && n->kind != CFH_SEQ)
		return;
	cfh_for_each_entry(n, e)
		find_repeats(e->value, c, nc, depth + 1);
}

/* The new Sub template: the environment word replaced, or the suffix
 * added before a .fifo ending or at the end. Returns the catalogue ID
 * the change implements. */
static const char *new_name(const struct cand *c, const char *env,
			    const char *envdef, char *out, size_t len)
{
	const char *t = c->text, *p;
	size_t n = strlen(t), k = envdef ? strlen(envdef) : 0;
	bool subnet = strstr(c->np->prop, "SubnetGroup") != NULL;

	/* jobs-dev, dev-jobs: the name hardcodes the environment. */
	for (p = k ? strstr(t, envdef) : NULL; p; p = strstr(p + 1, envdef))
		if ((p == t || !isalnum((unsigned char)p[-1])) &&
		    !isalnum((unsigned char)p[k])) {
			snprintf(out, len, "%.*s${%s}%s", (int)(p - t), t, env,
				 p + k);
			return subnet ? "S002-11" : "S002-02";
		}
	if (n > 5 && !strcmp(t + n - 5, ".fifo"))
		snprintf(out, len, "%.*s-${%s}.fifo", (int)(n - 5), t, env);
	else
		snprintf(out, len, "%s-${%s}", t, env);
	return subnet ? "S002-11" : "S001-03";
}

/* Length of the name as deployed, without the ${...} of a Sub. */
static size_t plain_len(const char *s, bool sub)
{
	size_t n = 0;

	for (; *s; s++) {
		if (sub && s[0] == '$' && s[1] == '{') {
			const char *end = strchr(s, '}');

			if (end) {
				s = end;
				n += 8;	/* a guess: a short parameter */
				continue;
			}
		}
		n++;
	}
	return n;
}

/* Per run of the pass. */
struct naming {
	const char *env, *envdef;	/* the parameter and its default */
	char mention[300];		/* "${env}" */
	struct cand *c;			/* names to rename, in template order */
	size_t n;
	struct cfh_ids ids;		/* the resources the engine handed */
};

/* The resource's explicit name, if it is a candidate. */
static int collect(struct naming *x, const char *id, struct cfh_node *res)
{
	const struct cfh_name_prop *np = cfh_name_prop(cfh_resource_type(res));
	struct cfh_node *v = np ? cfh_map_path(res, "Properties", np->prop,
					       NULL)
				: NULL;
	struct cfh_fn_view fv;
	const char *text = NULL;
	bool sub = false;
	struct cand *g;

	if (!v)
		return 0;
	if (cfh_node_is_str(v) && !strstr(v->text, "${")) {
		text = v->text;
	} else if (cfh_node_fn(v, &fv) && fv.fn == CFH_FN_SUB &&
		   fv.arg->kind == CFH_SCALAR) {
		/* !Sub 'x' is a tagged scalar, {"Fn::Sub": "x"} a
		 * mapping; the list form, with its variables, is
		 * left alone. */
		text = fv.arg->text;
		sub = true;
	}
	/* A name with the stack's name in it is already unique per stack:
	 * two environments are two stacks. */
	if (!text || !*text || strstr(text, x->mention) ||
	    strstr(text, "${AWS::StackName}") || !strncmp(text, "/aws/", 5))
		return 0;
	g = realloc(x->c, (x->n + 1) * sizeof(*x->c));
	if (!g)
		return -1;
	x->c = g;
	x->c[x->n++] = (struct cand){ id, v, text, sub, false, np };
	return 0;
}

static int rename_one(struct cfh_run *r, const struct cand *c,
		      const char *env, const char *envdef)
{
	char name[1024], why[300];
	const char *fix;

	if (c->repeated) {
		snprintf(why, sizeof(why),
			 "%s is fixed, so a second environment collides with "
			 "it, but other text of the template repeats it: add "
			 "${%s} to it and to that text by hand",
			 c->np->prop, env);
		return cfh_advise(r, c->node, why);
	}
	if (plain_len(c->text, c->sub) + SUFFIX_ROOM > c->np->max) {
		snprintf(why, sizeof(why),
			 "%s is fixed, so a second environment collides with "
			 "it, and it is too long to take the environment",
			 c->np->prop);
		return cfh_advise(r, c->node, why);
	}
	fix = new_name(c, env, envdef, name, sizeof(name));
	snprintf(why, sizeof(why),
		 "a fixed %s exists once per account and region: with the "
		 "environment in it, environments do not collide (%s)",
		 c->np->prop, fix);
	return cfh_edit_replace_take(r, c->node,
				     json_pack("{s:s}", "Fn::Sub", name), why,
				     NULL);
}

/* Variables that say which environment the code runs in. */
static bool env_var(const char *name)
{
	static const char *const names[] = {
		"ENV", "ENVIRONMENT", "ENVIRONMENT_NAME", "ENV_NAME",
		"ENVIRONMENT_SUFFIX", "STAGE", "STAGE_NAME", "APP_ENV",
		"DEPLOY_ENV", "DEPLOYMENT_ENVIRONMENT",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (!strcasecmp(name, names[i]))
			return true;
	return false;
}

static bool env_word(const char *v)
{
	static const char *const words[] = {
		"dev", "development", "test", "testing", "qa", "uat",
		"staging", "stage", "preprod", "prod", "production",
		"sandbox",
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (!strcasecmp(v, words[i]))
			return true;
	return false;
}

/*
 * An environment variable that names an environment (ENV: production)
 * tells the code the wrong environment as soon as the stack is deployed
 * to another one. But it is configuration the code reads: rewriting it
 * changes what a running service does on the next deploy (the
 * parameter's default may well be another environment), in a first
 * draft as much as in a deployed stack. So it is an advisory with the
 * exact edit, and what a deploy with the default would then pass.
 */
static int use_param(struct cfh_run *r, struct cfh_node *value,
		     const char *env, const char *envdef)
{
	char why[400];

	if (!cfh_node_is_str(value) || !env_word(value->text))
		return 0;
	if (envdef && strcmp(envdef, value->text))
		snprintf(why, sizeof(why),
			 "the literal environment '%s' is wrong once the stack "
			 "is deployed elsewhere: to let the code see the "
			 "environment it runs in, set it to !Ref %s (whose "
			 "default '%s' a plain deploy would then pass: check "
			 "that the code expects it) (S003-11)",
			 value->text, env, envdef);
	else
		snprintf(why, sizeof(why),
			 "the literal environment '%s' is wrong once the stack "
			 "is deployed elsewhere: to let the code see the "
			 "environment it runs in, set it to !Ref %s (S003-11)",
			 value->text, env);
	return cfh_advise(r, value, why);
}

static int env_vars(struct cfh_run *r, struct cfh_node *res,
		    const char *env, const char *envdef)
{
	struct cfh_node *p = cfh_map_get(res, "Properties"), *vars, *defs;
	struct cfh_entry *e, *v;

	if (cfh_res_is(res, "AWS::Lambda::Function") ||
	    cfh_res_is(res, "AWS::Serverless::Function")) {
		vars = cfh_map_path(p, "Environment", "Variables", NULL);
		if (!vars || vars->kind != CFH_MAP)
			return 0;
		cfh_for_each_entry(vars, e)
			if (env_var(e->key->text) &&
			    use_param(r, e->value, env, envdef))
				return -1;
		return 0;
	}
	if (!cfh_res_is(res, "AWS::ECS::TaskDefinition"))
		return 0;
	defs = cfh_map_get(p, "ContainerDefinitions");
	if (!defs || defs->kind != CFH_SEQ)
		return 0;
	cfh_for_each_entry(defs, e) {
		vars = cfh_map_get(e->value, "Environment");
		if (!vars || vars->kind != CFH_SEQ)
			continue;
		cfh_for_each_entry(vars, v) {
			const struct cfh_node *name = cfh_map_get(v->value,
								  "Name");

			if (cfh_node_is_str(name) && env_var(name->text) &&
			    use_param(r, cfh_map_get(v->value, "Value"), env,
				      envdef))
				return -1;
		}
	}
	return 0;
}

/*
 * Subnet groups with no name at all (seed 002, item 4): the draft named
 * its databases and caches per environment but not their subnet groups,
 * so the groups were the one thing an operator could not tell apart. They
 * get a name with the stack and the environment in it; adding a name
 * replaces the group, which is marked (and --no-replace skips).
 */
static int name_subnet_group(struct cfh_run *r, const char *id,
			     struct cfh_node *res, const char *env)
{
	const struct cfh_name_prop *np = cfh_name_prop(cfh_resource_type(res));
	struct cfh_node *p;
	char name[600], lower[256];
	size_t i;

	if (!np || (!cfh_res_is(res, "AWS::RDS::DBSubnetGroup") &&
		    !cfh_res_is(res, "AWS::ElastiCache::SubnetGroup")))
		return 0;
	p = cfh_map_get(res, "Properties");
	/* 128 for the stack name and 20 for the environment leave room for
	 * an ID of up to 100 in the 255 both services take. */
	if (!cfh_node_is_map(p) || cfh_map_get(p, np->prop) || strlen(id) > 100)
		return 0;
	/* Both services store these names in lower case. */
	for (i = 0; id[i] && i + 1 < sizeof(lower); i++)
		lower[i] = (char)tolower((unsigned char)id[i]);
	lower[i] = '\0';
	snprintf(name, sizeof(name), "${AWS::StackName}-%s-${%s}", lower, env);
	return cfh_edit_set_take(r, p, np->prop,
				 json_pack("{s:s}", "Fn::Sub", name),
				 "a subnet group named like the resources it "
				 "serves, with the environment in the name "
				 "(S002-11)",
				 NULL);
}

static int before(struct cfh_run *r, void *st)
{
	struct naming *x = st;
	const struct cfh_node *def;

	x->env = cfh_env_param_str(r->t);
	if (!x->env)
		return 0;
	def = cfh_map_path(cfh_template_section(r->t, "Parameters"), x->env,
			   "Default", NULL);
	if (cfh_node_is_str(def) && def->text[0])
		x->envdef = def->text;
	snprintf(x->mention, sizeof(x->mention), "${%s}", x->env);
	return 0;
}

/*
 * Whether a name is repeated elsewhere is known only once every candidate
 * is: the handler collects the names and the resources, and after()
 * renames, then fixes environment variables and subnet groups, in the
 * order the pass always did.
 */
static int handle(struct cfh_run *r, void *st, const char *id,
		  struct cfh_node *res)
{
	struct naming *x = st;

	(void)r;
	if (!x->env)
		return 0;
	if (cfh_ids_add(&x->ids, id))
		return -1;
	return collect(x, id, res);
}

static int after(struct cfh_run *r, void *st)
{
	struct naming *x = st;
	size_t i;

	if (!x->env)
		return 0;
	find_repeats(r->t->root, x->c, x->n, 0);
	for (i = 0; i < x->n; i++)
		if (rename_one(r, &x->c[i], x->env, x->envdef))
			return -1;
	for (i = 0; i < x->ids.n; i++) {
		struct cfh_node *res = cfh_resource(r->t, x->ids.v[i]);

		if (env_vars(r, res, x->env, x->envdef) ||
		    name_subnet_group(r, x->ids.v[i], res, x->env))
			return -1;
	}
	return 0;
}

static void release(void *st)
{
	struct naming *x = st;

	free(x->c);
	cfh_ids_release(&x->ids);
}

static const struct cfh_handler handlers[] = {
	{ "*", handle },
};

const struct cfh_pass_ops cfh_pass_naming = {
	.state_size = sizeof(struct naming),
	.before = before,
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
	.after = after,
	.release = release,
};
