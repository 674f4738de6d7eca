/* SPDX-License-Identifier: MIT */
/*
 * Pass `iam` (S000-03, S001-02, S001-07, S002-09, S003-01, S004-02): least
 * privilege, scoped to the template's own resources, never broader than the
 * input (invariant 5).
 *
 * First drafts grant with broad AWS managed policies (AdministratorAccess,
 * PowerUserAccess, *FullAccess) or with Resource "*", and sometimes name
 * managed policies AWS retired or never had, which fail deployment. The
 * pass follows the graph from each role to the principals that assume it
 * (a function, a build project, a pipeline, a task, a rule target, a state
 * machine, an instance profile) and from them to the resources they use,
 * and writes inline statements for exactly those, on those resources'
 * ARNs, for the services the replaced policy covered:
 *
 *   ManagedPolicyArns:                        Policies:
 *     - arn:aws:iam::aws:policy/    ==>         - PolicyName: LeastPrivilege
 *       AmazonDynamoDBFullAccess                  PolicyDocument:
 *                                                   Statement:
 *                                                     - Action: [dynamodb:GetItem, ...]
 *                                                       Resource: !GetAtt Table.Arn
 *
 * Statements with Resource "*" are scoped the same way, keeping "*" for
 * actions that accept nothing else and for services the template has no
 * resource of. Explicit role names go (they collide across stacks), with a
 * Name tag kept; Lambda permissions for services get SourceAccount and,
 * where the source is in the template, SourceArn.
 *
 * Statements that would make the role depend on a resource that already
 * depends on the role (a function's own log group, say) go into a separate
 * AWS::IAM::Policy attached to the role, so that no cycle is ever added.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "passlib.h"

/* ---- what a resource type is used for ---- */

enum arnform {
	ARN_GETATT,	/* !GetAtt X.Arn */
	ARN_REF,	/* !Ref X is the ARN */
	ARN_PIPELINE,	/* arn:...:codepipeline:region:account:NAME */
	ARN_LAMBDA_LOGS,	/* the log group Lambda writes: /aws/lambda/NAME */
	ARN_CODEBUILD_LOGS,	/* the one CodeBuild writes: /aws/codebuild/NAME */
};

struct profile {
	const char *type;
	const char *service;	/* action prefix, "s3" */
	enum arnform arn;
	const char *const *actions;	/* on the resource itself */
	const char *const *sub_actions;	/* on a sub-resource, below */
	const char *sub;		/* suffix of the sub-resource ARN after
					 * ${X.Arn}: objects, indexes */
};

#define ACTIONS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const struct profile profiles[] = {
	{ "AWS::S3::Bucket", "s3", ARN_GETATT,
	  ACTIONS("s3:ListBucket", "s3:GetBucketLocation"),
	  ACTIONS("s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"),
	  "/*" },
	{ "AWS::DynamoDB::Table", "dynamodb", ARN_GETATT,
	  ACTIONS("dynamodb:GetItem", "dynamodb:PutItem",
		  "dynamodb:UpdateItem", "dynamodb:DeleteItem",
		  "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem",
		  "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
		  "dynamodb:DescribeTable"),
	  ACTIONS("dynamodb:Query", "dynamodb:Scan"), "/index/*" },
	{ "AWS::SQS::Queue", "sqs", ARN_GETATT,
	  ACTIONS("sqs:SendMessage", "sqs:ReceiveMessage",
		  "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
		  "sqs:GetQueueAttributes", "sqs:GetQueueUrl"),
	  NULL, NULL },
	{ "AWS::SNS::Topic", "sns", ARN_REF, ACTIONS("sns:Publish"), NULL,
	  NULL },
	{ "AWS::Logs::LogGroup", "logs", ARN_GETATT,
	  ACTIONS("logs:CreateLogStream", "logs:PutLogEvents"), NULL, NULL },
	{ "AWS::Lambda::Function", "lambda", ARN_GETATT,
	  ACTIONS("lambda:InvokeFunction"), NULL, NULL },
	{ "AWS::Kinesis::Stream", "kinesis", ARN_GETATT,
	  ACTIONS("kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
		  "kinesis:GetRecords", "kinesis:GetShardIterator",
		  "kinesis:ListShards", "kinesis:PutRecord",
		  "kinesis:PutRecords"),
	  NULL, NULL },
	{ "AWS::KinesisFirehose::DeliveryStream", "firehose", ARN_GETATT,
	  ACTIONS("firehose:PutRecord", "firehose:PutRecordBatch"), NULL,
	  NULL },
	{ "AWS::CodeBuild::Project", "codebuild", ARN_GETATT,
	  ACTIONS("codebuild:StartBuild", "codebuild:BatchGetBuilds",
		  "codebuild:StopBuild"),
	  NULL, NULL },
	{ "AWS::CodeCommit::Repository", "codecommit", ARN_GETATT,
	  ACTIONS("codecommit:GetBranch", "codecommit:GetCommit",
		  "codecommit:GitPull", "codecommit:UploadArchive",
		  "codecommit:GetUploadArchiveStatus",
		  "codecommit:CancelUploadArchive"),
	  NULL, NULL },
	{ "AWS::SecretsManager::Secret", "secretsmanager", ARN_REF,
	  ACTIONS("secretsmanager:GetSecretValue",
		  "secretsmanager:DescribeSecret"),
	  NULL, NULL },
	{ "AWS::StepFunctions::StateMachine", "states", ARN_REF,
	  ACTIONS("states:StartExecution", "states:DescribeExecution"), NULL,
	  NULL },
	{ "AWS::ECR::Repository", "ecr", ARN_GETATT,
	  ACTIONS("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
		  "ecr:BatchCheckLayerAvailability", "ecr:PutImage",
		  "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
		  "ecr:CompleteLayerUpload"),
	  NULL, NULL },
	{ "AWS::KMS::Key", "kms", ARN_GETATT,
	  ACTIONS("kms:Decrypt", "kms:GenerateDataKey"), NULL, NULL },
	{ "AWS::CodePipeline::Pipeline", "codepipeline", ARN_PIPELINE,
	  ACTIONS("codepipeline:StartPipelineExecution"), NULL, NULL },
	{ "AWS::Events::EventBus", "events", ARN_GETATT,
	  ACTIONS("events:PutEvents"), NULL, NULL },
};

/* A principal's own log group, by the service's naming convention, when
 * the template declares none: the target is the principal itself. */
static const struct profile lambda_logs = {
	"AWS::Lambda::Function", "logs", ARN_LAMBDA_LOGS,
	ACTIONS("logs:CreateLogGroup", "logs:CreateLogStream",
		"logs:PutLogEvents"),
	NULL, NULL
};

