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
 * Description and an export named ${AWS::StackName}-<Output>:
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

#include "passlib.h"
#include "schema.h"

#define MAX_OUTPUTS 200

struct key_output {
	const char *type;
	const char *suffix;	/* of the output's name */
	const char *attr;	/* GetAtt attribute, or NULL for Ref */
	const char *what;	/* "ARN", "name", ... */
	const char *kind;	/* "S3 bucket" */
};

static const struct key_output key_outputs[] = {
	{ "AWS::S3::Bucket", "Name", NULL, "Name", "S3 bucket" },
	{ "AWS::S3::Bucket", "Arn", "Arn", "ARN", "S3 bucket" },
	{ "AWS::DynamoDB::Table", "Name", NULL, "Name", "DynamoDB table" },
	{ "AWS::DynamoDB::Table", "Arn", "Arn", "ARN", "DynamoDB table" },
	{ "AWS::SQS::Queue", "Url", NULL, "URL", "SQS queue" },
	{ "AWS::SQS::Queue", "Arn", "Arn", "ARN", "SQS queue" },
	{ "AWS::SNS::Topic", "Arn", NULL, "ARN", "SNS topic" },
	{ "AWS::SNS::Topic", "Name", "TopicName", "Name", "SNS topic" },
	{ "AWS::KMS::Key", "Id", NULL, "ID", "KMS key" },
	{ "AWS::KMS::Key", "Arn", "Arn", "ARN", "KMS key" },
	{ "AWS::IAM::Role", "Name", NULL, "Name", "IAM role" },
	{ "AWS::IAM::Role", "Arn", "Arn", "ARN", "IAM role" },
	{ "AWS::Lambda::Function", "Name", NULL, "Name", "Lambda function" },
	{ "AWS::Lambda::Function", "Arn", "Arn", "ARN", "Lambda function" },
	{ "AWS::Serverless::Function", "Name", NULL, "Name", "function" },
	{ "AWS::Serverless::Function", "Arn", "Arn", "ARN", "function" },
	{ "AWS::StepFunctions::StateMachine", "Arn", NULL, "ARN",
	  "state machine" },
	{ "AWS::StepFunctions::StateMachine", "Name", "Name", "Name",
	  "state machine" },
	{ "AWS::Serverless::StateMachine", "Arn", NULL, "ARN",
	  "state machine" },
	{ "AWS::Serverless::StateMachine", "Name", "Name", "Name",
	  "state machine" },
	{ "AWS::CodePipeline::Pipeline", "Name", NULL, "Name", "pipeline" },
	{ "AWS::CodeBuild::Project", "Name", NULL, "Name",
	  "CodeBuild project" },
	{ "AWS::CodeBuild::Project", "Arn", "Arn", "ARN", "CodeBuild project" },
	{ "AWS::CodeCommit::Repository", "Name", "Name", "Name",
	  "CodeCommit repository" },
	{ "AWS::CodeCommit::Repository", "Arn", "Arn", "ARN",
	  "CodeCommit repository" },
	{ "AWS::CodeCommit::Repository", "CloneUrlHttp", "CloneUrlHttp",
	  "HTTPS clone URL", "CodeCommit repository" },
	{ "AWS::ECR::Repository", "Name", NULL, "Name", "ECR repository" },
	{ "AWS::ECR::Repository", "Arn", "Arn", "ARN", "ECR repository" },
	{ "AWS::ECR::Repository", "Uri", "RepositoryUri", "URI",
	  "ECR repository" },
	{ "AWS::ECS::Cluster", "Name", NULL, "Name", "ECS cluster" },
	{ "AWS::ECS::Cluster", "Arn", "Arn", "ARN", "ECS cluster" },
	{ "AWS::ECS::Service", "Arn", NULL, "ARN", "ECS service" },
	{ "AWS::ECS::Service", "Name", "Name", "Name", "ECS service" },
	{ "AWS::ElasticLoadBalancingV2::LoadBalancer", "Arn", NULL, "ARN",
	  "load balancer" },
	{ "AWS::ElasticLoadBalancingV2::LoadBalancer", "DNSName", "DNSName",
	  "DNS name", "load balancer" },
	{ "AWS::ApiGateway::RestApi", "Id", NULL, "ID", "REST API" },
	{ "AWS::Serverless::Api", "Id", NULL, "ID", "REST API" },
	{ "AWS::ApiGatewayV2::Api", "Id", NULL, "ID", "API" },
	{ "AWS::ApiGatewayV2::Api", "Endpoint", "ApiEndpoint", "Endpoint",
	  "API" },
	{ "AWS::Serverless::HttpApi", "Id", NULL, "ID", "HTTP API" },
	{ "AWS::Serverless::SimpleTable", "Name", NULL, "Name",
	  "DynamoDB table" },
	{ "AWS::Logs::LogGroup", "Name", NULL, "Name", "log group" },
	{ "AWS::Logs::LogGroup", "Arn", "Arn", "ARN", "log group" },
};

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
		      const struct cfh_node *res, const struct key_output *k)
{
	const struct cfh_node *cond = cfh_map_get(res, "Condition");
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
	snprintf(desc, sizeof(desc), "%s of the %s %s", k->what, k->kind, id);
	/* Condition first, as people write it; an output of a resource
	 * that may not exist must not exist either. */
	o = cond && cfh_node_is_str(cond)
		    ? json_pack("{s:s}", "Condition", cfh_node_str(cond))
		    : json_object();
	if (o && (json_object_set_new(o, "Description", json_string(desc)) ||
		  json_object_set_new(o, "Value",
				      k->attr ? cfh_json_getatt(id, k->attr)
					      : cfh_json_ref(id)) ||
		  json_object_set_new(o, "Export",
				      json_pack("{s:{s:s}}", "Name", "Fn::Sub",
						exp)))) {
		json_decref(o);
		return -1;
	}
	snprintf(why, sizeof(why),
		 "other stacks, scripts and tests find the %s's %s here "
		 "instead of hardcoding it (%s)",
		 k->kind, k->what,
		 !strcmp(k->suffix, "Arn") ? "S000-10" : "S004-16");
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
	size_t k;

	for (k = 0; !x->off && rt && k < CFH_ARRAY_SIZE(key_outputs); k++) {
		const struct key_output *ko = &key_outputs[k];

		if (strcmp(ko->type, type) ||
		    (ko->attr && !cfh_rtype_has_attr(rt, ko->attr)))
			continue;
		if (add_output(r, &x->outs, &x->h, id, res, ko))
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
