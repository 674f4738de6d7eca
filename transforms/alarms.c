/* SPDX-License-Identifier: MIT */
/*
 * Pass `alarms` (S004-05, S004-10, S000-12, S001-10, S003-16): failures
 * that someone is told about.
 *
 * A first draft fails quietly: a function that errors or is throttled, a
 * dead-letter queue that fills, a build that fails, a table that throttles
 * raise no alarm. The pass adds, for each such resource, CloudWatch alarms
 * on the metrics that show it failing (the right namespace, metric,
 * dimension and statistic, missing data treated as not breaching), all
 * notifying one alarm topic: the template's own if its alarms already use
 * one, else a new topic with an optional e-mail subscription (parameter
 * AlarmEmail, used only when set). Alarms already present for a metric of
 * a resource are not added again.
 *
 *   Worker (AWS::Lambda::Function)  ==>  WorkerErrorsAlarm:
 *                                          Type: AWS::CloudWatch::Alarm
 *                                          Properties:
 *                                            Namespace: AWS/Lambda
 *                                            MetricName: Errors
 *                                            Dimensions:
 *                                              - Name: FunctionName
 *                                                Value: !Ref Worker
 *                                            AlarmActions: [!Ref AlarmTopic]
 *
 * The encryption pass, run again after this one, encrypts a new topic with
 * the template's key and admits CloudWatch to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "passlib.h"
#include "policy.h"

enum dim {
	DIM_REF,		/* !Ref X */
	DIM_QUEUE_NAME,		/* !GetAtt X.QueueName */
	DIM_ECS_SERVICE,	/* ClusterName and ServiceName */
	DIM_ALB,		/* !GetAtt X.LoadBalancerFullName */
	DIM_TARGET_GROUP,	/* TargetGroup and its LoadBalancer */
	DIM_REST_API,		/* ApiName: the API's Name */
};

struct metric {
	const char *type;
	const char *ns, *name, *dim;
	enum dim value;
	const char *stat, *op;
	double threshold;
	const char *what;	/* for the description; "@" stands for the
				 * threshold in the setting's unit */
	int dlq;		/* 1: only dead-letter queues; -1: only others */
	const char *setting;	/* options.def key of the threshold, or NULL */
	double scale;		/* threshold = setting * scale */
};

