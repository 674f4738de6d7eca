/* SPDX-License-Identifier: MIT */
/*
 * Pass `alarms` (S004-05, S004-10, S000-12, S001-10, S003-16): failures
 * that someone is told about.
 *
 * A first draft fails quietly: a function that errors or is throttled, a
 * dead-letter queue that fills, a build that fails, a table that throttles
 * raise no alarm. The pass adds, for each such resource, CloudWatch alarms
 * on the metrics that show it failing, missing data treated as not
 * breaching. Which metrics, with which dimensions and statistic, is one
 * table (src/metrics.h), each row on a metric and dimension set the
 * service publishes for that kind of resource: an alarm on a set it does
 * not publish would stay OK forever. Alarms already present for a metric
 * of a resource are not added again.
 *
 * The alarms notify the template's alarm topic: the one its alarms
 * already notify (a topic of its own, a parameter, an import), else a
 * topic of its own named as one, else a parameter that names one
 * (AlarmTopicArn, AlertTopic, ...), else the alert stack's topic of a
 * template that takes one (ParentAlertStack, whose stack exports
 * ${ParentAlertStack}-TopicARN), else a new topic with an optional e-mail
 * subscription (parameter AlarmEmail, used only when set). A second
 * topic beside the template's own would split its alerts in two. A topic
 * that may be unset (a parameter that defaults to empty) is notified only
 * when it is set, and the run says that until then the alarms reach
 * nobody, as it does for a new topic nobody is subscribed to.
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

#include "ecs_data.h"
#include "metrics.h"
#include "options.h"
#include "passlib.h"
#include "policy.h"

/*
 * Where the alarms go. @expr is what AlarmActions names; when @cond is
 * set, only under that condition (the topic may be unset); when @param
 * is set, a condition that it is set is still to be added, and becomes
 * @cond. @topic is the logical ID when the topic is the template's own,
 * which lets the pass admit EventBridge to it.
 */
struct target {
	json_t *expr;
	const char *topic;
	const char *cond;
	const char *param;
	bool admits_events;	/* its policy lets EventBridge publish */
	const char *what;	/* for advisories: a parameter's name, or
				 * what the topic is */
};

struct alarms {
	struct cfh_run *r;
	struct target to;
	struct cfh_ids dlqs;
	struct cfh_ids have;	/* "resource/metric" pairs already alarmed */
	const char *prev_res, *prev_alarm;	/* to keep alarms in order */
	struct cfh_ids seen;	/* the resources walked, for after() */
};

static struct cfh_node *props_of(const struct cfh_node *res)
{
	return cfh_map_get(res, "Properties");
}

/* Case-insensitive strstr(), which C11 does not have. */
static bool has_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (; s && *s; s++)
		if (!strncasecmp(s, w, n))
			return true;
	return false;
}

