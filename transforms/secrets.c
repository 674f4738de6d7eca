/* SPDX-License-Identifier: MIT */
/*
 * Pass `secrets` (S002-01): credentials the template neither invents nor
 * expects to find.
 *
 * A database password in a parameter (with a default, often) or a
 * literal sits in the template, in the stack's parameters and in every
 * console that shows them (cfn-lint W1011); one resolved from a secret
 * the template does not make fails the deployment wherever nobody made
 * that secret first. So:
 *
 *   - RDS instances and clusters and DocumentDB clusters get
 *     ManageMasterUserPassword (Redshift: ManageMasterPassword): the
 *     service generates the password, keeps it in Secrets Manager and
 *     rotates it;
 *   - where the service cannot (ElastiCache AUTH tokens, Aurora
 *     Serverless v1, directory passwords, IAM login profiles), an
 *     AWS::SecretsManager::Secret generates the value, and the property
 *     resolves it at deploy time through a dynamic reference;
 *   - a master user name resolved from a missing secret becomes a
 *     parameter (a name is no secret);
 *   - the password parameters nothing uses any more are removed, so that
 *     no default password is left in the output.
 *
 *   Database:                              Database:
 *     Properties:                            Properties:
 *       MasterUsername: app          ==>       MasterUsername: app
 *       MasterUserPassword: !Ref Pw            ManageMasterUserPassword: true
 *
 * References to secrets the template makes, and to SSM SecureString
 * parameters, are kept. ElastiCache's missing AUTH token is the encryption
 * pass's (S002-08).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "passlib.h"

static const struct target {
	const char *type;
	const char *prop;	/* under Properties; "A/B" for nested */
	const char *managed;	/* the property that lets the service own the
				 * password, or NULL */
	const char *user;	/* the master user name's property, or NULL */
	bool punct;		/* the value may hold punctuation */
} targets[] = {
	{ "AWS::RDS::DBInstance", "MasterUserPassword",
	  "ManageMasterUserPassword", "MasterUsername", true },
	{ "AWS::RDS::DBCluster", "MasterUserPassword",
	  "ManageMasterUserPassword", "MasterUsername", true },
	{ "AWS::DocDB::DBCluster", "MasterUserPassword",
	  "ManageMasterUserPassword", "MasterUsername", true },
	{ "AWS::Redshift::Cluster", "MasterUserPassword",
	  "ManageMasterPassword", "MasterUsername", true },
	{ "AWS::ElastiCache::ReplicationGroup", "AuthToken", NULL, NULL,
	  false },
	{ "AWS::DirectoryService::MicrosoftAD", "Password", NULL, NULL, true },
	{ "AWS::DirectoryService::SimpleAD", "Password", NULL, NULL, true },
	{ "AWS::IAM::User", "LoginProfile/Password", NULL, NULL, true },
};

enum source {
	SRC_FINE,	/* generated or resolved from the template's own */
	SRC_PLAIN,	/* literal, or a parameter */
	SRC_MISSING,	/* resolved from a secret the template does not make */
};

static bool is_param(const struct cfh_template *t, const char *name)
{
	return name && cfh_map_get(cfh_template_section(t, "Parameters"), name);
}

/* True if a Sub string names a resource of the template. */
static bool names_resource(struct cfh_template *t, const struct cfh_node *n)
{
	const char **ids;
	size_t cnt, i;
	bool hit = false;

	if (cfh_refs_in(t, n, &ids, &cnt))
		return true;	/* out of memory: leave it */
	for (i = 0; i < cnt && !hit; i++)
		hit = cfh_resource(t, ids[i]) != NULL;
	free(ids);
	return hit;
}

/* Does @n call Fn::ImportValue anywhere? */
static bool imports(const struct cfh_node *n, int depth)
{
	const struct cfh_entry *e;
	struct cfh_fn_view fv;

	n = cfh_node_deref(n);
	if (!n || depth > CFH_MAX_DEPTH)
		return false;
	if (cfh_node_fn(n, &fv) && fv.fn == CFH_FN_IMPORTVALUE)
		return true;
	if (n->kind != CFH_MAP && n->kind != CFH_SEQ)
		return false;
	cfh_for_each_entry(n, e)
		if (imports(e->value, depth + 1))
			return true;
	return false;
}