static const struct metric metrics[] = {
	{ "AWS::Lambda::Function", "AWS/Lambda", "Errors", "FunctionName",
	  DIM_REF, "Sum", "GreaterThanThreshold", 0, "the function fails", 0, NULL, 0 },
	{ "AWS::Lambda::Function", "AWS/Lambda", "Throttles", "FunctionName",
	  DIM_REF, "Sum", "GreaterThanThreshold", 0,
	  "invocations of the function are throttled", 0, NULL, 0 },
	{ "AWS::SQS::Queue", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
	  "QueueName", DIM_QUEUE_NAME, "Maximum", "GreaterThanThreshold", 0,
	  "failed messages wait in the dead-letter queue", 1, NULL, 0 },
	{ "AWS::SQS::Queue", "AWS/SQS", "ApproximateAgeOfOldestMessage",
	  "QueueName", DIM_QUEUE_NAME, "Maximum", "GreaterThanThreshold", 0,
	  "messages wait more than @ seconds: consumers are behind or down",
	  -1, "queue-age-seconds", 1 },
	{ "AWS::CodeBuild::Project", "AWS/CodeBuild", "FailedBuilds",
	  "ProjectName", DIM_REF, "Sum", "GreaterThanThreshold", 0,
	  "a build fails", 0, NULL, 0 },
	{ "AWS::DynamoDB::Table", "AWS/DynamoDB", "ThrottledRequests",
	  "TableName", DIM_REF, "Sum", "GreaterThanThreshold", 0,
	  "requests to the table are throttled", 0, NULL, 0 },
	{ "AWS::DynamoDB::Table", "AWS/DynamoDB", "SystemErrors", "TableName",
	  DIM_REF, "Sum", "GreaterThanThreshold", 0,
	  "DynamoDB returns errors for the table", 0, NULL, 0 },
	{ "AWS::StepFunctions::StateMachine", "AWS/States", "ExecutionsFailed",
	  "StateMachineArn", DIM_REF, "Sum", "GreaterThanThreshold", 0,
	  "executions of the state machine fail", 0, NULL, 0 },
	{ "AWS::Kinesis::Stream", "AWS/Kinesis",
	  "GetRecords.IteratorAgeMilliseconds", "StreamName", DIM_REF,
	  "Maximum", "GreaterThanThreshold", 0,
	  "consumers of the stream fall more than @ ms behind", 0,
	  "iterator-age-ms", 1 },
	{ "AWS::RDS::DBInstance", "AWS/RDS", "CPUUtilization",
	  "DBInstanceIdentifier", DIM_REF, "Average", "GreaterThanThreshold", 0,
	  "the database runs above @% CPU", 0, "rds-cpu-percent", 1 },
	{ "AWS::RDS::DBInstance", "AWS/RDS", "FreeStorageSpace",
	  "DBInstanceIdentifier", DIM_REF, "Minimum", "LessThanThreshold",
	  0, "the database has less than @ MiB of storage left", 0,
	  "rds-free-storage-mib", 1048576 },
	{ "AWS::ApiGatewayV2::Api", "AWS/ApiGateway", "5xx", "ApiId", DIM_REF,
	  "Sum", "GreaterThanThreshold", 0, "the API answers with 5xx errors",
	  0, NULL, 0 },
	{ "AWS::ApiGateway::RestApi", "AWS/ApiGateway", "5XXError", "ApiName",
	  DIM_REST_API, "Sum", "GreaterThanThreshold", 0,
	  "the API answers with 5xx errors", 0, NULL, 0 },
	{ "AWS::ECS::Service", "AWS/ECS", "CPUUtilization", NULL,
	  DIM_ECS_SERVICE, "Average", "GreaterThanThreshold", 0,
	  "the service runs above @% CPU", 0, "ecs-cpu-percent", 1 },
	{ "AWS::ECS::Service", "AWS/ECS", "MemoryUtilization", NULL,
	  DIM_ECS_SERVICE, "Average", "GreaterThanThreshold", 0,
	  "the service uses more than @% of its memory", 0,
	  "ecs-memory-percent", 1 },
	{ "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS/ApplicationELB",
	  "HTTPCode_Target_5XX_Count", "LoadBalancer", DIM_ALB, "Sum",
	  "GreaterThanThreshold", 0, "targets behind the load balancer answer "
	  "with 5xx errors", 0, NULL, 0 },
	{ "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS/ApplicationELB",
	  "UnHealthyHostCount", NULL, DIM_TARGET_GROUP, "Maximum",
	  "GreaterThanThreshold", 0, "a target fails its health checks", 0, NULL, 0 },
};

struct alarms {
	struct cfh_run *r;
	const char *topic;	/* logical ID, once known or made */
	struct cfh_ids dlqs;
	struct cfh_ids have;	/* "resource/metric" pairs already alarmed */
	const char *prev_res, *prev_alarm;	/* to keep alarms in order */
	struct cfh_ids seen;	/* the resources walked, for after() */
};

static struct cfh_node *props_of(const struct cfh_node *res)
{
	return cfh_map_get(res, "Properties");
}

static int dead_letter_targets(struct alarms *x, const struct cfh_node *p)
{
	static const char *const keys[] = { "RedrivePolicy", "DeadLetterConfig",
					     "DeadLetterQueue",
					     "DestinationConfig" };
	const char **refs;
	size_t n, i, k;

	for (k = 0; k < sizeof(keys) / sizeof(*keys); k++) {
		if (cfh_refs_in(x->r->t, cfh_map_get(p, keys[k]), &refs, &n))
			return -1;
		for (i = 0; i < n; i++)
			if (cfh_res_is(cfh_resource(x->r->t, refs[i]),
				       "AWS::SQS::Queue") &&
			    cfh_ids_add(&x->dlqs, refs[i])) {
				free(refs);
				return -1;
			}
		free(refs);
	}
	return 0;
}

