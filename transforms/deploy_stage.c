/* SPDX-License-Identifier: MIT */
/*
 * Pass `deploy-stage` (S000-04, S000-09, S003-08): a pipeline that builds
 * also deploys what it built, in an order it states, and an approval says
 * what is being approved and tells someone.
 *
 * A pipeline that stops after Build leaves every deployment to a person.
 * The pass adds a Deploy stage after the last stage, taking the output of
 * the last build action, only where its target is known and deploys the
 * way the action does: an ECS service that ECS deploys (not CodeDeploy)
 * gets an ECS action (imagedefinitions.json) through a role of its own,
 * allowed to update that service and pass its task roles and nothing
 * else; a Lambda or SAM application a CloudFormation action. Anything
 * else gets an advisory: a bucket of its own would receive the output
 * with nothing serving it. When the environment
 * parameter says the pipeline deploys to production, a manual approval
 * comes first.
 *
 * Every action gets an explicit RunOrder (S000-09), and approvals without
 * context get CustomData and a notification topic (S003-08).
 *
 *   Stages:                            Stages:
 *     - Name: Source ...          ==>    - Name: Source ...
 *     - Name: Build                      - Name: Build
 *       Actions:                           Actions:
 *         - Name: Build                      - Name: Build
 *           OutputArtifacts:                   RunOrder: 1
 *             - Name: BuildOutput              OutputArtifacts: [{Name: BuildOutput}]
 *                                        - Name: Deploy
 *                                          Actions:
 *                                            - Name: Deploy
 *                                              ActionTypeId: {Category: Deploy, Provider: ECS, ...}
 *                                              Configuration: {ClusterName: ..., ServiceName: ...,
 *                                                              FileName: imagedefinitions.json}
 *                                              InputArtifacts: [{Name: BuildOutput}]
 *                                              RunOrder: 1
 *
 * A Lambda or SAM application is deployed by a CloudFormation action, as
 * the stack "<stack>-app", from the packaged template of the build output
 * (deploy-stage.template-file); the role that stack is created with gets
 * no permissions and an advisory, since what it needs is in the
 * application's template, not this one.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "passlib.h"
#include "policy.h"

/* The policy the pass's own roles carry: it marks them as the pass's. */
#define ACTION_POLICY "DeployAction"

/* Per pipeline: the pass keeps no state across them. */
struct deploy {
	struct cfh_run *r;
	const char *pipeline;
	struct cfh_node *res, *props;
	const struct cfh_node *cond;	/* the pipeline's Condition */
	const char *role;		/* the pipeline's role, if ours */
	bool role_locked;		/* the pass is suppressed on it */
	const char *topic;		/* the approval topic, once made */
};

static json_t *conditional(struct deploy *x, json_t *res)
{
	if (res && x->cond && cfh_node_str(x->cond))
		json_object_set_new(res, "Condition",
				    json_string(cfh_node_str(x->cond)));
	return res;
}

static const char *pipeline_role(struct cfh_template *t,
				 const struct cfh_node *props)
{
	const char *id, *attr;

	if (cfh_node_getatt(t, cfh_map_get(props, "RoleArn"), &id, &attr) ||
	    strcmp(attr, "Arn") ||
	    !cfh_res_is(cfh_resource(t, id), "AWS::IAM::Role"))
		return NULL;
	return id;
}

/* ---- RunOrder (S000-09) ---- */

static int run_orders(struct deploy *x, struct cfh_node *stages)
{
	struct cfh_entry *s, *a;

	cfh_for_each_entry(stages, s) {
		struct cfh_node *acts = cfh_map_get(s->value, "Actions");

		if (!cfh_node_is_seq(acts))
			continue;
		cfh_for_each_entry(acts, a)
			if (cfh_node_is_map(a->value) &&
			    !cfh_is_dynamic(a->value) &&
			    !cfh_map_get(a->value, "RunOrder") &&
			    cfh_edit_set_take(x->r, a->value, "RunOrder",
					      json_integer(1),
					      "state the order actions run in "
					      "rather than rely on the default "
					      "(S000-09)",
					      NULL))
				return -1;
	}
	return 0;
}

/* ---- approvals (S003-08) ---- */

/* The environment parameter names a production-like environment: its
 * default or one of its allowed values starts with "prod". */
