/* SPDX-License-Identifier: MIT */
/*
 * Pass `ecs` (S003-03, S003-04, S003-10, S003-13, S003-14, S003-15,
 * S003-17): containers that deploy safely, scale, can be debugged, and
 * whose images are scanned and kept tidy.
 *
 *   - clusters: Container Insights (S003-14);
 *   - services: a deployment circuit breaker that rolls a failing
 *     deployment back, and ECS Exec (S003-17); target tracking auto
 *     scaling on CPU and memory (S003-13); a CODE_DEPLOY (blue/green)
 *     service without a deployment group gets an advisory with what
 *     blue/green needs (S003-03);
 *   - task definitions: containers that log nowhere get the awslogs
 *     driver and a log group of the task; an execution role that may pull
 *     the task's images, write to its log groups and read the secrets its
 *     containers name (template secrets and parameters, literal ARNs, and
 *     the template key a secret is encrypted with), nothing else; secrets
 *     it cannot read exactly are reported instead (S003-15);
 *   - containers without a HealthCheck are reported, with the path and
 *     port their target group probes: the command runs inside the image,
 *     and only its author knows which tool is there (S003-17);
 *   - target groups: a full health check, with a timeout and thresholds
 *     (S003-10), in a new stack; a running one gets an advisory, since
 *     the thresholds differ from the defaults it runs on now;
 *   - ECR repositories: scan on push, immutable tags, a lifecycle policy
 *     (S003-04).
 *
 *   Service:                          Service:
 *     Type: AWS::ECS::Service    ==>    Properties:
 *                                         DeploymentConfiguration:
 *                                           DeploymentCircuitBreaker:
 *                                             Enable: true
 *                                             Rollback: true
 *                                         EnableExecuteCommand: true
 *                                     ServiceScalableTarget: {...}
 *                                     ServiceCpuScaling: {ECSServiceAverageCPUUtilization}
 *
 * ECS Exec needs ssmmessages permissions on the task role. A task
 * definition without a task role gets one that allows those alone; a role
 * the template already gives it is not widened: the service is reported.
 *
 * What a task's containers need, and how a service is wired to its task
 * definition, cluster and listener, is read by src/ecs_data.c; this file
 * decides what to change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecs_data.h"
#include "options.h"
#include "passlib.h"
#include "policy.h"

/* Per run. */
struct ecs {
	struct cfh_run *r;
	struct cfh_ids exec_tasks;	/* task definitions with an exec role */
};

static bool no_replace(const struct cfh_run *r)
{
	return cfh_no_replace(r);
}

static struct cfh_node *props_of(const struct cfh_node *res)
{
	return cfh_map_get(res, "Properties");
}

/* Copy the resource's Condition onto a resource made for it. */
static json_t *conditional(struct cfh_template *t, const char *of, json_t *res)
{
	const struct cfh_node *c = cfh_map_get(cfh_resource(t, of), "Condition");

	if (res && c && cfh_node_str(c))
		json_object_set_new(res, "Condition",
				    json_string(cfh_node_str(c)));
	return res;
}

/* Add @res as "<of><suffix>" after @after; *@id receives the ID. */
static int add(struct cfh_run *r, const char *of, const char *suffix,
	       const char *after, json_t *res, const char *reason,
	       const char **id)
{
	char base[256];
	const char *nid;

	snprintf(base, sizeof(base), "%s%s", of, suffix);
	nid = cfh_fresh_id(r->t, base);
	if (!nid) {
		json_decref(res);
		return -1;
	}
	if (id)
		*id = nid;
	return cfh_edit_add_resource_take(r, nid, after,
					  conditional(r->t, of, res), reason,
					  NULL);
}

/* ---- clusters ---- */

static int clusters(struct cfh_run *r, void *st, const char *id,
		    struct cfh_node *res)
{
	struct cfh_node *p = props_of(res), *cs;
	const struct cfh_entry *e;
	json_t *set = json_pack("{s:s, s:s}", "Name", "containerInsights",
				"Value", "enabled");
	const char *why = "Container Insights: CPU, memory, network and "
			  "restarts per service and task (S003-14)";