static const struct profile codebuild_logs = {
	"AWS::CodeBuild::Project", "logs", ARN_CODEBUILD_LOGS,
	ACTIONS("logs:CreateLogGroup", "logs:CreateLogStream",
		"logs:PutLogEvents"),
	NULL, NULL
};

static const struct profile *profile_of(const struct cfh_node *res)
{
	size_t i;

	for (i = 0; i < sizeof(profiles) / sizeof(*profiles); i++)
		if (cfh_res_is(res, profiles[i].type))
			return &profiles[i];
	return NULL;
}

/* Actions that accept only Resource "*" (the service authorises them per
 * account, not per resource). */
static const char *const star_only[] = {
	"ecr:GetAuthorizationToken", "xray:PutTraceSegments",
	"xray:PutTelemetryRecords", "xray:GetSamplingRules",
	"xray:GetSamplingTargets", "cloudwatch:PutMetricData",
	"logs:DescribeLogGroups", "s3:ListAllMyBuckets",
	"sts:GetCallerIdentity", "ec2:Describe*",
	"ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
	"ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses",
	"ec2:UnassignPrivateIpAddresses", "codebuild:CreateReportGroup",
	"kms:ListAliases", "kms:ListKeys", "sqs:ListQueues", "sns:ListTopics",
	"dynamodb:ListTables", "lambda:ListFunctions", "iam:ListRoles",
	"cloudformation:ValidateTemplate", "ecs:DescribeTaskDefinition",
	"ecs:RegisterTaskDefinition", "codestar-connections:ListConnections",
	NULL,
};

static bool is_star_only(const char *action)
{
	size_t i, n;

	for (i = 0; star_only[i]; i++) {
		n = strlen(star_only[i]);
		if (star_only[i][n - 1] == '*' &&
		    !strncmp(action, star_only[i], n - 1))
			return true;
		if (!strcmp(action, star_only[i]))
			return true;
	}
	return false;
}

/* ---- broad managed policies ---- */

struct broad {
	const char *name;
	const char *services;	/* space-separated prefixes; NULL: all */
	bool missing;		/* AWS never had it or retired it */
};

static const struct broad broads[] = {
	{ "AdministratorAccess", NULL, false },
	{ "PowerUserAccess", NULL, false },
	{ "AmazonS3FullAccess", "s3", false },
	{ "AmazonDynamoDBFullAccess", "dynamodb", false },
	{ "AmazonSQSFullAccess", "sqs", false },
	{ "AmazonSNSFullAccess", "sns", false },
	{ "AWSLambda_FullAccess", "lambda logs", false },
	{ "AWSLambdaBasicExecutionRole", "logs", false },
	{ "AWSLambdaFullAccess", "lambda logs", true },
	{ "CloudWatchLogsFullAccess", "logs", false },
	{ "AmazonKinesisFullAccess", "kinesis", false },
	{ "AmazonKinesisFirehoseFullAccess", "firehose", false },
	{ "AWSCodeBuildAdminAccess", "codebuild logs s3", false },
	{ "AWSCodeBuildDeveloperAccess", "codebuild logs s3", false },
	{ "AWSCodeCommitFullAccess", "codecommit", false },
	{ "AWSCodePipelineFullAccess", "codepipeline", true },
	{ "AWSCodePipeline_FullAccess", "codepipeline s3 codebuild codecommit",
	  false },
	{ "AWSCodePipelineServiceRole", NULL, true },
	{ "AmazonEC2ContainerRegistryFullAccess", "ecr", false },
	{ "AWSStepFunctionsFullAccess", "states", false },
	{ "SecretsManagerReadWrite", "secretsmanager", false },
	{ "AWSKeyManagementServicePowerUser", "kms", false },
};

/* The last path segment of a managed policy ARN, whether literal or an
 * Fn::Sub with ${AWS::Partition}. */
static const char *policy_name(const struct cfh_node *arn)
{
	struct cfh_fn_view fv;
	const char *s = cfh_node_str(arn), *slash;

	if (cfh_node_fn(arn, &fv)) {
		if (fv.fn != CFH_FN_SUB)
			return NULL;
		s = cfh_node_str(fv.arg);
	}
	/* Only well-formed ARNs: arn:aws...:iam::aws:policy/ literally, or
	 * with ${AWS::Partition} in a Sub. A malformed one is left alone. */
	if (!s || (strncmp(s, "arn:aws", 7) &&
		   strncmp(s, "arn:${AWS::Partition}:", 22)) ||
	    !strstr(s, ":iam::aws:policy/"))
		return NULL;
	slash = strrchr(s, '/');
	return slash ? slash + 1 : NULL;
}

static const struct broad *broad_of(const struct cfh_node *arn)
{
	const char *name = policy_name(arn);
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < sizeof(broads) / sizeof(*broads); i++)
		if (!strcmp(broads[i].name, name))
			return &broads[i];
	return NULL;
}

static bool covers(const char *services, const char *service)
{
	return !services || cfh_word_in(services, service);
}

/* ---- the statements a role needs ---- */

struct grant {
	const struct profile *prof;
	const char *target;	/* logical ID */
};

struct role {
	struct cfh_template *t;
	const char *id;
	struct cfh_node *res;
	const char **principals;
	size_t nprincipals;
	struct grant *grants;
	size_t ngrants, capgrants;
};

static bool is_policy_type(const struct cfh_node *res)
{
	return cfh_res_is(res, "AWS::IAM::Policy") ||
	       cfh_res_is(res, "AWS::IAM::ManagedPolicy") ||
	       cfh_res_is(res, "AWS::IAM::RolePolicy") ||
	       cfh_res_is(res, "AWS::IAM::InstanceProfile");
}

static int add_grant(struct role *r, const struct profile *prof,
		     const char *target)
{
	size_t i;

	for (i = 0; i < r->ngrants; i++)
		if (r->grants[i].prof == prof &&
		    !strcmp(r->grants[i].target, target))
			return 0;
	if (r->ngrants == r->capgrants) {
		size_t cap = r->capgrants ? r->capgrants * 2 : 8;
		struct grant *g = realloc(r->grants, cap * sizeof(*g));

		if (!g)
			return -1;
		r->grants = g;
		r->capgrants = cap;
	}
	r->grants[r->ngrants].prof = prof;
	r->grants[r->ngrants].target = target;
	r->ngrants++;
	return 0;
}

/* The principals of a role: resources that name it (directly or through
 * an instance profile), not counting policies attached to it. */