/* A Sub that takes part of its text from an import or a parameter: a
 * secret another stack or the deployer provides. */
static bool shared_secret(struct cfh_template *t, const struct cfh_node *n)
{
	const char **ids;
	size_t cnt, i;
	bool hit = imports(n, 0);

	if (hit || cfh_refs_in(t, n, &ids, &cnt))
		return hit;
	for (i = 0; i < cnt && !hit; i++)
		hit = is_param(t, ids[i]);
	free(ids);
	return hit;
}

/* What a string holds: a dynamic reference to Secrets Manager, to
 * something else (SSM SecureString), or a literal. */
static enum source text_source(const char *s, bool template_ref)
{
	if (!strstr(s, "{{resolve:"))
		return SRC_PLAIN;
	if (strstr(s, "{{resolve:secretsmanager:") && !template_ref)
		return SRC_MISSING;
	return SRC_FINE;
}

static enum source source_of(struct cfh_template *t, const struct cfh_node *n)
{
	struct cfh_fn_view fv;
	const struct cfh_node *arg;
	enum source a, b;

	n = cfh_node_deref(n);
	if (!n)
		return SRC_FINE;
	if (!cfh_node_fn(n, &fv))
		return n->kind == CFH_SCALAR ? text_source(n->text, false)
					     : SRC_FINE;
	arg = cfh_node_deref(fv.arg);
	switch (fv.fn) {
	case CFH_FN_REF:
		return is_param(t, cfh_node_str(arg)) ? SRC_PLAIN : SRC_FINE;
	case CFH_FN_SUB: {
		const struct cfh_node *s = arg->kind == CFH_SCALAR
						   ? arg
						   : cfh_seq_at(arg, 0);

		if (!s || s->kind != CFH_SCALAR)
			return SRC_FINE;
		/* A secret another stack shares, by import or through a
		 * parameter, exists by design. */
		if (shared_secret(t, n))
			return SRC_FINE;
		return text_source(s->text, names_resource(t, n));
	}
	case CFH_FN_IF:
		/* Either branch may be what deploys. */
		a = source_of(t, cfh_seq_at(arg, 1));
		b = source_of(t, cfh_seq_at(arg, 2));
		return a > b ? a : b;
	default:
		/* Joined, imported or looked up: not ours to judge. */
		return SRC_FINE;
	}
}

/* The map holding the last segment of @path below @p, and that segment. */
static struct cfh_node *parent_of(struct cfh_node *p, const char *path,
				  const char **key)
{
	const char *slash = strchr(path, '/');
	char head[64];

	if (!slash) {
		*key = path;
		return p;
	}
	snprintf(head, sizeof(head), "%.*s", (int)(slash - path), path);
	p = cfh_map_get(p, head);
	if (!cfh_node_is_map(p) || p->kind != CFH_MAP || cfh_is_dynamic(p))
		return NULL;
	*key = slash + 1;
	return p;
}

/* A secret generated by Secrets Manager, next to @after. Returns its
 * logical ID, or NULL on error. */
static const char *generate(struct cfh_run *r, const char *id,
			    const char *after, const struct target *tg)
{
	const char *sid;
	json_t *gen;
	char base[256], desc[300];

	snprintf(base, sizeof(base), "%sSecret", id);
	sid = cfh_fresh_id(r->t, base);
	if (!sid)
		return NULL;
	snprintf(desc, sizeof(desc), "%s of %s, generated", tg->prop, id);
	gen = tg->punct ? json_pack("{s:i, s:s, s:b}", "PasswordLength", 32,
				    "ExcludeCharacters", "\"@/\\' ",
				    "RequireEachIncludedType", 1)
			: json_pack("{s:i, s:b}", "PasswordLength", 64,
				    "ExcludePunctuation", 1);
	if (cfh_edit_add_resource_take(
		    r, sid, after,
		    json_pack("{s:s, s:{s:s, s:o}}", "Type",
			      "AWS::SecretsManager::Secret", "Properties",
			      "Description", desc, "GenerateSecretString", gen),
		    "generate the credential in Secrets Manager, in the "
		    "template, rather than take it from a parameter, a literal "
		    "or a secret that may not exist (S002-01)",
		    NULL))
		return NULL;
	return sid;
}