	(void)st;
	(void)id;
	cs = cfh_map_get(p, "ClusterSettings");
	if (!cs) {
		p = cfh_res_props(r, res, "add Properties");
		return !p || cfh_edit_set_take(r, p, "ClusterSettings",
					       json_pack("[o]", set), why, NULL);
	}
	if (cs->kind == CFH_SEQ) {
		cfh_for_each_entry(cs, e)
			if (cfh_node_str_eq(cfh_map_get(e->value, "Name"),
					    "containerInsights"))
				goto keep;
		return cfh_edit_append_take(r, cs, set, why, NULL);
	}
keep:
	json_decref(set);
	return 0;
}

/* ---- ECR repositories ---- */

static char *ecr_lifecycle_text(struct cfh_run *r)
{
	json_t *j = json_pack(
		"{s:[{s:i, s:s, s:{s:s, s:s, s:s, s:I}, s:{s:s}}, "
		"{s:i, s:s, s:{s:s, s:s, s:I}, s:{s:s}}]}",
		"rules", "rulePriority", 1, "description",
		"expire untagged images", "selection", "tagStatus",
		"untagged", "countType", "sinceImagePushed", "countUnit",
		"days", "countNumber",
		(json_int_t)cfh_opt_int(r, "ecr-untagged-days"), "action",
		"type", "expire", "rulePriority", 2, "description",
		"keep the most recent images", "selection", "tagStatus", "any",
		"countType", "imageCountMoreThan", "countNumber",
		(json_int_t)cfh_opt_int(r, "ecr-keep-images"), "action",
		"type", "expire");
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	json_decref(j);
	return s;
}

static int repositories(struct cfh_run *r, void *st, const char *id,
			struct cfh_node *res)
{
	struct cfh_node *p = cfh_res_props(r, res, "add Properties");
	char *text;
	int rc;

	(void)st;
	(void)id;
	if (!p)
		return -1;
	if (!cfh_map_get(p, "ImageScanningConfiguration") &&
	    cfh_edit_set_take(r, p, "ImageScanningConfiguration",
			      json_pack("{s:b}", "ScanOnPush", 1),
			      "scan every pushed image for known "
			      "vulnerabilities (S003-04)",
			      NULL))
		return -1;
	/* A running repository's pushers may move a tag (latest, a branch)
	 * on every build, and its tasks may run, or roll back to, an old or
	 * untagged image by digest: immutability would fail those pushes,
	 * a lifecycle policy delete those images. Their owners decide. */
	if (cfh_is_running(r, res)) {
		if (!cfh_map_get(p, "ImageTagMutability") &&
		    cfh_opt_bool(r, "immutable-tags") &&
		    cfh_advise(r, res,
			       "tags can be moved: once no build pushes a tag "
			       "it pushed before (latest, a branch name), set "
			       "ImageTagMutability: IMMUTABLE (S003-04)"))
			return -1;
		if (!cfh_map_get(p, "LifecyclePolicy") &&
		    cfh_advise(r, res,
			       "the repository keeps every image forever; a "
			       "lifecycle policy (expire untagged images, keep "
			       "the most recent) must keep every image a task "
			       "may still run or roll back to (S003-04)"))
			return -1;
		return 0;
	}
	if (!cfh_map_get(p, "ImageTagMutability") &&
	    cfh_opt_bool(r, "immutable-tags") &&
	    cfh_edit_set_take(r, p, "ImageTagMutability",
			      json_string("IMMUTABLE"),
			      "immutable tags: a tag names one image for good, "
			      "so what was tested is what runs; push a new tag "
			      "per build (S003-04)",
			      NULL))
		return -1;
	if (cfh_map_get(p, "LifecyclePolicy"))
		return 0;
	text = ecr_lifecycle_text(r);
	if (!text)
		return -1;
	rc = cfh_edit_set_take(r, p, "LifecyclePolicy",
			       json_pack("{s:s}", "LifecyclePolicyText", text),
			       "expire untagged images and keep the most "
			       "recent ones: the repository stops growing "
			       "forever (S003-04)",
			       NULL);
	free(text);
	return rc;
}