static int find_principals(struct role *r)
{
	const char **refs, **holders;
	size_t n, nh, i, k;
	int rc = -1;

	if (cfh_referrers(r->t, r->id, NULL, &refs, &n))
		return -1;
	for (i = 0; i < n; i++) {
		const struct cfh_node *w = cfh_resource(r->t, refs[i]);

		if (cfh_res_is(w, "AWS::IAM::InstanceProfile")) {
			if (cfh_referrers(r->t, refs[i], NULL, &holders, &nh))
				goto out;
			for (k = 0; k < nh; k++)
				if (cfh_strlist_add(&r->principals,
						    &r->nprincipals, holders[k])) {
					free(holders);
					goto out;
				}
			free(holders);
			continue;
		}
		if (is_policy_type(w))
			continue;
		if (cfh_strlist_add(&r->principals, &r->nprincipals, refs[i]))
			goto out;
	}
	rc = 0;
out:
	free(refs);
	return rc;
}

/* A principal's own log group by the service's convention, when the
 * template declares none. */
static int convention_grants(struct role *r, const char *pid,
			     const struct cfh_node *pres, bool has_logs)
{
	const struct cfh_node *props = cfh_map_get(pres, "Properties");

	if (cfh_res_is(pres, "AWS::Lambda::Function") && !has_logs)
		return add_grant(r, &lambda_logs, pid);
	if (!cfh_res_is(pres, "AWS::CodeBuild::Project"))
		return 0;
	if (!has_logs &&
	    !cfh_node_str_eq(cfh_map_path(props, "LogsConfig", "CloudWatchLogs",
					  "Status", NULL),
			     "DISABLED"))
		return add_grant(r, &codebuild_logs, pid);
	return 0;
}

/* What the principals use (cfh_principal_uses()), as grants; plus their
 * own log group by the service's convention where the template has none. */
static int find_grants(struct role *r)
{
	size_t i, k, n;

	for (i = 0; i < r->nprincipals; i++) {
		const char *pid = r->principals[i];
		const char **uses;
		bool has_logs = false;

		if (cfh_principal_uses(r->t, pid, &uses, &n))
			return -1;
		for (k = 0; k < n; k++) {
			const struct cfh_node *x = cfh_resource(r->t, uses[k]);
			const struct profile *prof = profile_of(x);

			if (!prof || !strcmp(uses[k], r->id))
				continue;
			has_logs |= cfh_res_is(x, "AWS::Logs::LogGroup");
			if (add_grant(r, prof, uses[k])) {
				free(uses);
				return -1;
			}
		}
		free(uses);
		if (convention_grants(r, pid, cfh_resource(r->t, pid), has_logs))
			return -1;
	}
	return 0;
}

/* The log group a function or build project writes by the service's
 * convention, /aws/lambda/NAME or /aws/codebuild/NAME, then @suffix. */
static json_t *log_arn(const struct profile *prof, const char *id,
		       const char *suffix)
{
	char buf[512];

	snprintf(buf, sizeof(buf),
		 "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:"
		 "log-group:/aws/%s/${%s}%s",
		 prof->arn == ARN_LAMBDA_LOGS ? "lambda" : "codebuild", id,
		 suffix);
	return json_pack("{s:s}", "Fn::Sub", buf);
}

static json_t *arn_of(const struct profile *prof, const char *id)
{
	char buf[512];

	switch (prof->arn) {
	case ARN_REF:
		return cfh_json_ref(id);
	case ARN_PIPELINE:
		snprintf(buf, sizeof(buf),
			 "arn:${AWS::Partition}:codepipeline:${AWS::Region}:"
			 "${AWS::AccountId}:${%s}",
			 id);
		return json_pack("{s:s}", "Fn::Sub", buf);
	case ARN_LAMBDA_LOGS:
	case ARN_CODEBUILD_LOGS:
		/* The group itself (CreateLogGroup); sub_arn_of(): its
		 * streams. */
		return log_arn(prof, id, "");
	default:
		return cfh_json_getatt(id, "Arn");
	}
}

static json_t *sub_arn_of(const struct profile *prof, const char *id)
{
	char buf[512];

	if (prof->arn == ARN_LAMBDA_LOGS || prof->arn == ARN_CODEBUILD_LOGS)
		return log_arn(prof, id, ":*");
	snprintf(buf, sizeof(buf), "${%s.Arn}%s", id, prof->sub);
	return json_pack("{s:s}", "Fn::Sub", buf);
}

static json_t *action_list(const char *const *actions)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; actions && actions[i]; i++)
		json_array_append_new(a, json_string(actions[i]));
	return a;
}

/* ---- placing statements without adding a cycle ---- */

struct placed {
	json_t *inline_stmts;	/* safe inside the role */
	json_t *policy_stmts;	/* would make a cycle: separate policy */
};

/* True if the role would depend on a resource that depends on it. */
static bool would_cycle(struct cfh_template *t, const char *role,
			const char *target)
{
	struct cfh_graph *g = cfh_graph_get(t);

	return !g || cfh_graph_reaches(g, target, role);
}

static int place(struct role *r, struct placed *pl, const char *target,
		 json_t *stmt)
{
	json_t *dest = would_cycle(r->t, r->id, target) ? pl->policy_stmts
							  : pl->inline_stmts;

	return json_array_append_new(dest, stmt);
}

/* Statements for the grants of services @services covers (NULL: all). */
static int grant_statements(struct role *r, struct placed *pl,
			    const char *services, size_t *count)
{
	size_t i;

	*count = 0;
	for (i = 0; i < r->ngrants; i++) {
		const struct grant *g = &r->grants[i];
		json_t *res, *stmt;

		if (!covers(services, g->prof->service))
			continue;
		res = json_array();
		json_array_append_new(res, arn_of(g->prof, g->target));
		if (g->prof == &lambda_logs || g->prof == &codebuild_logs)
			json_array_append_new(res, sub_arn_of(g->prof, g->target));
		stmt = json_pack("{s:s, s:o, s:o}", "Effect", "Allow", "Action",
				 action_list(g->prof->actions), "Resource", res);
		if (!stmt || place(r, pl, g->target, stmt))
			return -1;
		if (g->prof->sub_actions) {
			stmt = json_pack("{s:s, s:o, s:[o]}", "Effect", "Allow",
					 "Action",
					 action_list(g->prof->sub_actions),
					 "Resource",
					 sub_arn_of(g->prof, g->target));
			if (!stmt || place(r, pl, g->target, stmt))
				return -1;
		}
		if (!strcmp(g->prof->service, "ecr")) {
			stmt = json_pack("{s:s, s:s, s:s}", "Effect", "Allow",
					 "Action", "ecr:GetAuthorizationToken",
					 "Resource", "*");
			if (!stmt || json_array_append_new(pl->inline_stmts,
							   stmt))
				return -1;
		}
		(*count)++;
	}
	return 0;
}