static bool ends_with_ci(const char *s, const char *w)
{
	size_t a = strlen(s), b = strlen(w);

	return a >= b && !strcasecmp(s + a - b, w);
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

/* ---- the alarm topic ---- */

static const struct cfh_node *parameter(const struct alarms *x,
					const char *name)
{
	return cfh_map_get(cfh_template_section(x->r->t, "Parameters"), name);
}

/* A parameter that may be left empty, so that what it names is unset. */
static bool is_optional(const struct cfh_node *param)
{
	const struct cfh_node *d = cfh_map_get(param, "Default");

	return d && cfh_node_is_str(d) && !*cfh_node_str(d);
}

/* Is @n the literal ""? */
static bool is_empty_str(const struct cfh_node *n)
{
	return cfh_node_is_str(n) && !*cfh_node_str(n);
}

/* The template's condition that @param is set, !Not [!Equals [!Ref P, '']]
 * (either way round), or NULL. */
static const char *set_condition(const struct alarms *x, const char *param)
{
	const struct cfh_node *conds = cfh_template_section(x->r->t, "Conditions");
	const struct cfh_entry *e;
	struct cfh_fn_view v;

	if (!cfh_node_is_map(conds))
		return NULL;
	cfh_for_each_entry(cfh_node_deref(conds), e) {
		const struct cfh_node *eq, *a, *b;

		if (!e->key || !cfh_node_fn(e->value, &v) || v.fn != CFH_FN_NOT)
			continue;
		eq = cfh_seq_at(cfh_node_deref(v.arg), 0);
		if (!cfh_node_fn(eq, &v) || v.fn != CFH_FN_EQUALS)
			continue;
		a = cfh_seq_at(cfh_node_deref(v.arg), 0);
		b = cfh_seq_at(cfh_node_deref(v.arg), 1);
		if ((cfh_node_ref(a) && !strcmp(cfh_node_ref(a), param) &&
		     is_empty_str(b)) ||
		    (cfh_node_ref(b) && !strcmp(cfh_node_ref(b), param) &&
		     is_empty_str(a)))
			return e->key->text;
	}
	return NULL;
}

/*
 * Take @expr (a copy is made) as the target, notified under @cond when
 * given. Otherwise, when the expression names an optional parameter and
 * @always is false, only under the condition that it is set: the
 * template's, else one to add.
 * Returns: 0, 1 when @expr cannot serve (it names two optional
 * parameters), or -1 when out of memory.
 */
static int set_target(struct alarms *x, const struct cfh_node *expr,
		      const char *cond, bool always, const char *what)
{
	const char **refs;
	const char *opt = NULL;
	size_t n, i;

	if (cfh_refs_in(x->r->t, expr, &refs, &n))
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_optional(parameter(x, refs[i])))
			continue;
		if (opt) {
			free(refs);
			return 1;
		}
		opt = refs[i];
	}
	free(refs);
	x->to.expr = cfh_node_to_json(expr);
	if (!x->to.expr)
		return -1;
	x->to.what = what;
	x->to.cond = cond;
	if (cond || always || !opt)
		return 0;
	x->to.cond = set_condition(x, opt);
	/* Else one is added with the first alarm (ensure_target()), so that
	 * a template that gets none is left as it was. */
	if (!x->to.cond)
		x->to.param = opt;
	return 0;
}

/*
 * The target an existing alarm notifies: the first of its AlarmActions
 * (or of the list an Fn::If gives when its condition holds), if that is a
 * topic of the template, a parameter, an import or a literal SNS ARN. An
 * alarm of the author's that notifies it with no condition at all says
 * that it is always set, whatever the parameter's default.
 * Returns: 0 (x->to.expr set or not), or -1 when out of memory.
 */
static int target_of_alarm(struct alarms *x, const struct cfh_node *alarm)
{
	const struct cfh_node *acts = cfh_map_get(props_of(alarm), "AlarmActions");
	const struct cfh_node *act, *cond = NULL;
	struct cfh_fn_view v;
	const char *ref;
	bool always;
	int rc;

	if (cfh_node_fn(acts, &v) && v.fn == CFH_FN_IF) {
		cond = cfh_seq_at(cfh_node_deref(v.arg), 0);
		acts = cfh_seq_at(cfh_node_deref(v.arg), 1);
		if (!cfh_node_is_str(cond))
			return 0;
	}
	if (!cfh_node_is_seq(acts))
		return 0;
	always = !cond && !cfh_map_get(alarm, "Condition");
	act = cfh_seq_at(cfh_node_deref(acts), 0);
	ref = cfh_node_ref(act);
	if (ref && cfh_res_is(cfh_resource(x->r->t, ref), "AWS::SNS::Topic")) {
		x->to.topic = ref;
		x->to.admits_events = true;
		rc = set_target(x, act, cond ? cfh_node_str(cond) : NULL,
				always, "the template's alarm topic");
	} else if (ref && parameter(x, ref)) {
		rc = set_target(x, act, cond ? cfh_node_str(cond) : NULL,
				always, ref);
	} else if ((cfh_node_fn(act, &v) && v.fn == CFH_FN_IMPORTVALUE) ||
		   (cfh_node_is_str(act) &&
		    !strncmp(cfh_node_str(act), "arn:", 4) &&
		    strstr(cfh_node_str(act), ":sns:"))) {
		rc = set_target(x, act, cond ? cfh_node_str(cond) : NULL,
				always, "the topic the template's alarms notify");
	} else {
		return 0;
	}
	if (rc > 0) {
		x->to.topic = NULL;
		x->to.admits_events = false;
	}
	return rc < 0 ? -1 : 0;
}

