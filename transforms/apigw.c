/* SPDX-License-Identifier: MIT */
/*
 * Pass `apigw` (C005-01, C005-02, C005-03): API stages that can be
 * followed and audited.
 *
 *   - X-Ray tracing on REST API stages (TracingEnabled), so that a slow
 *     or failing request can be followed through the API into what it
 *     calls (C005-01).
 *   - Access logs (who called what, and the answer) into a log group of
 *     the stack's, with a retention (C005-02).
 *   - Execution logs of REST API stages at ERROR for every method,
 *     without request and response bodies (C005-03).
 *
 *   Stage:                               Stage:
 *     Type: AWS::ApiGateway::Stage   ==>   Properties:
 *                                            TracingEnabled: true
 *                                            AccessLogSetting:
 *                                              DestinationArn: !GetAtt StageAccessLogs.Arn
 *                                              Format: '{"requestId": ...}'
 *                                            MethodSettings:
 *                                              - {ResourcePath: <all paths>, HttpMethod: <all>,
 *                                                 LoggingLevel: ERROR, DataTraceEnabled: false}
 *                                      StageAccessLogs:
 *                                        Type: AWS::Logs::LogGroup
 *
 * Every property set here changes without interruption ("Update
 * requires: No interruption" in the AWS::ApiGateway::Stage and
 * AWS::ApiGatewayV2::Stage references) and changes nothing a client
 * sees, so the pass makes the same changes in both modes, as the lambda
 * pass traces running functions.
 *
 * What it will not do: REST and WebSocket APIs write both kinds of log
 * through the account's "CloudWatch log role ARN", an account-wide
 * setting ("Set up CloudWatch logging for REST APIs in API Gateway");
 * where it is not set, a stage update that turns logging on fails. Only
 * an AWS::ApiGateway::Account in the template proves it is set, and
 * adding one would change the setting of every other stack of the
 * account and region: without one, logging is an advisory naming the
 * edit and the prerequisite. HTTP APIs deliver access logs with the
 * deployer's permissions, not that role ("Configure logging for HTTP
 * APIs in API Gateway"): they get them always. A property decided by an
 * intrinsic, in SAM's Globals, or explicitly off is the owner's and is
 * left alone (explicitly off: with an advisory).
 */
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "passlib.h"
#include "policy.h"

/* Who called, what, when, and the answer; no headers or bodies. JSON, so
 * that CloudWatch Logs Insights reads the fields. */
#define REST_FORMAT                                                          \
	"{\"requestId\":\"$context.requestId\","                             \
	"\"ip\":\"$context.identity.sourceIp\","                             \
	"\"requestTime\":\"$context.requestTime\","                          \
	"\"httpMethod\":\"$context.httpMethod\","                            \
	"\"resourcePath\":\"$context.resourcePath\","                        \
	"\"status\":\"$context.status\","                                    \
	"\"protocol\":\"$context.protocol\","                                \
	"\"responseLength\":\"$context.responseLength\"}"
#define V2_FORMAT                                                            \
	"{\"requestId\":\"$context.requestId\","                             \
	"\"ip\":\"$context.identity.sourceIp\","                             \
	"\"requestTime\":\"$context.requestTime\","                          \
	"\"routeKey\":\"$context.routeKey\","                                \
	"\"status\":\"$context.status\","                                    \
	"\"protocol\":\"$context.protocol\","                                \
	"\"responseLength\":\"$context.responseLength\"}"

#define WHY_TRACE "trace requests through the API with X-Ray (C005-01)"
#define WHY_ROLE                                                             \
	"once the account's CloudWatch log role ARN is set for this region "  \
	"(an AWS::ApiGateway::Account, in one stack of the account): without " \
	"it the stage update fails, and nothing in this template sets it"

/* What a stage lacks that only the account's CloudWatch role allows. */
enum { WANT_ACCESS = 1, WANT_EXEC = 2 };

struct apigw {
	const char *account;	/* the template's AWS::ApiGateway::Account
				 * that sets CloudWatchRoleArn, or NULL */
};