#define INLINE_NAME "LeastPrivilege"

/* Statements that name resources which depend on the role, in an
 * AWS::IAM::Policy of their own attached to it: no cycle. */
static int policy_resource(struct role *r, const char *name, json_t *stmts,
			   const char *reason)
{
	char pid[256];
	const char *policy;

	if (!json_array_size(stmts))
		return 0;
	snprintf(pid, sizeof(pid), "%sPolicy", r->id);
	policy = cfh_fresh_id(r->t, pid);
	if (!policy)
		return -1;
	return cfh_edit_add_resource_take(
		r->t, policy, r->id,
		json_pack("{s:s, s:{s:s, s:{s:s, s:O}, s:[o]}}", "Type",
			  "AWS::IAM::Policy", "Properties", "PolicyName",
			  name, "PolicyDocument", "Version", "2012-10-17",
			  "Statement", stmts, "Roles", cfh_json_ref(r->id)),
		reason, NULL);
}

static int write_placed(struct role *r, struct placed *pl, const char *reason)
{
	struct cfh_node *props = cfh_res_props(r->t, r->res, "add Properties");
	struct cfh_node *pols;
	json_t *doc;

	if (!props)
		return -1;
	if (json_array_size(pl->inline_stmts)) {
		doc = json_pack("{s:s, s:{s:s, s:O}}", "PolicyName", INLINE_NAME,
				"PolicyDocument", "Version", "2012-10-17",
				"Statement", pl->inline_stmts);
		pols = cfh_map_get(props, "Policies");
		if (pols && pols->kind == CFH_SEQ) {
			if (cfh_edit_append_take(r->t, pols, doc, reason, NULL))
				return -1;
		} else if (!pols) {
			if (cfh_edit_set_take(r->t, props, "Policies",
					      json_pack("[o]", doc), reason,
					      NULL))
				return -1;
		} else {
			json_decref(doc);
			if (cfh_advise(r->t, r->res,
				       "Policies is not a literal list: add the "
				       "least-privilege statements by hand"))
				return -1;
		}
	}
	return policy_resource(r, INLINE_NAME, pl->policy_stmts,
			       "least-privilege statements that name resources "
			       "which depend on the role: a policy of their own "
			       "adds no cycle");
}

/* ---- managed policies ---- */

/* The fix-catalogue ID of replacing @b: a policy that does not exist
 * (S001-02), PowerUserAccess (S003-01), a *FullAccess one (S004-02), any
 * other broad grant (S001-07). */
static const char *broad_fix(const struct broad *b)
{
	if (b->missing)
		return "S001-02";
	if (strstr(b->name, "PowerUser"))
		return "S003-01";
	if (strstr(b->name, "FullAccess"))
		return "S004-02";
	return "S001-07";
}

static int replace_managed(struct role *r)
{
	struct cfh_node *props = cfh_map_get(r->res, "Properties");
	struct cfh_node *arns = cfh_map_get(props, "ManagedPolicyArns");
	struct placed pl = { json_array(), json_array() };
	const struct cfh_entry *e;
	struct cfh_node **drop = NULL;
	const struct broad **dropped = NULL;
	size_t ndrop = 0, i, count;
	char reason[400];
	int rc = -1;

	if (!cfh_node_is_seq(arns) || arns->kind != CFH_SEQ)
		goto done;
	drop = calloc(arns->n + 1, sizeof(*drop));
	dropped = calloc(arns->n + 1, sizeof(*dropped));
	if (!drop || !dropped || !pl.inline_stmts || !pl.policy_stmts)
		goto out;
	cfh_for_each_entry(arns, e) {
		const struct broad *b = broad_of(e->value);

		if (!b)
			continue;
		if (grant_statements(r, &pl, b->services, &count))
			goto out;
		if (!count && !b->missing) {
			snprintf(reason, sizeof(reason),
				 "%s is broader than this role needs, but what "
				 "it needs could not be derived from the "
				 "template: replace it by hand",
				 b->name);
			if (cfh_advise(r->t, e->value, reason))
				goto out;
			continue;
		}
		drop[ndrop] = e->value;
		dropped[ndrop++] = b;
	}
	if (!ndrop)
		goto done;
	/* The statements were collected per policy; several broad policies
	 * overlap, so collect once more for all of them together. */
	json_array_clear(pl.inline_stmts);
	json_array_clear(pl.policy_stmts);
	{
		char services[512] = "";
		bool all = false;

		for (i = 0; i < ndrop; i++) {
			if (!dropped[i]->services)
				all = true;
			else if (strlen(services) + strlen(dropped[i]->services) + 2 <
				 sizeof(services)) {
				strcat(services, " ");
				strcat(services, dropped[i]->services);
			}
		}
		if (grant_statements(r, &pl, all ? NULL : services, &count))
			goto out;
	}
	for (i = 0; i < ndrop; i++) {
		snprintf(reason, sizeof(reason),
			 dropped[i]->missing
				 ? "%s does not exist as an AWS managed policy "
				   "(deployment fails): replaced by statements "
				   "scoped to the resources the role's principals "
				   "use (%s)"
				 : "%s grants far more than the role's principals "
				   "use: replaced by statements scoped to the "
				   "template's resources they use (%s)",
			 dropped[i]->name, broad_fix(dropped[i]));
		if (cfh_edit_remove_node(r->t, drop[i], reason))
			goto out;
	}
	if (!cfh_node_count(arns) &&
	    cfh_edit_remove(r->t, props, "ManagedPolicyArns",
			    "no managed policy left"))
		goto out;
	if (write_placed(r, &pl, "least-privilege statements for what the "
				 "role's principals use, on those resources' "
				 "ARNs"))
		goto out;
done:
	rc = 0;
out:
	json_decref(pl.inline_stmts);
	json_decref(pl.policy_stmts);
	free(drop);
	free(dropped);
	return rc;
}

/* ---- Resource "*" ---- */

static bool is_star(const struct cfh_node *res)
{
	const struct cfh_entry *e;

	if (cfh_node_str_eq(res, "*"))
		return true;
	if (!cfh_node_is_seq(res))
		return false;
	cfh_for_each_entry(cfh_node_deref(res), e)
		if (cfh_node_str_eq(e->value, "*"))
			return true;
	return false;
}