/* The parameters a credential takes directly, on any branch: @v's own
 * Ref, or those of its Fn::If. A parameter that only lends a Sub a part
 * of a secret's name (an environment suffix) is not a credential. */
static int cred_params(struct cfh_template *t, const struct cfh_node *v,
		       const char ***out, size_t *n)
{
	struct cfh_fn_view fv;
	const char *name;

	v = cfh_node_deref(v);
	if (!cfh_node_fn(v, &fv))
		return 0;
	if (fv.fn == CFH_FN_REF) {
		name = cfh_node_str(cfh_node_deref(fv.arg));
		return is_param(t, name) ? cfh_strlist_add(out, n, name) : 0;
	}
	if (fv.fn != CFH_FN_IF)
		return 0;
	if (cred_params(t, cfh_seq_at(cfh_node_deref(fv.arg), 1), out, n))
		return -1;
	return cred_params(t, cfh_seq_at(cfh_node_deref(fv.arg), 2), out, n);
}

/* Parameters @old named, removed if nothing names them now: a password
 * parameter (often with a default) left behind would still be one. */
static int drop_unused(struct cfh_run *r, const char **names, size_t n)
{
	struct cfh_template *t = r->t;
	struct cfh_node *params = cfh_template_section(t, "Parameters");
	char why[300];
	size_t i;

	for (i = 0; i < n; i++) {
		if (!is_param(t, names[i]) || cfh_refers_to(t->root, names[i]))
			continue;
		snprintf(why, sizeof(why),
			 "nothing uses the credential parameter '%s' any more: "
			 "no password, and no default one, stays in the "
			 "template (S002-01)",
			 names[i]);
		if (cfh_edit_remove(r, params, names[i], why))
			return -1;
		/* An empty Parameters section is no template's style. */
		if (!cfh_node_count(params) &&
		    cfh_edit_remove(r, t->root, "Parameters",
				    "no parameters are left"))
			return -1;
	}
	return 0;
}

/* A master user name read from a secret that may not exist becomes a
 * parameter: the name is no secret, the deployment must not depend on
 * someone having made that secret. */
static int user_name(struct cfh_run *r, const char *id,
		     struct cfh_node *p, const struct target *tg)
{
	struct cfh_template *t = r->t;
	struct cfh_node *u = tg->user ? cfh_map_get(p, tg->user) : NULL;
	struct cfh_node *params;
	const char *pid;
	char base[256];

	if (!u || source_of(t, u) != SRC_MISSING)
		return 0;
	snprintf(base, sizeof(base), "%sMasterUsername", id);
	pid = cfh_fresh_id(t, base);
	params = cfh_edit_section(r, "Parameters");
	if (!pid || !params ||
	    cfh_edit_set_take(r, params, pid,
			      json_pack("{s:s, s:s, s:s}", "Type", "String",
					"Default", "dbadmin", "Description",
					"master user name of the database"),
			      "the master user name came from a secret the "
			      "template does not make: a parameter instead "
			      "(S002-01)",
			      NULL))
		return -1;
	return cfh_edit_replace_take(r, u, cfh_json_ref(pid),
				     "take the master user name from its "
				     "parameter (S002-01)",
				     NULL);
}

/* Aurora Serverless v1 clusters cannot have RDS manage the password. */
static bool can_manage(const struct cfh_node *res, const struct target *tg)
{
	const struct cfh_node *mode = cfh_map_path(res, "Properties",
						   "EngineMode", NULL);

	if (!tg->managed)
		return false;
	return !(cfh_res_is(res, "AWS::RDS::DBCluster") && mode &&
		 !cfh_node_str_eq(mode, "provisioned"));
}