/* A topic of the template's own that is named as an alarm topic. */
static const char *own_alarm_topic(const struct alarms *x)
{
	const struct cfh_entry *e;

	cfh_for_each_resource(x->r->t, e)
		if (cfh_res_is(e->value, "AWS::SNS::Topic") &&
		    !cfh_map_get(e->value, "Condition") &&
		    (has_word(e->key->text, "alarm") ||
		     has_word(e->key->text, "alert")))
			return e->key->text;
	return NULL;
}

/* Does the template use the value of @param as a name (a TopicName, ...)
 * anywhere? Then it is not an ARN to notify. */
static bool used_as_name(const struct cfh_node *n, const char *param,
			 const char *key, int depth)
{
	const struct cfh_entry *e;

	n = cfh_node_deref(n);
	if (!n || depth > 64)
		return false;
	if (cfh_node_ref(n))
		return key && ends_with_ci(key, "Name") &&
		       !strcmp(cfh_node_ref(n), param);
	if (n->kind != CFH_MAP && n->kind != CFH_SEQ)
		return false;
	cfh_for_each_entry(n, e)
		if (used_as_name(e->value, param,
				 e->key ? e->key->text : key, depth + 1))
			return true;
	return false;
}

/*
 * A String parameter named as an alarm topic's ARN: a word of alerting
 * (alarm, alert, notification, on-call, incident, pager, ops) and a name
 * ending in Topic or TopicArn, as AlarmTopicArn, AlertTopic,
 * NotificationTopic; and not used as a name anywhere.
 */
static const char *alarm_topic_param(const struct alarms *x)
{
	static const char *const words[] = { "alarm", "alert", "notif",
					     "oncall", "incident", "pager",
					     "ops" };
	const struct cfh_node *params = cfh_template_section(x->r->t, "Parameters");
	const struct cfh_entry *e;
	size_t k;

	if (!cfh_node_is_map(params))
		return NULL;
	cfh_for_each_entry(cfh_node_deref(params), e) {
		const char *name = e->key ? e->key->text : "";
		bool word = false;

		for (k = 0; k < CFH_ARRAY_SIZE(words) && !word; k++)
			word = has_word(name, words[k]);
		if (!word || !cfh_node_str_eq(cfh_map_get(e->value, "Type"), "String") ||
		    (!ends_with_ci(name, "Topic") && !ends_with_ci(name, "TopicArn")) ||
		    used_as_name(x->r->t->root, name, NULL, 0))
			continue;
		return name;
	}
	return NULL;
}

/*
 * Find where the alarms go, before any is added (survey() has looked at
 * the existing alarms). Nothing is added here: see ensure_target().
 * Returns: 0, or -1 when out of memory.
 */
static int find_target(struct alarms *x)
{
	struct cfh_node *expr;
	const char *id;
	json_t *j;
	int rc;

	if (x->to.expr)
		return 0;
	id = own_alarm_topic(x);
	if (id) {
		x->to.topic = id;
		x->to.admits_events = true;
		x->to.expr = cfh_json_ref(id);
		x->to.what = "the template's alarm topic";
		return x->to.expr ? 0 : -1;
	}
	id = alarm_topic_param(x);
	if (!id && cfh_node_str_eq(cfh_map_get(parameter(x, "ParentAlertStack"),
					       "Type"), "String"))
		id = "ParentAlertStack";
	if (!id)
		return 0;
	/* The expression is made a node of the template's arena, so that
	 * set_target() reads it as it reads the template's own. */
	j = !strcmp(id, "ParentAlertStack")
		    ? json_pack("{s:{s:s}}", "Fn::ImportValue", "Fn::Sub",
				"${ParentAlertStack}-TopicARN")
		    : cfh_json_ref(id);
	expr = j ? cfh_node_from_json(x->r->t, j) : NULL;
	json_decref(j);
	if (!expr)
		return -1;
	rc = set_target(x, expr, NULL, false, id);
	/* The alert stack of the aws-cf-templates collection
	 * (operations/alert.yaml) lets EventBridge publish to its topic. */
	x->to.admits_events = !strcmp(id, "ParentAlertStack");
	return rc < 0 ? -1 : 0;
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
		if (!x->to.expr && target_of_alarm(x, e->value))
			return -1;
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
	return find_target(x);
}

