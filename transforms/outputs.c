/* SPDX-License-Identifier: MIT */
/*
 * Pass `outputs` (S000-10, S004-16): the stack tells others where its key
 * resources are.
 *
 * A stack without outputs makes every consumer (another stack, a
 * deployment script, a test, a monitoring system) look its resources up by
 * hand or hardcode their names. Key resources (buckets, tables, queues,
 * topics, keys, roles, functions, state machines, pipelines, builds,
 * repositories, clusters, services, load balancers, APIs, log groups,
 * including those earlier passes added) get outputs for their name and
 * ARN, or the URL, endpoint or DNS name callers use, each with a
 * Description, and with outputs.export an export named
 * ${AWS::StackName}-<Output> (off by default: an imported export locks
 * its resource in, so it is the user's promise to make):
 *
 *   Bucket:                            Outputs:
 *     Type: AWS::S3::Bucket      ==>     BucketArn:
 *                                          Description: ARN of the S3 bucket Bucket
 *                                          Value: !GetAtt Bucket.Arn
 *                                          Export:
 *                                            Name: !Sub ${AWS::StackName}-BucketArn
 *
 * Only return values the type has (the resource-schema table) are used;
 * an output that exists under the same name, or already gives the same
 * value, is not added again; a resource's Condition goes with its
 * outputs; and the template never goes past CloudFormation's 200 outputs.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "passlib.h"
#include "schema.h"

#define MAX_OUTPUTS 200

/* One output of a key resource: its name is the resource's logical ID
 * and @suffix; its value a GetAtt of @attr, or the Ref when NULL. */
struct key_value {
	const char *suffix;
	const char *attr;
};

/* The key resource types, one row each, with their outputs in the order
 * they are added; @kind names the type in descriptions. */
static const struct key_output {
	const char *type;
	const char *kind;
	struct key_value v[3];
} key_outputs[] = {
	{ "AWS::S3::Bucket", "S3 bucket",
	  { { "Name", NULL }, { "Arn", "Arn" } } },
	{ "AWS::DynamoDB::Table", "DynamoDB table",
	  { { "Name", NULL }, { "Arn", "Arn" } } },
	{ "AWS::SQS::Queue", "SQS queue",
	  { { "Url", NULL }, { "Arn", "Arn" } } },
	{ "AWS::SNS::Topic", "SNS topic",
	  { { "Arn", NULL }, { "Name", "TopicName" } } },
	{ "AWS::KMS::Key", "KMS key",
	  { { "Id", NULL }, { "Arn", "Arn" } } },
	{ "AWS::IAM::Role", "IAM role",
	  { { "Name", NULL }, { "Arn", "Arn" } } },
	{ "AWS::Lambda::Function", "Lambda function",
	  { { "Name", NULL }, { "Arn", "Arn" } } },
	{ "AWS::Serverless::Function", "function",
	  { { "Name", NULL }, { "Arn", "Arn" } } },
	{ "AWS::StepFunctions::StateMachine", "state machine",
	  { { "Arn", NULL }, { "Name", "Name" } } },
	{ "AWS::Serverless::StateMachine", "state machine",
	  { { "Arn", NULL }, { "Name", "Name" } } },
	{ "AWS::CodePipeline::Pipeline", "pipeline",
	  { { "Name", NULL } } },
	{ "AWS::CodeBuild::Project", "CodeBuild project",
	  { { "Name", NULL }, { "Arn", "Arn" } } },
	{ "AWS::CodeCommit::Repository", "CodeCommit repository",
	  { { "Name", "Name" }, { "Arn", "Arn" },
	    { "CloneUrlHttp", "CloneUrlHttp" } } },
	{ "AWS::ECR::Repository", "ECR repository",
	  { { "Name", NULL }, { "Arn", "Arn" }, { "Uri", "RepositoryUri" } } },
	{ "AWS::ECS::Cluster", "ECS cluster",
	  { { "Name", NULL }, { "Arn", "Arn" } } },
	{ "AWS::ECS::Service", "ECS service",
	  { { "Arn", NULL }, { "Name", "Name" } } },
	{ "AWS::ElasticLoadBalancingV2::LoadBalancer", "load balancer",
	  { { "Arn", NULL }, { "DNSName", "DNSName" } } },
	{ "AWS::ApiGateway::RestApi", "REST API",
	  { { "Id", NULL } } },
	{ "AWS::Serverless::Api", "REST API",
	  { { "Id", NULL } } },
	{ "AWS::ApiGatewayV2::Api", "API",
	  { { "Id", NULL }, { "Endpoint", "ApiEndpoint" } } },
	{ "AWS::Serverless::HttpApi", "HTTP API",
	  { { "Id", NULL } } },
	{ "AWS::Serverless::SimpleTable", "DynamoDB table",
	  { { "Name", NULL } } },
	{ "AWS::Logs::LogGroup", "log group",
	  { { "Name", NULL }, { "Arn", "Arn" } } },
};

