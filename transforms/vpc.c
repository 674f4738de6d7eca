/* SPDX-License-Identifier: MIT */
/*
 * Pass `vpc` (C003-01): every VPC of the template records its traffic in a
 * flow log.
 *
 * Without a flow log nobody can say afterwards which address talked to
 * which, or what a security group refused: an incident in the network
 * cannot be investigated, and cdk-nag (AwsSolutions-VPC7,
 * NIST.800.53.R5-VPCFlowLogsEnabled) and checkov (CKV2_AWS_11) fail the
 * template. Each VPC that no AWS::EC2::FlowLog of the template names gets
 * one, of all traffic, into a CloudWatch Logs group of the stack's,
 * through a role that only VPC Flow Logs of this account may assume and
 * that may write to that group alone. The VPCs of a template share the
 * group and the role: the ones a flow log of the template already uses
 * when there are such, else one pair the pass adds.
 *
 *   Vpc:                             Vpc: (unchanged)
 *     Type: AWS::EC2::VPC      ==>   VpcFlowLog:
 *                                      Type: AWS::EC2::FlowLog
 *                                      Properties:
 *                                        ResourceId: !Ref Vpc
 *                                        ResourceType: VPC
 *                                        TrafficType: ALL
 *                                        LogGroupName: !Ref VpcFlowLogGroup
 *                                        DeliverLogsPermissionArn:
 *                                          !GetAtt VpcFlowLogRole.Arn
 *                                    VpcFlowLogGroup: {RetentionInDays: 365}
 *                                    VpcFlowLogRole: {...}
 *
 * A flow log watches the network from outside: it changes no route, rule
 * or packet, so it is added to running VPCs too (deployed mode); what it
 * costs is the log ingestion, which the reason says. The VPC itself is
 * not edited. The group gets its retention here (logs.retention-days, so
 * that --only vpc leaves nothing kept forever) and its key from the
 * encryption pass, whose key policy admits CloudWatch Logs. A VPC that a
 * flow log of the template already names is left alone, whatever the flow
 * log's destination; flow logs made outside the template cannot be seen,
 * and a second one only costs. A new flow log carries its VPC's
 * Condition, so that it exists exactly when the VPC does; a VPC that a
 * flow log names only through Fn::If is reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "passlib.h"
#include "policy.h"

struct vpc {
	struct cfh_ids logged;	/* VPCs a flow log of the template names */
	struct cfh_ids maybe;	/* ... only under a condition (Fn::If) */
	const char *group;	/* the destination new flow logs share: */
	const char *role;	/* logical IDs (the template's), or NULL */
};

/*
 * A destination a flow log of the template already writes to: a log
 * group and a role of the template's, neither under a Condition. New
 * flow logs join it, rather than adding a group and a role per VPC: the
 * pair is known to work, since a flow log uses it, and one place to read
 * a network's traffic is what an investigation wants. @fl: the flow log.
 */
static void destination(struct vpc *x, struct cfh_template *t,
			const struct cfh_node *fl)
{
	const struct cfh_node *p = cfh_map_get(fl, "Properties");
	const struct cfh_node *type = cfh_map_get(p, "LogDestinationType");
	const char *group = cfh_node_ref(cfh_map_get(p, "LogGroupName"));
	const char *role, *attr;
	const struct cfh_node *g, *ro;

	if (x->group || (type && !cfh_node_str_eq(type, "cloud-watch-logs")) ||
	    !group ||
	    cfh_node_getatt(t, cfh_map_get(p, "DeliverLogsPermissionArn"),
			    &role, &attr) ||
	    strcmp(attr, "Arn"))
		return;
	g = cfh_resource(t, group);
	ro = cfh_resource(t, role);
	if (!cfh_res_is(g, "AWS::Logs::LogGroup") ||
	    !cfh_res_is(ro, "AWS::IAM::Role") ||
	    cfh_map_get(g, "Condition") || cfh_map_get(ro, "Condition"))
		return;
	x->group = group;
	x->role = role;
}

/* Every flow log counts, suppressed ones too: it logs the VPC all the
 * same. A ResourceId decided by Fn::If logs one of the VPCs it names, and
 * which one is the deployment's choice: those are reported, not given a
 * second flow log that the other branch would duplicate. */
static int before(struct cfh_run *r, void *st)
{
	struct vpc *x = st;
	struct cfh_entry *e;
	const char **refs;
	size_t n, i;

	cfh_for_each_resource(r->t, e) {
		const struct cfh_node *rid;
		struct cfh_ids *set;

		if (!cfh_res_is(e->value, "AWS::EC2::FlowLog"))
			continue;
		destination(x, r->t, e->value);
		rid = cfh_map_path(e->value, "Properties", "ResourceId", NULL);
		set = cfh_node_ref(rid) ? &x->logged : &x->maybe;
		if (cfh_refs_in(r->t, rid, &refs, &n))
			return -1;
		for (i = 0; i < n; i++)
			if (cfh_ids_add(set, refs[i])) {
				free(refs);
				return -1;
			}
		free(refs);
	}
	return 0;
}

/* A resource of @type with @props (taken), and the Condition of @vpc
 * (may be NULL) when it has one, written where a reader looks for it
 * (after Type): a flow log of a VPC that is not created would fail the
 * deployment. */