static int make_topic(struct alarms *x)
{
	struct cfh_node *params, *conds;
	const char *topic, *param, *cond, *sub;
	char expr[256], why[512];

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
	x->to.topic = topic;
	x->to.admits_events = true;
	x->to.expr = cfh_json_ref(topic);
	if (!x->to.expr)
		return -1;
	/* AlarmEmail defaults to empty: as made, the topic has no
	 * subscriber, and an alarm nobody hears of is no alarm. */
	snprintf(why, sizeof(why),
		 "the alarms notify the new topic %s, which has no subscriber: "
		 "they reach nobody until the %s parameter is set or the "
		 "topic is subscribed",
		 topic, param);
	return cfh_advise(x->r, cfh_resource(x->r->t, topic), why);
}

/*
 * The target, made ready for a first alarm or rule: a topic of the
 * pass's own when the template has none, the condition that an optional
 * parameter is set when the template has none.
 * Returns: 0, or -1 on error.
 */
static int ensure_target(struct alarms *x)
{
	struct cfh_node *conds;
	char base[256], why[512];

	if (!x->to.expr)
		return make_topic(x);
	if (!x->to.param || x->to.cond)
		return 0;
	snprintf(base, sizeof(base), "Has%s", x->to.param);
	x->to.cond = cfh_fresh_id(x->r->t, base);
	conds = x->to.cond ? cfh_edit_section(x->r, "Conditions") : NULL;
	if (!conds ||
	    cfh_edit_set_take(x->r, conds, x->to.cond,
			      json_pack("{s:[{s:[{s:s}, s]}]}", "Fn::Not",
					"Fn::Equals", "Ref", x->to.param, ""),
			      "notify the alarm topic only when the parameter "
			      "that names it is set",
			      NULL))
		return -1;
	snprintf(why, sizeof(why),
		 "the alarms notify the topic that %s names, when it is set: "
		 "while it is empty they reach nobody",
		 x->to.param);
	return cfh_advise(x->r, parameter(x, x->to.param), why);
}

/* AlarmActions, or a rule's Targets: [@item], or when the target may be
 * unset, !If [cond, [@item], !Ref AWS::NoValue]. @item is taken. */
static json_t *notify_list(const struct alarms *x, json_t *item)
{
	json_t *list = item ? json_pack("[o]", item) : NULL;

	if (!list || !x->to.cond)
		return list;
	return json_pack("{s:[s, o, {s:s}]}", "Fn::If", x->to.cond, list, "Ref",
			 "AWS::NoValue");
}

/* ---- alarms ---- */

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
	return lb && cfh_res_is(cfh_resource(x->r->t, lb),
				"AWS::ElasticLoadBalancingV2::LoadBalancer")
		       ? lb
		       : NULL;
}

/* A load balancer's kind, from its Type: CFH_MV_ALB (the default),
 * CFH_MV_NLB, or CFH_MV_ANY when not known (a gateway, an intrinsic). */
static enum cfh_metric_variant balancer_kind(const struct cfh_node *lb)
{
	const struct cfh_node *t = cfh_map_get(props_of(lb), "Type");

	if (!lb)
		return CFH_MV_ANY;
	if (!t || cfh_node_str_eq(t, "application"))
		return cfh_is_dynamic(t) ? CFH_MV_ANY : CFH_MV_ALB;
	if (cfh_node_is_str(t) && !strcmp(cfh_node_str(t), "network"))
		return CFH_MV_NLB;
	return CFH_MV_ANY;
}

/*
 * The variant of resource @id a row of the table asks for: which metrics
 * its service publishes for it. Aurora instances are those of an Aurora
 * engine, or, when the engine is decided at deploy time, members of a
 * cluster (which an Aurora instance always is, and no other RDS
 * instance). An API Gateway v2 API without ProtocolType is imported from
 * OpenAPI, which only HTTP APIs are.
 */