/* Existing alarms: which resource and metric they watch, and which topic
 * they notify; and which queues are dead-letter queues. */
static int survey(struct alarms *x)
{
	const struct cfh_entry *e, *d;
	char key[512];

	cfh_for_each_resource(x->r->t, e) {
		const struct cfh_node *p = props_of(e->value);
		const char *metric = cfh_node_str(cfh_map_get(p, "MetricName"));
		const struct cfh_node *dims = cfh_map_get(p, "Dimensions");
		const struct cfh_node *act = cfh_seq_at(cfh_map_get(p, "AlarmActions"), 0);

		/* Queues named as dead-letter targets, by any resource. */
		if (dead_letter_targets(x, p))
			return -1;
		if (cfh_res_is(e->value, "AWS::Events::Rule") &&
		    cfh_node_is_seq(cfh_map_get(p, "Targets")))
			cfh_for_each_entry(cfh_node_deref(cfh_map_get(p, "Targets")), d)
				if (dead_letter_targets(x, d->value))
					return -1;
		if (!cfh_res_is(e->value, "AWS::CloudWatch::Alarm"))
			continue;
		if (!x->topic && cfh_node_ref(act) &&
		    cfh_res_is(cfh_resource(x->r->t, cfh_node_ref(act)),
			       "AWS::SNS::Topic"))
			x->topic = cfh_node_ref(act);
		if (!metric || !cfh_node_is_seq(dims))
			continue;
		cfh_for_each_entry(cfh_node_deref(dims), d) {
			const char **refs;
			size_t n, i;

			/* A literal value (a REST API's name) stands for
			 * itself. */
			if (cfh_node_is_str(cfh_map_get(d->value, "Value"))) {
				char *k;

				snprintf(key, sizeof(key), "=%s/%s",
					 cfh_node_str(cfh_map_get(d->value, "Value")),
					 metric);
				k = cfh_arena_strndup(&x->r->t->arena, key,
						      strlen(key));
				if (!k || cfh_ids_add(&x->have, k))
					return -1;
			}
			if (cfh_refs_in(x->r->t, cfh_map_get(d->value, "Value"),
					&refs, &n))
				return -1;
			for (i = 0; i < n; i++) {
				char *k;

				snprintf(key, sizeof(key), "%s/%s", refs[i], metric);
				k = cfh_arena_strndup(&x->r->t->arena, key,
						      strlen(key));
				if (!k || cfh_ids_add(&x->have, k)) {
					free(refs);
					return -1;
				}
			}
			free(refs);
		}
	}
	return 0;
}