static bool production(struct cfh_template *t)
{
	const char *param = cfh_env_param(t);
	const struct cfh_node *p = cfh_map_get(
		cfh_template_section(t, "Parameters"), param ? param : "");
	const struct cfh_node *vals = cfh_map_get(p, "AllowedValues");
	const struct cfh_entry *e;
	const char *s = cfh_node_str(cfh_map_get(p, "Default"));

	if (s && !strncasecmp(s, "prod", 4))
		return true;
	if (cfh_node_is_seq(vals))
		cfh_for_each_entry(vals, e)
			if ((s = cfh_node_str(e->value)) &&
			    !strncasecmp(s, "prod", 4))
				return true;
	return false;
}

/* A topic that tells approvers; the pipeline's role may publish to it. */
static int approval_topic(struct deploy *x)
{
	char base[256];

	if (x->topic)
		return 0;
	snprintf(base, sizeof(base), "%sApprovalTopic", x->pipeline);
	x->topic = cfh_fresh_id(x->r->t, base);
	if (!x->topic ||
	    cfh_edit_add_resource_take(
		    x->r, x->topic, x->pipeline,
		    conditional(x, json_pack("{s:s, s:{s:s}}", "Type",
					     "AWS::SNS::Topic", "Properties",
					     "DisplayName",
					     "Pipeline approvals")),
		    "a topic that tells approvers a deployment waits for them "
		    "(S003-08)",
		    NULL))
		return -1;
	return cfh_role_grant_take(
		x->r, x->role, ACTION_POLICY,
		json_pack("[o]", cfh_stmt_allow_take("sns:Publish",
						     cfh_json_ref(x->topic))),
		"let the pipeline tell approvers, on its approval topic alone "
		"(S003-08)");
}

static json_t *custom_data(struct cfh_template *t, const char *pipeline)
{
	const char *env = cfh_env_param(t);
	char s[300];

	/* The pipeline by logical ID, as text: a reference to itself from
	 * its own Stages would be a circular dependency. */
	if (env)
		snprintf(s, sizeof(s), "Approve deploying the build of "
			 "pipeline %s of stack ${AWS::StackName} to the "
			 "${%s} environment", pipeline, env);
	else
		snprintf(s, sizeof(s), "Approve deploying the build of "
			 "pipeline %s of stack ${AWS::StackName}", pipeline);
	return json_pack("{s:s}", "Fn::Sub", s);
}

static bool is_approval(const struct cfh_node *act)
{
	const struct cfh_node *type = cfh_map_get(act, "ActionTypeId");

	return cfh_node_str_eq(cfh_map_get(type, "Category"), "Approval") &&
	       cfh_node_str_eq(cfh_map_get(type, "Provider"), "Manual");
}

/*
 * May the pass grant the pipeline's role what a new topic or deploy bucket
 * needs? The role is reached through the pipeline: where the pass is
 * suppressed on it, the role stays as it is, and nothing that needs a
 * grant on it is added.
 */
static bool may_grant(const struct deploy *x)
{
	return x->role && !x->role_locked;
}

static int approvals(struct deploy *x, struct cfh_node *stages)
{
	struct cfh_entry *s, *a;

	cfh_for_each_entry(stages, s) {
		struct cfh_node *acts = cfh_map_get(s->value, "Actions");

		if (!cfh_node_is_seq(acts))
			continue;
		cfh_for_each_entry(acts, a) {
			struct cfh_node *cfg;

			if (!cfh_node_is_map(a->value) || !is_approval(a->value))
				continue;
			cfg = cfh_map_get(a->value, "Configuration");
			if (!cfg) {
				if (!may_grant(x))
					continue;
				if (approval_topic(x) ||
				    cfh_edit_set_take(
					    x->r, a->value, "Configuration",
					    json_pack("{s:o, s:o}",
						      "NotificationArn",
						      cfh_json_ref(x->topic),
						      "CustomData",
						      custom_data(x->r->t,
								  x->pipeline)),
					    "the approver is told, and told what "
					    "is being approved (S003-08)",
					    NULL))
					return -1;
				continue;
			}
			if (!cfh_node_is_map(cfg) || cfh_is_dynamic(cfg))
				continue;
			if (!cfh_map_get(cfg, "CustomData") &&
			    cfh_edit_set_take(x->r, cfg, "CustomData",
					      custom_data(x->r->t, x->pipeline),
					      "the approver sees what is being "
					      "approved (S003-08)",
					      NULL))
				return -1;
			if (!cfh_map_get(cfg, "NotificationArn") &&
			    may_grant(x) &&
			    (approval_topic(x) ||
			     cfh_edit_set_take(x->r, cfg, "NotificationArn",
					       cfh_json_ref(x->topic),
					       "approvers are told that a "
					       "deployment waits for them "
					       "(S003-08)",
					       NULL)))
				return -1;
		}
	}
	return 0;
}

