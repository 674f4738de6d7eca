/* SPDX-License-Identifier: MIT */
/*
 * Pass `parameters` (S004-15): an environment parameter that names and
 * tags can rely on, and secret parameters that stay secret.
 *
 * The names and tags of later passes carry the environment. A parameter
 * without AllowedPattern accepts what breaks the names built from it
 * (upper case in a bucket name, a space, a slash), found only when the
 * deployment fails half way. The template's own environment parameter
 * (EnvironmentSuffix, Environment, Env, Stage, ...) gets an advisory with
 * the AllowedPattern to add, never the pattern itself: its deployers may
 * pass values a new pattern refuses. When there is none and the naming or
 * tags pass will use one, EnvironmentSuffix is added, validated, with a
 * default so that existing deployments need no new value:
 *
 *   Parameters: {}          ==>    Parameters:
 *                                    EnvironmentSuffix:
 *                                      Type: String
 *                                      Default: dev
 *                                      AllowedPattern: ^[a-z0-9][a-z0-9-]{0,19}$
 *                                      ConstraintDescription: ...
 *
 * Parameters that look like secrets (their name says password, secret,
 * token, API key, ...; or a password property takes their value, as
 * cfn-lint W2501 checks) get NoEcho, so that consoles and describe calls
 * do not show them, and their defaults, secrets written into the template
 * and its history, are removed with an advisory (in a deployed stack, only
 * the advisory: deploys that rely on the default would fail).
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "options.h"
#include "passlib.h"
#include "schema.h"

#define ENV_PARAM "EnvironmentSuffix"
#define DEFAULT_PATTERN "^[a-z0-9][a-z0-9-]{0,19}$"

/* Does a later pass of this run need an environment parameter? */
static bool env_needed(struct cfh_run *r)
{
	bool tags = cfh_pass_selected(r, "tags");
	bool naming = cfh_pass_selected(r, "naming");
	const struct cfh_entry *e;

	if (!tags && !naming)
		return false;
	/* Reads only: would any resource take the parameter? */
	cfh_for_each_resource(r->t, e) {
		const char *type = cfh_resource_type(e->value);
		const struct cfh_rtype *rt = type ? cfh_rtype_find(type) : NULL;
		const struct cfh_name_prop *np = cfh_name_prop(type);

		if (tags && rt && rt->tag_shape != CFH_TAGS_NONE)
			return true;
		if (naming && np &&
		    cfh_map_path(e->value, "Properties", np->prop, NULL))
			return true;
	}
	return false;
}

static const char *constraint_of(const char *pattern)
{
	static char buf[300];

	if (!strcmp(pattern, DEFAULT_PATTERN))
		return "1 to 20 lower-case letters, digits and hyphens, "
		       "starting with a letter or digit: it becomes part of "
		       "resource names";
	snprintf(buf, sizeof(buf), "must match %s: it becomes part of "
		 "resource names", pattern);
	return buf;
}

static bool matches(const char *pattern, const char *s)
{
	regex_t re;
	bool ok;

	/* AllowedPattern is a Java regular expression; a pattern POSIX
	 * cannot read is not checked, and then not added either. */
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB))
		return false;
	ok = !regexec(&re, s, 0, NULL, 0);
	regfree(&re);
	return ok;
}

static int add_env(struct cfh_run *r, const char *pattern)
{
	const char *def = cfh_opt_str(r, "environment-default");
	const char *id = cfh_fresh_id(r->t, ENV_PARAM);
	struct cfh_node *params;

	if (!id)
		return -1;
	/* The name is taken by a resource, a condition, ...: another name
	 * would not be found as the environment parameter next time. */
	if (strcmp(id, ENV_PARAM))
		return cfh_advise(r, NULL,
				  "no environment parameter, and the name "
				  "EnvironmentSuffix is taken: add one by hand "
				  "(S004-15)");
	if (!matches(pattern, def))
		return cfh_advise(r, NULL,
				  "no environment parameter, and "
				  "parameters.environment-default does not match "
				  "parameters.environment-pattern: none added");
	params = cfh_edit_section(r, "Parameters");
	if (!params)
		return -1;
	if (params->kind != CFH_MAP)
		return 0;
	return cfh_edit_set_take(
		r, params, ENV_PARAM,
		json_pack("{s:s, s:s, s:s, s:s, s:s}", "Type", "String",
			  "Default", def, "Description",
			  "Environment the stack is for: it goes into resource "
			  "names and tags, so that environments do not collide",
			  "AllowedPattern", pattern, "ConstraintDescription",
			  constraint_of(pattern)),
		"names and tags carry the environment: one validated "
		"parameter gives it (S004-15)",
		NULL);
}