static int make_topic(struct alarms *x)
{
	struct cfh_node *params, *conds;
	const char *topic, *param, *cond, *sub;
	char expr[256];

	topic = cfh_fresh_id(x->r->t, "AlarmTopic");
	param = cfh_fresh_id(x->r->t, "AlarmEmail");
	cond = cfh_fresh_id(x->r->t, "HasAlarmEmail");
	if (!topic || !param || !cond)
		return -1;
	if (cfh_edit_add_resource_take(
		    x->r, topic, NULL,
		    json_pack("{s:s, s:{s:s}}", "Type", "AWS::SNS::Topic",
			      "Properties", "DisplayName", "Alarms"),
		    "one topic that every alarm notifies, so that failures "
		    "reach someone (S004-10)",
		    NULL))
		return -1;
	params = cfh_edit_section(x->r, "Parameters");
	if (!params ||
	    cfh_edit_set_take(x->r, params, param,
			      json_pack("{s:s, s:s, s:s}", "Type", "String",
					"Default", "", "Description",
					"E-mail address told of alarms (empty: "
					"no subscription)"),
			      "where alarm e-mails go, if anywhere", NULL))
		return -1;
	conds = cfh_edit_section(x->r, "Conditions");
	if (!conds ||
	    cfh_edit_set_take(x->r, conds, cond,
			      json_pack("{s:[{s:[{s:s}, s]}]}", "Fn::Not",
					"Fn::Equals", "Ref", param, ""),
			      "subscribe only when an address is given", NULL))
		return -1;
	sub = cfh_fresh_id(x->r->t, "AlarmEmailSubscription");
	snprintf(expr, sizeof(expr), "%s", param);
	if (!sub ||
	    cfh_edit_add_resource_take(
		    x->r, sub, topic,
		    json_pack("{s:s, s:s, s:{s:s, s:{s:s}, s:{s:s}}}", "Type",
			      "AWS::SNS::Subscription", "Condition", cond,
			      "Properties", "Protocol", "email", "Endpoint",
			      "Ref", expr, "TopicArn", "Ref", topic),
		    "e-mail the alarms to the given address (S000-12)", NULL))
		return -1;
	x->topic = topic;
	return 0;
}

static json_t *dim(const char *name, json_t *value)
{
	return value ? json_pack("{s:s, s:o}", "Name", name, "Value", value)
		     : NULL;
}

/* The load balancer a target group serves, through a listener. */
static const char *balancer_of(struct alarms *x, const char *tg)
{
	const char **refs, *lb = NULL, *res, *attr;
	size_t n, i;

	if (cfh_referrers(x->r->t, tg, "AWS::ElasticLoadBalancingV2::Listener",
			  &refs, &n))
		return NULL;
	for (i = 0; i < n && !lb; i++) {
		const struct cfh_node *arn = cfh_map_path(
			cfh_resource(x->r->t, refs[i]), "Properties",
			"LoadBalancerArn", NULL);

		lb = cfh_node_ref(arn);
		if (!lb && !cfh_node_getatt(x->r->t, arn, &res, &attr))
			lb = res;
	}
	free(refs);
	return lb && cfh_resource(x->r->t, lb) ? lb : NULL;
}

/* The Dimensions of an alarm on @m of resource @id, or NULL when the
 * template does not say enough to name them. */
static json_t *dimensions(struct alarms *x, const struct metric *m,
			  const char *id)
{
	const struct cfh_node *p = props_of(cfh_resource(x->r->t, id));
	const struct cfh_node *n;
	const char *s, *lb;

	switch (m->value) {
	case DIM_QUEUE_NAME:
		return json_pack("[o]", dim(m->dim, cfh_json_getatt(id, "QueueName")));
	case DIM_ALB:
		if (cfh_node_str(cfh_map_get(p, "Type")) &&
		    !cfh_node_str_eq(cfh_map_get(p, "Type"), "application"))
			return NULL;
		return json_pack("[o]", dim(m->dim, cfh_json_getatt(
						     id, "LoadBalancerFullName")));
	case DIM_TARGET_GROUP:
		lb = balancer_of(x, id);
		if (!lb)
			return NULL;
		return json_pack("[o,o]",
				 dim("TargetGroup",
				     cfh_json_getatt(id, "TargetGroupFullName")),
				 dim("LoadBalancer",
				     cfh_json_getatt(lb, "LoadBalancerFullName")));
	case DIM_ECS_SERVICE:
		n = cfh_map_get(p, "Cluster");
		if (!n || (!cfh_node_ref(n) && !cfh_node_is_str(n)))
			return NULL;
		return json_pack("[o,o]", dim("ClusterName", cfh_node_to_json(n)),
				 dim("ServiceName", cfh_json_getatt(id, "Name")));
	case DIM_REST_API:
		s = cfh_node_str(cfh_map_get(p, "Name"));
		if (!s || !cfh_node_is_str(cfh_map_get(p, "Name")))
			return NULL;
		return json_pack("[o]", dim(m->dim, json_string(s)));
	default:
		return json_pack("[o]", dim(m->dim, cfh_json_ref(id)));
	}
}