/* ---- the Deploy stage (S000-04) ---- */

/* True if an action of @category is in the stages, or if stages or
 * actions are decided at deploy time (not ours to judge). */
static bool has_category(const struct cfh_node *stages, const char *category)
{
	const struct cfh_entry *s, *a;

	cfh_for_each_entry(stages, s) {
		const struct cfh_node *acts = cfh_map_get(s->value, "Actions");

		if (!cfh_node_is_seq(acts))
			return true;
		cfh_for_each_entry(acts, a)
			if (cfh_is_dynamic(a->value) ||
			    cfh_node_str_eq(cfh_map_path(a->value, "ActionTypeId",
							 "Category", NULL),
					    category))
				return true;
	}
	return false;
}

static bool has_deploy(const struct cfh_node *stages)
{
	return has_category(stages, "Deploy");
}

/*
 * A pipeline that builds and deploys with nothing that tests or scans in
 * between ships whatever the build produced (seed 001, S001-08). Which
 * scanner fits is the team's choice: the pass says so and adds nothing.
 */
static int scan_advice(struct cfh_run *r, struct cfh_node *res,
		       const struct cfh_node *stages)
{
	if (!has_category(stages, "Build") || has_category(stages, "Test"))
		return 0;
	return cfh_advise(r, res,
			  "nothing tests or scans what the build produced "
			  "before it is deployed: add a Test stage (a "
			  "dependency and image scan, ECR scan findings) "
			  "after Build (S001-08)");
}

/* The output artifact of the last build action, or NULL. */
static const char *build_output(const struct cfh_node *stages)
{
	const struct cfh_entry *s, *a;
	const char *out = NULL, *name;

	cfh_for_each_entry(stages, s) {
		const struct cfh_node *acts = cfh_map_get(s->value, "Actions");

		if (!cfh_node_is_seq(acts))
			continue;
		cfh_for_each_entry(acts, a) {
			if (!cfh_node_str_eq(cfh_map_path(a->value, "ActionTypeId",
							  "Category", NULL),
					     "Build"))
				continue;
			name = cfh_node_str(cfh_map_get(
				cfh_seq_at(cfh_map_get(a->value,
						       "OutputArtifacts"), 0),
				"Name"));
			if (name)
				out = name;
		}
	}
	return out;
}

/* A stage name the pipeline does not use yet. */
static void stage_name(const struct cfh_node *stages, const char *base,
		       char *buf, size_t size)
{
	const struct cfh_entry *s;
	int n = 1;
	bool used;

	snprintf(buf, size, "%s", base);
	do {
		used = false;
		cfh_for_each_entry(stages, s)
			used |= cfh_node_str_eq(cfh_map_get(s->value, "Name"),
						buf);
		if (used)
			snprintf(buf, size, "%s%d", base, ++n);
	} while (used);
}

/* The objects of the artifact store, for a role that reads them. */
static json_t *artifact_objects(struct deploy *x)
{
	const struct cfh_node *loc = cfh_map_path(x->props, "ArtifactStore",
						  "Location", NULL);
	char arn[128];

	if (!loc || cfh_arn_format(arn, sizeof(arn), "s3", CFH_ARN_GLOBAL,
				   NULL, NULL, "${Bucket}/*"))
		return NULL;
	return json_pack("{s:[s, {s:o}]}", "Fn::Sub", arn, "Bucket",
			 cfh_node_to_json(loc));
}