/* ---- target groups ---- */

static long long int_of(const struct cfh_node *n)
{
	const char *s = cfh_node_str(n);

	return s && n->stype == CFH_T_INT ? atoll(s) : 0;
}

static int target_groups(struct cfh_run *r, void *st, const char *id,
			 struct cfh_node *res)
{
	struct cfh_node *p = props_of(res);
	const char *proto = cfh_node_str(cfh_map_get(p, "Protocol"));
	const char *hproto = cfh_node_str(cfh_map_get(p, "HealthCheckProtocol"));
	long long interval, timeout;
	bool http, path;
	const char *why = "a full health check: how often, how long to wait, "
			  "how many answers make a target healthy or "
			  "unhealthy (S003-10)";

	(void)st;
	(void)id;
	/* Lambda targets have health checks off by default; GENEVE
	 * appliances answer on their own terms. */
	if (cfh_node_str_eq(cfh_map_get(p, "TargetType"), "lambda") ||
	    cfh_node_str_eq(cfh_map_get(p, "HealthCheckEnabled"), "false") ||
	    (proto && !strcmp(proto, "GENEVE")) ||
	    cfh_is_dynamic(cfh_map_get(p, "Protocol")))
		return 0;
	if (!hproto)
		hproto = proto;
	http = !hproto || !strcmp(hproto, "HTTP") || !strcmp(hproto, "HTTPS");
	/* gRPC probes /AWS.ALB/healthcheck by default; "/" is no method. */
	path = http && !cfh_node_str_eq(cfh_map_get(p, "ProtocolVersion"),
					"GRPC");
	if (cfh_map_get(p, "HealthCheckIntervalSeconds") &&
	    cfh_map_get(p, "HealthCheckTimeoutSeconds") &&
	    cfh_map_get(p, "HealthyThresholdCount") &&
	    cfh_map_get(p, "UnhealthyThresholdCount") &&
	    (!path || cfh_map_get(p, "HealthCheckPath")))
		return 0;
	/* An absent setting is the protocol's default, and the thresholds
	 * below are not the defaults (5 healthy, 2 unhealthy): on a running
	 * target group they would send requests to a starting target sooner
	 * and keep a failing one in service longer. */
	if (cfh_is_running(r, res))
		return cfh_advise(r, res,
				  "running target group: its health check runs "
				  "on the protocol's defaults for what the "
				  "template leaves out; write "
				  "HealthCheckIntervalSeconds, "
				  "HealthCheckTimeoutSeconds, HealthyThresholdCount "
				  "and UnhealthyThresholdCount (and the path) "
				  "once you know how long a target takes to start "
				  "answering (S003-10)");
	p = cfh_res_props(r, res, "add Properties");
	if (!p)
		return -1;
	interval = int_of(cfh_map_get(p, "HealthCheckIntervalSeconds"));
	timeout = int_of(cfh_map_get(p, "HealthCheckTimeoutSeconds"));
	if (!cfh_map_get(p, "HealthCheckIntervalSeconds")) {
		interval = timeout >= 30 ? timeout + 5 : 30;
		if (cfh_edit_set_take(r, p, "HealthCheckIntervalSeconds",
				      json_integer(interval), why, NULL))
			return -1;
	}
	/* The timeout must be shorter than the interval. */
	if (!cfh_map_get(p, "HealthCheckTimeoutSeconds")) {
		timeout = http ? 5 : 10;
		if (interval && timeout >= interval)
			timeout = interval > 2 ? interval - 1 : 2;
		if (cfh_edit_set_take(r, p, "HealthCheckTimeoutSeconds",
				      json_integer(timeout), why, NULL))
			return -1;
	}
	if (!cfh_map_get(p, "HealthyThresholdCount") &&
	    cfh_edit_set_take(r, p, "HealthyThresholdCount",
			      json_integer(3), why, NULL))
		return -1;
	if (!cfh_map_get(p, "UnhealthyThresholdCount") &&
	    cfh_edit_set_take(r, p, "UnhealthyThresholdCount",
			      json_integer(3), why, NULL))
		return -1;
	if (path && !cfh_map_get(p, "HealthCheckPath") &&
	    cfh_edit_set_take(r, p, "HealthCheckPath", json_string("/"),
			      why, NULL))
		return -1;
	return 0;
}

