/* SPDX-License-Identifier: MIT */
/*
 * Pass `pipeline-trigger` (S000-02): a pipeline starts when its source
 * changes, by event, not by polling or by someone clicking.
 *
 * A CodeCommit or S3 source action that polls (PollForSourceChanges
 * missing or true) starts late and costs API calls; one with polling off
 * and no event rule never starts at all, which is what the first seed
 * analysis found. ECR source actions start only through a rule. The pass
 * turns polling off and adds an EventBridge rule on the source's change
 * (a push to the action's branch, an object created under the action's
 * key, an image pushed with the action's tag) that starts the pipeline
 * through a role allowed codepipeline:StartPipelineExecution on that
 * pipeline and nothing else. An S3 source bucket of the template sends
 * its events to EventBridge. Sources that cannot be converted safely
 * (GitHub through OAuth, version 1; buckets outside the template) get an
 * advisory naming the replacement.
 *
 *   Source action:                      Source action:
 *     Provider: CodeCommit         ==>    Configuration:
 *     Configuration:                        BranchName: main
 *       BranchName: main                    PollForSourceChanges: false
 *                                       PipelineSourceRule:
 *                                         Type: AWS::Events::Rule
 *                                         Properties:
 *                                           EventPattern:
 *                                             source: [aws.codecommit]
 *                                             detail-type: [CodeCommit Repository State Change]
 *                                             resources: [!GetAtt Repo.Arn]
 *                                             detail: {referenceName: [main], ...}
 *                                           Targets: [{Arn: <pipeline>, RoleArn: ...}]
 *
 * An explicit PollForSourceChanges: true is the user's choice and stays,
 * with an advisory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passlib.h"
#include "policy.h"

/*
 * Per run: the CodeCommit repositories, in template order. Every pipeline
 * is handled before any repository is advised on, as the pass always did
 * (pipelines, then repositories): the repositories wait for after().
 */
struct triggers {
	struct cfh_ids repos;
};

/* Per pipeline. */
struct trigger {
	struct cfh_run *r;
	const char *pipeline;		/* logical ID */
	const struct cfh_node *cond;	/* the pipeline's Condition, or NULL */
	const char *role;		/* the role the rules use, once made */
	const char *last;		/* the last rule added: the next follows */
};

static json_t *pipeline_arn(const char *pipeline)
{
	return cfh_arn_sub("codepipeline", CFH_ARN_HERE, "${%s}", pipeline);
}

/* A new resource takes the pipeline's condition: it exists only with it. */
static json_t *conditional(struct trigger *x, json_t *res)
{
	if (res && x->cond && cfh_node_str(x->cond))
		json_object_set_new(res, "Condition",
				    json_string(cfh_node_str(x->cond)));
	return res;
}

/* True if a rule of the template on events of @source starts the
 * pipeline already. */
static bool has_rule(struct trigger *x, const char *source)
{
	const char **refs;
	size_t n, i;
	bool hit = false;

	if (cfh_referrers(x->r->t, x->pipeline, "AWS::Events::Rule", &refs,
			  &n))
		return true;	/* out of memory: add nothing */
	for (i = 0; i < n && !hit; i++) {
		const struct cfh_node *res = cfh_resource(x->r->t, refs[i]);
		const struct cfh_node *p = cfh_map_get(res, "Properties");
		const struct cfh_node *src = cfh_map_path(p, "EventPattern",
							  "source", NULL);
		const struct cfh_entry *e;

		if (!cfh_refers_to(cfh_map_get(p, "Targets"), x->pipeline))
			continue;
		if (cfh_node_str_eq(src, source))
			hit = true;
		else if (cfh_node_is_seq(src))
			cfh_for_each_entry(src, e)
				hit |= cfh_node_str_eq(e->value, source);
	}
	free(refs);
	return hit;
}

/* The role EventBridge starts this pipeline with: trusted by events in
 * this account, allowed to start this pipeline alone. */