/* The first ECS service of the template whose cluster is named by Ref. */
static const char *ecs_service(struct cfh_template *t)
{
	struct cfh_entry *e;

	cfh_for_each_resource(t, e)
		if (cfh_res_is(e->value, "AWS::ECS::Service") &&
		    cfh_node_ref(cfh_map_path(e->value, "Properties", "Cluster",
					      NULL)))
			return e->key->text;
	return NULL;
}

/* Does the service deploy through ECS itself (the ECS action's way), not
 * through CodeDeploy or an external controller? */
static bool rolling(struct cfh_template *t, const char *service)
{
	const char *ctl = cfh_node_str(cfh_map_path(
		cfh_resource(t, service), "Properties", "DeploymentController",
		"Type", NULL));

	return !ctl || !strcmp(ctl, "ECS");
}

static bool lambda_app(struct cfh_template *t)
{
	const struct cfh_node *tr = cfh_template_section(t, "Transform");
	struct cfh_entry *e;

	if (cfh_node_str_eq(tr, "AWS::Serverless-2016-10-31"))
		return true;
	cfh_for_each_resource(t, e)
		if (cfh_res_is(e->value, "AWS::Lambda::Function") ||
		    cfh_res_is(e->value, "AWS::Serverless::Function"))
			return true;
	return false;
}

/* The task roles of the service's task definition, which the deploy
 * action passes to ECS when it registers a new revision. */
static json_t *task_roles(struct cfh_template *t, const char *service)
{
	const struct cfh_node *td = cfh_map_path(cfh_resource(t, service),
						 "Properties",
						 "TaskDefinition", NULL);
	const char *id = cfh_node_ref(td), *role, *attr;
	static const char *const props[] = { "TaskRoleArn",
					     "ExecutionRoleArn" };
	json_t *out = json_array();
	size_t i;

	for (i = 0; id && i < 2; i++) {
		const struct cfh_node *n = cfh_map_path(cfh_resource(t, id),
							"Properties", props[i],
							NULL);

		if (!cfh_node_getatt(t, n, &role, &attr))
			json_array_append_new(out, cfh_json_getatt(role, "Arn"));
		else if (n && cfh_node_is_str(n))
			json_array_append_new(out, json_string(cfh_node_str(n)));
	}
	return out;
}

/* The pipeline starts only once its role may assume @role: DependsOn
 * the policy that allows it. */
static int depend_on(struct deploy *x, const char *id)
{
	struct cfh_node *dep = cfh_map_get(x->res, "DependsOn");
	const char *why = "the pipeline runs only once its role may assume "
			  "the deploy action's role (S000-04)";

	if (!dep)
		return cfh_edit_set_take(x->r, x->res, "DependsOn",
					 json_string(id), why, NULL);
	if (cfh_node_is_seq(dep))
		return cfh_edit_append_take(x->r, dep, json_string(id), why,
					    NULL);
	if (cfh_node_is_str(dep))
		return cfh_edit_replace_take(x->r, dep,
					     json_pack("[s, s]",
						       cfh_node_str(dep), id),
					     why, NULL);
	return cfh_advise(x->r, dep, why);
}

/*
 * Let the pipeline's role assume @role. In a policy of its own rather
 * than in the role: the action role trusts the pipeline's role by ARN,
 * and the pipeline's role naming the action role's ARN back would make a
 * cycle.
 */
static int assume_policy(struct deploy *x, const char *role)
{
	char base[256];
	const char *id;

	snprintf(base, sizeof(base), "%sAssume", role);
	id = cfh_fresh_id(x->r->t, base);
	if (!id ||
	    cfh_edit_add_resource_take(
		    x->r, id, role,
		    conditional(x, json_pack(
			    "{s:s, s:{s:s, s:[o], s:o}}", "Type",
			    "AWS::IAM::Policy", "Properties", "PolicyName",
			    "AssumeDeployRole", "Roles", cfh_json_ref(x->role),
			    "PolicyDocument",
			    cfh_policy_doc_take(json_pack(
				    "[o]", cfh_stmt_allow_take(
						   "sts:AssumeRole",
						   cfh_json_getatt(role,
								   "Arn")))))),
		    "let the pipeline run its deploy action as that action's "
		    "role, and assume no other (S000-04)",
		    NULL))
		return -1;
	return depend_on(x, id);
}

/*
 * A role of the deploy action's own, allowed @stmts (taken) and to read
 * the pipeline's artifacts; the pipeline's role assumes it.
 */