static int validate_env(struct cfh_run *r, const char *name,
			const char *pattern)
{
	struct cfh_node *p = cfh_map_get(
		cfh_template_section(r->t, "Parameters"), name);
	const struct cfh_node *def = cfh_map_get(p, "Default");
	char msg[500];

	if (!p || p->kind != CFH_MAP || cfh_map_get(p, "AllowedPattern") ||
	    cfh_map_get(p, "AllowedValues"))
		return 0;
	/* A pattern on a parameter the template already has narrows what
	 * its deployers may pass: the next update with 'Production' or
	 * 'eu_staging' would fail, in a stack nobody broke. So only a
	 * parameter the run adds gets one (add_env()); this one gets the
	 * advice. */
	if (def && (!cfh_node_is_str(def) || !matches(pattern, def->text)))
		return cfh_advise(r, p,
				  "the environment parameter accepts any value, "
				  "and its default does not match "
				  "parameters.environment-pattern: give it an "
				  "AllowedPattern by hand (S004-15)");
	snprintf(msg, sizeof(msg),
		 "the environment parameter accepts any value, and a value "
		 "that breaks the resource names built from it fails only "
		 "half way through a deployment: once every stack passes a "
		 "value that matches, add AllowedPattern: '%s' (S004-15)",
		 pattern);
	return cfh_advise(r, p, msg);
}

/* Properties that take a password, as cfn-lint W2501 lists them. */
static const char *const password_props[] = {
	"AccountPassword", "AdminPassword", "ADDomainJoinPassword",
	"CrossRealmTrustPrincipalPassword", "KdcAdminPassword", "Password",
	"DbPassword", "MasterUserPassword", "PasswordParam",
};

static bool is_password_prop(const char *key)
{
	size_t i;

	/* Asked of every key of the template: the first byte first. */
	for (i = 0; i < sizeof(password_props) / sizeof(*password_props); i++)
		if (key[0] == password_props[i][0] &&
		    !strcmp(key, password_props[i]))
			return true;
	return false;
}

/* Collect the parameters a password property takes by Ref. */
static int password_refs(const struct cfh_node *n, struct cfh_ids *out,
			 int depth)
{
	const struct cfh_entry *e;

	n = cfh_node_deref(n);
	if (!n || depth > CFH_MAX_DEPTH ||
	    (n->kind != CFH_MAP && n->kind != CFH_SEQ))
		return 0;
	cfh_for_each_entry(n, e) {
		const char *r;

		if (e->key && is_password_prop(e->key->text) &&
		    (r = cfh_node_ref(cfh_node_deref(e->value))) &&
		    cfh_ids_add(out, r))
			return -1;
		if (password_refs(e->value, out, depth + 1))
			return -1;
	}
	return 0;
}

static bool ends_with_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcasecmp(s + n - k, suffix);
}

/* A name that says the value is a secret, not one that names, locates
 * or describes a secret (DbPasswordSecretArn, TokenTableName). */
static bool secret_name(const char *name)
{
	static const char *const words[] = {
		"password", "passwd", "passphrase", "secret", "token",
		"apikey", "api_key", "privatekey", "private_key",
		"credential",
	};
	static const char *const not_secret[] = {
		"arn", "name", "names", "id", "ids", "length", "path",
		"version", "type", "ttl", "expiry", "expiration", "duration",
		"seconds", "minutes", "hours", "days", "rotation", "count",
		"enabled", "policy", "bucket", "prefix", "url", "uri",
		"endpoint", "table", "key", "keyid", "parameter", "param",
		"ssm", "location", "size", "mode", "header", "stack",
		"stackname", "export",
	};
	char low[256];
	size_t i;
	bool hit = false;

	for (i = 0; name[i] && i < sizeof(low) - 1; i++)
		low[i] = (char)((name[i] >= 'A' && name[i] <= 'Z')
					? name[i] - 'A' + 'a'
					: name[i]);
	/* SecretName2 names a secret as SecretName does. */
	while (i > 0 && low[i - 1] >= '0' && low[i - 1] <= '9')
		i--;
	low[i] = '\0';
	for (i = 0; i < sizeof(words) / sizeof(*words) && !hit; i++)
		hit = strstr(low, words[i]) != NULL;
	if (!hit)
		return false;
	for (i = 0; i < sizeof(not_secret) / sizeof(*not_secret); i++)
		if (ends_with_ci(low, not_secret[i]) &&
		    /* ApiKey, PrivateKey, SecretKey are the secret itself */
		    !(!strcmp(not_secret[i], "key") &&
		      (ends_with_ci(low, "apikey") ||
		       ends_with_ci(low, "privatekey") ||
		       ends_with_ci(low, "secretkey") ||
		       ends_with_ci(low, "accesskey"))))
			return false;
	return true;
}

