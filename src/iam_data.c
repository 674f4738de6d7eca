/* SPDX-License-Identifier: MIT */
/* Service profiles, managed policies and the needs of a role; see
 * iam_data.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iam_data.h"
#include "iam_table.h"
#include "passlib.h"

/* ---- what a resource type is used for ---- */

#define ACTIONS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const struct cfh_iam_profile profiles[] = {
	{ "AWS::S3::Bucket", "s3", CFH_IAM_ARN_GETATT,
	  ACTIONS("s3:ListBucket", "s3:GetBucketLocation"),
	  ACTIONS("s3:GetObject", "s3:PutObject"),
	  "/*", ACTIONS("s3:GetObjectVersion") },
	{ "AWS::DynamoDB::Table", "dynamodb", CFH_IAM_ARN_GETATT,
	  ACTIONS("dynamodb:GetItem", "dynamodb:PutItem",
		  "dynamodb:UpdateItem", "dynamodb:DeleteItem",
		  "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem",
		  "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
		  "dynamodb:DescribeTable"),
	  ACTIONS("dynamodb:Query", "dynamodb:Scan"), "/index/*", NULL },
	{ "AWS::SQS::Queue", "sqs", CFH_IAM_ARN_GETATT,
	  ACTIONS("sqs:SendMessage", "sqs:ReceiveMessage",
		  "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
		  "sqs:GetQueueAttributes", "sqs:GetQueueUrl"),
	  NULL, NULL, NULL },
	{ "AWS::SNS::Topic", "sns", CFH_IAM_ARN_REF, ACTIONS("sns:Publish"),
	  NULL, NULL, NULL },
	{ "AWS::Logs::LogGroup", "logs", CFH_IAM_ARN_GETATT,
	  ACTIONS("logs:CreateLogStream", "logs:PutLogEvents"), NULL, NULL, NULL },
	{ "AWS::Lambda::Function", "lambda", CFH_IAM_ARN_GETATT,
	  ACTIONS("lambda:InvokeFunction"), NULL, NULL, NULL },
	{ "AWS::Kinesis::Stream", "kinesis", CFH_IAM_ARN_GETATT,
	  ACTIONS("kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
		  "kinesis:GetRecords", "kinesis:GetShardIterator",
		  "kinesis:ListShards", "kinesis:PutRecord",
		  "kinesis:PutRecords"),
	  NULL, NULL, NULL },
	{ "AWS::KinesisFirehose::DeliveryStream", "firehose",
	  CFH_IAM_ARN_GETATT,
	  ACTIONS("firehose:PutRecord", "firehose:PutRecordBatch"), NULL,
	  NULL, NULL },
	{ "AWS::CodeBuild::Project", "codebuild", CFH_IAM_ARN_GETATT,
	  ACTIONS("codebuild:StartBuild", "codebuild:BatchGetBuilds",
		  "codebuild:StopBuild"),
	  NULL, NULL, NULL },
	{ "AWS::CodeCommit::Repository", "codecommit", CFH_IAM_ARN_GETATT,
	  ACTIONS("codecommit:GetBranch", "codecommit:GetCommit",
		  "codecommit:GitPull", "codecommit:UploadArchive",
		  "codecommit:GetUploadArchiveStatus",
		  "codecommit:CancelUploadArchive"),
	  NULL, NULL, NULL },
	{ "AWS::SecretsManager::Secret", "secretsmanager", CFH_IAM_ARN_REF,
	  ACTIONS("secretsmanager:GetSecretValue",
		  "secretsmanager:DescribeSecret"),
	  NULL, NULL, NULL },
	{ "AWS::StepFunctions::StateMachine", "states", CFH_IAM_ARN_REF,
	  ACTIONS("states:StartExecution", "states:DescribeExecution"), NULL,
	  NULL, NULL },
	{ "AWS::ECR::Repository", "ecr", CFH_IAM_ARN_GETATT,
	  ACTIONS("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
		  "ecr:BatchCheckLayerAvailability", "ecr:PutImage",
		  "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
		  "ecr:CompleteLayerUpload"),
	  NULL, NULL, NULL },
	{ "AWS::KMS::Key", "kms", CFH_IAM_ARN_GETATT,
	  ACTIONS("kms:Decrypt", "kms:GenerateDataKey"), NULL, NULL, NULL },
	{ "AWS::CodePipeline::Pipeline", "codepipeline", CFH_IAM_ARN_PIPELINE,
	  ACTIONS("codepipeline:StartPipelineExecution"), NULL, NULL, NULL },
	{ "AWS::Events::EventBus", "events", CFH_IAM_ARN_GETATT,
	  ACTIONS("events:PutEvents"), NULL, NULL, NULL },
};