static int action_role(struct deploy *x, json_t *stmts, const char *reason,
		       const char **id)
{
	char base[256];
	json_t *objects = artifact_objects(x);
	const struct cfh_node *key = cfh_map_path(x->props, "ArtifactStore",
						  "EncryptionKey", "Id", NULL);

	snprintf(base, sizeof(base), "%sDeployRole", x->pipeline);
	*id = cfh_fresh_id(x->r->t, base);
	if (!*id || !stmts) {
		json_decref(objects);
		json_decref(stmts);
		return -1;
	}
	if (objects)
		json_array_append_new(
			stmts, cfh_stmt_allow_take("s3:GetObject "
						   "s3:GetObjectVersion",
						   objects));
	if (key)
		json_array_append_new(
			stmts, cfh_stmt_allow_take("kms:Decrypt",
						   cfh_node_to_json(key)));
	/* The trust statement has no Resource, which the statement
	 * builders always write: it stays spelled out. */
	if (cfh_edit_add_resource_take(
		    x->r, *id, x->pipeline,
		    conditional(x, json_pack(
			    "{s:s, s:{s:{s:s, s:[{s:s, s:{s:o}, s:s}]}, "
			    "s:[{s:s, s:o}]}}",
			    "Type", "AWS::IAM::Role", "Properties",
			    "AssumeRolePolicyDocument", "Version",
			    "2012-10-17", "Statement", "Effect", "Allow",
			    "Principal", "AWS",
			    cfh_json_getatt(x->role, "Arn"), "Action",
			    "sts:AssumeRole", "Policies", "PolicyName",
			    ACTION_POLICY, "PolicyDocument",
			    cfh_policy_doc_take(stmts))),
		    reason, NULL))
		return -1;
	return assume_policy(x, *id);
}

static json_t *ecs_action(struct deploy *x, const char *service,
			  const char *input)
{
	const char *role;
	json_t *stmts, *roles;

	stmts = json_pack(
		"[o, o]",
		cfh_stmt_allow_take("ecs:DescribeServices ecs:UpdateService",
				    cfh_json_ref(service)),
		cfh_stmt_allow_take("ecs:DescribeTaskDefinition "
				    "ecs:RegisterTaskDefinition "
				    "ecs:DescribeTasks ecs:ListTasks",
				    json_string("*")));
	roles = task_roles(x->r->t, service);
	if (stmts && json_array_size(roles))
		json_array_append_new(
			stmts, cfh_stmt_when_take(
				       cfh_stmt_allow_take("iam:PassRole",
							   json_incref(roles)),
				       "StringEquals", "iam:PassedToService",
				       json_string("ecs-tasks.amazonaws.com")));
	json_decref(roles);
	if (action_role(x, stmts,
			"the deploy action's own role: it may update this "
			"service and pass its task roles, and read the "
			"pipeline's artifacts (S000-04)",
			&role))
		return NULL;
	return json_pack(
		"{s:s, s:{s:s, s:s, s:s, s:s}, s:{s:o, s:o, s:s}, s:[{s:s}], "
		"s:o}",
		"Name", "Deploy", "ActionTypeId", "Category", "Deploy", "Owner",
		"AWS", "Provider", "ECS", "Version", "1", "Configuration",
		"ClusterName",
		cfh_node_to_json(cfh_map_path(cfh_resource(x->r->t, service),
					      "Properties", "Cluster", NULL)),
		"ServiceName", cfh_json_getatt(service, "Name"), "FileName",
		"imagedefinitions.json", "InputArtifacts", "Name", input,
		"RoleArn", cfh_json_getatt(role, "Arn"));
}

/*
 * A Lambda or SAM application: a CloudFormation action that creates or
 * updates the application's stack, "<this stack>-app", from the packaged
 * template in the build output. The action's role may work on that stack
 * alone and pass the stack's role to CloudFormation; the stack's role is
 * made with no permissions, since what it needs is what the application's
 * template creates, which this template does not show: an advisory says
 * so.
 */