static struct cfh_node *props_of(const struct cfh_node *res)
{
	return cfh_map_get(res, "Properties");
}

static bool literal_false(const struct cfh_node *n)
{
	return n && !cfh_is_dynamic(n) && cfh_node_str_eq(n, "false");
}

/* SAM's Globals set @key for every resource of @section ("Api",
 * "HttpApi"): the resource's own value is then not missing. */
static bool in_globals(struct cfh_run *r, const char *section,
		       const char *key)
{
	return section && cfh_map_path(cfh_template_section(r->t, "Globals"),
				       section, key, NULL);
}

/* Does the account resource @res set the role in every deployment? Not
 * under a Condition (nor could a stage depend on it then), and not
 * through an Fn::If that may leave it unset. */
static bool sets_role(const struct cfh_node *res)
{
	const struct cfh_node *arn = cfh_map_path(res, "Properties",
						  "CloudWatchRoleArn", NULL);
	struct cfh_fn_view fv;

	return arn && !cfh_map_get(res, "Condition") &&
	       !(cfh_node_fn(arn, &fv) && fv.fn == CFH_FN_IF);
}

static int before(struct cfh_run *r, void *st)
{
	struct apigw *x = st;
	struct cfh_entry *e;

	cfh_for_each_resource(r->t, e)
		if (cfh_res_is(e->value, "AWS::ApiGateway::Account") &&
		    sets_role(e->value)) {
			x->account = e->key->text;
			break;
		}
	return 0;
}

/* A stage of a new stack must be created after the account setting it
 * needs: DependsOn the template's AWS::ApiGateway::Account, unless the
 * account already waits on something of its own (it might be this
 * stage's API, and the two would wait on each other). */
static int after_account(struct cfh_run *r, struct apigw *x,
			 struct cfh_node *res)
{
	const struct cfh_node *acct = cfh_resource(r->t, x->account);
	struct cfh_node *dep = cfh_map_get(res, "DependsOn");
	const char *why = "the stage logs through the account's CloudWatch "
			  "role, which the account resource sets";
	size_t i;

	if (cfh_map_get(acct, "DependsOn") || cfh_refers_to(res, x->account))
		return 0;
	if (!dep)
		return cfh_edit_set_take(r, res, "DependsOn",
					 json_string(x->account), why, NULL);
	if (cfh_node_is_str(dep))
		return cfh_node_str_eq(dep, x->account)
			       ? 0
			       : cfh_edit_replace_take(
					 r, dep,
					 json_pack("[s, s]", cfh_node_str(dep),
						   x->account),
					 why, NULL);
	if (!cfh_node_is_seq(dep))
		return 0;
	for (i = 0; i < cfh_node_count(dep); i++)
		if (cfh_node_str_eq(cfh_seq_at(dep, i), x->account))
			return 0;
	return cfh_edit_append_take(r, dep, json_string(x->account), why, NULL);
}

/* C005-01: TracingEnabled on a REST stage's properties @p. */
static int tracing(struct cfh_run *r, struct cfh_node *p, const char *gsec)
{
	struct cfh_node *v = cfh_map_get(p, "TracingEnabled");

	if (literal_false(v))
		return cfh_advise(r, v,
				  "TracingEnabled is false: set it to true to "
				  "follow requests through the API with X-Ray "
				  "(C005-01)");
	if (v || in_globals(r, gsec, "TracingEnabled"))
		return 0;
	return cfh_edit_set_take(r, p, "TracingEnabled", json_true(),
				 WHY_TRACE, NULL);
}

/* A log group of the stack's for the access logs of @id, with the
 * retention the logs pass gives (the encryption pass adds the key). */
static const char *add_group(struct cfh_run *r, const char *id)
{
	char base[256];
	const char *group;

	snprintf(base, sizeof(base), "%sAccessLogs", id);
	group = cfh_fresh_id(r->t, base);
	if (!group ||
	    cfh_edit_add_resource_take(
		    r, group, id,
		    json_pack("{s:s, s:{s:I}}", "Type", "AWS::Logs::LogGroup",
			      "Properties", "RetentionInDays",
			      (json_int_t)cfh_opt_int(r, "logs.retention-days")),
		    "a log group of the stack's for the API's access logs, "
		    "with a retention (C005-02)",
		    NULL))
		return NULL;
	return group;
}