/* The service prefix of an action, in @buf. */
static const char *service_of(const char *action, char *buf, size_t size)
{
	size_t n = strcspn(action, ":");

	if (!action[n] || n >= size)
		return NULL;
	memcpy(buf, action, n);
	buf[n] = '\0';
	return buf;
}

static bool is_object_action(const char *a)
{
	return !strncmp(a, "s3:", 3) && strstr(a, "Object");
}

/*
 * Scope one statement. Returns a new list of statements that replaces it,
 * or NULL when it stays as it is.
 */
static json_t *scope_statement(struct role *r, const struct cfh_node *stmt,
			       bool *cycle, char *why, size_t whysize)
{
	const struct cfh_node *acts = cfh_map_get(stmt, "Action");
	const struct cfh_entry *a;
	json_t *orig = cfh_node_to_json(stmt), *out = json_array();
	json_t *keep = json_array();	/* actions that stay on "*" */
	const char *list[256];
	size_t nact = 0, i, k, scoped = 0;
	char svc[64], svc2[64];

	why[0] = '\0';
	if (!orig || !out || !keep)
		goto none;
	if (!cfh_node_str_eq(cfh_map_get(stmt, "Effect"), "Allow") ||
	    cfh_map_get(stmt, "NotAction") || cfh_map_get(stmt, "NotResource") ||
	    !is_star(cfh_map_get(stmt, "Resource")))
		goto none;
	if (cfh_node_str(acts)) {
		list[nact++] = cfh_node_str(acts);
	} else if (cfh_node_is_seq(acts)) {
		cfh_for_each_entry(cfh_node_deref(acts), a) {
			if (!cfh_node_str(a->value) || nact == 256)
				goto none;
			list[nact++] = cfh_node_str(a->value);
		}
	} else {
		goto none;
	}
	/* Group the actions by service; a service the role's principals use
	 * resources of gets those resources' ARNs. */
	for (i = 0; i < nact; i++) {
		json_t *acts_s, *res_s, *sub_acts, *sub_res, *s;
		bool done = false;

		if (!list[i] || !service_of(list[i], svc, sizeof(svc)))
			continue;
		if (is_star_only(list[i]) || !strcmp(list[i], "*")) {
			json_array_append_new(keep, json_string(list[i]));
			list[i] = NULL;
			continue;
		}
		acts_s = json_array();
		sub_acts = json_array();
		res_s = json_array();
		sub_res = json_array();
		for (k = i; k < nact; k++) {
			if (!list[k] || !service_of(list[k], svc2, sizeof(svc2)) ||
			    strcmp(svc, svc2) || is_star_only(list[k]))
				continue;
			if (is_object_action(list[k]) ||
			    !strcmp(list[k], "s3:*") || !strcmp(list[k], "s3:Get*") ||
			    !strcmp(list[k], "s3:Put*"))
				json_array_append_new(sub_acts,
						      json_string(list[k]));
			if (!is_object_action(list[k]))
				json_array_append_new(acts_s,
						      json_string(list[k]));
		}
		for (k = 0; k < r->ngrants; k++) {
			const struct grant *g = &r->grants[k];

			if (strcmp(g->prof->service, svc))
				continue;
			json_array_append_new(res_s, arn_of(g->prof, g->target));
			if (g->prof->sub)
				json_array_append_new(sub_res,
						      sub_arn_of(g->prof,
								 g->target));
			if (would_cycle(r->t, r->id, g->target))
				*cycle = true;
			done = true;
		}
		for (k = i; k < nact; k++)
			if (list[k] && service_of(list[k], svc2, sizeof(svc2)) &&
			    !strcmp(svc, svc2) && !is_star_only(list[k])) {
				if (!done)
					json_array_append_new(keep,
							      json_string(list[k]));
				list[k] = NULL;
			}
		if (done) {
			scoped++;
			if (json_array_size(acts_s) && json_array_size(res_s)) {
				s = json_deep_copy(orig);
				json_object_del(s, "Sid");
				json_object_set(s, "Action", acts_s);
				json_object_set(s, "Resource", res_s);
				json_array_append_new(out, s);
			}
			if (json_array_size(sub_acts)) {
				s = json_deep_copy(orig);
				json_object_del(s, "Sid");
				json_object_set(s, "Action", sub_acts);
				json_object_set(s, "Resource",
						json_array_size(sub_res) ? sub_res
									 : res_s);
				json_array_append_new(out, s);
			}
			if (strlen(why) + strlen(svc) + 3 < whysize) {
				strcat(why, why[0] ? ", " : "");
				strcat(why, svc);
			}
		}
		json_decref(acts_s);
		json_decref(sub_acts);
		json_decref(res_s);
		json_decref(sub_res);
	}
	if (!scoped)
		goto none;
	if (json_array_size(keep)) {
		json_t *s = json_deep_copy(orig);

		json_object_set(s, "Action", keep);
		json_object_set_new(s, "Resource", json_string("*"));
		json_array_insert_new(out, 0, s);
	}
	json_decref(orig);
	json_decref(keep);
	return out;
none:
	json_decref(orig);
	json_decref(out);
	json_decref(keep);
	return NULL;
}

/* Scope the statements of one policy document; @owner is the node the
 * edit goes to (the document's Statement list). */
static int scope_document(struct role *r, struct cfh_node *doc, bool in_role)
{
	struct cfh_node *stmts = cfh_map_get(doc, "Statement");
	const struct cfh_entry *e;
	json_t *all;
	bool changed = false, cycle = false;
	char why[256], reason[512], services[256] = "";

	if (!cfh_node_is_seq(stmts) || stmts->kind != CFH_SEQ)
		return 0;
	all = json_array();
	if (!all)
		return -1;
	cfh_for_each_entry(stmts, e) {
		json_t *repl = scope_statement(r, e->value, &cycle, why,
					       sizeof(why));

		if (repl) {
			json_array_extend(all, repl);
			json_decref(repl);
			changed = true;
			if (strlen(services) + strlen(why) + 3 < sizeof(services)) {
				strcat(services, services[0] ? ", " : "");
				strcat(services, why);
			}
		} else {
			json_array_append_new(all, cfh_node_to_json(e->value));
		}
	}
	if (!changed || (cycle && in_role)) {
		json_decref(all);
		if (changed && cfh_advise(r->t, doc,
					  "Resource \"*\" could be scoped to the "
					  "template's resources, but naming them "
					  "in this role would make a circular "
					  "dependency: move the statement to an "
					  "AWS::IAM::Policy"))
			return -1;
		return 0;
	}
	snprintf(reason, sizeof(reason),
		 "scope Resource \"*\" to the ARNs of the template's resources "
		 "the role's principals use (%s); actions that accept only "
		 "\"*\" keep it (S001-07)",
		 services);
	return cfh_edit_replace_take(r->t, stmts, all, reason, NULL);
}