static int make_role(struct trigger *x)
{
	char base[256];
	json_t *res;

	if (x->role)
		return 0;
	snprintf(base, sizeof(base), "%sEventRole", x->pipeline);
	x->role = cfh_fresh_id(x->r->t, base);
	if (!x->role)
		return -1;
	/* The trust statement has no Resource, which the statement
	 * builders always write: it stays spelled out. */
	res = json_pack(
		"{s:s, s:{s:{s:s, s:[{s:s, s:{s:s}, s:s, s:{s:{s:o}}}]}, "
		"s:[{s:s, s:o}]}}",
		"Type", "AWS::IAM::Role", "Properties",
		"AssumeRolePolicyDocument", "Version", "2012-10-17",
		"Statement", "Effect", "Allow", "Principal", "Service",
		"events.amazonaws.com", "Action", "sts:AssumeRole", "Condition",
		"StringEquals", "aws:SourceAccount",
		cfh_json_ref("AWS::AccountId"),
		"Policies", "PolicyName", "StartPipeline", "PolicyDocument",
		cfh_policy_doc_take(json_pack(
			"[o]", cfh_stmt_allow_take(
				       "codepipeline:StartPipelineExecution",
				       pipeline_arn(x->pipeline)))));
	return cfh_edit_add_resource_take(
		x->r, x->role, x->pipeline, conditional(x, res),
		"the role the source rules start the pipeline with: "
		"codepipeline:StartPipelineExecution on this pipeline and "
		"nothing else (S000-02)",
		NULL);
}

static int add_rule(struct trigger *x, const char *action, json_t *pattern,
		    const char *reason)
{
	char base[256], desc[300];
	const char *id;
	json_t *res;

	if (make_role(x)) {
		json_decref(pattern);
		return -1;
	}
	snprintf(base, sizeof(base), "%s%sRule", x->pipeline, action);
	id = cfh_fresh_id(x->r->t, base);
	if (!id) {
		json_decref(pattern);
		return -1;
	}
	snprintf(desc, sizeof(desc), "Starts %s when the source of its %s "
		 "action changes", x->pipeline, action);
	res = json_pack("{s:s, s:{s:s, s:s, s:o, s:[{s:o, s:s, s:o}]}}",
			"Type", "AWS::Events::Rule", "Properties",
			"Description", desc, "State", "ENABLED",
			"EventPattern", pattern, "Targets", "Arn",
			pipeline_arn(x->pipeline), "Id", "codepipeline",
			"RoleArn", cfh_json_getatt(x->role, "Arn"));
	if (cfh_edit_add_resource_take(x->r, id, x->last ? x->last : x->role,
				       conditional(x, res), reason, NULL))
		return -1;
	x->last = id;
	return 0;
}

/* Polling goes off; an explicit "true" is the user's and stays. */
static int stop_polling(struct trigger *x, struct cfh_node *cfg, bool *keep)
{
	const struct cfh_node *poll = cfh_map_get(cfg, "PollForSourceChanges");

	*keep = false;
	if (cfh_node_str_eq(poll, "false"))
		return 0;
	if (poll) {
		*keep = true;
		return cfh_advise(x->r, poll,
				  "the source action polls for changes: set "
				  "PollForSourceChanges to false and start the "
				  "pipeline with an EventBridge rule (S000-02)");
	}
	return cfh_edit_set_take(x->r, cfg, "PollForSourceChanges",
				 json_false(),
				 "the pipeline is started by an EventBridge "
				 "rule instead of polling its source (S000-02)",
				 NULL);
}

/* The logical ID of the template's resource of @type that @n names by
 * Ref or GetAtt, or whose @name_prop is the literal @n. */
static const char *named(struct trigger *x, const struct cfh_node *n,
			 const char *type, const char *name_prop)
{
	const char *id = cfh_node_ref(n), *attr;
	struct cfh_entry *e;

	if (!id && cfh_node_getatt(x->r->t, n, &id, &attr))
		id = NULL;
	if (id)
		return cfh_res_is(cfh_resource(x->r->t, id), type) ? id : NULL;
	if (!cfh_node_is_str(n))
		return NULL;
	cfh_for_each_resource(x->r->t, e)
		if (cfh_res_is(e->value, type) &&
		    cfh_node_str_eq(cfh_map_path(e->value, "Properties",
						 name_prop, NULL),
				    cfh_node_str(n)))
			return e->key->text;
	return NULL;
}