/*
 * C005-02: access logs. @key is AccessLogSetting (REST) or
 * AccessLogSettings (V2); @need_role says the account's CloudWatch role
 * must be set (REST and WebSocket).
 */
static int access_log(struct cfh_run *r, struct apigw *x, const char *id,
		      struct cfh_node *res, struct cfh_node *p,
		      const char *key, bool v2, bool need_role,
		      const char *gsec, int *want)
{
	const char *group;

	if (cfh_map_get(p, key) || in_globals(r, gsec, key))
		return 0;
	if (need_role && !x->account) {
		*want |= WANT_ACCESS;
		return 0;
	}
	group = add_group(r, id);
	if (!group ||
	    cfh_edit_set_take(r, p, key,
			      json_pack("{s:o, s:s}", "DestinationArn",
					cfh_json_getatt(group, "Arn"), "Format",
					v2 ? V2_FORMAT : REST_FORMAT),
			      need_role
				      ? "record who called the API and what it "
					"answered; the account's CloudWatch role "
					"is set by this template (C005-02)"
				      : "record who called the API and what it "
					"answered; HTTP APIs deliver access logs "
					"without the account's CloudWatch role "
					"(C005-02)",
			      NULL))
		return -1;
	return need_role ? after_account(r, x, res) : 0;
}

static const char *level_of(struct cfh_run *r)
{
	return cfh_opt_str(r, "logging-level");
}

/*
 * One advisory for the logging a stage lacks and the account's role
 * would allow (@want), in one line of the report. @exec is the edit for
 * execution logs, in the words of the resource.
 */
static int want_advise(struct cfh_run *r, const struct cfh_node *at,
		       int want, const char *key, const char *exec)
{
	char msg[900], acc[200];

	if (!want)
		return 0;
	snprintf(acc, sizeof(acc),
		 "add %s {DestinationArn: a log group's ARN, Format: a JSON "
		 "line of $context fields}",
		 key);
	snprintf(msg, sizeof(msg), "%s%s%s%s %s (%s)",
		 want == (WANT_ACCESS | WANT_EXEC)
			 ? "no access or execution logs: who called the API, "
			   "what it answered and what failed inside it leave no "
			   "trace; "
		 : want == WANT_ACCESS
			 ? "no access logs: who called the API, and what it "
			   "answered, leave no trace; "
			 : "no execution logs: errors inside the API "
			   "(authorizers, integrations, mapping templates) "
			   "leave no trace; ",
		 want & WANT_ACCESS ? acc : "",
		 want == (WANT_ACCESS | WANT_EXEC) ? " and " : "",
		 want & WANT_EXEC ? exec : "", WHY_ROLE,
		 want == (WANT_ACCESS | WANT_EXEC) ? "C005-02, C005-03"
		 : want == WANT_ACCESS		  ? "C005-02"
						  : "C005-03");
	return cfh_advise(r, at, msg);
}

#define WHY_EXEC                                                             \
	"log errors inside the API for every method, without request or "     \
	"response bodies (C005-03)"

/* C005-03 on a Stage or SAM Api: the MethodSettings item for every
 * method (every path, every method) logs at the chosen level. */
static int exec_log(struct cfh_run *r, struct apigw *x, struct cfh_node *res,
		    struct cfh_node *p, const char *gsec, int *want)
{
	struct cfh_node *ms = cfh_map_get(p, "MethodSettings"), *item = NULL;
	struct cfh_node *lvl;
	json_t *all;
	size_t i;

