/* SPDX-License-Identifier: MIT */
/* What the ecs pass knows of ECS; see ecs_data.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecs_data.h"
#include "passlib.h"
#include "policy.h"

/* Append @v (taken) to @list unless an equal value is there. */
static void add_unique(json_t *list, json_t *v)
{
	size_t i;
	json_t *w;

	json_array_foreach(list, i, w)
		if (json_equal(w, v)) {
			json_decref(v);
			return;
		}
	json_array_append_new(list, v);
}

/* The ARN of the ECR repository an image names, or NULL (a public image,
 * or one we cannot read). *@ecr says whether it is an ECR image at all. */
static json_t *image_repo(struct cfh_template *t, const struct cfh_node *img,
			  bool *ecr)
{
	const struct cfh_entry *e;
	struct cfh_fn_view fv;
	const char *s = NULL, *at, *reg, *name;
	char acct[128], region[128], repo[300], res[320], arn[700];
	size_t n;

	*ecr = false;
	cfh_for_each_resource(t, e)
		if (cfh_res_is(e->value, "AWS::ECR::Repository") &&
		    cfh_refers_to(img, e->key->text)) {
			*ecr = true;
			return cfh_json_getatt(e->key->text, "Arn");
		}
	if (cfh_node_is_str(img))
		s = cfh_node_str(img);
	else if (cfh_node_fn(img, &fv) && fv.fn == CFH_FN_SUB &&
		 fv.arg->kind == CFH_SCALAR)
		s = cfh_node_str(fv.arg);
	if (!s) {
		*ecr = true;	/* unknown: ask a human */
		return NULL;
	}
	/* ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME[:TAG|@DIGEST] */
	at = strstr(s, ".dkr.ecr.");
	if (!at)
		return NULL;
	*ecr = true;
	reg = at + strlen(".dkr.ecr.");
	name = strchr(reg, '/');
	n = (size_t)(at - s);
	if (!name || n >= sizeof(acct) || !strstr(reg, ".amazonaws.com"))
		return NULL;
	memcpy(acct, s, n);
	acct[n] = '\0';
	n = (size_t)(strstr(reg, ".amazonaws.com") - reg);
	if (n >= sizeof(region))
		return NULL;
	memcpy(region, reg, n);
	region[n] = '\0';
	snprintf(repo, sizeof(repo), "%s", name + 1);
	/* Drop the tag or digest, unless it lies inside ${...}. */
	repo[strcspn(repo, "@")] = '\0';
	{
		char *colon = strrchr(repo, ':');

		if (colon && !strchr(colon, '}'))
			*colon = '\0';
	}
	if (strchr(acct, '/') || !*repo)
		return NULL;
	/* The image's own region and account, which may be pseudo
	 * parameters of a Sub: the repository may be another stack's. */
	snprintf(res, sizeof(res), "repository/%s", repo);
	if (cfh_arn_format(arn, sizeof(arn), "ecr", CFH_ARN_HERE, region, acct,
			   res))
		return NULL;
	return json_pack("{s:s}", "Fn::Sub", arn);
}

/* The ARN of the log group an awslogs-group option names, or NULL. */
static json_t *log_group_arn(struct cfh_template *t, const struct cfh_node *g)
{
	const char *id = cfh_node_ref(g);

	if (id && cfh_res_is(cfh_resource(t, id), "AWS::Logs::LogGroup"))
		return cfh_json_getatt(id, "Arn");
	if (!cfh_node_is_str(g) || strchr(cfh_node_str(g), '$'))
		return NULL;
	return cfh_arn_sub("logs", CFH_ARN_HERE, "log-group:%s:*",
			   cfh_node_str(g));
}

/* The template KMS key resource @n (KmsKeyId) names, or NULL. */
static const char *key_of(struct cfh_template *t, const struct cfh_node *n)
{
	const char *id = cfh_node_ref(n), *attr;

	if (!id && cfh_node_getatt(t, n, &id, &attr))
		id = NULL;
	return id && cfh_res_is(cfh_resource(t, id), "AWS::KMS::Key") ? id
								      : NULL;
}

/*
 * What a container secret's ValueFrom (or a CredentialsParameter) names,
 * as the statement it needs: a Secrets Manager secret or an SSM parameter
 * of the template, "${Secret}:json-key::" on one, or a literal ARN. The
 * ARN goes to @sm or @ssm, a template key the secret is encrypted with to
 * @keys. Returns: true when read, and so granted exactly; false when it
 * cannot be read.
 */