/* A principal's own log group, by the service's naming convention, when
 * the template declares none: the target is the principal itself. */
static const struct cfh_iam_profile lambda_logs = {
	"AWS::Lambda::Function", "logs", CFH_IAM_ARN_LAMBDA_LOGS,
	ACTIONS("logs:CreateLogGroup", "logs:CreateLogStream",
		"logs:PutLogEvents"),
	NULL, NULL, NULL
};

static const struct cfh_iam_profile codebuild_logs = {
	"AWS::CodeBuild::Project", "logs", CFH_IAM_ARN_CODEBUILD_LOGS,
	ACTIONS("logs:CreateLogGroup", "logs:CreateLogStream",
		"logs:PutLogEvents"),
	NULL, NULL, NULL
};

const struct cfh_iam_profile *cfh_iam_profile_of(const struct cfh_node *res)
{
	const char *type = cfh_resource_type(res);
	size_t i;

	for (i = 0; type && i < CFH_ARRAY_SIZE(profiles); i++)
		if (!strcmp(type, profiles[i].type))
			return &profiles[i];
	return NULL;
}

const struct cfh_iam_profile *cfh_iam_profile_at(size_t i)
{
	return i < CFH_ARRAY_SIZE(profiles) ? &profiles[i] : NULL;
}

const struct cfh_iam_profile *cfh_iam_own_logs(const char *type)
{
	if (type && !strcmp(type, lambda_logs.type))
		return &lambda_logs;
	if (type && !strcmp(type, codebuild_logs.type))
		return &codebuild_logs;
	return NULL;
}

bool cfh_iam_is_own_logs(const struct cfh_iam_profile *p)
{
	return p == &lambda_logs || p == &codebuild_logs;
}

/* The log group a function or build project writes by the service's
 * convention, /aws/lambda/NAME or /aws/codebuild/NAME, then @suffix. */
static json_t *log_arn(const struct cfh_iam_profile *p, const char *id,
		       const char *suffix)
{
	return cfh_arn_sub("logs", CFH_ARN_HERE, "log-group:/aws/%s/${%s}%s",
			   p->arn == CFH_IAM_ARN_LAMBDA_LOGS ? "lambda"
							     : "codebuild",
			   id, suffix);
}

json_t *cfh_iam_arn(const struct cfh_iam_profile *p, const char *id)
{
	switch (p->arn) {
	case CFH_IAM_ARN_REF:
		return cfh_json_ref(id);
	case CFH_IAM_ARN_PIPELINE:
		return cfh_arn_sub("codepipeline", CFH_ARN_HERE, "${%s}", id);
	case CFH_IAM_ARN_LAMBDA_LOGS:
	case CFH_IAM_ARN_CODEBUILD_LOGS:
		/* The group itself (CreateLogGroup); cfh_iam_sub_arn(): its
		 * streams. */
		return log_arn(p, id, "");
	default:
		return cfh_json_getatt(id, "Arn");
	}
}

json_t *cfh_iam_sub_arn(const struct cfh_iam_profile *p, const char *id)
{
	char buf[512];

	if (cfh_iam_is_own_logs(p))
		return log_arn(p, id, ":*");
	snprintf(buf, sizeof(buf), "${%s.Arn}%s", id, p->sub);
	return json_pack("{s:s}", "Fn::Sub", buf);
}