static bool is_variant(struct alarms *x, const char *id,
		       const struct cfh_node *res, enum cfh_metric_variant v)
{
	const struct cfh_node *p = props_of(res), *n;
	bool aurora;

	switch (v) {
	case CFH_MV_AURORA:
	case CFH_MV_NOT_AURORA:
		n = cfh_map_get(p, "Engine");
		if (cfh_node_is_str(n))
			aurora = !strncasecmp(cfh_node_str(n), "aurora", 6);
		else if (!cfh_map_get(p, "DBClusterIdentifier"))
			aurora = false;
		else if (cfh_is_dynamic(cfh_map_get(p, "DBClusterIdentifier")) &&
			 !cfh_node_ref(cfh_map_get(p, "DBClusterIdentifier")))
			return false;	/* a cluster under a condition */
		else
			aurora = true;
		return aurora == (v == CFH_MV_AURORA);
	case CFH_MV_HTTP:
	case CFH_MV_WEBSOCKET:
		n = cfh_map_get(p, "ProtocolType");
		if (!n)
			return v == CFH_MV_HTTP && (cfh_map_get(p, "Body") ||
						    cfh_map_get(p, "BodyS3Location"));
		return cfh_node_is_str(n) &&
		       !strcmp(cfh_node_str(n),
			       v == CFH_MV_HTTP ? "HTTP" : "WEBSOCKET");
	case CFH_MV_ALB:
	case CFH_MV_NLB:
		if (cfh_res_is(res, "AWS::ElasticLoadBalancingV2::TargetGroup")) {
			const char *lb = balancer_of(x, id);

			return lb && balancer_kind(cfh_resource(x->r->t, lb)) == v;
		}
		return balancer_kind(res) == v;
	default:
		return true;
	}
}

/* Is @s printable ASCII? API Gateway drops other characters from the
 * ApiName it publishes. */
static bool is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* The value of dimension @d of a metric of resource @id, or NULL when the
 * template does not say enough to fill it (or out of memory). */
static json_t *dim_value(struct alarms *x, const struct cfh_metric_dim *d,
			 const char *id)
{
	const struct cfh_node *p = props_of(cfh_resource(x->r->t, id));
	const struct cfh_node *n;
	const char *lb;

	switch (d->fill) {
	case CFH_FILL_REF:
		return cfh_json_ref(id);
	case CFH_FILL_GETATT:
		return cfh_json_getatt(id, d->attr);
	case CFH_FILL_NAME:
		n = cfh_map_get(p, "Name");
		if (!cfh_node_is_str(n) || !is_ascii(cfh_node_str(n)))
			return NULL;
		return json_string(cfh_node_str(n));
	case CFH_FILL_CLUSTER:
		return cfh_ecs_cluster_name(x->r->t, cfh_map_get(p, "Cluster"));
	case CFH_FILL_BALANCER:
		lb = balancer_of(x, id);
		return lb ? cfh_json_getatt(lb, "LoadBalancerFullName") : NULL;
	default:
		return NULL;
	}
}

/* The Dimensions of an alarm on @m of resource @id, or NULL when the
 * template does not say enough to name them. */
static json_t *dimensions(struct alarms *x, const struct cfh_metric *m,
			  const char *id)
{
	json_t *dims = json_array(), *v;
	size_t k;

	for (k = 0; dims && k < CFH_ARRAY_SIZE(m->dims) && m->dims[k].name; k++) {
		v = dim_value(x, &m->dims[k], id);
		if (!v || json_array_append_new(dims, json_pack("{s:s, s:o}", "Name",
							       m->dims[k].name,
							       "Value", v))) {
			json_decref(dims);
			return NULL;
		}
	}
	return dims;
}

/* The metric's description, "@" replaced by the configured threshold. */
static void describe(const struct cfh_metric *m, char *buf, size_t size,
		     const struct cfh_run *r)
{
	const char *at = strchr(m->alarm, '@');

	if (!at || !m->setting)
		snprintf(buf, size, "%s", m->alarm);
	else
		snprintf(buf, size, "%.*s%lld%s", (int)(at - m->alarm), m->alarm,
			 cfh_opt_int(r, m->setting), at + 1);
}