	if (!ms && in_globals(r, gsec, "MethodSettings"))
		return 0;
	if (ms && (cfh_is_dynamic(ms) || !cfh_node_is_seq(ms)))
		return 0;	/* decided at deploy time: the owner's */
	for (i = 0; ms && i < cfh_node_count(ms) && !item; i++) {
		struct cfh_node *it = cfh_seq_at(ms, i);

		/* An item decided at deploy time may be the one for every
		 * method: a second would conflict with it. */
		if (cfh_is_dynamic(it) ||
		    cfh_is_dynamic(cfh_map_get(it, "ResourcePath")) ||
		    cfh_is_dynamic(cfh_map_get(it, "HttpMethod")))
			return 0;
		if (cfh_node_str_eq(cfh_map_get(it, "ResourcePath"), "/*") &&
		    cfh_node_str_eq(cfh_map_get(it, "HttpMethod"), "*"))
			item = it;
	}
	lvl = cfh_map_get(item, "LoggingLevel");
	if (lvl) {
		if (!cfh_is_dynamic(lvl) && cfh_node_str_eq(lvl, "OFF"))
			return cfh_advise(r, lvl,
					  "execution logging is OFF for every "
					  "method: set LoggingLevel to ERROR to "
					  "record errors inside the API "
					  "(C005-03)");
		return 0;
	}
	if (!x->account) {
		*want |= WANT_EXEC;
		return 0;
	}
	if (item) {
		if (cfh_edit_set_take(r, item, "LoggingLevel",
				      json_string(level_of(r)), WHY_EXEC, NULL))
			return -1;
		if (!cfh_map_get(item, "DataTraceEnabled") &&
		    cfh_edit_set_take(r, item, "DataTraceEnabled", json_false(),
				      "request and response bodies may hold "
				      "personal data: keep them out of the logs",
				      NULL))
			return -1;
	} else {
		all = json_pack("{s:s, s:s, s:s, s:b}", "ResourcePath", "/*",
				"HttpMethod", "*", "LoggingLevel",
				level_of(r), "DataTraceEnabled", 0);
		if (ms ? cfh_edit_append_take(r, ms, all, WHY_EXEC, NULL)
		       : cfh_edit_set_take(r, p, "MethodSettings",
					   json_pack("[o]", all), WHY_EXEC,
					   NULL))
			return -1;
	}
	return after_account(r, x, res);
}

static int rest_stage(struct cfh_run *r, void *st, const char *id,
		      struct cfh_node *res)
{
	struct apigw *x = st;
	const char *gsec = cfh_res_is(res, "AWS::Serverless::Api") ? "Api"
								   : NULL;
	struct cfh_node *p = cfh_res_props(r, res, "add Properties");
	int want = 0;

	if (!p)
		return 0;
	if (tracing(r, p, gsec) ||
	    access_log(r, x, id, res, p, "AccessLogSetting", false, true,
		       gsec, &want) ||
	    exec_log(r, x, res, p, gsec, &want))
		return -1;
	return want_advise(r, res, want, "AccessLogSetting",
			   "a MethodSettings item {ResourcePath: /*, "
			   "HttpMethod: '*', LoggingLevel: ERROR, "
			   "DataTraceEnabled: false}");
}

/* A Deployment with a StageName makes that stage, described by its
 * StageDescription: the same fixes, in its words. */
static int deployment(struct cfh_run *r, void *st, const char *id,
		      struct cfh_node *res)
{
	struct apigw *x = st;
	struct cfh_node *p = props_of(res), *sd, *lvl;
	int want = 0;