static int codecommit(struct trigger *x, const char *action,
		      struct cfh_node *cfg)
{
	const struct cfh_node *name = cfh_map_get(cfg, "RepositoryName");
	const struct cfh_node *branch = cfh_map_get(cfg, "BranchName");
	const char *repo = named(x, name, "AWS::CodeCommit::Repository",
				 "RepositoryName");
	const char *param = cfh_node_ref(name);
	struct cfh_fn_view fv;
	json_t *arn;
	bool keep;

	if (!branch)
		return 0;	/* cfn-lint reports it */
	if (repo)
		arn = cfh_json_getatt(repo, "Arn");
	else if (cfh_node_is_str(name))
		arn = cfh_arn_sub("codecommit", CFH_ARN_HERE, "%s",
				  cfh_node_str(name));
	else if (param && !cfh_resource(x->r->t, param))
		arn = cfh_arn_sub("codecommit", CFH_ARN_HERE, "${%s}", param);
	else if (cfh_node_fn(name, &fv) && fv.fn == CFH_FN_SUB &&
		 fv.arg->kind == CFH_SCALAR)
		arn = cfh_arn_sub("codecommit", CFH_ARN_HERE, "%s",
				  cfh_node_str(fv.arg));
	else
		return cfh_advise(x->r, cfg, "the repository is not known "
				  "before deployment: start the pipeline with "
				  "an EventBridge rule on its pushes (S000-02)");
	if (!arn)
		return -1;	/* out of memory, or no ARN is that long */
	if (stop_polling(x, cfg, &keep)) {
		json_decref(arn);
		return -1;
	}
	if (keep || has_rule(x, "aws.codecommit")) {
		json_decref(arn);
		return 0;
	}
	return add_rule(
		x, action,
		json_pack("{s:[s], s:[s], s:[o], s:{s:[s,s], s:[s], s:[o]}}",
			  "source", "aws.codecommit", "detail-type",
			  "CodeCommit Repository State Change", "resources",
			  arn, "detail", "event", "referenceCreated",
			  "referenceUpdated", "referenceType", "branch",
			  "referenceName", cfh_node_to_json(branch)),
		"start the pipeline on every push to its branch, as it "
		"happens (S000-02)");
}

/* True if the bucket sends its events to EventBridge already. */
static bool sends_events(const struct cfh_node *res)
{
	return cfh_node_str_eq(cfh_map_path(res, "Properties",
					    "NotificationConfiguration",
					    "EventBridgeConfiguration",
					    "EventBridgeEnabled", NULL),
			       "true");
}

/* The bucket sends its events to EventBridge, so that a rule sees them. */
static int bucket_events(struct trigger *x, const char *bucket)
{
	struct cfh_node *res = cfh_resource(x->r->t, bucket);
	struct cfh_node *p = cfh_res_props(x->r, res, "add Properties"), *nc;

	if (!p)
		return -1;
	nc = cfh_map_get(p, "NotificationConfiguration");
	if (cfh_node_str_eq(cfh_map_path(nc, "EventBridgeConfiguration",
					 "EventBridgeEnabled", NULL),
			    "true"))
		return 0;
	if (!nc)
		return cfh_edit_set_take(
			x->r, p, "NotificationConfiguration",
			json_pack("{s:{s:b}}", "EventBridgeConfiguration",
				  "EventBridgeEnabled", 1),
			"the source bucket tells EventBridge of new objects, "
			"so that the pipeline starts on them (S000-02)",
			NULL);
	if (!cfh_node_is_map(nc) || cfh_is_dynamic(nc) ||
	    cfh_map_get(nc, "EventBridgeConfiguration"))
		return cfh_advise(x->r, res, "the source bucket must send its "
				  "events to EventBridge: set "
				  "EventBridgeConfiguration.EventBridgeEnabled");
	return cfh_edit_set_take(x->r, nc, "EventBridgeConfiguration",
				 json_pack("{s:b}", "EventBridgeEnabled", 1),
				 "the source bucket tells EventBridge of new "
				 "objects, so that the pipeline starts on them "
				 "(S000-02)",
				 NULL);
}