/* Run @fn on the PolicyDocument of every policy resource attached to the
 * role (found through the graph, so that this stays linear). */
static int attached_each(struct role *r,
			 int (*fn)(struct role *, struct cfh_node *))
{
	const char **refs;
	size_t n, i;
	int rc = 0;

	if (cfh_referrers(r->t, r->id, NULL, &refs, &n))
		return -1;
	for (i = 0; i < n && !rc; i++) {
		struct cfh_node *w = cfh_resource(r->t, refs[i]);
		struct cfh_node *p = cfh_map_get(w, "Properties");

		if ((!cfh_res_is(w, "AWS::IAM::Policy") &&
		     !cfh_res_is(w, "AWS::IAM::ManagedPolicy")) ||
		    cfh_pass_skips(r->t, w) ||
		    !cfh_refers_to(cfh_map_get(p, "Roles"), r->id))
			continue;
		rc = fn(r, cfh_map_get(p, "PolicyDocument"));
	}
	free(refs);
	return rc;
}

static int scope_attached(struct role *r, struct cfh_node *doc)
{
	return scope_document(r, doc, false);
}

static int scope_role(struct role *r)
{
	struct cfh_node *pols = cfh_map_path(r->res, "Properties", "Policies",
					     NULL);
	const struct cfh_entry *e;

	if (!r->ngrants)
		return 0;
	if (cfh_node_is_seq(pols) && pols->kind == CFH_SEQ)
		cfh_for_each_entry(pols, e)
			if (scope_document(r, cfh_map_get(e->value,
							  "PolicyDocument"),
					   true))
				return -1;
	/* Policies attached from outside: scoping them adds no cycle to the
	 * role, since the role never depends on them. */
	return attached_each(r, scope_attached);
}

/* ---- known-incomplete sets (S000-03) and wildcard actions ---- */

/* An action that needs a companion the seeds found missing. */
static const struct {
	const char *have, *need;
	bool versioned_only;	/* only on buckets with versioning */
} companions[] = {
	{ "s3:GetObject", "s3:GetObjectVersion", true },
	{ "codecommit:UploadArchive", "codecommit:CancelUploadArchive", false },
	{ "codebuild:StartBuild", "codebuild:StopBuild", false },
};

static bool has_action(const struct cfh_node *acts, const char *a)
{
	const struct cfh_entry *e;

	if (cfh_node_str(acts))
		return !strcasecmp(cfh_node_str(acts), a);
	if (!cfh_node_is_seq(acts))
		return false;
	cfh_for_each_entry(cfh_node_deref(acts), e)
		if (cfh_node_str(e->value) && !strcasecmp(cfh_node_str(e->value), a))
			return true;
	return false;
}

static bool names_versioned_bucket(struct cfh_template *t,
				   const struct cfh_node *res)
{
	const struct cfh_entry *e;

	cfh_for_each_resource(t, e)
		if (cfh_res_is(e->value, "AWS::S3::Bucket") &&
		    cfh_node_str_eq(cfh_map_path(e->value, "Properties",
						 "VersioningConfiguration",
						 "Status", NULL),
				    "Enabled") &&
		    cfh_refers_to(res, e->key->text))
			return true;
	return false;
}

static int complete_statement(struct cfh_template *t, struct cfh_node *stmt)
{
	struct cfh_node *acts = cfh_map_get(stmt, "Action");
	size_t i;
	char reason[256];

	if (!cfh_node_str_eq(cfh_map_get(stmt, "Effect"), "Allow") || !acts ||
	    cfh_is_dynamic(acts))
		return 0;
	for (i = 0; i < sizeof(companions) / sizeof(*companions); i++) {
		if (!has_action(acts, companions[i].have) ||
		    has_action(acts, companions[i].need))
			continue;
		if (companions[i].versioned_only &&
		    !names_versioned_bucket(t, cfh_map_get(stmt, "Resource")))
			continue;
		snprintf(reason, sizeof(reason),
			 "%s without %s fails in practice (S000-03): add it, on "
			 "the same resources",
			 companions[i].have, companions[i].need);
		if (cfh_node_is_seq(acts)) {
			if (cfh_edit_append_take(t, acts,
						 json_string(companions[i].need),
						 reason, NULL))
				return -1;
		} else {
			json_t *list = json_pack("[s,s]", cfh_node_str(acts),
						 companions[i].need);

			if (cfh_edit_replace_take(t, acts, list, reason, &acts))
				return -1;
			if (!acts)
				return 0;
		}
	}
	return 0;
}

/*
 * "s3:*" on the template's own resources: the actions the principals'
 * use needs, from the resource's profile. Only where every resource of the
 * statement is a template resource of that profile's type.
 */
static int narrow_wildcards(struct role *r, struct cfh_node *stmt)
{
	struct cfh_node *acts = cfh_map_get(stmt, "Action");
	const struct cfh_node *res = cfh_map_get(stmt, "Resource");
	const struct cfh_entry *e;
	const struct profile *prof = NULL;
	const char *wild = NULL;
	json_t *list;
	size_t i;
	char svc[64], reason[256];

	if (!cfh_node_str_eq(cfh_map_get(stmt, "Effect"), "Allow") ||
	    !acts || is_star(res) || !res)
		return 0;
	if (cfh_node_str(acts) && strstr(cfh_node_str(acts), ":*"))
		wild = cfh_node_str(acts);
	if (!wild || !service_of(wild, svc, sizeof(svc)) ||
	    strcmp(wild + strlen(svc), ":*"))
		return 0;
	for (i = 0; i < r->ngrants; i++)
		if (!strcmp(r->grants[i].prof->service, svc) &&
		    cfh_refers_to(res, r->grants[i].target))
			prof = r->grants[i].prof;
	if (!prof)
		return 0;
	/* Every resource must be one of the template's of that type. */
	if (cfh_node_is_seq(res)) {
		cfh_for_each_entry(cfh_node_deref(res), e) {
			bool ok = false;

			for (i = 0; i < r->ngrants; i++)
				ok |= r->grants[i].prof == prof &&
				      cfh_refers_to(e->value, r->grants[i].target);
			if (!ok)
				return 0;
		}
	}
	list = action_list(prof->actions);
	for (i = 0; prof->sub_actions && prof->sub_actions[i]; i++) {
		size_t k;
		bool dup = false;

		for (k = 0; k < json_array_size(list); k++)
			dup |= !strcmp(json_string_value(json_array_get(list, k)),
				       prof->sub_actions[i]);
		if (!dup)
			json_array_append_new(list, json_string(prof->sub_actions[i]));
	}
	snprintf(reason, sizeof(reason),
		 "narrow %s to the actions the role's principals use on the "
		 "template's %s (S001-07)",
		 wild, prof->type);
	return cfh_edit_replace_take(r->t, acts, list, reason, NULL);
}