/* What an output gives, as descriptions and reasons say it, by the
 * suffix of its name: the suffix itself unless it is an abbreviation. */
static const char *what_of(const char *suffix)
{
	static const struct {
		const char *suffix, *what;
	} words[] = {
		{ "Arn", "ARN" },
		{ "Url", "URL" },
		{ "Id", "ID" },
		{ "Uri", "URI" },
		{ "CloneUrlHttp", "HTTPS clone URL" },
		{ "DNSName", "DNS name" },
	};
	size_t i;

	for (i = 0; i < CFH_ARRAY_SIZE(words); i++)
		if (!strcmp(words[i].suffix, suffix))
			return words[i].what;
	return suffix;
}

/* What an output gives, "X" for Ref X and "X.A" for GetAtt X.A (also
 * written as a Sub of just "${X}" or "${X.A}"), in the arena; NULL for
 * anything else. */
static const char *value_key(struct cfh_template *t, const struct cfh_node *v)
{
	struct cfh_fn_view fv;
	const char *res, *attr, *s;
	char buf[512];

	v = cfh_node_deref(v);
	if (!cfh_node_fn(v, &fv))
		return NULL;
	switch (fv.fn) {
	case CFH_FN_REF:
		return cfh_node_str(cfh_node_deref(fv.arg));
	case CFH_FN_GETATT:
		if (cfh_node_getatt(t, v, &res, &attr))
			return NULL;
		snprintf(buf, sizeof(buf), "%s.%s", res, attr);
		return cfh_arena_strndup(&t->arena, buf, strlen(buf));
	case CFH_FN_SUB:
		s = cfh_node_str(cfh_node_deref(fv.arg));
		if (!s || strncmp(s, "${", 2) || s[strlen(s) - 1] != '}' ||
		    strchr(s + 2, '$'))
			return NULL;
		return cfh_arena_strndup(&t->arena, s + 2, strlen(s) - 3);
	default:
		return NULL;
	}
}

/* The export name an output gives, literal or Sub text, or NULL. */
static const char *export_text(const struct cfh_node *o)
{
	const struct cfh_node *n = cfh_node_deref(cfh_map_path(o, "Export",
							       "Name", NULL));
	struct cfh_fn_view fv;

	if (cfh_node_is_str(n))
		return cfh_node_str(n);
	if (cfh_node_fn(n, &fv) && fv.fn == CFH_FN_SUB)
		return cfh_node_str(cfh_node_deref(fv.arg));
	return NULL;
}

struct have {
	struct cfh_ids values, exports;
	size_t count;
};

static int collect(struct cfh_template *t, const struct cfh_node *outs,
		   struct have *h)
{
	const struct cfh_entry *e;

	h->count = cfh_node_count(outs);
	cfh_for_each_entry(outs, e) {
		const struct cfh_node *o = cfh_node_deref(e->value);
		const char *k = value_key(t, cfh_map_get(o, "Value"));
		const char *x = export_text(o);

		if ((k && cfh_ids_add(&h->values, k)) ||
		    (x && cfh_ids_add(&h->exports, x)))
			return -1;
	}
	return 0;
}