static int s3(struct trigger *x, const char *action, struct cfh_node *cfg)
{
	const struct cfh_node *key = cfh_map_get(cfg, "S3ObjectKey");
	const struct cfh_node *poll = cfh_map_get(cfg, "PollForSourceChanges");
	const char *bucket = named(x, cfh_map_get(cfg, "S3Bucket"),
				   "AWS::S3::Bucket", "BucketName");
	const struct cfh_node *bres;
	bool keep;

	if (!key)
		return 0;
	if (!bucket)
		return cfh_advise(x->r, cfg, "the source bucket is not the "
				  "template's: start the pipeline with an "
				  "EventBridge rule on its Object Created "
				  "events instead of polling (S000-02)");
	/*
	 * The bucket is reached through the pipeline: where the pass is
	 * suppressed on it, it cannot be made to send its events, and a
	 * rule on events that never come, with polling off, would never
	 * start the pipeline. Say so and change nothing, in exactly the
	 * case where the bucket would have been changed.
	 */
	bres = cfh_resource(x->r->t, bucket);
	if ((!poll || cfh_node_str_eq(poll, "false")) && !sends_events(bres) &&
	    cfh_pass_skips(x->r, bres) && !has_rule(x, "aws.s3"))
		return cfh_advise(x->r, cfg,
				  "the source bucket sends no events to "
				  "EventBridge, and this pass is suppressed on "
				  "it: turn on its EventBridgeConfiguration, "
				  "then start the pipeline with an EventBridge "
				  "rule on its Object Created events instead "
				  "of polling (S000-02)");
	if (stop_polling(x, cfg, &keep))
		return -1;
	if (keep || has_rule(x, "aws.s3"))
		return 0;
	if (bucket_events(x, bucket))
		return -1;
	return add_rule(
		x, action,
		json_pack("{s:[s], s:[s], s:{s:{s:[o]}, s:{s:[o]}}}", "source",
			  "aws.s3", "detail-type", "Object Created", "detail",
			  "bucket", "name", cfh_json_ref(bucket), "object",
			  "key", cfh_node_to_json(key)),
		"start the pipeline when its source object is written, instead "
		"of polling the bucket (S000-02)");
}

static int ecr(struct trigger *x, const char *action, struct cfh_node *cfg)
{
	const struct cfh_node *name = cfh_map_get(cfg, "RepositoryName");
	const struct cfh_node *tag = cfh_map_get(cfg, "ImageTag");

	if (!name || has_rule(x, "aws.ecr"))
		return 0;
	return add_rule(
		x, action,
		json_pack("{s:[s], s:[s], s:{s:[s], s:[s], s:[o], s:[o]}}",
			  "source", "aws.ecr", "detail-type",
			  "ECR Image Action", "detail", "action-type", "PUSH",
			  "result", "SUCCESS", "repository-name",
			  cfh_node_to_json(name), "image-tag",
			  tag ? cfh_node_to_json(tag) : json_string("latest")),
		"start the pipeline when its image is pushed: an ECR source "
		"starts only through a rule (S000-02)");
}

/*
 * What a CodeCommit source needs that the template cannot give: an empty
 * repository fails the pipeline's first run at Source (seed 000, S000-11).
 */
static int empty_repository_advice(struct trigger *x,
				   const struct cfh_node *cfg)
{
	const struct cfh_node *repo = cfh_map_get(cfg, "RepositoryName");
	const char **refs = NULL;
	struct cfh_entry *e;
	size_t n = 0, i;
	int rc = 0;

	if (cfh_refs_in(x->r->t, repo, &refs, &n))
		return -1;
	/* Advisories only: nothing here edits the repository. */
	cfh_for_each_resource(x->r->t, e) {
		const struct cfh_node *name =
			cfh_map_path(e->value, "Properties", "RepositoryName",
				     NULL);
		bool named = cfh_node_is_str(repo) && cfh_node_is_str(name) &&
			     !strcmp(repo->text, name->text);

		for (i = 0; i < n && !named; i++)
			named = !strcmp(refs[i], e->key->text);
		if (!named || !cfh_res_is(e->value, "AWS::CodeCommit::Repository") ||
		    cfh_map_path(e->value, "Properties", "Code", NULL))
			continue;
		rc = cfh_advise(x->r, e->value,
				"the repository is created empty, so the "
				"pipeline's first run fails at Source: give it "
				"initial content (Code, from an S3 object) or "
				"push before the first run (S000-11)");
		if (rc)
			break;
	}
	free(refs);
	return rc;
}