/* ---- task definitions: the execution role ---- */

/* The path and port a load balancer probes container @name of task
 * definition @td on, when the template says: for the advisory. */
static bool probe_of(struct ecs *x, const char *td, const char *name,
		     const char **path, long long *port)
{
	const char **refs;
	const struct cfh_entry *e;
	size_t n, i;
	bool hit = false;

	if (!name || cfh_referrers(x->r->t, td, "AWS::ECS::Service", &refs, &n))
		return false;
	for (i = 0; i < n && !hit; i++) {
		const struct cfh_node *lbs = cfh_map_path(
			cfh_resource(x->r->t, refs[i]), "Properties",
			"LoadBalancers", NULL);

		if (!cfh_node_is_seq(lbs))
			continue;
		cfh_for_each_entry(cfh_node_deref(lbs), e) {
			const char *tg = cfh_node_ref(cfh_map_get(e->value,
								  "TargetGroupArn"));
			const struct cfh_node *h = cfh_map_path(
				cfh_resource(x->r->t, tg), "Properties",
				"HealthCheckPath", NULL);

			if (!cfh_node_str_eq(cfh_map_get(e->value, "ContainerName"),
					     name) ||
			    !cfh_node_is_str(h) ||
			    !int_of(cfh_map_get(e->value, "ContainerPort")))
				continue;
			*path = cfh_node_str(h);
			*port = int_of(cfh_map_get(e->value, "ContainerPort"));
			hit = true;
			break;
		}
	}
	free(refs);
	return hit;
}

/*
 * A container HealthCheck runs a command inside the image: which tool
 * (curl, wget, the app's own binary) exists there only its author knows,
 * and a probe that cannot run marks every task unhealthy and stops the
 * service. So the pass never writes one: it names the containers without
 * one and, when a load balancer probes them, the path and port to probe.
 */
static int health_checks(struct ecs *x, const char *id, struct cfh_node *res,
			 const struct cfh_node *defs)
{
	const struct cfh_entry *e;
	const char *path;
	long long port;
	char why[600];

	cfh_for_each_entry(cfh_node_deref(defs), e) {
		const struct cfh_node *c = e->value;
		const char *name = cfh_node_str(cfh_map_get(c, "Name"));

		if (!cfh_node_is_map(c) || cfh_map_get(c, "HealthCheck") ||
		    cfh_node_str_eq(cfh_map_get(c, "Essential"), "false"))
			continue;
		if (probe_of(x, id, name, &path, &port))
			snprintf(why, sizeof(why),
				 "container %s has no health check: ECS cannot "
				 "replace a task whose app hangs; add a "
				 "HealthCheck that probes %s on port %lld with "
				 "a tool the image has (e.g. [CMD-SHELL, "
				 "curl -f http://localhost:%lld%s || exit 1]) "
				 "(S003-17)",
				 name, path, port, port, path);
		else
			snprintf(why, sizeof(why),
				 "container %s has no health check: ECS cannot "
				 "replace a task whose app hangs; add a "
				 "HealthCheck with a command the image can run "
				 "(S003-17)",
				 name ? name : "(unnamed)");
		if (cfh_advise(x->r, res, why))
			return -1;
	}
	return 0;
}

/*
 * Containers without a LogConfiguration write their output nowhere: give
 * them the awslogs driver and one log group for the task, which the
 * execution role may write to. The logs and encryption passes, run again
 * by the engine, give the group its retention and key.
 */