/* The metric's description, "@" replaced by the configured threshold. */
static void describe(const struct metric *m, char *buf, size_t size,
		     const struct cfh_run *r)
{
	const char *at = strchr(m->what, '@');

	if (!at || !m->setting)
		snprintf(buf, size, "%s", m->what);
	else
		snprintf(buf, size, "%.*s%lld%s", (int)(at - m->what), m->what,
			 cfh_opt_int(r, m->setting), at + 1);
}

static int add_alarm(struct alarms *x, const struct metric *m,
		     const char *id)
{
	struct cfh_node *res = cfh_resource(x->r->t, id);
	const struct cfh_node *cond = cfh_map_get(res, "Condition");
	char base[256], what[200], desc[300], key[512], reason[300];
	const char *aid, *metric_word = strrchr(m->name, '.');
	double threshold;
	json_t *alarm, *dims;

	snprintf(key, sizeof(key), "%s/%s", id, m->name);
	if (cfh_ids_has(&x->have, key))
		return 0;
	dims = dimensions(x, m, id);
	if (!dims)
		return 0;
	{
		size_t i;
		json_t *d;

		json_array_foreach(dims, i, d) {
			json_t *v = json_object_get(d, "Value");

			snprintf(key, sizeof(key), "=%s/%s",
				 json_is_string(v) ? json_string_value(v) : "",
				 m->name);
			if (json_is_string(v) && cfh_ids_has(&x->have, key)) {
				json_decref(dims);
				return 0;
			}
		}
		snprintf(key, sizeof(key), "%s/%s", id, m->name);
	}
	if (!x->topic && make_topic(x)) {
		json_decref(dims);
		return -1;
	}
	snprintf(base, sizeof(base), "%s%sAlarm", id,
		 metric_word ? "IteratorAge"
			     : !strcmp(m->name, "ApproximateNumberOfMessagesVisible")
				       ? "Depth"
			     : !strcmp(m->name, "ApproximateAgeOfOldestMessage")
				       ? "Age"
				       : m->name);
	/* Logical IDs are alphanumeric: HTTPCode_Target_5XX_Count is not. */
	{
		char *r = base, *w = base;

		for (; *r; r++)
			if ((*r >= 'a' && *r <= 'z') || (*r >= 'A' && *r <= 'Z') ||
			    (*r >= '0' && *r <= '9'))
				*w++ = *r;
		*w = '\0';
	}
	aid = cfh_fresh_id(x->r->t, base);
	if (!aid) {
		json_decref(dims);
		return -1;
	}
	threshold = m->setting
			    ? (double)cfh_opt_int(x->r, m->setting) * m->scale
			    : m->threshold;
	describe(m, what, sizeof(what), x->r);
	snprintf(desc, sizeof(desc), "%s: %s", id, what);
	alarm = json_pack("{s:s, s:{s:s, s:s, s:s, s:o, s:s, s:i, "
			  "s:i, s:f, s:s, s:s, s:[{s:s}]}}",
			  "Type", "AWS::CloudWatch::Alarm", "Properties",
			  "AlarmDescription", desc, "Namespace", m->ns,
			  "MetricName", m->name, "Dimensions", dims,
			  "Statistic", m->stat,
			  "Period", 300, "EvaluationPeriods", 1, "Threshold",
			  threshold, "ComparisonOperator", m->op,
			  "TreatMissingData", "notBreaching", "AlarmActions",
			  "Ref", x->topic);
	/* The threshold reads better as an integer where it is one. */
	if (alarm && threshold == (double)(long long)threshold)
		json_object_set_new(json_object_get(alarm, "Properties"),
				    "Threshold",
				    json_integer((json_int_t)threshold));
	if (alarm && cond && cfh_node_str(cond))
		json_object_set_new(alarm, "Condition",
				    json_string(cfh_node_str(cond)));
	snprintf(reason, sizeof(reason),
		 "an alarm when %s, to the alarm topic (S004-05)", what);
	if (cfh_edit_add_resource_take(x->r, aid,
				       x->prev_res && !strcmp(x->prev_res, id)
					       ? x->prev_alarm
					       : id,
				       alarm, reason, NULL))
		return -1;
	x->prev_res = id;
	x->prev_alarm = aid;
	{
		char *k = cfh_arena_strndup(&x->r->t->arena, key, strlen(key));

		return !k || cfh_ids_add(&x->have, k);
	}
}