static int secrets(struct cfh_run *r, struct cfh_node *params)
{
	struct cfh_ids used = { 0 };
	struct cfh_entry *e;
	int rc = -1;

	if (password_refs(cfh_template_section(r->t, "Resources"), &used, 0))
		goto out;
	cfh_for_each_entry(params, e) {
		struct cfh_node *p = e->value;
		const struct cfh_node *type = cfh_map_get(p, "Type");
		const struct cfh_node *def = cfh_map_get(p, "Default");

		if (!e->key || !cfh_node_is_map(p) ||
		    (type && !cfh_node_str_eq(type, "String")) ||
		    cfh_map_get(p, "AllowedValues") ||
		    !(cfh_ids_has(&used, e->key->text) ||
		      secret_name(e->key->text)))
			continue;
		if (!cfh_map_get(p, "NoEcho") &&
		    cfh_edit_set_take(r, p, "NoEcho", json_true(),
				      "a secret is not shown in the console, "
				      "in describe calls or in events "
				      "(S004-15, cfn-lint W2501)",
				      NULL))
			goto out;
		/* Without its default, every deploy that relied on it
		 * must now pass the value: in a deployed stack, say so
		 * and leave it. */
		if (cfh_node_is_str(def) && def->text[0] &&
		    cfh_mode_deployed(r)) {
			if (cfh_advise(r, p,
				       "a secret written into the template is "
				       "in every copy and in version control: "
				       "once every deploy passes the value (or "
				       "the stack reads it from Secrets Manager), "
				       "remove the default, and rotate the value "
				       "that was in the template (S004-15)"))
				goto out;
		} else if (cfh_node_is_str(def) && def->text[0]) {
			if (cfh_edit_remove(r, p, "Default",
					    "a secret written into the template "
					    "is in every copy and in version "
					    "control: remove the default (S004-15)"))
				goto out;
			if (cfh_advise(r, p,
				       "the secret's default was removed: pass "
				       "the value when deploying, or keep it in "
				       "Secrets Manager and use a dynamic "
				       "reference; rotate the value that was "
				       "in the template"))
				goto out;
		}
	}
	rc = 0;
out:
	cfh_ids_release(&used);
	return rc;
}

/* The environment parameter, first: validated if the template has one,
 * else added when a later pass will use it. */
static int environment(struct cfh_run *r, void *st)
{
	const char *pattern = cfh_opt_str(r, "environment-pattern");
	const char *env = cfh_env_param(r->t);

	(void)st;
	if (env)
		return cfh_env_param_str(r->t) ? validate_env(r, env, pattern)
					       : 0;
	if (!env_needed(r))
		return 0;
	/* A deployed stack runs in one environment already, which a new
	 * parameter's default can only guess: tagged 'dev', production
	 * would be reported as dev. */
	if (cfh_mode_deployed(r))
		return cfh_advise(r, NULL,
				  "no environment parameter: add one whose "
				  "default is the environment this stack runs "
				  "in, so that names and tags can carry it "
				  "(S004-15)");
	return add_env(r, pattern);
}

/* Then the parameters that hold secrets. */
static int secret_params(struct cfh_run *r, void *st)
{
	struct cfh_node *params = cfh_template_section(r->t, "Parameters");

	(void)st;
	if (params && params->kind == CFH_MAP)
		return secrets(r, params);
	return 0;
}

/* The pass changes the Parameters section alone: no resource handlers. */
const struct cfh_pass_ops cfh_pass_parameters = {
	.before = environment,
	.after = secret_params,
};