static int container_logs(struct ecs *x, const char *id, struct cfh_node *defs,
			  json_t *groups)
{
	const struct cfh_entry *e;
	const char *group = NULL;
	char base[256];

	cfh_for_each_entry(defs, e) {
		struct cfh_node *c = e->value;

		if (!cfh_node_is_map(c) || cfh_map_get(c, "LogConfiguration"))
			continue;
		if (!group) {
			snprintf(base, sizeof(base), "%sLogGroup", id);
			group = cfh_fresh_id(x->r->t, base);
			if (!group ||
			    cfh_edit_add_resource_take(
				    x->r, group, id,
				    conditional(x->r->t, id,
						json_pack("{s:s, s:{s:i}}", "Type",
							  "AWS::Logs::LogGroup",
							  "Properties",
							  "RetentionInDays",
							  (int)cfh_opt_int(x->r,
									   "logs.retention-days"))),
				    "a log group for the task's containers, "
				    "owned by the stack (S003-15)",
				    NULL))
				return -1;
			/* New, so not in the list yet. */
			json_array_append_new(groups,
					      cfh_json_getatt(group, "Arn"));
		}
		if (cfh_edit_set_take(
			    x->r, c, "LogConfiguration",
			    json_pack("{s:s, s:{s:o, s:{s:s}, s:s}}",
				      "LogDriver", "awslogs", "Options",
				      "awslogs-group", cfh_json_ref(group),
				      "awslogs-region", "Ref", "AWS::Region",
				      "awslogs-stream-prefix", "ecs"),
			    "the container's output goes to the task's log "
			    "group, not nowhere (S003-15)",
			    NULL))
			return -1;
	}
	return 0;
}

/* What the execution role is for, " pulls the task's images, writes its
 * logs and reads ...": only what it grants. */
static void role_uses(const struct cfh_ecs_needs *n, char *buf, size_t size)
{
	const char *w[3];
	size_t k, nw = 0;

	if (n->ecr)
		w[nw++] = "pulls the task's images";
	if (json_array_size(n->groups))
		w[nw++] = "writes its logs";
	if (json_array_size(n->secrets) || json_array_size(n->params))
		w[nw++] = "reads the secrets its containers name";
	buf[0] = '\0';
	for (k = 0; k < nw; k++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s",
			 k == 0 ? " " : k + 1 < nw ? ", " : " and ", w[k]);
}

static int task_definitions(struct cfh_run *r, void *st, const char *id,
			    struct cfh_node *res)
{
	struct ecs *x = st;
	struct cfh_node *p = props_of(res);
	const struct cfh_node *defs = cfh_map_get(p, "ContainerDefinitions");
	struct cfh_ecs_needs n = { 0 };
	const char *role;
	char uses[128], why[300];
	int rc = -1;

