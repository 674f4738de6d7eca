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

#include "passlib.h"

enum dim { DIM_REF, DIM_QUEUE_NAME };

struct metric {
	const char *type;
	const char *ns, *name, *dim;
	enum dim value;
	const char *stat, *op;
	double threshold;
	const char *what;	/* for the description */
	int dlq;		/* 1: only dead-letter queues; -1: only others */
};

static const struct metric metrics[] = {
	{ "AWS::Lambda::Function", "AWS/Lambda", "Errors", "FunctionName",
	  DIM_REF, "Sum", "GreaterThanThreshold", 0, "the function fails", 0 },
	{ "AWS::Lambda::Function", "AWS/Lambda", "Throttles", "FunctionName",
	  DIM_REF, "Sum", "GreaterThanThreshold", 0,
	  "invocations of the function are throttled", 0 },
	{ "AWS::SQS::Queue", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
	  "QueueName", DIM_QUEUE_NAME, "Maximum", "GreaterThanThreshold", 0,
	  "failed messages wait in the dead-letter queue", 1 },
	{ "AWS::SQS::Queue", "AWS/SQS", "ApproximateAgeOfOldestMessage",
	  "QueueName", DIM_QUEUE_NAME, "Maximum", "GreaterThanThreshold", 900,
	  "messages wait more than 15 minutes: consumers are behind or down",
	  -1 },
	{ "AWS::CodeBuild::Project", "AWS/CodeBuild", "FailedBuilds",
	  "ProjectName", DIM_REF, "Sum", "GreaterThanThreshold", 0,
	  "a build fails", 0 },
	{ "AWS::DynamoDB::Table", "AWS/DynamoDB", "ThrottledRequests",
	  "TableName", DIM_REF, "Sum", "GreaterThanThreshold", 0,
	  "requests to the table are throttled", 0 },
	{ "AWS::DynamoDB::Table", "AWS/DynamoDB", "SystemErrors", "TableName",
	  DIM_REF, "Sum", "GreaterThanThreshold", 0,
	  "DynamoDB returns errors for the table", 0 },
	{ "AWS::StepFunctions::StateMachine", "AWS/States", "ExecutionsFailed",
	  "StateMachineArn", DIM_REF, "Sum", "GreaterThanThreshold", 0,
	  "executions of the state machine fail", 0 },
	{ "AWS::Kinesis::Stream", "AWS/Kinesis",
	  "GetRecords.IteratorAgeMilliseconds", "StreamName", DIM_REF,
	  "Maximum", "GreaterThanThreshold", 60000,
	  "consumers of the stream fall more than a minute behind", 0 },
	{ "AWS::RDS::DBInstance", "AWS/RDS", "CPUUtilization",
	  "DBInstanceIdentifier", DIM_REF, "Average", "GreaterThanThreshold", 80,
	  "the database runs above 80% CPU", 0 },
	{ "AWS::RDS::DBInstance", "AWS/RDS", "FreeStorageSpace",
	  "DBInstanceIdentifier", DIM_REF, "Minimum", "LessThanThreshold",
	  2147483648.0, "the database has less than 2 GiB of storage left", 0 },
	{ "AWS::ApiGatewayV2::Api", "AWS/ApiGateway", "5xx", "ApiId", DIM_REF,
	  "Sum", "GreaterThanThreshold", 0, "the API answers with 5xx errors",
	  0 },
};