static int add_output(struct cfh_run *r, struct cfh_node **outsp,
		      struct have *h, const char *id,
		      const struct cfh_node *res, const char *kind,
		      const struct key_value *k)
{
	const struct cfh_node *cond = cfh_map_get(res, "Condition");
	const char *what = what_of(k->suffix);
	struct cfh_node *outs = *outsp;
	char name[300], key[512], exp[600], desc[300], why[400];
	const char *kp;
	size_t i;
	json_t *o;

	/* Output names, like logical IDs, are alphanumeric: a resource
	 * whose ID is not (cfn-lint lets "A_B" pass) gets no outputs
	 * rather than ones named unlike it. */
	for (i = 0; id[i]; i++)
		if (!isalnum((unsigned char)id[i]))
			return 0;
	snprintf(name, sizeof(name), "%s%s", id, k->suffix);
	snprintf(key, sizeof(key), "%s%s%s", id, k->attr ? "." : "",
		 k->attr ? k->attr : "");
	snprintf(exp, sizeof(exp), "${AWS::StackName}-%s", name);
	if (strlen(name) > 255 || (outs && cfh_map_get(outs, name)) ||
	    cfh_ids_has(&h->values, key) || cfh_ids_has(&h->exports, exp))
		return 0;
	if (h->count >= MAX_OUTPUTS)
		return 0;
	/* The section only when there is something to put in it: an empty
	 * Outputs is an error. */
	if (!outs && !(outs = *outsp = cfh_edit_section(r, "Outputs")))
		return -1;
	snprintf(desc, sizeof(desc), "%s of the %s %s", what, kind, id);
	/* Condition first, as people write it; an output of a resource
	 * that may not exist must not exist either. */
	o = cond && cfh_node_is_str(cond)
		    ? json_pack("{s:s}", "Condition", cfh_node_str(cond))
		    : json_object();
	/* An export is a promise: once another stack imports it, the
	 * resource can be neither replaced nor deleted. Made only when the
	 * user asks (outputs.export). */
	if (o && (json_object_set_new(o, "Description", json_string(desc)) ||
		  json_object_set_new(o, "Value",
				      k->attr ? cfh_json_getatt(id, k->attr)
					      : cfh_json_ref(id)) ||
		  (cfh_opt_bool(r, "export") &&
		   json_object_set_new(o, "Export",
				       json_pack("{s:{s:s}}", "Name", "Fn::Sub",
						 exp))))) {
		json_decref(o);
		return -1;
	}
	snprintf(why, sizeof(why),
		 "other stacks, scripts and tests find the %s's %s here "
		 "instead of hardcoding it (%s)",
		 kind, what, !strcmp(k->suffix, "Arn") ? "S000-10" : "S004-16");
	if (cfh_edit_set_take(r, outs, name, o, why, NULL))
		return -1;
	kp = cfh_arena_strndup(&r->t->arena, key, strlen(key));
	if (!kp || cfh_ids_add(&h->values, kp))
		return -1;
	h->count++;
	return 0;
}

struct outputs {
	struct have h;
	struct cfh_node *outs;	/* NULL until there is one */
	bool off;		/* Outputs is not a literal mapping */
};

static int before(struct cfh_run *r, void *st)
{
	struct outputs *x = st;

	x->outs = cfh_template_section(r->t, "Outputs");
	/* An alias or an intrinsic: not ours to extend. */
	if (x->outs && x->outs->kind != CFH_MAP) {
		x->off = true;
		return 0;
	}
	return x->outs ? collect(r->t, x->outs, &x->h) : 0;
}

static int add_outputs(struct cfh_run *r, void *st, const char *id,
		       struct cfh_node *res)
{
	struct outputs *x = st;
	const char *type = cfh_resource_type(res);
	const struct cfh_rtype *rt = type ? cfh_rtype_find(type) : NULL;
	const struct key_output *ko = NULL;
	size_t k;

	for (k = 0; !x->off && rt && k < CFH_ARRAY_SIZE(key_outputs); k++)
		if (!strcmp(key_outputs[k].type, type))
			ko = &key_outputs[k];
	for (k = 0; ko && k < CFH_ARRAY_SIZE(ko->v) && ko->v[k].suffix; k++) {
		const struct key_value *v = &ko->v[k];

		if ((!v->attr || cfh_rtype_has_attr(rt, v->attr)) &&
		    add_output(r, &x->outs, &x->h, id, res, ko->kind, v))
			return -1;
	}
	return 0;
}

static void release(void *st)
{
	struct outputs *x = st;

	cfh_ids_release(&x->h.values);
	cfh_ids_release(&x->h.exports);
}

static const struct cfh_handler handlers[] = {
	{ "*", add_outputs },
};

const struct cfh_pass_ops cfh_pass_outputs = {
	.state_size = sizeof(struct outputs),
	.before = before,
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
	.release = release,
};