static int fix(struct cfh_run *r, const char *id, struct cfh_node *res,
	       const struct target *tg)
{
	struct cfh_template *t = r->t;
	struct cfh_node *p = cfh_map_get(res, "Properties"), *parent, *v;
	const char **names = NULL, *key, *sid, *engine;
	enum source src;
	size_t n = 0;
	char ref[512];
	int rc = -1;

	/* A cluster's instance takes its credentials from the cluster. */
	engine = cfh_node_str(cfh_map_get(p, "Engine"));
	if (cfh_res_is(res, "AWS::RDS::DBInstance") &&
	    (cfh_map_get(p, "DBClusterIdentifier") ||
	     (engine && !strncmp(engine, "aurora", 6))))
		return 0;
	parent = parent_of(p, tg->prop, &key);
	v = parent ? cfh_map_get(parent, key) : NULL;
	if (!v)
		return 0;
	src = source_of(t, v);
	if (src == SRC_FINE)
		return 0;
	/* In a deployed stack the credential works: the stack deployed
	 * with it. A secret the template does not make exists; and a
	 * password from a parameter is what the database and its clients
	 * use now: managing it, or generating a new one, resets it. */
	if (cfh_mode_deployed(r)) {
		if (src == SRC_MISSING)
			return 0;
		if (tg->managed)
			snprintf(ref, sizeof(ref),
				 "%s comes from a parameter or a literal: once "
				 "every client reads it from Secrets Manager, "
				 "let the service manage it (%s: true in its "
				 "place); the change resets the password "
				 "(S002-01)",
				 tg->prop, tg->managed);
		else
			snprintf(ref, sizeof(ref),
				 "%s comes from a parameter or a literal: "
				 "resolve it from a Secrets Manager secret that "
				 "holds the same value, then rotate it (S002-01)",
				 tg->prop);
		return cfh_advise(r, v, ref);
	}
	/* When nothing may be replaced the new secret would be left
	 * unused: say what to do instead, once. */
	if (cfh_no_replace(r) && cfh_prop_replaces(res, tg->prop))
		return cfh_advise(r, v,
				  "not changed (no replacement): the credential "
				  "should be generated by Secrets Manager and "
				  "resolved by a dynamic reference, but changing "
				  "it replaces the deployed resource (S002-01)");
	if (cred_params(t, v, &names, &n))
		goto out;
	if (can_manage(res, tg)) {
		if (cfh_edit_remove(r, parent, key,
				    "the service generates, keeps and rotates "
				    "the password instead (S002-01)") ||
		    cfh_edit_set_take(r, p, tg->managed, json_true(),
				      src == SRC_PLAIN
					      ? "let the service generate the "
						"master password and keep it in "
						"Secrets Manager, rather than "
						"take it from a parameter or a "
						"literal (S002-01)"
					      : "let the service generate the "
						"master password and keep it in "
						"Secrets Manager, rather than "
						"depend on a secret the template "
						"does not make (S002-01)",
				      NULL))
			goto out;
	} else {
		sid = generate(r, id, id, tg);
		if (!sid)
			goto out;
		snprintf(ref, sizeof(ref), "{{resolve:secretsmanager:${%s}}}",
			 sid);
		if (cfh_edit_set_take(r, parent, key,
				      json_pack("{s:s}", "Fn::Sub", ref),
				      "resolve the generated credential at "
				      "deploy time through a dynamic reference "
				      "(S002-01)",
				      NULL))
			goto out;
	}
	if (user_name(r, id, p, tg))
		goto out;
	rc = drop_unused(r, names, n);
out:
	free(names);
	return rc;
}

/*
 * Every resource: the targets table says which types hold a credential
 * and where, so that it stays the one list of them (a type appears in it
 * once).
 */
static int credential(struct cfh_run *r, void *st, const char *id,
		      struct cfh_node *res)
{
	size_t k;

	(void)st;
	if (!cfh_map_get(res, "Properties"))
		return 0;
	for (k = 0; k < CFH_ARRAY_SIZE(targets); k++)
		if (cfh_res_is(res, targets[k].type) &&
		    fix(r, id, res, &targets[k]))
			return -1;
	return 0;
}

static const struct cfh_handler handlers[] = {
	{ "*", credential },
};

const struct cfh_pass_ops cfh_pass_secrets = {
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
};