struct alarms {
	struct cfh_template *t;
	const char *topic;	/* logical ID, once known or made */
	struct cfh_ids dlqs;
	struct cfh_ids have;	/* "resource/metric" pairs already alarmed */
	const char *prev_res, *prev_alarm;	/* to keep alarms in order */
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
		if (cfh_refs_in(x->t, cfh_map_get(p, keys[k]), &refs, &n))
			return -1;
		for (i = 0; i < n; i++)
			if (cfh_res_is(cfh_resource(x->t, refs[i]),
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

	cfh_for_each_resource(x->t, e) {
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
		    cfh_res_is(cfh_resource(x->t, cfh_node_ref(act)),
			       "AWS::SNS::Topic"))
			x->topic = cfh_node_ref(act);
		if (!metric || !cfh_node_is_seq(dims))
			continue;
		cfh_for_each_entry(cfh_node_deref(dims), d) {
			const char **refs;
			size_t n, i;

			if (cfh_refs_in(x->t, cfh_map_get(d->value, "Value"),
					&refs, &n))
				return -1;
			for (i = 0; i < n; i++) {
				char *k;

				snprintf(key, sizeof(key), "%s/%s", refs[i], metric);
				k = cfh_arena_strndup(&x->t->arena, key,
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

	topic = cfh_fresh_id(x->t, "AlarmTopic");
	param = cfh_fresh_id(x->t, "AlarmEmail");
	cond = cfh_fresh_id(x->t, "HasAlarmEmail");
	if (!topic || !param || !cond)
		return -1;
	if (cfh_edit_add_resource_take(
		    x->t, topic, NULL,
		    json_pack("{s:s, s:{s:s}}", "Type", "AWS::SNS::Topic",
			      "Properties", "DisplayName", "Alarms"),
		    "one topic that every alarm notifies, so that failures "
		    "reach someone (S004-10)",
		    NULL))
		return -1;
	params = cfh_edit_section(x->t, "Parameters");
	if (!params ||
	    cfh_edit_set_take(x->t, params, param,
			      json_pack("{s:s, s:s, s:s}", "Type", "String",
					"Default", "", "Description",
					"E-mail address told of alarms (empty: "
					"no subscription)"),
			      "where alarm e-mails go, if anywhere", NULL))
		return -1;
	conds = cfh_edit_section(x->t, "Conditions");
	if (!conds ||
	    cfh_edit_set_take(x->t, conds, cond,
			      json_pack("{s:[{s:[{s:s}, s]}]}", "Fn::Not",
					"Fn::Equals", "Ref", param, ""),
			      "subscribe only when an address is given", NULL))
		return -1;
	sub = cfh_fresh_id(x->t, "AlarmEmailSubscription");
	snprintf(expr, sizeof(expr), "%s", param);
	if (!sub ||
	    cfh_edit_add_resource_take(
		    x->t, sub, topic,
		    json_pack("{s:s, s:s, s:{s:s, s:{s:s}, s:{s:s}}}", "Type",
			      "AWS::SNS::Subscription", "Condition", cond,
			      "Properties", "Protocol", "email", "Endpoint",
			      "Ref", expr, "TopicArn", "Ref", topic),
		    "e-mail the alarms to the given address (S000-12)", NULL))
		return -1;
	x->topic = topic;
	return 0;
}

static json_t *dim_value(const struct metric *m, const char *id)
{
	return m->value == DIM_QUEUE_NAME ? cfh_json_getatt(id, "QueueName")
					  : cfh_json_ref(id);
}

static int add_alarm(struct alarms *x, const struct metric *m,
		     const char *id)
{
	struct cfh_node *res = cfh_resource(x->t, id);
	const struct cfh_node *cond = cfh_map_get(res, "Condition");
	char base[256], desc[300], key[512], reason[300];
	const char *aid, *metric_word = strrchr(m->name, '.');
	json_t *alarm;

	snprintf(key, sizeof(key), "%s/%s", id, m->name);
	if (cfh_ids_has(&x->have, key))
		return 0;
	if (!x->topic && make_topic(x))
		return -1;
	snprintf(base, sizeof(base), "%s%sAlarm", id,
		 metric_word ? "IteratorAge"
			     : !strcmp(m->name, "ApproximateNumberOfMessagesVisible")
				       ? "Depth"
			     : !strcmp(m->name, "ApproximateAgeOfOldestMessage")
				       ? "Age"
				       : m->name);
	aid = cfh_fresh_id(x->t, base);
	if (!aid)
		return -1;
	snprintf(desc, sizeof(desc), "%s: %s", id, m->what);
	alarm = json_pack("{s:s, s:{s:s, s:s, s:s, s:[{s:s, s:o}], s:s, s:i, "
			  "s:i, s:f, s:s, s:s, s:[{s:s}]}}",
			  "Type", "AWS::CloudWatch::Alarm", "Properties",
			  "AlarmDescription", desc, "Namespace", m->ns,
			  "MetricName", m->name, "Dimensions", "Name", m->dim,
			  "Value", dim_value(m, id), "Statistic", m->stat,
			  "Period", 300, "EvaluationPeriods", 1, "Threshold",
			  m->threshold, "ComparisonOperator", m->op,
			  "TreatMissingData", "notBreaching", "AlarmActions",
			  "Ref", x->topic);
	/* The threshold reads better as an integer where it is one. */
	if (alarm && m->threshold == (double)(long long)m->threshold)
		json_object_set_new(json_object_get(alarm, "Properties"),
				    "Threshold",
				    json_integer((json_int_t)m->threshold));
	if (alarm && cond && cfh_node_str(cond))
		json_object_set_new(alarm, "Condition",
				    json_string(cfh_node_str(cond)));
	snprintf(reason, sizeof(reason),
		 "an alarm when %s, to the alarm topic (S004-05)", m->what);
	if (cfh_edit_add_resource_take(x->t, aid,
				       x->prev_res && !strcmp(x->prev_res, id)
					       ? x->prev_alarm
					       : id,
				       alarm, reason, NULL))
		return -1;
	x->prev_res = id;
	x->prev_alarm = aid;
	{
		char *k = cfh_arena_strndup(&x->t->arena, key, strlen(key));

		return !k || cfh_ids_add(&x->have, k);
	}
}

int cfh_pass_alarms(struct cfh_template *t)
{
	struct alarms x = { .t = t };
	struct cfh_ids ids = { 0 };
	struct cfh_entry *e;
	size_t i, k;
	int rc = -1;

	if (survey(&x))
		goto out;
	cfh_for_each_resource(t, e)
		if (!cfh_pass_skips(t, e->value) && !cfh_props_dynamic(e->value) &&
		    cfh_ids_add(&ids, e->key->text))
			goto out;
	for (i = 0; i < ids.n; i++) {
		struct cfh_node *res = cfh_resource(t, ids.v[i]);

		for (k = 0; k < sizeof(metrics) / sizeof(*metrics); k++) {
			const struct metric *m = &metrics[k];

			if (!cfh_res_is(res, m->type))
				continue;
			if (m->dlq == 1 && !cfh_ids_has(&x.dlqs, ids.v[i]))
				continue;
			if (m->dlq == -1 && cfh_ids_has(&x.dlqs, ids.v[i]))
				continue;
			if (add_alarm(&x, m, ids.v[i]))
				goto out;
		}
	}
	rc = 0;
out:
	cfh_ids_release(&ids);
	cfh_ids_release(&x.dlqs);
	cfh_ids_release(&x.have);
	return rc;
}