static json_t *resource(const struct cfh_node *vpc, const char *type,
			json_t *props)
{
	const struct cfh_node *cond = cfh_map_get(vpc, "Condition");
	json_t *res = json_pack("{s:s}", "Type", type);

	if (!res || !props) {
		json_decref(res);
		json_decref(props);
		return NULL;
	}
	if (cfh_node_is_str(cond))
		json_object_set_new(res, "Condition",
				    json_string(cfh_node_str(cond)));
	json_object_set_new(res, "Properties", props);
	return res;
}

/*
 * The role VPC Flow Logs assumes to publish: trusted by the service only
 * on behalf of this account's flow logs (aws:SourceAccount and
 * aws:SourceArn, against the confused deputy, as "IAM role for publishing
 * flow logs to CloudWatch Logs" in the VPC user guide shows), and allowed
 * the three actions that page lists on its own group alone.
 */
static json_t *role_json(const char *group)
{
	json_t *trust, *write;

	/* A trust statement has no Resource, which the statement builders
	 * always write: it is spelled out. */
	trust = json_pack("{s:s, s:{s:s}, s:s}", "Effect", "Allow", "Principal",
			  "Service", "vpc-flow-logs.amazonaws.com", "Action",
			  "sts:AssumeRole");
	trust = cfh_stmt_when_take(trust, "StringEquals", "aws:SourceAccount",
				   cfh_json_ref("AWS::AccountId"));
	trust = cfh_stmt_when_take(trust, "ArnLike", "aws:SourceArn",
				   cfh_arn_sub("ec2", CFH_ARN_HERE,
					       "vpc-flow-log/*"));
	write = cfh_stmt_allow_take("logs:CreateLogStream logs:PutLogEvents "
				    "logs:DescribeLogStreams",
				    cfh_json_getatt(group, "Arn"));
	if (!trust || !write) {
		json_decref(trust);
		json_decref(write);
		return NULL;
	}
	return resource(
		NULL, "AWS::IAM::Role",
		json_pack("{s:o, s:[{s:s, s:o}]}", "AssumeRolePolicyDocument",
			  cfh_policy_doc_take(json_pack("[o]", trust)),
			  "Policies", "PolicyName", "FlowLogDelivery",
			  "PolicyDocument",
			  cfh_policy_doc_take(json_pack("[o]", write))));
}

/*
 * The log group and role the template's new flow logs share, added after
 * the first VPC that needs them. They carry no Condition, even when that
 * VPC does: another VPC may need them, and an empty group and an unused
 * role cost nothing.
 */
static int shared(struct cfh_run *r, struct vpc *x, const char *after)
{
	x->group = cfh_fresh_id(r->t, "VpcFlowLogGroup");
	if (!x->group ||
	    cfh_edit_add_resource_take(
		    r, x->group, after,
		    resource(NULL, "AWS::Logs::LogGroup",
			     json_pack("{s:I}", "RetentionInDays",
				       (json_int_t)cfh_opt_int(
					       r, "logs.retention-days"))),
		    "the log group the VPCs' flow logs write to, with a "
		    "retention (C003-01)",
		    NULL))
		return -1;
	/* Ids are reserved one by one: cfh_fresh_id() sees only what the
	 * template already has. */
	x->role = cfh_fresh_id(r->t, "VpcFlowLogRole");
	if (!x->role ||
	    cfh_edit_add_resource_take(
		    r, x->role, x->group, role_json(x->group),
		    "the role VPC Flow Logs of this account assumes to write "
		    "to that log group, and to nothing else (C003-01)",
		    NULL))
		return -1;
	return 0;
}

static int vpc(struct cfh_run *r, void *st, const char *id,
	       struct cfh_node *res)
{
	struct vpc *x = st;
	char base[256];
	const char *flow, *after = id;
	json_t *v;

	if (cfh_ids_has(&x->logged, id))
		return 0;
	if (cfh_ids_has(&x->maybe, id))
		return cfh_advise(r, res,
				  "a flow log names this VPC only under a "
				  "condition: when the deployment picks another "
				  "VPC, this one is not logged; give it a flow "
				  "log of its own (C003-01)");
	if (!x->group) {
		if (shared(r, x, id))
			return -1;
		after = x->role;
	}
	snprintf(base, sizeof(base), "%sFlowLog", id);
	flow = cfh_fresh_id(r->t, base);
	if (!flow)
		return -1;
	v = resource(
		res, "AWS::EC2::FlowLog",
		json_pack("{s:o, s:s, s:s, s:s, s:o, s:o}", "ResourceId",
			  cfh_json_ref(id), "ResourceType", "VPC",
			  "TrafficType", "ALL", "LogDestinationType",
			  "cloud-watch-logs", "LogGroupName",
			  cfh_json_ref(x->group), "DeliverLogsPermissionArn",
			  cfh_json_getatt(x->role, "Arn")));
	return cfh_edit_add_resource_take(
		r, flow, after, v,
		"record who talks to whom in the VPC, accepted and rejected, "
		"for incident investigation; it changes no traffic, and its "
		"cost is the log ingestion (C003-01)",
		NULL);
}

static void release(void *st)
{
	struct vpc *x = st;

	cfh_ids_release(&x->logged);
	cfh_ids_release(&x->maybe);
}

static const struct cfh_handler handlers[] = {
	{ "AWS::EC2::VPC", vpc },
};

const struct cfh_pass_ops cfh_pass_vpc = {
	.state_size = sizeof(struct vpc),
	.before = before,
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
	.release = release,
};
