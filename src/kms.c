/* SPDX-License-Identifier: MIT */
/* The template's KMS key and its service statements; see kms.h. */
#include <stdio.h>
#include <string.h>

#include "kms.h"
#include "passlib.h"

static const struct {
	const char *sid, *service;
	bool sub;	/* the service name carries ${AWS::Region} */
} services[CFH_SVC_COUNT] = {
	[CFH_SVC_LOGS] = { "AllowCloudWatchLogs",
			   "logs.${AWS::Region}.amazonaws.com", true },
	[CFH_SVC_S3] = { "AllowS3EventNotifications", "s3.amazonaws.com",
			 false },
	[CFH_SVC_EVENTS] = { "AllowEventBridgeTargets", "events.amazonaws.com",
			     false },
	[CFH_SVC_CLOUDWATCH] = { "AllowCloudWatchAlarmActions",
				 "cloudwatch.amazonaws.com", false },
	[CFH_SVC_SNS] = { "AllowSNSSubscriptions", "sns.amazonaws.com", false },
	[CFH_SVC_CODESTAR] = { "AllowCodeStarNotifications",
			       "codestar-notifications.amazonaws.com", false },
	[CFH_SVC_CLOUDTRAIL] = { "AllowCloudTrail", "cloudtrail.amazonaws.com",
				 false },
	/* A distribution reading an origin through origin access control
	 * (S3 decrypts for it); uploads through it need the data key. */
	[CFH_SVC_CLOUDFRONT] = { "AllowCloudFrontOriginAccessControl",
				 "cloudfront.amazonaws.com", false },
};

const char *cfh_kms_service_sid(enum cfh_svc s)
{
	return services[s].sid;
}

const char *cfh_kms_service_name(enum cfh_svc s)
{
	return services[s].service;
}

json_t *cfh_kms_service_statement(enum cfh_svc s)
{
	json_t *principal;

	if (services[s].sub)
		principal = json_pack("{s:{s:s}}", "Service", "Fn::Sub",
				      services[s].service);
	else
		principal = json_pack("{s:s}", "Service", services[s].service);
	if (s == CFH_SVC_LOGS)
		return json_pack(
			"{s:s, s:s, s:o, s:[s,s,s,s,s], s:s, s:{s:{s:{s:s}}}}",
			"Sid", services[s].sid, "Effect", "Allow", "Principal",
			principal, "Action", "kms:Encrypt*", "kms:Decrypt*",
			"kms:ReEncrypt*", "kms:GenerateDataKey*",
			"kms:Describe*", "Resource", "*", "Condition",
			"ArnLike", "kms:EncryptionContext:aws:logs:arn",
			"Fn::Sub",
			"arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*");
	return json_pack("{s:s, s:s, s:o, s:[s,s], s:s, s:{s:{s:{s:s}}}}",
			 "Sid", services[s].sid, "Effect", "Allow", "Principal",
			 principal, "Action", "kms:GenerateDataKey*",
			 "kms:Decrypt", "Resource", "*", "Condition",
			 "StringEquals", "aws:SourceAccount", "Ref",
			 "AWS::AccountId");
}

bool cfh_kms_has_sid(const struct cfh_node *stmts, const char *sid)
{
	const struct cfh_entry *e;

	if (!cfh_node_is_seq(stmts))
		return false;
	cfh_for_each_entry(cfh_node_deref(stmts), e)
		if (cfh_node_str_eq(cfh_map_get(e->value, "Sid"), sid))
			return true;
	return false;
}

const char *cfh_template_key(struct cfh_template *t)
{
	const struct cfh_entry *e;

	cfh_for_each_resource(t, e) {
		const struct cfh_node *p = cfh_map_get(e->value, "Properties");
		const char *spec = cfh_node_str(cfh_map_get(p, "KeySpec"));
		const char *use = cfh_node_str(cfh_map_get(p, "KeyUsage"));

		/* A conditional key cannot serve unconditional resources. */
		if (!cfh_res_is(e->value, "AWS::KMS::Key") ||
		    cfh_map_get(e->value, "Condition"))
			continue;
		if ((!spec || !strcmp(spec, "SYMMETRIC_DEFAULT")) &&
		    (!use || !strcmp(use, "ENCRYPT_DECRYPT")))
			return e->key->text;
	}
	return NULL;
}

int cfh_kms_admit(struct cfh_run *r, const char *key, enum cfh_svc s)
{
	struct cfh_node *res = cfh_resource(r->t, key);
	struct cfh_node *stmts = cfh_map_path(res, "Properties", "KeyPolicy",
					      "Statement", NULL);
	char reason[200];

	if (cfh_kms_has_sid(stmts, services[s].sid))
		return 0;
	if (!stmts || stmts->kind != CFH_SEQ)
		return cfh_advise(r, res,
				  "the key policy is not a literal list of "
				  "statements: let the services that deliver into "
				  "encrypted resources use the key");
	snprintf(reason, sizeof(reason),
		 "let %s use the key: it delivers into resources the key "
		 "encrypts", services[s].service);
	return cfh_edit_append_take(r, stmts, cfh_kms_service_statement(s),
				    reason, NULL);
}