/* Has the template an alarm on @m of @id already, by reference or, for a
 * literal dimension value (a REST API's name), by that value? */
static bool alarmed(const struct alarms *x, const struct cfh_metric *m,
		    const char *id, const json_t *dims)
{
	char key[512];
	size_t i;
	json_t *d;

	snprintf(key, sizeof(key), "%s/%s", id, m->name);
	if (cfh_ids_has(&x->have, key))
		return true;
	json_array_foreach(dims, i, d) {
		json_t *v = json_object_get(d, "Value");

		if (!json_is_string(v))
			continue;
		snprintf(key, sizeof(key), "=%s/%s", json_string_value(v),
			 m->name);
		if (cfh_ids_has(&x->have, key))
			return true;
	}
	return false;
}

static int add_alarm(struct alarms *x, const struct cfh_metric *m,
		     const char *id)
{
	struct cfh_node *res = cfh_resource(x->r->t, id);
	const struct cfh_node *cond = cfh_map_get(res, "Condition");
	char base[256], what[200], desc[300], key[512], reason[300];
	const char *aid;
	double threshold;
	json_t *alarm, *dims;
	char *k, *r, *w;

	dims = dimensions(x, m, id);
	if (!dims)
		return 0;
	if (alarmed(x, m, id, dims)) {
		json_decref(dims);
		return 0;
	}
	if (ensure_target(x)) {
		json_decref(dims);
		return -1;
	}
	snprintf(base, sizeof(base), "%s%sAlarm", id, m->word ? m->word : m->name);
	/* Logical IDs are alphanumeric: HTTPCode_Target_5XX_Count is not. */
	for (r = w = base; *r; r++)
		if ((*r >= 'a' && *r <= 'z') || (*r >= 'A' && *r <= 'Z') ||
		    (*r >= '0' && *r <= '9'))
			*w++ = *r;
	*w = '\0';
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
			  "s:i, s:f, s:s, s:s, s:o}}",
			  "Type", "AWS::CloudWatch::Alarm", "Properties",
			  "AlarmDescription", desc, "Namespace", m->ns,
			  "MetricName", m->name, "Dimensions", dims,
			  "Statistic", m->stat,
			  "Period", 300, "EvaluationPeriods", 1, "Threshold",
			  threshold, "ComparisonOperator", m->op,
			  "TreatMissingData", "notBreaching", "AlarmActions",
			  notify_list(x, json_deep_copy(x->to.expr)));
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
	snprintf(key, sizeof(key), "%s/%s", id, m->name);
	k = cfh_arena_strndup(&x->r->t->arena, key, strlen(key));
	return !k || cfh_ids_add(&x->have, k) ? -1 : 0;
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
 * fatigue. Filter to the states someone acts on, in a new stack; a
 * running rule's readers are asked first.
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
			   x->to.topic ? x->to.topic : "") &&
	    !cfh_map_path(rule, "Properties", "Targets", NULL))
		return 0;
	/* Who reads a running rule's events is not all in the template (a
	 * topic's subscribers may be another stack's): one of them may act
	 * on a start or a supersession. */
	if (cfh_is_running(r, rule))
		return cfh_advise(r, rule,
				  "notifies on every pipeline state change; once "
				  "its targets' readers need only the outcomes, "
				  "add detail: {state: [FAILED, SUCCEEDED]} to its "
				  "EventPattern (S000-05)");
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

/*
 * A rule on failed executions of each pipeline, to the alarm topic
 * (S001-10, S003-16). A topic of the template's own admits EventBridge
 * for these rules only; another stack's topic cannot be given a policy
 * from here (a second TopicPolicy would replace its own), so unless it is
 * known to admit EventBridge, the run says what it must allow.
 */