static json_t *cfn_action(struct deploy *x, const char *input)
{
	char base[256], path[300], transform[128];
	const char *stack_role, *role;
	json_t *stmts;

	snprintf(base, sizeof(base), "%sStackRole", x->pipeline);
	stack_role = cfh_fresh_id(x->r->t, base);
	if (!stack_role ||
	    cfh_edit_add_resource_take(
		    x->r, stack_role, x->pipeline,
		    conditional(x, json_pack(
			    "{s:s, s:{s:{s:s, s:[{s:s, s:{s:s}, s:s, "
			    "s:{s:{s:o}}}]}}}",
			    "Type", "AWS::IAM::Role", "Properties",
			    "AssumeRolePolicyDocument", "Version",
			    "2012-10-17", "Statement", "Effect", "Allow",
			    "Principal", "Service",
			    "cloudformation.amazonaws.com", "Action",
			    "sts:AssumeRole", "Condition", "StringEquals",
			    "aws:SourceAccount",
			    cfh_json_ref("AWS::AccountId"))),
		    "the role CloudFormation deploys the application's stack "
		    "with (S000-04)",
		    NULL) ||
	    cfh_advise(x->r, cfh_resource(x->r->t, stack_role),
		       "the application stack's role may do nothing yet: "
		       "grant it what the application's template creates, "
		       "on those resources (S000-04)"))
		return NULL;
	/* The SAM transform is AWS's, in the stack's region. */
	if (cfh_arn_format(transform, sizeof(transform), "cloudformation",
			   CFH_ARN_HERE, NULL, "aws",
			   "transform/Serverless-2016-10-31"))
		return NULL;
	stmts = json_pack(
		"[o, o, o]",
		cfh_stmt_allow_take("cloudformation:CreateStack "
				    "cloudformation:UpdateStack "
				    "cloudformation:DescribeStacks "
				    "cloudformation:DescribeStackEvents "
				    "cloudformation:CreateChangeSet "
				    "cloudformation:DescribeChangeSet "
				    "cloudformation:ExecuteChangeSet "
				    "cloudformation:DeleteChangeSet",
				    cfh_arn_sub("cloudformation", CFH_ARN_HERE,
						"stack/${AWS::StackName}"
						"-app/*")),
		cfh_stmt_allow_take("cloudformation:CreateChangeSet",
				    json_pack("{s:s}", "Fn::Sub", transform)),
		cfh_stmt_when_take(
			cfh_stmt_allow_take("iam:PassRole",
					    cfh_json_getatt(stack_role, "Arn")),
			"StringEquals", "iam:PassedToService",
			json_string("cloudformation.amazonaws.com")));
	if (action_role(x, stmts,
			"the deploy action's own role: it may deploy the "
			"application's stack alone and pass it its role, and "
			"read the pipeline's artifacts (S000-04)",
			&role))
		return NULL;
	snprintf(path, sizeof(path), "%s::%s", input,
		 cfh_opt_str(x->r, "template-file"));
	return json_pack(
		"{s:s, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:{s:s}, s:s, s:s, "
		"s:o}, s:[{s:s}], s:o}",
		"Name", "Deploy", "ActionTypeId", "Category", "Deploy", "Owner",
		"AWS", "Provider", "CloudFormation", "Version", "1",
		"Configuration", "ActionMode", "CREATE_UPDATE", "StackName",
		"Fn::Sub", "${AWS::StackName}-app", "TemplatePath", path,
		"Capabilities", "CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND",
		"RoleArn", cfh_json_getatt(stack_role, "Arn"),
		"InputArtifacts", "Name", input, "RoleArn",
		cfh_json_getatt(role, "Arn"));
}

