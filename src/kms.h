/* SPDX-License-Identifier: MIT */
/*
 * What the passes share about the template's KMS key: which key it is,
 * and the key-policy statements that let AWS services use it when they
 * deliver into resources it encrypts. The encryption pass writes them; a
 * pass that adds such a resource later (a dead-letter queue, an alarm
 * topic) adds the statement it needs the same way, so the key stays
 * usable by everyone who needs it (invariant 6).
 *
 * Ownership: json_t values returned are new references.
 */
#ifndef CFH_KMS_H
#define CFH_KMS_H

#include "engine.h"

enum cfh_svc {
	CFH_SVC_LOGS,
	CFH_SVC_S3,
	CFH_SVC_EVENTS,
	CFH_SVC_CLOUDWATCH,
	CFH_SVC_SNS,
	CFH_SVC_CODESTAR,
	CFH_SVC_CLOUDTRAIL,
	CFH_SVC_CLOUDFRONT,
	CFH_SVC_COUNT,
};

const char *cfh_kms_service_sid(enum cfh_svc s);
const char *cfh_kms_service_name(enum cfh_svc s);

/* The statement admitting service @s: Logs scoped by its encryption
 * context, the others by aws:SourceAccount. */
json_t *cfh_kms_service_statement(enum cfh_svc s);

/* True if the statement list @stmts has one with Sid @sid. */
bool cfh_kms_has_sid(const struct cfh_node *stmts, const char *sid);

/**
 * cfh_template_key() - the template's own symmetric encryption key
 * Returns: its logical ID (borrowed), or NULL if it has none.
 */
const char *cfh_template_key(struct cfh_template *t);

/**
 * cfh_kms_admit() - let service @s use key @key
 *
 * Appends the statement to the key policy unless one with its Sid is there;
 * records an advisory when the policy is not a literal list.
 * Returns: 0, or -1 on error.
 */
int cfh_kms_admit(struct cfh_run *r, const char *key, enum cfh_svc s);

#endif