/* ---- pipelines ---- */

static bool is_pipeline_rule(const struct cfh_node *pattern)
{
	const struct cfh_node *src = cfh_map_get(pattern, "source");
	const struct cfh_entry *e;

	if (cfh_node_str_eq(src, "aws.codepipeline"))
		return true;
	if (cfh_node_is_seq(src))
		cfh_for_each_entry(cfh_node_deref(src), e)
			if (cfh_node_str_eq(e->value, "aws.codepipeline"))
				return true;
	return false;
}

/*
 * S000-05: a rule on pipeline execution changes with no state filter
 * notifies on every started, resumed and superseded execution: alert
 * fatigue. Filter to the states someone acts on.
 */
static int filter_states(struct cfh_run *r, void *st, const char *id,
			 struct cfh_node *rule)
{
	struct alarms *x = st;
	struct cfh_node *pattern = cfh_map_path(rule, "Properties",
						"EventPattern", NULL);
	struct cfh_node *detail;

	(void)id;
	if (!cfh_node_is_map(pattern) || pattern->kind != CFH_MAP ||
	    cfh_is_dynamic(pattern) || !is_pipeline_rule(pattern))
		return 0;
	detail = cfh_map_get(pattern, "detail");
	if (detail && (detail->kind != CFH_MAP || cfh_map_get(detail, "state")))
		return 0;
	if (!cfh_refers_to(cfh_map_path(rule, "Properties", "Targets", NULL),
			   x->topic ? x->topic : "") &&
	    !cfh_map_path(rule, "Properties", "Targets", NULL))
		return 0;
	if (!detail)
		return cfh_edit_set_take(
			r, pattern, "detail",
			json_pack("{s:[s,s]}", "state", "FAILED", "SUCCEEDED"),
			"notify on the outcomes someone acts on, not on every "
			"state change (S000-05)",
			NULL);
	return cfh_edit_set_take(r, detail, "state",
				 json_pack("[s,s]", "FAILED", "SUCCEEDED"),
				 "notify on the outcomes someone acts on, not on "
				 "every state change (S000-05)",
				 NULL);
}

/* Does a rule of the template already watch @pipeline's failures? */
static bool watched(struct alarms *x, const char *pipeline)
{
	const char **refs;
	size_t n, i;
	bool hit = false;

	if (cfh_referrers(x->r->t, pipeline, "AWS::Events::Rule", &refs, &n))
		return true;
	for (i = 0; i < n && !hit; i++)
		hit = is_pipeline_rule(cfh_map_path(
			cfh_resource(x->r->t, refs[i]), "Properties",
			"EventPattern", NULL));
	free(refs);
	return hit;
}

/* A rule on failed executions of each pipeline, to the alarm topic, which
 * admits EventBridge for these rules only (S001-10, S003-16). */