	if (!cfh_map_get(p, "StageName"))
		return 0;	/* makes no stage */
	sd = cfh_map_get(p, "StageDescription");
	if (!sd && cfh_edit_set_take(r, p, "StageDescription", json_object(),
				     "describe the stage the deployment makes",
				     &sd))
		return -1;
	if (!cfh_node_is_map(sd) || cfh_is_dynamic(sd))
		return 0;	/* decided at deploy time, or declined */
	if (tracing(r, sd, NULL) ||
	    access_log(r, x, id, res, sd, "AccessLogSetting", false, true,
		       NULL, &want))
		return -1;
	lvl = cfh_map_get(sd, "LoggingLevel");
	if (lvl || cfh_map_get(sd, "MethodSettings")) {
		if (lvl && !cfh_is_dynamic(lvl) && cfh_node_str_eq(lvl, "OFF") &&
		    cfh_advise(r, lvl,
			       "execution logging is OFF: set LoggingLevel to "
			       "ERROR to record errors inside the API "
			       "(C005-03)"))
			return -1;
		return want_advise(r, res, want, "StageDescription "
				   "AccessLogSetting", "");
	}
	if (!x->account)
		return want_advise(r, res, want | WANT_EXEC,
				   "StageDescription AccessLogSetting",
				   "StageDescription LoggingLevel: ERROR and "
				   "DataTraceEnabled: false");
	if (cfh_edit_set_take(r, sd, "LoggingLevel", json_string(level_of(r)),
			      WHY_EXEC, NULL))
		return -1;
	if (!cfh_map_get(sd, "DataTraceEnabled") &&
	    cfh_edit_set_take(r, sd, "DataTraceEnabled", json_false(),
			      "request and response bodies may hold personal "
			      "data: keep them out of the logs",
			      NULL))
		return -1;
	return after_account(r, x, res);
}

/*
 * The protocol of the API a V2 stage belongs to: "HTTP", "WEBSOCKET", or
 * NULL when it is not the template's or not literal. An API imported
 * from an OpenAPI Body is an HTTP API (WebSocket APIs cannot be).
 */
static const char *v2_protocol(struct cfh_template *t,
			       const struct cfh_node *stage)
{
	const struct cfh_node *ref = cfh_map_get(props_of(stage), "ApiId");
	const char *api = cfh_node_ref(ref);
	const struct cfh_node *ap, *proto;

	if (!api || !cfh_res_is(cfh_resource(t, api), "AWS::ApiGatewayV2::Api"))
		return NULL;
	ap = props_of(cfh_resource(t, api));
	proto = cfh_map_get(ap, "ProtocolType");
	if (proto && !cfh_is_dynamic(proto) &&
	    (cfh_node_str_eq(proto, "HTTP") ||
	     cfh_node_str_eq(proto, "WEBSOCKET")))
		return cfh_node_str(proto);
	if (!proto && (cfh_map_get(ap, "Body") ||
		       cfh_map_get(ap, "BodyS3Location")))
		return "HTTP";
	return NULL;
}

static int v2_stage(struct cfh_run *r, void *st, const char *id,
		    struct cfh_node *res)
{
	struct apigw *x = st;
	const char *proto;
	struct cfh_node *p;
	int want = 0;

	if (cfh_map_get(props_of(res), "AccessLogSettings"))
		return 0;
	proto = v2_protocol(r->t, res);
	if (!proto)
		return cfh_advise(r, res,
				  "no access logs, and the API it belongs to is "
				  "not the template's: add AccessLogSettings "
				  "{DestinationArn, Format} (a WebSocket API "
				  "needs the account's CloudWatch log role ARN "
				  "set first) (C005-02)");
	p = cfh_res_props(r, res, "add Properties");
	if (!p)
		return 0;
	if (access_log(r, x, id, res, p, "AccessLogSettings", true,
		       strcmp(proto, "WEBSOCKET") == 0, NULL, &want))
		return -1;
	return want_advise(r, res, want, "AccessLogSettings", "");
}

static int http_api(struct cfh_run *r, void *st, const char *id,
		    struct cfh_node *res)
{
	struct apigw *x = st;
	struct cfh_node *p = cfh_res_props(r, res, "add Properties");
	int want = 0;	/* HTTP APIs need no account role */

	if (!p)
		return 0;
	return access_log(r, x, id, res, p, "AccessLogSettings", true, false,
			  "HttpApi", &want);
}

static const struct cfh_handler handlers[] = {
	{ "AWS::ApiGateway::Stage", rest_stage },
	{ "AWS::Serverless::Api", rest_stage },
	{ "AWS::ApiGateway::Deployment", deployment },
	{ "AWS::ApiGatewayV2::Stage", v2_stage },
	{ "AWS::Serverless::HttpApi", http_api },
};

const struct cfh_pass_ops cfh_pass_apigw = {
	.state_size = sizeof(struct apigw),
	.before = before,
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
};