static bool secret_read(struct cfh_template *t, const struct cfh_node *v,
		     json_t *sm, json_t *ssm, json_t *keys, bool *literal)
{
	struct cfh_fn_view fv;
	const struct cfh_node *res, *pname;
	const char *id = cfh_node_ref(v), *s, *name;
	char buf[700], idbuf[256];
	json_t *arn;

	if (!id && cfh_node_fn(v, &fv) && fv.fn == CFH_FN_SUB &&
	    fv.arg->kind == CFH_SCALAR) {
		/* "${Secret}" or "${Secret}:json-key:stage:version" */
		s = cfh_node_str(fv.arg);
		if (s && !strncmp(s, "${", 2)) {
			size_t n = strcspn(s + 2, "}");

			if (s[2 + n] == '}' && n < 256 &&
			    (!s[3 + n] || s[3 + n] == ':') &&
			    !strchr(s + 3 + n, '$')) {
				memcpy(idbuf, s + 2, n);
				idbuf[n] = '\0';
				if (cfh_res_is(cfh_resource(t, idbuf),
					       "AWS::SecretsManager::Secret"))
					id = idbuf;
			}
		}
		if (!id)
			return false;
	}
	if (id) {
		res = cfh_resource(t, id);
		if (cfh_res_is(res, "AWS::SecretsManager::Secret")) {
			const struct cfh_node *k = cfh_map_path(
				res, "Properties", "KmsKeyId", NULL);
			const char *key = key_of(t, k);

			if (k && !key)
				return false;
			if (key)
				add_unique(keys, cfh_json_getatt(key, "Arn"));
			add_unique(sm, cfh_json_ref(id));
			return true;
		}
		if (!cfh_res_is(res, "AWS::SSM::Parameter"))
			return false;
		/* Ref gives the name; a name of its own may begin with "/". */
		pname = cfh_map_path(res, "Properties", "Name", NULL);
		name = cfh_node_str(pname);
		if (pname && (!cfh_node_is_str(pname) || strchr(name, '$')))
			return false;
		arn = name ? cfh_arn_sub("ssm", CFH_ARN_HERE, "parameter/%s",
					 name + (*name == '/'))
			   : cfh_arn_sub("ssm", CFH_ARN_HERE, "parameter/${%s}",
					 id);
		/* Too long for an ARN (or out of memory): granted by hand,
		 * not cut short. */
		if (!arn)
			return false;
		add_unique(ssm, arn);
		return true;
	}
	if (!cfh_node_is_str(v))
		return false;
	s = cfh_node_str(v);
	if (strncmp(s, "arn:", 4) || strchr(s, '*') || strchr(s, '?') ||
	    strlen(s) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", s);
	if (strstr(buf, ":secretsmanager:") && strstr(buf, ":secret:")) {
		/* arn:aws:secretsmanager:r:a:secret:name[:key:stage:version] */
		char *p = buf;
		int f;

		for (f = 0; f < 7 && p; f++)
			p = strchr(p + (f > 0), ':');
		if (p)
			*p = '\0';
		*literal = true;
		add_unique(sm, json_string(buf));
		return true;
	}
	if (strstr(buf, ":ssm:") && strstr(buf, ":parameter/")) {
		*literal = true;
		add_unique(ssm, json_string(buf));
		return true;
	}
	return false;
}

int cfh_ecs_needs_init(struct cfh_ecs_needs *n)
{
	memset(n, 0, sizeof(*n));
	n->repos = json_array();
	n->groups = json_array();
	n->secrets = json_array();
	n->params = json_array();
	n->keys = json_array();
	if (n->repos && n->groups && n->secrets && n->params && n->keys)
		return 0;
	cfh_ecs_needs_release(n);
	return -1;
}

void cfh_ecs_needs_release(struct cfh_ecs_needs *n)
{
	json_decref(n->repos);
	json_decref(n->groups);
	json_decref(n->secrets);
	json_decref(n->params);
	json_decref(n->keys);
	memset(n, 0, sizeof(*n));
}

/* A container's log configuration: its group, or what cannot be read. */
static void read_logs(struct cfh_ecs_needs *n, struct cfh_template *t,
		      const struct cfh_node *c)
{
	const struct cfh_node *log = cfh_map_get(c, "LogConfiguration");
	json_t *g;

	if (!log) {
		n->unlogged = true;
		return;
	}
	if (!cfh_node_str_eq(cfh_map_get(log, "LogDriver"), "awslogs"))
		return;
	g = log_group_arn(t, cfh_map_path(log, "Options", "awslogs-group",
					  NULL));
	if (g)
		add_unique(n->groups, g);
	else
		n->unknown = "a log group whose name cannot be read";
}

/* A container's secrets and its registry's credentials. */
static void read_secrets(struct cfh_ecs_needs *n, struct cfh_template *t,
			 const struct cfh_node *c)
{
	const struct cfh_node *sec = cfh_map_get(c, "Secrets");
	const struct cfh_node *cred = cfh_map_get(c, "RepositoryCredentials");
	const struct cfh_entry *s;

	if (sec && !cfh_node_is_seq(sec))
		n->unknown = "secrets that cannot be read";
	else if (sec)
		cfh_for_each_entry(cfh_node_deref(sec), s)
			if (!secret_read(t, cfh_map_get(s->value, "ValueFrom"),
					 n->secrets, n->params, n->keys,
					 &n->literal))
				n->unknown = "secrets that are neither the "
					     "template's nor literal ARNs";
	if (cred) {
		json_t *dummy = json_array();

		/* Credentials live in Secrets Manager only. */
		if (!secret_read(t, cfh_map_get(cred, "CredentialsParameter"),
				 n->secrets, dummy, n->keys, &n->literal) ||
		    json_array_size(dummy))
			n->unknown = "repository credentials that cannot be "
				     "read";
		json_decref(dummy);
	}
}

void cfh_ecs_needs_read(struct cfh_ecs_needs *n, struct cfh_template *t,
			const struct cfh_node *defs)
{
	const struct cfh_entry *e;

	cfh_for_each_entry(cfh_node_deref(defs), e) {
		const struct cfh_node *c = e->value;
		bool is_ecr;
		json_t *repo;

		if (!cfh_node_is_map(c)) {
			n->unknown = "a container definition that cannot be "
				     "read";
			continue;
		}
		repo = image_repo(t, cfh_map_get(c, "Image"), &is_ecr);
		n->ecr |= is_ecr;
		if (repo)
			add_unique(n->repos, repo);
		else if (is_ecr)
			n->unknown = "an image whose repository cannot be read";
		read_logs(n, t, c);
		read_secrets(n, t, c);
	}
}

/* Allow @actions on the list @res, unless it is empty. */
static void allow_on(json_t *stmts, const char *actions, json_t *res)
{
	if (json_array_size(res))
		json_array_append_new(stmts,
				      cfh_stmt_allow_take(actions,
							  json_incref(res)));
}

json_t *cfh_ecs_needs_statements(const struct cfh_ecs_needs *n)
{
	json_t *stmts = json_array();

	if (!stmts)
		return NULL;
	if (n->ecr) {
		json_array_append_new(stmts,
				      cfh_stmt_allow_take(
					      "ecr:GetAuthorizationToken",
					      json_string("*")));
		json_array_append_new(stmts,
				      cfh_stmt_allow_take(
					      "ecr:BatchCheckLayerAvailability "
					      "ecr:GetDownloadUrlForLayer "
					      "ecr:BatchGetImage",
					      json_incref(n->repos)));
	}
	allow_on(stmts, "logs:CreateLogStream logs:PutLogEvents", n->groups);
	allow_on(stmts, "secretsmanager:GetSecretValue", n->secrets);
	allow_on(stmts, "ssm:GetParameters", n->params);
	allow_on(stmts, "kms:Decrypt", n->keys);
	return stmts;
}

json_t *cfh_ecs_task_role_take(const char *policy, json_t *stmts)
{
	/* The trust statement has no Resource, which the statement
	 * builders always write: it stays spelled out. */
	return json_pack("{s:s, s:{s:{s:s, s:[{s:s, s:{s:s}, s:s, "
			 "s:{s:{s:{s:s}}}}]}, s:[{s:s, s:o}]}}",
			 "Type", "AWS::IAM::Role", "Properties",
			 "AssumeRolePolicyDocument", "Version", "2012-10-17",
			 "Statement", "Effect", "Allow", "Principal", "Service",
			 "ecs-tasks.amazonaws.com", "Action", "sts:AssumeRole",
			 "Condition", "StringEquals", "aws:SourceAccount",
			 "Fn::Sub", "${AWS::AccountId}", "Policies",
			 "PolicyName", policy, "PolicyDocument",
			 cfh_policy_doc_take(stmts));
}

const char *cfh_ecs_task_of(struct cfh_template *t, const struct cfh_node *p)
{
	const char *td = cfh_node_ref(cfh_map_get(p, "TaskDefinition"));

	return td && cfh_res_is(cfh_resource(t, td), "AWS::ECS::TaskDefinition")
		       ? td
		       : NULL;
}

json_t *cfh_ecs_cluster_name(struct cfh_template *t, const struct cfh_node *c)
{
	const char *id, *attr;

	if (!c)
		return json_string("default");
	/* Ref of a cluster, or of a parameter, gives the name. */
	if (cfh_node_ref(c))
		return cfh_node_to_json(c);
	if (!cfh_node_getatt(t, c, &id, &attr) &&
	    cfh_res_is(cfh_resource(t, id), "AWS::ECS::Cluster"))
		return cfh_json_ref(id);
	if (cfh_node_is_str(c) && strncmp(cfh_node_str(c), "arn:", 4))
		return cfh_node_to_json(c);
	return NULL;
}