/*
 * The log groups an ARN names when it is every group of a service
 * (log-group:/aws/codebuild/ then a star, with or without ":*"): the
 * profile of that service's own groups, else NULL. The ARN is a literal
 * or a one-string Fn::Sub.
 */
static const struct profile *log_wildcard(const struct cfh_node *n)
{
	static const struct {
		const char *pattern;
		const struct profile *prof;
	} services[] = {
		{ ":log-group:/aws/codebuild/*", &codebuild_logs },
		{ ":log-group:/aws/lambda/*", &lambda_logs },
	};
	struct cfh_fn_view fv;
	const char *text = NULL, *at;
	size_t i, len;

	if (cfh_node_is_str(n))
		text = n->text;
	else if (cfh_node_fn(n, &fv) && fv.fn == CFH_FN_SUB &&
		 fv.arg->kind == CFH_SCALAR)
		text = fv.arg->text;
	if (!text || strncmp(text, "arn:", 4))
		return NULL;
	for (i = 0; i < sizeof(services) / sizeof(*services); i++) {
		at = strstr(text, services[i].pattern);
		len = at ? strlen(services[i].pattern) : 0;
		if (at && (!at[len] || !strcmp(at + len, ":*")))
			return services[i].prof;
	}
	return NULL;
}

/* The profile of the log groups @stmt grants on when it is a plain Allow
 * of logs actions on every group of one service, else NULL. */
static const struct profile *log_wildcard_statement(const struct cfh_node *stmt)
{
	const struct cfh_node *acts = cfh_node_deref(cfh_map_get(stmt, "Action"));
	const struct cfh_node *res = cfh_node_deref(cfh_map_get(stmt, "Resource"));
	const struct profile *prof = NULL, *p;
	const struct cfh_entry *e;

	if (!cfh_node_str_eq(cfh_map_get(stmt, "Effect"), "Allow") || !acts ||
	    !res || cfh_map_get(stmt, "Condition"))
		return NULL;
	if (acts->kind == CFH_SEQ) {
		cfh_for_each_entry(acts, e)
			if (!cfh_node_is_str(e->value) ||
			    strncmp(e->value->text, "logs:", 5))
				return NULL;
	} else if (!cfh_node_is_str(acts) || strncmp(acts->text, "logs:", 5)) {
		return NULL;
	}
	if (res->kind != CFH_SEQ)
		return log_wildcard(res);
	cfh_for_each_entry(res, e) {
		p = log_wildcard(e->value);
		if (!p || (prof && p != prof))
			return NULL;
		prof = p;
	}
	return prof;
}

/*
 * S000-03: a statement on every log group of a service (the draft's
 * /aws/codebuild/ and a star) lets the role write into the logs of every
 * other project. It is replaced by the same actions on the groups of the
 * role's own principals of that service (the group and its streams),
 * placed where they add no cycle; the statement goes only when the policy
 * keeps others, so that no policy is left empty.
 */
static int scope_log_wildcards(struct role *r, struct cfh_node *stmts,
			       struct cfh_node *stmt)
{
	const struct profile *prof = log_wildcard_statement(stmt);
	struct placed pl = { json_array(), json_array() };
	json_t *acts = NULL;
	size_t i, n = 0;
	int rc = -1;

	if (!prof || cfh_node_count(stmts) < 2) {
		rc = 0;
		goto out;
	}
	acts = cfh_node_to_json(cfh_map_get(stmt, "Action"));
	for (i = 0; acts && i < r->nprincipals; i++) {
		const char *pid = r->principals[i];
		json_t *st;

		if (!cfh_res_is(cfh_resource(r->t, pid), prof->type))
			continue;
		st = json_pack("{s:s, s:O, s:[o, o]}", "Effect", "Allow",
			       "Action", acts, "Resource", arn_of(prof, pid),
			       sub_arn_of(prof, pid));
		if (!st || place(r, &pl, pid, st))
			goto out;
		n++;
	}
	if (!acts || !n) {
		rc = acts ? 0 : -1;
		goto out;
	}
	rc = cfh_edit_remove_node(r->t, stmt,
				  "a statement on every log group of the "
				  "service lets the role write into other "
				  "principals' logs: scoped to its own (S000-03)");
	if (!rc && json_array_size(pl.inline_stmts))
		rc = cfh_role_grant_take(r->t, r->id, "OwnLogs",
					 json_incref(pl.inline_stmts),
					 "write only the logs of the role's own "
					 "principals (S000-03)");
	if (!rc)
		rc = policy_resource(r, "OwnLogs", pl.policy_stmts,
				     "write only the logs of the role's own "
				     "principals, in a policy of its own since "
				     "they depend on the role (S000-03)");
out:
	json_decref(acts);
	json_decref(pl.inline_stmts);
	json_decref(pl.policy_stmts);
	return rc;
}

static int refine_document(struct role *r, struct cfh_node *doc)
{
	struct cfh_node *stmts = cfh_map_get(doc, "Statement");
	struct cfh_entry *e;

	if (cfh_node_is_map(stmts) && !cfh_is_dynamic(stmts))
		return narrow_wildcards(r, stmts) ||
		       complete_statement(r->t, stmts);
	if (!cfh_node_is_seq(stmts) || stmts->kind != CFH_SEQ)
		return 0;
	cfh_for_each_entry(stmts, e)
		if (cfh_node_is_map(e->value) && !cfh_is_dynamic(e->value) &&
		    (narrow_wildcards(r, e->value) ||
		     complete_statement(r->t, e->value) ||
		     scope_log_wildcards(r, stmts, e->value)))
			return -1;
	return 0;
}

static int refine_role(struct role *r)
{
	struct cfh_node *pols = cfh_map_path(r->res, "Properties", "Policies",
					     NULL);
	struct cfh_entry *e;

	if (cfh_node_is_seq(pols) && pols->kind == CFH_SEQ)
		cfh_for_each_entry(pols, e)
			if (refine_document(r, cfh_map_get(e->value,
							   "PolicyDocument")))
				return -1;
	return attached_each(r, refine_document);
}