	if (!cfh_node_is_seq(defs) || cfh_props_dynamic(res))
		return 0;
	if (health_checks(x, id, res, defs))
		return -1;
	if (cfh_map_get(p, "ExecutionRoleArn"))
		return 0;
	if (cfh_ecs_needs_init(&n))
		return -1;
	cfh_ecs_needs_read(&n, r->t, defs);
	if (n.unknown) {
		snprintf(why, sizeof(why),
			 "no execution role, and the containers use %s: add "
			 "one by hand (S003-15)",
			 n.unknown);
		rc = cfh_advise(r, res, why);
		goto out;
	}
	/* Under --no-replace the role could not be attached: say so, and
	 * leave no role behind. */
	if (no_replace(r) && cfh_prop_replaces(res, "ExecutionRoleArn")) {
		rc = cfh_advise(r, res,
				"no execution role; adding one replaces the task "
				"definition (a new revision), which --no-replace "
				"skips (S003-15)");
		goto out;
	}
	if (n.unlogged &&
	    container_logs(x, id, (struct cfh_node *)cfh_node_deref(defs),
			   n.groups))
		goto out;
	if (!n.ecr && !json_array_size(n.groups) &&
	    !json_array_size(n.secrets) && !json_array_size(n.params)) {
		rc = 0;		/* public images, no logs: nothing to do */
		goto out;
	}
	role_uses(&n, uses, sizeof(uses));
	snprintf(why, sizeof(why),
		 "an execution role for the task: ECS%s with it, and may do "
		 "nothing else (S003-15)", uses);
	if (add(r, id, "ExecutionRole", id,
		cfh_ecs_task_role_take("TaskExecution",
				       cfh_ecs_needs_statements(&n)),
		why, &role))
		goto out;
	snprintf(why, sizeof(why), "ECS%s as the execution role (S003-15)",
		 uses);
	p = cfh_res_props(r, res, "add Properties");
	if (!p || cfh_edit_set_take(r, p, "ExecutionRoleArn",
				    cfh_json_getatt(role, "Arn"), why, NULL))
		goto out;
	rc = n.literal ? cfh_advise(r, res,
				    "the execution role may read the secrets "
				    "the containers name by ARN; if one is "
				    "encrypted with a customer managed key, let "
				    "the role kms:Decrypt with it (S003-15)")
		       : 0;
out:
	cfh_ecs_needs_release(&n);
	return rc;
}

/* ---- services ---- */

/* What ECS Exec needs of the task role. */
#define EXEC_ACTIONS                                                      \
	"ssmmessages:CreateControlChannel ssmmessages:CreateDataChannel " \
	"ssmmessages:OpenControlChannel ssmmessages:OpenDataChannel"

/* ECS Exec, when asked for (ecs.exec): a shell into production
 * containers is a decision, not a default. The task role must open SSM
 * message channels; a task definition without a task role gets one that
 * may do that alone. */
static int exec_command(struct ecs *x, struct cfh_node *res,
			struct cfh_node *p)
{
	const char *td = cfh_ecs_task_of(x->r->t, p), *role;
	struct cfh_node *tdres, *tdp;

	if (!cfh_opt_bool(x->r, "exec") ||
	    cfh_map_get(p, "EnableExecuteCommand"))
		return 0;
	if (!td)
		return 0;
	tdres = cfh_resource(x->r->t, td);
	tdp = props_of(tdres);
	if (!cfh_ids_has(&x->exec_tasks, td)) {
		if (cfh_map_get(tdp, "TaskRoleArn"))
			return cfh_advise(x->r, res,
					  "ECS Exec not turned on: its task role "
					  "needs ssmmessages:CreateControlChannel, "
					  "CreateDataChannel, OpenControlChannel "
					  "and OpenDataChannel; grant them, then "
					  "set EnableExecuteCommand (S003-17)");
		if (cfh_props_dynamic(tdres) || cfh_pass_skips(x->r, tdres))
			return 0;
		if (no_replace(x->r) && cfh_prop_replaces(tdres, "TaskRoleArn"))
			return cfh_advise(x->r, res,
					  "ECS Exec not turned on: its task "
					  "definition needs a task role, which "
					  "replaces it (a new revision); --no-replace "
					  "skips that (S003-17)");
		if (add(x->r, td, "TaskRole", td,
			cfh_ecs_task_role_take(
				"EcsExec",
				json_pack("[o]", cfh_stmt_allow_take(
							 EXEC_ACTIONS,
							 json_string("*")))),
			"a task role that may open ECS Exec sessions and "
			"nothing else (its actions accept only \"*\") (S003-17)",
			&role) ||
		    cfh_ids_add(&x->exec_tasks, td))
			return -1;
		tdp = cfh_res_props(x->r, tdres, "add Properties");
		if (!tdp || cfh_edit_set_take(x->r, tdp, "TaskRoleArn",
					      cfh_json_getatt(role, "Arn"),
					      "the task role ECS Exec needs "
					      "(S003-17)",
					      NULL))
			return -1;
	}
	return cfh_edit_set_take(x->r, p, "EnableExecuteCommand", json_true(),
				 "ECS Exec: a shell in a running container, "
				 "audited, without SSH (S003-17)",
				 NULL);
}