static int add_stage(struct deploy *x, struct cfh_node *stages)
{
	const char *input = build_output(stages), *service;
	bool approve = production(x->r->t), lambda;
	char name[64], why[200];
	json_t *act, *acts;

	if (!input)
		return cfh_advise(x->r, stages,
				  "the pipeline ends without deploying, and no "
				  "build action has an output artifact to "
				  "deploy: add a Deploy stage (S000-04)");
	if (!x->role)
		return cfh_advise(x->r, stages,
				  "the pipeline ends without deploying, and its "
				  "role is not the template's: add a Deploy "
				  "stage and the permissions it needs (S000-04)");
	/* Every kind of Deploy stage changes what the pipeline's role may
	 * do: a grant, or a policy that lets it assume the action's role. */
	if (x->role_locked)
		return cfh_advise(x->r, stages,
				  "the pipeline ends without deploying, and "
				  "this pass is suppressed on its role: add a "
				  "Deploy stage and the permissions it needs "
				  "(S000-04)");
	if (!cfh_map_path(x->props, "ArtifactStore", "Location", NULL))
		return cfh_advise(x->r, stages,
				  "the pipeline ends without deploying, and its "
				  "artifacts are in one store per region: add a "
				  "Deploy stage for each region (S000-04)");
	service = ecs_service(x->r->t);
	lambda = !service && lambda_app(x->r->t);
	/* A Deploy stage only where its target is known and deploys the
	 * way the action does: an ECS action cannot update a service that
	 * CodeDeploy deploys, and a bucket of its own would receive the
	 * build output with nothing serving it. */
	if (service && !rolling(x->r->t, service))
		return cfh_advise(x->r, stages,
				  "the pipeline ends without deploying, and the "
				  "ECS service is deployed by CodeDeploy (blue/"
				  "green): add a Deploy stage with a "
				  "CodeDeployToECS action, its application and "
				  "deployment group, and a build that outputs "
				  "taskdef.json and appspec.yaml (S000-04)");
	if (!service && !lambda)
		return cfh_advise(x->r, stages,
				  "the pipeline ends without deploying, and the "
				  "template has no target a Deploy stage could "
				  "update (an ECS service, a Lambda or SAM "
				  "application): add one for where the build "
				  "output goes (S000-04)");
	act = service ? ecs_action(x, service, input) : cfn_action(x, input);
	if (!act)
		return -1;
	json_object_set_new(act, "RunOrder", json_integer(approve ? 2 : 1));
	acts = json_array();
	if (approve) {
		if (approval_topic(x)) {
			json_decref(act);
			json_decref(acts);
			return -1;
		}
		json_array_append_new(
			acts,
			json_pack("{s:s, s:{s:s, s:s, s:s, s:s}, s:{s:o, s:o}, "
				  "s:i}",
				  "Name", "Approve", "ActionTypeId",
				  "Category", "Approval", "Owner", "AWS",
				  "Provider", "Manual", "Version", "1",
				  "Configuration", "NotificationArn",
				  cfh_json_ref(x->topic), "CustomData",
				  custom_data(x->r->t, x->pipeline), "RunOrder",
				  1));
	}
	json_array_append_new(acts, act);
	stage_name(stages, "Deploy", name, sizeof(name));
	snprintf(why, sizeof(why),
		 "the pipeline deploys what it built (%s)%s (S000-04%s)",
		 service ? "to the ECS service" : "as the application's stack",
		 approve ? ", after a person approves it for production" : "",
		 approve ? ", S003-08" : "");
	return cfh_edit_append_take(x->r, stages,
				    json_pack("{s:s, s:o}", "Name", name,
					      "Actions", acts),
				    why, NULL);
}

static int pipeline(struct cfh_run *r, void *st, const char *id,
		    struct cfh_node *res)
{
	struct deploy x = { .r = r, .pipeline = id, .res = res,
			    .cond = cfh_map_get(res, "Condition") };
	struct cfh_node *stages;

	(void)st;
	x.props = cfh_map_get(res, "Properties");
	stages = cfh_map_get(x.props, "Stages");
	if (!cfh_node_is_seq(stages))
		return 0;
	x.role = pipeline_role(r->t, x.props);
	x.role_locked = x.role && cfh_pass_skips(r, cfh_resource(r->t, x.role));
	if (run_orders(&x, stages) || approvals(&x, stages) ||
	    scan_advice(r, res, stages))
		return -1;
	if (has_deploy(stages))
		return 0;
	/* A running pipeline that stops after Build is how its owners
	 * release today: a Deploy stage would deploy every push, unasked. */
	if (cfh_is_running(r, res))
		return cfh_advise(r, stages,
				  "the pipeline ends without deploying: its "
				  "owners deploy by hand today; to deploy what "
				  "it builds, add a Deploy stage (after a manual "
				  "approval for production) (S000-04)");
	return add_stage(&x, stages);
}

static const struct cfh_handler handlers[] = {
	{ "AWS::CodePipeline::Pipeline", pipeline },
};

const struct cfh_pass_ops cfh_pass_deploy_stage = {
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
};