static int action(struct trigger *x, struct cfh_node *act)
{
	const struct cfh_node *type = cfh_map_get(act, "ActionTypeId");
	const char *name = cfh_node_str(cfh_map_get(act, "Name"));
	const char *provider = cfh_node_str(cfh_map_get(type, "Provider"));
	struct cfh_node *cfg = cfh_map_get(act, "Configuration");
	char base[128];
	size_t i, k = 0;

	if (!cfh_node_str_eq(cfh_map_get(type, "Category"), "Source") ||
	    !provider || !name || !cfh_node_is_map(cfg) ||
	    cfh_is_dynamic(cfg))
		return 0;
	/* A logical ID from the action's name: letters and digits. */
	for (i = 0; name[i] && k < sizeof(base) - 1; i++)
		if ((name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9'))
			base[k++] = name[i];
	base[k] = '\0';
	if (cfh_node_str_eq(cfh_map_get(type, "Owner"), "AWS")) {
		if (!strcmp(provider, "CodeCommit"))
			return empty_repository_advice(x, cfg) ||
			       codecommit(x, base, cfg);
		if (!strcmp(provider, "S3"))
			return s3(x, base, cfg);
		if (!strcmp(provider, "ECR"))
			return ecr(x, base, cfg);
		return 0;
	}
	if (cfh_node_str_eq(cfh_map_get(type, "Owner"), "ThirdParty") &&
	    !strcmp(provider, "GitHub"))
		return cfh_advise(x->r, act,
				  "GitHub version 1 sources use an OAuth token "
				  "and are deprecated: connect the repository "
				  "through a CodeStar connection "
				  "(AWS::CodeStarConnections::Connection, "
				  "provider CodeStarSourceConnection), which "
				  "starts the pipeline on push (S001-05)");
	return 0;
}

static int pipeline(struct cfh_run *r, void *st, const char *id,
		    struct cfh_node *res)
{
	struct trigger x = { .r = r, .pipeline = id,
			     .cond = cfh_map_get(res, "Condition") };
	struct cfh_node *stages = cfh_map_path(res, "Properties", "Stages",
					       NULL);
	struct cfh_entry *s, *a;

	(void)st;
	if (!cfh_node_is_seq(stages))
		return 0;
	cfh_for_each_entry(stages, s) {
		struct cfh_node *acts = cfh_map_get(s->value, "Actions");

		if (!cfh_node_is_seq(acts))
			continue;
		cfh_for_each_entry(acts, a)
			if (cfh_node_is_map(a->value) && action(&x, a->value))
				return -1;
	}
	return 0;
}

static int repository(struct cfh_run *r, void *st, const char *id,
		      struct cfh_node *res)
{
	struct triggers *x = st;

	(void)r;
	(void)res;
	return cfh_ids_add(&x->repos, id);
}

/*
 * Creating a CodeCommit repository fails in AWS accounts opened since
 * CodeCommit closed to new customers (seed 001, S001-01): the stack fails
 * on a resource it cannot change. Where the repository lives is the
 * team's decision.
 */
static int repositories(struct cfh_run *r, void *st)
{
	struct triggers *x = st;
	size_t i;

	for (i = 0; i < x->repos.n; i++) {
		const struct cfh_node *res = cfh_resource(r->t, x->repos.v[i]);

		if (res && cfh_advise(r, res,
				      "CodeCommit is closed to new AWS "
				      "accounts, where creating this "
				      "repository fails the stack: keep the "
				      "code in S3 or behind a CodeStar "
				      "connection and use that as the "
				      "pipeline's source (S001-01)"))
			return -1;
	}
	return 0;
}

static void release(void *st)
{
	struct triggers *x = st;

	cfh_ids_release(&x->repos);
}

static const struct cfh_handler handlers[] = {
	{ "AWS::CodePipeline::Pipeline", pipeline },
	{ "AWS::CodeCommit::Repository", repository },
};

const struct cfh_pass_ops cfh_pass_pipeline_trigger = {
	.state_size = sizeof(struct triggers),
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
	.after = repositories,
	.release = release,
};