/* ---- RoleName (S002-09) ---- */

static bool name_used_elsewhere(const struct cfh_node *n, const char *name,
				const struct cfh_node *self)
{
	const struct cfh_entry *e;

	n = cfh_node_deref(n);
	if (!n || n == self)
		return false;
	if (n->kind == CFH_SCALAR)
		return strstr(n->text, name) != NULL;
	if (n->kind != CFH_MAP && n->kind != CFH_SEQ)
		return false;
	cfh_for_each_entry(n, e)
		if (name_used_elsewhere(e->value, name, self))
			return true;
	return false;
}

static int drop_role_name(struct role *r)
{
	struct cfh_node *props = cfh_map_get(r->res, "Properties");
	struct cfh_node *name = cfh_map_get(props, "RoleName"), *tags;
	const struct cfh_entry *e;
	json_t *tag;

	struct cfh_fn_view fv;

	if (!name)
		return 0;
	/* A name chosen by a condition is the author's decision to make. */
	if (cfh_node_fn(name, &fv) && fv.fn != CFH_FN_SUB &&
	    fv.fn != CFH_FN_JOIN && fv.fn != CFH_FN_REF)
		return cfh_advise(r->t, name,
				  "the RoleName is chosen by a condition: "
				  "named roles collide across stacks (S002-09)");
	if (cfh_node_str(name) && !cfh_is_dynamic(name) &&
	    name_used_elsewhere(r->t->root, cfh_node_str(name), name))
		return cfh_advise(r->t, name,
				  "the explicit RoleName is written literally "
				  "elsewhere: remove it by hand once nothing "
				  "depends on the name");
	tags = cfh_map_get(props, "Tags");
	if (tags && !cfh_node_is_seq(tags))
		return 0;
	tag = json_pack("{s:s, s:o}", "Key", "Name", "Value",
			cfh_node_to_json(name));
	if (tags) {
		bool has = false;

		cfh_for_each_entry(cfh_node_deref(tags), e)
			if (cfh_node_str_eq(cfh_map_get(e->value, "Key"), "Name"))
				has = true;
		if (has)
			json_decref(tag);
		else if (cfh_edit_append_take(r->t, tags, tag,
					      "keep the role's name as its Name "
					      "tag",
					      NULL))
			return -1;
	} else if (cfh_edit_set_take(r->t, props, "Tags",
				     json_pack("[o]", tag),
				     "keep the role's name as its Name tag",
				     NULL)) {
		return -1;
	}
	return cfh_edit_remove(r->t, props, "RoleName",
			       "explicit role names collide when the template "
			       "is deployed twice in an account and block "
			       "updates that replace the role (S002-09)");
}

/* ---- Lambda permissions ---- */

static int scope_permission(struct cfh_template *t, const char *id,
			    struct cfh_node *res)
{
	struct cfh_node *p = cfh_map_get(res, "Properties");
	const char *principal = cfh_node_str(cfh_map_get(p, "Principal"));
	const struct cfh_node *fn = cfh_map_get(p, "FunctionName");
	const struct cfh_entry *e;
	const char *type = NULL, *source = NULL, *target, *attr;
	struct cfh_graph *g;

	if (!principal || !strstr(principal, ".amazonaws.com") ||
	    cfh_props_dynamic(res))
		return 0;
	if (!cfh_map_get(p, "SourceAccount") &&
	    cfh_edit_set_take(t, p, "SourceAccount", cfh_json_ref("AWS::AccountId"),
			      "only this account's resources may invoke the "
			      "function through the service (confused deputy)",
			      NULL))
		return -1;
	if (cfh_map_get(p, "SourceArn"))
		return 0;
	/* The source, when the template has exactly one that targets this
	 * function through that service. SNS subscriptions live in their
	 * own resources: a topic names no function. */
	if (!strcmp(principal, "s3.amazonaws.com"))
		type = "AWS::S3::Bucket";
	else if (!strcmp(principal, "events.amazonaws.com"))
		type = "AWS::Events::Rule";
	else if (!strcmp(principal, "sns.amazonaws.com"))
		type = "AWS::SNS::Topic";
	target = cfh_node_ref(fn);
	if (!target && cfh_node_getatt(t, fn, &target, &attr))
		target = NULL;
	if (!type || !target)
		return 0;
	cfh_for_each_resource(t, e) {
		if (!cfh_res_is(e->value, type) ||
		    !cfh_refers_to(cfh_map_get(e->value, "Properties"), target))
			continue;
		if (source)
			return 0;	/* more than one */
		source = e->key->text;
	}
	/* A bucket notification depends on the permission; naming the
	 * bucket here would close the cycle (S004-04). */
	g = source ? cfh_graph_get(t) : NULL;
	if (!g || cfh_graph_reaches(g, source, id))
		return 0;
	return cfh_edit_set_take(t, p, "SourceArn",
				 !strcmp(type, "AWS::SNS::Topic")
					 ? cfh_json_ref(source)
					 : cfh_json_getatt(source, "Arn"),
				 "only this source may invoke the function "
				 "through the service",
				 NULL);
}

int cfh_pass_iam(struct cfh_template *t)
{
	struct cfh_entry *e;
	struct cfh_ids roles = { 0 }, perms = { 0 };
	size_t i;
	int rc = -1;

	cfh_for_each_resource(t, e) {
		if (cfh_pass_skips(t, e->value) || cfh_props_dynamic(e->value))
			continue;
		if (cfh_res_is(e->value, "AWS::IAM::Role") &&
		    cfh_ids_add(&roles, e->key->text))
			goto out;
		if (cfh_res_is(e->value, "AWS::Lambda::Permission") &&
		    cfh_ids_add(&perms, e->key->text))
			goto out;
	}
	for (i = 0; i < roles.n; i++) {
		struct role r = { .t = t, .id = roles.v[i] };
		int err;

		r.res = cfh_resource(t, roles.v[i]);
		err = find_principals(&r) || find_grants(&r) ||
		      replace_managed(&r) || scope_role(&r) ||
		      refine_role(&r) || drop_role_name(&r);
		free(r.principals);
		free(r.grants);
		if (err)
			goto out;
	}
	for (i = 0; i < perms.n; i++)
		if (scope_permission(t, perms.v[i], cfh_resource(t, perms.v[i])))
			goto out;
	rc = 0;
out:
	cfh_ids_release(&roles);
	cfh_ids_release(&perms);
	return rc;
}