static int pipelines(struct alarms *x, const struct cfh_ids *ids)
{
	json_t *sources = json_array(), *stmt;
	const char *rule, *pol;
	char base[256];
	size_t i;
	int rc = -1;

	for (i = 0; i < ids->n; i++) {
		struct cfh_node *res = cfh_resource(x->r->t, ids->v[i]);

		if (!cfh_res_is(res, "AWS::CodePipeline::Pipeline") ||
		    watched(x, ids->v[i]))
			continue;
		if (!x->topic && make_topic(x))
			goto out;
		snprintf(base, sizeof(base), "%sFailedRule", ids->v[i]);
		rule = cfh_fresh_id(x->r->t, base);
		if (!rule ||
		    cfh_edit_add_resource_take(
			    x->r, rule, ids->v[i],
			    json_pack("{s:s, s:{s:s, s:{s:[s], s:[s], s:{s:[o], s:[s]}}, "
				      "s:[{s:o, s:s}]}}",
				      "Type", "AWS::Events::Rule", "Properties",
				      "Description", "Failed executions of the pipeline",
				      "EventPattern", "source", "aws.codepipeline",
				      "detail-type",
				      "CodePipeline Pipeline Execution State Change",
				      "detail", "pipeline", cfh_json_ref(ids->v[i]),
				      "state", "FAILED", "Targets", "Arn",
				      cfh_json_ref(x->topic), "Id", "alarm-topic"),
			    "tell the alarm topic when the pipeline fails "
			    "(S001-10, S003-16)",
			    NULL) ||
		    json_array_append_new(sources, cfh_json_getatt(rule, "Arn")))
			goto out;
	}
	if (!json_array_size(sources)) {
		rc = 0;
		goto out;
	}
	snprintf(base, sizeof(base), "%sPolicy", x->topic);
	pol = cfh_fresh_id(x->r->t, base);
	if (!pol)
		goto out;
	stmt = cfh_stmt_when_take(
		cfh_stmt_service_take("events.amazonaws.com", "sns:Publish",
				      cfh_json_ref(x->topic)),
		"ArnEquals", "aws:SourceArn", json_incref(sources));
	if (cfh_edit_add_resource_take(
		    x->r, pol, x->topic,
		    json_pack("{s:s, s:{s:[o], s:o}}", "Type",
			      "AWS::SNS::TopicPolicy", "Properties", "Topics",
			      cfh_json_ref(x->topic), "PolicyDocument",
			      cfh_policy_doc_take(json_pack("[o]", stmt))),
		    "let EventBridge publish the pipelines' failures to the "
		    "alarm topic, for these rules only",
		    NULL))
		goto out;
	rc = 0;
out:
	json_decref(sources);
	return rc;
}

/* ---- dashboard (S003-12, S004-18) ---- */

struct widget {
	const char *type, *ns, *dim;
	const char *attr;	/* ${X.attr} for the dimension, or NULL: ${X} */
	const char *title;	/* followed by the logical ID */
	const char *names[3];
};

static const struct widget widgets[] = {
	{ "AWS::Lambda::Function", "AWS/Lambda", "FunctionName", NULL,
	  "Function", { "Invocations", "Errors", "Duration" } },
	{ "AWS::SQS::Queue", "AWS/SQS", "QueueName", "QueueName", "Queue",
	  { "ApproximateNumberOfMessagesVisible",
	    "ApproximateAgeOfOldestMessage", NULL } },
	{ "AWS::CodeBuild::Project", "AWS/CodeBuild", "ProjectName", NULL,
	  "Build", { "SucceededBuilds", "FailedBuilds", "Duration" } },
	{ "AWS::DynamoDB::Table", "AWS/DynamoDB", "TableName", NULL, "Table",
	  { "ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits",
	    "ThrottledRequests" } },
	{ "AWS::StepFunctions::StateMachine", "AWS/States", "StateMachineArn",
	  NULL, "State machine",
	  { "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionTime" } },
};