static int circuit_breaker(struct ecs *x, struct cfh_node *p)
{
	struct cfh_node *dc = cfh_map_get(p, "DeploymentConfiguration");
	json_t *cb = json_pack("{s:b, s:b}", "Enable", 1, "Rollback", 1);
	const char *why = "a deployment whose tasks keep failing stops and "
			  "rolls back to the last working one (S003-17)";

	if (!dc)
		return cfh_edit_set_take(x->r, p, "DeploymentConfiguration",
					 json_pack("{s:o}",
						   "DeploymentCircuitBreaker", cb),
					 why, NULL);
	if (dc->kind != CFH_MAP || cfh_map_get(dc, "DeploymentCircuitBreaker")) {
		json_decref(cb);
		return 0;
	}
	return cfh_edit_set_take(x->r, dc, "DeploymentCircuitBreaker", cb, why,
				 NULL);
}

static int scaling(struct ecs *x, const char *id, struct cfh_node *res,
		   struct cfh_node *p)
{
	const char **refs, *target, *cpu;
	long long min, max;
	json_t *cluster, *rid;
	size_t n;
	char why[200];

	if (cfh_referrers(x->r->t, id, "AWS::ApplicationAutoScaling::ScalableTarget",
			  &refs, &n))
		return -1;
	free(refs);
	if (n || cfh_node_str_eq(cfh_map_get(p, "SchedulingStrategy"), "DAEMON"))
		return 0;
	/* A running service's task count is what its owner sized it to:
	 * more copies of a task that must run alone (a scheduler, a
	 * consumer that keeps order) break it, and each one costs. */
	if (cfh_is_running(x->r, res))
		return cfh_advise(x->r, res,
				  "its task count is fixed; once its tasks may run "
				  "side by side, add an "
				  "AWS::ApplicationAutoScaling::ScalableTarget from "
				  "its DesiredCount up, with target tracking on CPU "
				  "and memory (S003-13)");
	cluster = cfh_ecs_cluster_name(x->r->t, cfh_map_get(p, "Cluster"));
	if (!cluster)
		return cfh_advise(x->r, res,
				  "no auto scaling: its cluster's name cannot be "
				  "read; add a scalable target by hand (S003-13)");
	min = int_of(cfh_map_get(p, "DesiredCount"));
	if (min < 1)
		min = 1;
	max = cfh_opt_int(x->r, "max-tasks");
	if (max < min)
		max = min;
	rid = json_pack("{s:[s, [s, o, o]]}", "Fn::Join", "/", "service",
			cluster, cfh_json_getatt(id, "Name"));
	if (add(x->r, id, "ScalableTarget", id,
		json_pack("{s:s, s:{s:s, s:s, s:o, s:I, s:I}}", "Type",
			  "AWS::ApplicationAutoScaling::ScalableTarget",
			  "Properties", "ServiceNamespace", "ecs",
			  "ScalableDimension", "ecs:service:DesiredCount",
			  "ResourceId", rid, "MinCapacity", (json_int_t)min,
			  "MaxCapacity", (json_int_t)max),
		"the service's task count may scale between its desired count "
		"and the configured maximum (S003-13)",
		&target))
		return -1;
	snprintf(why, sizeof(why),
		 "add tasks when the service's average CPU passes %lld%% "
		 "(S003-13)",
		 cfh_opt_int(x->r, "cpu-target"));
	if (add(x->r, id, "CpuScaling", target,
		json_pack("{s:s, s:{s:s, s:s, s:o, s:{s:I, s:{s:s}}}}", "Type",
			  "AWS::ApplicationAutoScaling::ScalingPolicy",
			  "Properties", "PolicyName", "cpu-target-tracking",
			  "PolicyType", "TargetTrackingScaling",
			  "ScalingTargetId", cfh_json_ref(target),
			  "TargetTrackingScalingPolicyConfiguration",
			  "TargetValue", (json_int_t)cfh_opt_int(x->r, "cpu-target"),
			  "PredefinedMetricSpecification",
			  "PredefinedMetricType",
			  "ECSServiceAverageCPUUtilization"),
		why, &cpu))
		return -1;
	snprintf(why, sizeof(why),
		 "add tasks when the service's average memory passes %lld%% "
		 "(S003-13)",
		 cfh_opt_int(x->r, "memory-target"));
	return add(x->r, id, "MemoryScaling", cpu,
		   json_pack("{s:s, s:{s:s, s:s, s:o, s:{s:I, s:{s:s}}}}",
			     "Type", "AWS::ApplicationAutoScaling::ScalingPolicy",
			     "Properties", "PolicyName",
			     "memory-target-tracking", "PolicyType",
			     "TargetTrackingScaling", "ScalingTargetId",
			     cfh_json_ref(target),
			     "TargetTrackingScalingPolicyConfiguration",
			     "TargetValue",
			     (json_int_t)cfh_opt_int(x->r, "memory-target"),
			     "PredefinedMetricSpecification",
			     "PredefinedMetricType",
			     "ECSServiceAverageMemoryUtilization"),
		   why, NULL);
}