json_t *cfh_iam_actions(const char *const *actions)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && actions && actions[i]; i++)
		if (json_array_append_new(a, json_string(actions[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *cfh_iam_profile_actions(const struct cfh_iam_profile *p)
{
	json_t *list = cfh_iam_actions(p->actions);
	size_t i, k;

	for (i = 0; list && p->sub_actions && p->sub_actions[i]; i++) {
		const char *a = p->sub_actions[i];
		bool dup = false;

		for (k = 0; k < json_array_size(list); k++)
			dup |= !strcmp(json_string_value(json_array_get(list, k)),
				       a);
		if (!dup && json_array_append_new(list, json_string(a))) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

int cfh_iam_grant_stmts(const struct cfh_iam_grant *g, bool whole,
			json_t *out[3])
{
	const struct cfh_iam_profile *p = g->prof;
	json_t *res = json_array();

	out[0] = out[1] = out[2] = NULL;
	if (!res || json_array_append_new(res, cfh_iam_arn(p, g->target)) ||
	    (cfh_iam_is_own_logs(p) &&
	     json_array_append_new(res, cfh_iam_sub_arn(p, g->target)))) {
		json_decref(res);
		return -1;
	}
	out[0] = json_pack("{s:s, s:o, s:o}", "Effect", "Allow", "Action",
			   cfh_iam_actions(p->actions), "Resource", res);
	if (p->sub_actions) {
		json_t *acts = cfh_iam_actions(p->sub_actions);
		json_t *more = whole && p->sub_whole ? cfh_iam_actions(p->sub_whole)
						     : NULL;

		if (acts && more && json_array_extend(acts, more)) {
			json_decref(acts);
			acts = NULL;
		}
		json_decref(more);
		out[1] = json_pack("{s:s, s:o, s:[o]}", "Effect", "Allow",
				   "Action", acts, "Resource",
				   cfh_iam_sub_arn(p, g->target));
	}
	/* Pulling an image needs a token, which ECR gives per account. */
	if (!strcmp(p->service, "ecr"))
		out[2] = cfh_stmt_allow_take("ecr:GetAuthorizationToken",
					     json_string("*"));
	if (out[0] && (!p->sub_actions || out[1]) &&
	    (strcmp(p->service, "ecr") || out[2]))
		return 0;
	json_decref(out[0]);
	json_decref(out[1]);
	json_decref(out[2]);
	out[0] = out[1] = out[2] = NULL;
	return -1;
}

/* ---- actions ---- */

/* Actions that accept only Resource "*" (the service authorises them per
 * account, not per resource). */
static bool is_pattern(const char *action)
{
	return strpbrk(action, "*?") != NULL;
}

/*
 * From the IAM service data cfn-lint ships (src/iam_table.h): an action
 * that takes no resource type only works on "*", and a pattern only works
 * on "*" when every action it matches does ("ec2:Describe*").
 */
void cfh_iam_memo_release(struct cfh_iam_memo *m)
{
	json_decref(m->star_only);
	json_decref(m->members);
	memset(m, 0, sizeof(*m));
}

static bool star_only(const char *action)
{
	const char **all;
	size_t n, i;
	bool star;

	if (!is_pattern(action))
		return cfh_iam_action_scope(action) == CFH_IAM_SCOPE_STAR_ONLY;
	if (cfh_iam_expand(action, &all, &n) || !n)
		return false;
	for (i = 0, star = true; i < n && star; i++)
		star = cfh_iam_action_scope(all[i]) == CFH_IAM_SCOPE_STAR_ONLY;
	free(all);
	return star;
}

bool cfh_iam_is_star_only(struct cfh_iam_memo *m, const char *action)
{
	json_t *v;
	bool star;

	if (!m || !action)
		return action && star_only(action);
	if ((v = m->star_only ? json_object_get(m->star_only, action) : NULL))
		return json_is_true(v);
	star = star_only(action);
	/* Out of memory, the answer is not kept: it is still right. */
	if (m->star_only || (m->star_only = json_object()))
		json_object_set_new(m->star_only, action, json_boolean(star));
	return star;
}

/* The actions @pattern matches that only work on "*", in table order,
 * each once: a new reference, or NULL when out of memory. */
static json_t *star_list(const char *pattern)
{
	json_t *list = json_array();
	const char **all;
	size_t n, i;

	if (!list || cfh_iam_expand(pattern, &all, &n)) {
		json_decref(list);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (cfh_iam_action_scope(all[i]) == CFH_IAM_SCOPE_STAR_ONLY &&
		    !cfh_iam_list_has(list, all[i]) &&
		    json_array_append_new(list, json_string(all[i]))) {
			json_decref(list);
			list = NULL;
			break;
		}
	free(all);
	return list;
}

int cfh_iam_star_members(struct cfh_iam_memo *m, const char *pattern,
			 json_t *keep)
{
	json_t *list = NULL, *a;
	size_t i;
	int rc = 0;

	if (!is_pattern(pattern) || !strcmp(pattern, "*"))
		return 0;
	if (m && m->members)
		list = json_incref(json_object_get(m->members, pattern));
	if (!list) {
		if (!(list = star_list(pattern)))
			return -1;
		if (m && (m->members || (m->members = json_object())))
			json_object_set(m->members, pattern, list);
	}
	json_array_foreach(list, i, a)
		if (!cfh_iam_list_has(keep, json_string_value(a)) &&
		    (rc = json_array_append(keep, a)))
			break;
	json_decref(list);
	return rc;
}

const char *cfh_iam_service_of(const char *action, char *buf, size_t size)
{
	size_t n = strcspn(action, ":");

	if (!action[n] || n >= size)
		return NULL;
	memcpy(buf, action, n);
	buf[n] = '\0';
	return buf;
}

static bool is_object_action(const char *action)
{
	return !strncmp(action, "s3:", 3) && strstr(action, "Object");
}

int cfh_iam_split_actions(struct cfh_iam_memo *m, const char *const *list,
			  size_t n, const char *service, json_t *on_res,
			  json_t *on_sub)
{
	size_t k;
	char svc[64];

	for (k = 0; k < n; k++) {
		const char *a = list[k];

		if (!a || !cfh_iam_service_of(a, svc, sizeof(svc)) ||
		    strcmp(svc, service) || cfh_iam_is_star_only(m, a))
			continue;
		if ((is_object_action(a) || !strcmp(a, "s3:*") ||
		     !strcmp(a, "s3:Get*") || !strcmp(a, "s3:Put*")) &&
		    json_array_append_new(on_sub, json_string(a)))
			return -1;
		if (!is_object_action(a) &&
		    json_array_append_new(on_res, json_string(a)))
			return -1;
	}
	return 0;
}

/* Items are read as text whatever their tag, as the pass always read
 * them: cfh_strs_at() would take untagged strings only. */
bool cfh_iam_is_star(const struct cfh_node *res)
{
	size_t i, n = cfh_strs_count(res);

	for (i = 0; i < n; i++)
		if (cfh_node_str_eq(cfh_strs_node(res, i), "*"))
			return true;
	return false;
}

bool cfh_iam_has_action(const struct cfh_node *acts, const char *action)
{
	size_t i, n = cfh_strs_count(acts);

	for (i = 0; i < n; i++) {
		const char *a = cfh_node_str(cfh_strs_node(acts, i));

		if (a && !strcasecmp(a, action))
			return true;
	}
	return false;
}

/* ---- broad managed policies ---- */

static const struct cfh_iam_broad broads[] = {
	{ "AdministratorAccess", NULL, false, true },
	{ "PowerUserAccess", NULL, false, true },
	{ "AmazonS3FullAccess", "s3", false, true },
	{ "AmazonDynamoDBFullAccess", "dynamodb", false, true },
	{ "AmazonSQSFullAccess", "sqs", false, true },
	{ "AmazonSNSFullAccess", "sns", false, true },
	{ "AWSLambda_FullAccess", "lambda logs", false, false },
	{ "AWSLambdaBasicExecutionRole", "logs", false, false },
	{ "AWSLambdaFullAccess", "lambda logs", true, false },
	{ "CloudWatchLogsFullAccess", "logs", false, true },
	{ "AmazonKinesisFullAccess", "kinesis", false, true },
	{ "AmazonKinesisFirehoseFullAccess", "firehose", false, true },
	{ "AWSCodeBuildAdminAccess", "codebuild logs s3", false, false },
	{ "AWSCodeBuildDeveloperAccess", "codebuild logs s3", false, false },
	{ "AWSCodeCommitFullAccess", "codecommit", false, true },
	{ "AWSCodePipelineFullAccess", "codepipeline", true, false },
	{ "AWSCodePipeline_FullAccess", "codepipeline s3 codebuild codecommit",
	  false, false },
	{ "AWSCodePipelineServiceRole", NULL, true, false },
	{ "AmazonEC2ContainerRegistryFullAccess", "ecr", false, true },
	{ "AWSStepFunctionsFullAccess", "states", false, true },
	{ "SecretsManagerReadWrite", "secretsmanager", false, false },
	{ "AWSKeyManagementServicePowerUser", "kms", false, false },
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

const struct cfh_iam_broad *cfh_iam_broad_of(const struct cfh_node *arn)
{
	const char *name = policy_name(arn);
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < CFH_ARRAY_SIZE(broads); i++)
		if (!strcmp(broads[i].name, name))
			return &broads[i];
	return NULL;
}

const char *cfh_iam_broad_fix(const struct cfh_iam_broad *b)
{
	if (b->missing)
		return "S001-02";
	if (strstr(b->name, "PowerUser"))
		return "S003-01";
	if (strstr(b->name, "FullAccess"))
		return "S004-02";
	return "S001-07";
}

bool cfh_iam_covers(const char *services, const char *service)
{
	return !services || cfh_word_in(services, service);
}

const char *cfh_iam_broad_whole(const struct cfh_iam_broad *const *b,
				size_t n, char *buf, size_t size)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!b[i]->whole || b[i]->missing)
			continue;
		if (!b[i]->services)
			return NULL;
		if (strlen(buf) + strlen(b[i]->services) + 2 < size) {
			strcat(buf, " ");
			strcat(buf, b[i]->services);
		}
	}
	return buf;
}

const char *cfh_iam_broad_services(const struct cfh_iam_broad *const *b,
				   size_t n, char *buf, size_t size)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!b[i]->services)
			return NULL;
		if (strlen(buf) + strlen(b[i]->services) + 2 < size) {
			strcat(buf, " ");
			strcat(buf, b[i]->services);
		}
	}
	return buf;
}

/* ---- who invokes a function ---- */

const char *cfh_iam_invoker(struct cfh_template *t, const char *principal,
			    const char *function)
{
	const struct cfh_entry *e;
	const char *type = NULL, *source = NULL;

	/* SNS subscriptions live in their own resources: a topic names no
	 * function. */
	if (!strcmp(principal, "s3.amazonaws.com"))
		type = "AWS::S3::Bucket";
	else if (!strcmp(principal, "events.amazonaws.com"))
		type = "AWS::Events::Rule";
	else if (!strcmp(principal, "sns.amazonaws.com"))
		type = "AWS::SNS::Topic";
	if (!type)
		return NULL;
	cfh_for_each_resource(t, e) {
		if (!cfh_res_is(e->value, type) ||
		    !cfh_refers_to(cfh_map_get(e->value, "Properties"),
				   function))
			continue;
		if (source)
			return NULL;	/* more than one */
		source = e->key->text;
	}
	return source;
}

/* ---- known-incomplete sets (S000-03) ---- */

/* The companions the seeds found missing. */
static const struct cfh_iam_companion companions[] = {
	{ "s3:GetObject", "s3:GetObjectVersion", true },
	{ "codecommit:UploadArchive", "codecommit:CancelUploadArchive", false },
	{ "codebuild:StartBuild", "codebuild:StopBuild", false },
};

const struct cfh_iam_companion *cfh_iam_companions(size_t *n)
{
	*n = CFH_ARRAY_SIZE(companions);
	return companions;
}

static bool versioned_bucket(const struct cfh_node *b)
{
	return cfh_node_is_map(b) && cfh_res_is(b, "AWS::S3::Bucket") &&
	       cfh_node_str_eq(cfh_map_path(b, "Properties",
					    "VersioningConfiguration", "Status",
					    NULL),
			       "Enabled");
}

struct versioned {
	struct cfh_template *t;
	bool found;
};

/* Stops the walk (-1) at the first versioned bucket named. */
static int name_versioned(void *arg, const char *s, size_t len)
{
	struct versioned *x = arg;
	char buf[256], *id = len < sizeof(buf) ? buf : malloc(len + 1);

	if (!id)
		return 0;
	memcpy(id, s, len);
	id[len] = '\0';
	x->found = versioned_bucket(cfh_resource_live(x->t, id));
	if (id != buf)
		free(id);
	return x->found ? -1 : 0;
}

bool cfh_iam_names_versioned_bucket(struct cfh_template *t,
				    const struct cfh_node *res)
{
	struct versioned x = { t, false };
	const struct cfh_entry *e;

	/* What the statement names, looked up: a scan of every bucket for
	 * every statement made the pass quadratic. */
	if (cfh_names_exact(t)) {
		cfh_names_each(res, name_versioned, &x);
		return x.found;
	}
	cfh_for_each_resource(t, e)
		if (versioned_bucket(e->value) &&
		    cfh_refers_to(res, e->key->text))
			return true;
	return false;
}

/*
 * The log groups an ARN names when it is every group of a service
 * (log-group:/aws/codebuild/ then a star, with or without ":*"): the
 * profile of that service's own groups, else NULL. The ARN is a literal
 * or a one-string Fn::Sub.
 */
static const struct cfh_iam_profile *log_wildcard(const struct cfh_node *n)
{
	static const struct {
		const char *pattern;
		const struct cfh_iam_profile *prof;
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
	for (i = 0; i < CFH_ARRAY_SIZE(services); i++) {
		at = strstr(text, services[i].pattern);
		len = at ? strlen(services[i].pattern) : 0;
		if (at && (!at[len] || !strcmp(at + len, ":*")))
			return services[i].prof;
	}
	return NULL;
}

const struct cfh_iam_profile *cfh_iam_log_wildcard(const struct cfh_stmt *s)
{
	const struct cfh_node *acts = s->not_action ? NULL : s->action;
	const struct cfh_node *res = s->not_resource ? NULL : s->resource;
	const struct cfh_iam_profile *prof = NULL, *p;
	size_t i, n;

	if (!cfh_stmt_allows(s) || !acts || !res || s->condition)
		return NULL;
	n = cfh_strs_count(acts);
	for (i = 0; i < n; i++) {
		const char *a = cfh_strs_at(acts, i);

		if (!a || strncmp(a, "logs:", 5))
			return NULL;
	}
	n = cfh_strs_count(res);
	for (i = 0; i < n; i++) {
		p = log_wildcard(cfh_strs_node(res, i));
		if (!p || (prof && p != prof))
			return NULL;
		prof = p;
	}
	return prof;
}

bool cfh_iam_name_elsewhere(const struct cfh_node *n, const char *name,
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
		if (cfh_iam_name_elsewhere(e->value, name, self))
			return true;
	return false;
}

/* ---- rewriting a Statement ---- */

/* Set the keys of statement @stmt whose values @to changes: Resource, and
 * Action when the statement keeps some of its actions. A key @to lacks
 * (its Sid, which split statements drop) stays. A scalar that becomes a
 * list of one is written as a scalar, as it was. */
static int set_changed(struct cfh_run *r, struct cfh_node *stmt,
		       json_t *to, const char *reason)
{
	json_t *from = cfh_node_to_json(stmt), *v, *was;
	const char *key;
	int rc = from ? 0 : -1;

	json_object_foreach(to, key, v) {
		was = json_object_get(from, key);
		if (rc || json_equal(was, v))
			continue;
		if (was && !json_is_array(was) && json_is_array(v) &&
		    json_array_size(v) == 1)
			v = json_array_get(v, 0);
		if (!json_equal(was, v))
			rc = cfh_edit_set_take(r, stmt, key, json_incref(v),
					       reason, NULL);
	}
	json_decref(from);
	return rc;
}

/* Statement @at becomes the statements of @repl: replaced by the first,
 * the others inserted after it. */
static int split_statement(struct cfh_run *r, struct cfh_node *at,
			   json_t *repl, const char *reason)
{
	size_t i;

	if (!json_array_size(repl))
		return cfh_edit_remove_node(r, at, reason);
	if (cfh_edit_replace_take(r, at, json_incref(json_array_get(repl, 0)),
				  reason, &at))
		return -1;
	for (i = 1; at && i < json_array_size(repl); i++)
		if (cfh_edit_insert_after_take(
			    r, at, json_incref(json_array_get(repl, i)), reason,
			    &at))
			return -1;
	return 0;
}

/* The iterator reads the list in order, so it walks in step with the
 * entries: an entry is the next statement read, or something it skips.
 * The nodes are collected first: splitting one inserts entries. */
int cfh_iam_statements_apply(struct cfh_run *r, struct cfh_node *doc,
			     json_t *repls, const char *reason)
{
	struct cfh_node *stmts = cfh_map_get(doc, "Statement"), **at;
	struct cfh_stmt_iter it;
	struct cfh_stmt s;
	json_t *repl;
	size_t k, n = 0;
	bool more;
	int rc = 0;

	if (!stmts)
		return -1;
	/* A lone statement that splits: the list replaces it. */
	if (stmts->kind == CFH_MAP) {
		repl = json_array_get(repls, 0);
		if (!json_is_array(repl))
			return 0;
		if (json_array_size(repl) == 1 && !stmts->anchor)
			return set_changed(r, stmts, json_array_get(repl, 0),
					   reason);
		return cfh_edit_replace_take(r, stmts, json_incref(repl),
					     reason, NULL);
	}
	at = calloc(json_array_size(repls) + 1, sizeof(*at));
	if (!at)
		return -1;
	cfh_stmt_iter_init(&it, doc);
	more = cfh_stmt_next(&it, &s);
	for (k = 0; k < stmts->n && more; k++)
		if (cfh_node_deref(stmts->ent[k].value) == s.node) {
			at[n++] = stmts->ent[k].value;
			more = cfh_stmt_next(&it, &s);
		}
	for (k = 0; k < n && !rc; k++) {
		repl = json_array_get(repls, k);
		if (!json_is_array(repl))
			continue;
		/* Through an alias, or an anchor others alias: the edit API
		 * replaces the one use, or declines. */
		if (json_array_size(repl) == 1 && at[k]->kind == CFH_MAP &&
		    !at[k]->anchor)
			rc = set_changed(r, at[k], json_array_get(repl, 0),
					 reason);
		else
			rc = split_statement(r, at[k], repl, reason);
	}
	free(at);
	return rc;
}

/* ---- the grants a role needs ---- */

static int add_grant(struct cfh_iam_needs *n, const struct cfh_iam_profile *p,
		     const char *target)
{
	size_t i;

	for (i = 0; i < n->ngrants; i++)
		if (n->grants[i].prof == p &&
		    !strcmp(n->grants[i].target, target))
			return 0;
	if (n->ngrants == n->capgrants) {
		size_t cap = n->capgrants ? n->capgrants * 2 : 8;
		struct cfh_iam_grant *g = realloc(n->grants, cap * sizeof(*g));

		if (!g)
			return -1;
		n->grants = g;
		n->capgrants = cap;
	}
	n->grants[n->ngrants].prof = p;
	n->grants[n->ngrants].target = target;
	n->ngrants++;
	return 0;
}

/* The principals of a role: resources that name it (directly or through
 * an instance profile), not counting policies attached to it. */
static int find_principals(struct cfh_iam_needs *n, struct cfh_template *t,
			   const char *role)
{
	const char **refs, **holders;
	size_t nrefs, nh, i, k;
	int rc = -1;

	if (cfh_referrers(t, role, NULL, &refs, &nrefs))
		return -1;
	for (i = 0; i < nrefs; i++) {
		const struct cfh_node *w = cfh_resource(t, refs[i]);

		/* An instance profile is not a principal: the instances
		 * that hold it are, and they name the profile, not the
		 * role. */
		if (cfh_res_is(w, "AWS::IAM::InstanceProfile")) {
			if (cfh_referrers(t, refs[i], NULL, &holders, &nh))
				goto out;
			for (k = 0; k < nh; k++)
				if (cfh_strlist_add(&n->principals,
						    &n->nprincipals,
						    holders[k])) {
					free(holders);
					goto out;
				}
			free(holders);
			continue;
		}
		if (cfh_is_policy_type(cfh_resource_type(w)))
			continue;
		if (cfh_strlist_add(&n->principals, &n->nprincipals, refs[i]))
			goto out;
	}
	rc = 0;
out:
	free(refs);
	return rc;
}

/* A principal's own log group by the service's convention, when the
 * template declares none. */
static int convention_grants(struct cfh_iam_needs *n, const char *pid,
			     const struct cfh_node *pres, bool has_logs)
{
	const struct cfh_node *props = cfh_map_get(pres, "Properties");

	if (cfh_res_is(pres, "AWS::Lambda::Function") && !has_logs)
		return add_grant(n, &lambda_logs, pid);
	if (!cfh_res_is(pres, "AWS::CodeBuild::Project"))
		return 0;
	if (!has_logs &&
	    !cfh_node_str_eq(cfh_map_path(props, "LogsConfig", "CloudWatchLogs",
					  "Status", NULL),
			     "DISABLED"))
		return add_grant(n, &codebuild_logs, pid);
	return 0;
}

/* What the principals use (cfh_principal_uses()), as grants; plus their
 * own log group by the service's convention where the template has none. */
static int find_grants(struct cfh_iam_needs *n, struct cfh_template *t,
		       const char *role)
{
	size_t i, k, nuses;

	for (i = 0; i < n->nprincipals; i++) {
		const char *pid = n->principals[i];
		const char **uses;
		bool has_logs = false;

		if (cfh_principal_uses(t, pid, &uses, &nuses))
			return -1;
		for (k = 0; k < nuses; k++) {
			const struct cfh_node *x = cfh_resource(t, uses[k]);
			const struct cfh_iam_profile *p = cfh_iam_profile_of(x);

			if (!p || !strcmp(uses[k], role))
				continue;
			has_logs |= cfh_res_is(x, "AWS::Logs::LogGroup");
			if (add_grant(n, p, uses[k])) {
				free(uses);
				return -1;
			}
		}
		free(uses);
		if (convention_grants(n, pid, cfh_resource(t, pid), has_logs))
			return -1;
	}
	return 0;
}

int cfh_iam_needs_init(struct cfh_iam_needs *n, struct cfh_template *t,
		       const char *role)
{
	memset(n, 0, sizeof(*n));
	return find_principals(n, t, role) || find_grants(n, t, role) ? -1 : 0;
}

void cfh_iam_needs_release(struct cfh_iam_needs *n)
{
	free(n->principals);
	free(n->grants);
	memset(n, 0, sizeof(*n));
}

bool cfh_iam_list_has(json_t *list, const char *a)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (!strcasecmp(json_string_value(v), a))
			return true;
	return false;
}

int cfh_iam_list_add(json_t *list, json_t *a)
{
	if (cfh_iam_list_has(list, json_string_value(a)))
		return 0;
	return json_array_append(list, a);
}

char *cfh_iam_star_note(const char *svc, json_t *stars)
{
	/* The ones roles use most first: they are why it matters. */
	static const char *const common[] = {
		"ecr:GetAuthorizationToken", "logs:DescribeLogGroups",
		"logs:CreateLogDelivery", "logs:PutResourcePolicy",
		"s3:ListAllMyBuckets", "sqs:ListQueues", "sns:ListTopics",
		"dynamodb:ListTables", "kms:ListAliases",
	};
	struct cfh_buf b;
	size_t i, j, k;

	cfh_buf_init(&b);
	cfh_buf_addf(&b, "%s actions on \"*\" not scoped: the statement also "
		     "grants %zu %s actions that only work on \"*\" (",
		     svc, json_array_size(stars), svc);
	for (i = k = 0; i < CFH_ARRAY_SIZE(common) && k < 3; i++)
		if (cfh_iam_list_has(stars, common[i]))
			cfh_buf_addf(&b, "%s%s", k++ ? ", " : "", common[i]);
	for (i = 0; i < json_array_size(stars) && k < 3; i++) {
		const char *a = json_string_value(json_array_get(stars, i));

		for (j = 0; j < CFH_ARRAY_SIZE(common); j++)
			if (!strcasecmp(common[j], a))
				break;
		if (j == CFH_ARRAY_SIZE(common))
			cfh_buf_addf(&b, "%s%s", k++ ? ", " : "", a);
	}
	cfh_buf_addf(&b, ", ...), which scoping would take away; list the "
		     "%s actions the role uses, those that take a resource "
		     "on its ARNs and the others on \"*\"", svc);
	return cfh_buf_steal(&b, NULL);
}