static int dashboard(struct alarms *x, const struct cfh_ids *ids)
{
	json_t *list = json_array(), *body;
	const struct cfh_entry *e;
	const char *id;
	char *text = NULL, buf[512];
	size_t i, k, m;
	int rc = -1, y = 0;

	cfh_for_each_resource(x->r->t, e)
		if (cfh_res_is(e->value, "AWS::CloudWatch::Dashboard")) {
			json_decref(list);
			return 0;	/* the author has one */
		}
	for (i = 0; i < ids->n; i++) {
		struct cfh_node *res = cfh_resource(x->r->t, ids->v[i]);

		for (k = 0; k < sizeof(widgets) / sizeof(*widgets); k++) {
			const struct widget *w = &widgets[k];
			json_t *series = json_array();

			if (!cfh_res_is(res, w->type) ||
			    cfh_map_get(res, "Condition")) {
				json_decref(series);
				continue;
			}
			snprintf(buf, sizeof(buf), "${%s%s%s}", ids->v[i],
				 w->attr ? "." : "", w->attr ? w->attr : "");
			for (m = 0; m < 3 && w->names[m]; m++)
				json_array_append_new(series,
						      json_pack("[s,s,s,s]", w->ns,
								w->names[m],
								w->dim, buf));
			snprintf(buf, sizeof(buf), "%s %s", w->title, ids->v[i]);
			json_array_append_new(
				list, json_pack("{s:s, s:i, s:i, s:i, s:i, s:{s:o, "
						"s:s, s:s, s:i, s:s}}",
						"type", "metric", "x", (y % 2) * 12,
						"y", (y / 2) * 6, "width", 12,
						"height", 6, "properties", "metrics",
						series, "region", "${AWS::Region}",
						"title", buf, "period", 300, "stat",
						"Sum"));
			y++;
		}
	}
	if (!y) {
		rc = 0;
		goto out;
	}
	body = json_pack("{s:o}", "widgets", list);
	list = NULL;
	text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	id = cfh_fresh_id(x->r->t, "Dashboard");
	rc = !text || !id ||
	     cfh_edit_add_resource_take(
		     x->r, id, NULL,
		     json_pack("{s:s, s:{s:{s:s}}}", "Type",
			       "AWS::CloudWatch::Dashboard", "Properties",
			       "DashboardBody", "Fn::Sub", text),
		     "one dashboard with the key metrics of the template's "
		     "functions, queues, builds, tables and state machines "
		     "(S003-12, S004-18)",
		     NULL);
out:
	free(text);
	json_decref(list);
	return rc;
}

static int before(struct cfh_run *r, void *st)
{
	struct alarms *x = st;

	x->r = r;
	return survey(x);
}

/* Every resource: the metrics table says which types are watched and how,
 * so that it stays the one list of them. The id is kept for after(). */
static int watch(struct cfh_run *r, void *st, const char *id,
		 struct cfh_node *res)
{
	struct alarms *x = st;
	size_t k;

	(void)r;
	for (k = 0; k < CFH_ARRAY_SIZE(metrics); k++) {
		const struct metric *m = &metrics[k];

		if (!cfh_res_is(res, m->type))
			continue;
		if (m->dlq == 1 && !cfh_ids_has(&x->dlqs, id))
			continue;
		if (m->dlq == -1 && cfh_ids_has(&x->dlqs, id))
			continue;
		if (add_alarm(x, m, id))
			return -1;
	}
	return cfh_ids_add(&x->seen, id);
}

/* Pipeline rules and the dashboard come after every alarm, as they
 * always did: the rules and the dashboard follow the resources walked,
 * in template order. */
static int after(struct cfh_run *r, void *st)
{
	struct alarms *x = st;

	(void)r;
	return pipelines(x, &x->seen) || dashboard(x, &x->seen) ? -1 : 0;
}

static void release(void *st)
{
	struct alarms *x = st;

	cfh_ids_release(&x->dlqs);
	cfh_ids_release(&x->have);
	cfh_ids_release(&x->seen);
}

/* Per resource, its alarms first, then (a rule) its state filter. */
static const struct cfh_handler handlers[] = {
	{ "*", watch },
	{ "AWS::Events::Rule", filter_states },
};

const struct cfh_pass_ops cfh_pass_alarms = {
	.state_size = sizeof(struct alarms),
	.before = before,
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
	.after = after,
	.release = release,
};