/*
 * Blue/green through CodeDeploy (S003-03) needs a second target group, a
 * test listener, and a deployment group that names both target groups and
 * both listeners: without the deployment group the first two are wired
 * to nothing, and writing one needs the service role and traffic routing
 * only the owner can choose. So a CODE_DEPLOY service that no deployment
 * group of the template names gets an advisory with the whole set.
 */
static int blue_green(struct ecs *x, const char *id, struct cfh_node *res)
{
	const char **refs;
	size_t n;

	if (cfh_referrers(x->r->t, id, "AWS::CodeDeploy::DeploymentGroup",
			  &refs, &n))
		return -1;
	free(refs);
	if (n)
		return 0;
	return cfh_advise(x->r, res,
			  "CODE_DEPLOY (blue/green) service that no CodeDeploy "
			  "deployment group of the template names: blue/green "
			  "needs a second target group, a test listener, and "
			  "an AWS::CodeDeploy::DeploymentGroup (ECS, "
			  "BLUE_GREEN, WITH_TRAFFIC_CONTROL) whose "
			  "TargetGroupPairInfoList names both target groups "
			  "and both listeners; add them together (S003-03)");
}

static int services(struct cfh_run *r, void *st, const char *id,
		    struct cfh_node *res)
{
	struct ecs *x = st;
	struct cfh_node *p = cfh_res_props(r, res, "add Properties");
	const char *ctl;

	if (!p)
		return -1;
	ctl = cfh_node_str(cfh_map_path(p, "DeploymentController", "Type",
					NULL));
	if (ctl && !strcmp(ctl, "CODE_DEPLOY")) {
		if (blue_green(x, id, res))
			return -1;
	} else if ((!ctl || !strcmp(ctl, "ECS")) && circuit_breaker(x, p)) {
		return -1;
	}
	return exec_command(x, res, p) || scaling(x, id, res, p);
}

static int before(struct cfh_run *r, void *st)
{
	struct ecs *x = st;

	x->r = r;
	return 0;
}

static void release(void *st)
{
	struct ecs *x = st;

	cfh_ids_release(&x->exec_tasks);
}

static const struct cfh_handler handlers[] = {
	{ "AWS::ECS::Cluster", clusters },
	{ "AWS::ECS::Service", services },
	{ "AWS::ECS::TaskDefinition", task_definitions },
	{ "AWS::ElasticLoadBalancingV2::TargetGroup", target_groups },
	{ "AWS::ECR::Repository", repositories },
};

const struct cfh_pass_ops cfh_pass_ecs = {
	.state_size = sizeof(struct ecs),
	.before = before,
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
	.release = release,
};