static int pipelines(struct alarms *x, const struct cfh_ids *ids)
{
	json_t *sources = json_array(), *stmt = NULL;
	const char *rule, *pol, *first = NULL, **pols = NULL;
	char base[256], why[512];
	size_t i, npols = 0;
	int rc = -1;

	for (i = 0; i < ids->n; i++) {
		struct cfh_node *res = cfh_resource(x->r->t, ids->v[i]);

		if (!cfh_res_is(res, "AWS::CodePipeline::Pipeline") ||
		    watched(x, ids->v[i]))
			continue;
		if (ensure_target(x))
			goto out;
		snprintf(base, sizeof(base), "%sFailedRule", ids->v[i]);
		rule = cfh_fresh_id(x->r->t, base);
		if (!rule ||
		    cfh_edit_add_resource_take(
			    x->r, rule, ids->v[i],
			    json_pack("{s:s, s:{s:s, s:{s:[s], s:[s], s:{s:[o], s:[s]}}, "
				      "s:o}}",
				      "Type", "AWS::Events::Rule", "Properties",
				      "Description", "Failed executions of the pipeline",
				      "EventPattern", "source", "aws.codepipeline",
				      "detail-type",
				      "CodePipeline Pipeline Execution State Change",
				      "detail", "pipeline", cfh_json_ref(ids->v[i]),
				      "state", "FAILED", "Targets",
				      notify_list(x, json_pack("{s:O, s:s}", "Arn",
							       x->to.expr, "Id",
							       "alarm-topic"))),
			    "tell the alarm topic when the pipeline fails "
			    "(S001-10, S003-16)",
			    NULL) ||
		    json_array_append_new(sources, cfh_json_getatt(rule, "Arn")))
			goto out;
		if (!first)
			first = rule;
	}
	if (!json_array_size(sources)) {
		rc = 0;
		goto out;
	}
	if (!x->to.topic) {
		rc = 0;
		if (!x->to.admits_events) {
			snprintf(why, sizeof(why),
				 "the pipelines' failure rules publish to %s%s%s: "
				 "its access policy must let events.amazonaws.com "
				 "sns:Publish (for these rules' ARNs), or their "
				 "notifications are dropped",
				 parameter(x, x->to.what) ? "the topic that the "
							    "parameter " : "",
				 x->to.what,
				 parameter(x, x->to.what) ? " names" : "");
			rc = cfh_advise(x->r, cfh_resource(x->r->t, first), why);
		}
		goto out;
	}
	stmt = cfh_stmt_when_take(
		cfh_stmt_service_take("events.amazonaws.com", "sns:Publish",
				      cfh_json_ref(x->to.topic)),
		"ArnEquals", "aws:SourceArn", json_incref(sources));
	/* A topic has one access policy: a second TopicPolicy would
	 * replace the author's, so the statement joins it. */
	if (!stmt || cfh_referrers(x->r->t, x->to.topic,
				   "AWS::SNS::TopicPolicy", &pols, &npols))
		goto out;
	if (npols) {
		struct cfh_node *list = cfh_map_path(
			cfh_resource(x->r->t, pols[0]), "Properties",
			"PolicyDocument", "Statement", NULL);

		if (list && list->kind == CFH_SEQ &&
		    !cfh_pass_skips(x->r, cfh_resource(x->r->t, pols[0]))) {
			rc = cfh_edit_append_take(
				x->r, list, stmt,
				"let EventBridge publish the pipelines' failures "
				"to the alarm topic, for these rules only",
				NULL);
			stmt = NULL;
			goto out;
		}
		snprintf(why, sizeof(why),
			 "the pipelines' failure rules publish to %s: its "
			 "policy %s must let events.amazonaws.com sns:Publish "
			 "(for these rules' ARNs), or their notifications are "
			 "dropped",
			 x->to.topic, pols[0]);
		rc = cfh_advise(x->r, cfh_resource(x->r->t, pols[0]), why);
		goto out;
	}
	snprintf(base, sizeof(base), "%sPolicy", x->to.topic);
	pol = cfh_fresh_id(x->r->t, base);
	if (!pol)
		goto out;
	rc = cfh_edit_add_resource_take(
		x->r, pol, x->to.topic,
		json_pack("{s:s, s:{s:[o], s:o}}", "Type",
			  "AWS::SNS::TopicPolicy", "Properties", "Topics",
			  cfh_json_ref(x->to.topic), "PolicyDocument",
			  cfh_policy_doc_take(json_pack("[o]", stmt))),
		"let EventBridge publish the pipelines' failures to the "
		"alarm topic, for these rules only",
		NULL);
	stmt = NULL;
out:
	free(pols);
	json_decref(stmt);
	json_decref(sources);
	return rc;
}

/* ---- dashboard (S003-12, S004-18) ---- */

/*
 * One widget of the dashboard for resource @id: the table's dashboard
 * lines for it, each with its own statistic where it is not the widget's
 * (the first line's). Returns: the widget, NULL when the table has no
 * line for it, or (*err set) when out of memory.
 */
static json_t *widget(struct alarms *x, const char *id, int y, bool *err)
{
	const struct cfh_node *res = cfh_resource(x->r->t, id);
	const char *type = cfh_resource_type(res);
	const struct cfh_metric *first = NULL, *m;
	json_t *series = json_array(), *line, *w;
	char dim[512], title[512];
	size_t k;

	if (!series)
		goto fail;
	for (k = 0; type && k < CFH_ARRAY_SIZE(cfh_metrics); k++) {
		m = &cfh_metrics[k];
		if (!m->widget || strcmp(type, m->type) ||
		    !is_variant(x, id, res, m->variant) ||
		    (m->dims[0].fill != CFH_FILL_REF &&
		     m->dims[0].fill != CFH_FILL_GETATT))
			continue;
		if (!first)
			first = m;
		snprintf(dim, sizeof(dim), "${%s%s%s}", id,
			 m->dims[0].attr ? "." : "",
			 m->dims[0].attr ? m->dims[0].attr : "");
		line = json_pack("[s,s,s,s]", m->ns, m->name, m->dims[0].name, dim);
		if (line && strcmp(m->stat, first->stat) &&
		    json_array_append_new(line, json_pack("{s:s}", "stat", m->stat)))
			line = NULL;
		if (!line || json_array_append_new(series, line))
			goto fail;
	}
	if (!first) {
		json_decref(series);
		return NULL;
	}
	snprintf(title, sizeof(title), "%s %s", first->widget, id);
	w = json_pack("{s:s, s:i, s:i, s:i, s:i, s:{s:o, s:s, s:s, s:i, s:s}}",
		      "type", "metric", "x", (y % 2) * 12, "y", (y / 2) * 6,
		      "width", 12, "height", 6, "properties", "metrics", series,
		      "region", "${AWS::Region}", "title", title, "period", 300,
		      "stat", first->stat);
	if (w)
		return w;
	series = NULL;
fail:
	json_decref(series);
	*err = true;
	return NULL;
}

static int dashboard(struct alarms *x, const struct cfh_ids *ids)
{
	json_t *list = json_array(), *body, *w;
	const struct cfh_entry *e;
	const char *id;
	char *text = NULL;
	bool err = false;
	size_t i;
	int rc = -1, y = 0;

	cfh_for_each_resource(x->r->t, e)
		if (cfh_res_is(e->value, "AWS::CloudWatch::Dashboard")) {
			json_decref(list);
			return 0;	/* the author has one */
		}
	if (!list)
		return -1;
	for (i = 0; i < ids->n; i++) {
		if (cfh_map_get(cfh_resource(x->r->t, ids->v[i]), "Condition"))
			continue;
		w = widget(x, ids->v[i], y, &err);
		if (err || (w && json_array_append_new(list, w)))
			goto out;
		if (w)
			y++;
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
	const char *type = cfh_resource_type(res);
	size_t k;

	(void)r;
	/* The type read once, not once per row of the table. */
	for (k = 0; type && k < CFH_ARRAY_SIZE(cfh_metrics); k++) {
		const struct cfh_metric *m = &cfh_metrics[k];

		if (!m->alarm || strcmp(type, m->type) ||
		    !is_variant(x, id, res, m->variant))
			continue;
		if (m->dlq == CFH_DLQ_ONLY && !cfh_ids_has(&x->dlqs, id))
			continue;
		if (m->dlq == CFH_DLQ_NEVER && cfh_ids_has(&x->dlqs, id))
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

	json_decref(x->to.expr);
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
