/* SPDX-License-Identifier: MIT */
/*
 * Pass `rds` (C004-01 to C004-06): RDS databases that let IAM vouch for
 * their users, keep their logs where they can be read, and tag their
 * snapshots.
 *
 * A database that only takes passwords has credentials that live in
 * application configuration; one whose logs stay on the instance loses
 * them with it, and nobody can search them; a snapshot without the
 * database's tags escapes the cost reports and tag-based policies that
 * cover the database. The pass turns on IAM database authentication
 * (passwords keep working beside it), exports every log type the engine
 * has to CloudWatch Logs, and copies tags to snapshots:
 *
 *   Db:                               Db:
 *     Type: AWS::RDS::DBInstance  ==>   Properties:
 *     Properties:                         Engine: postgres
 *       Engine: postgres                  EnableIAMDatabaseAuthentication: true
 *                                         EnableCloudwatchLogsExports:
 *                                           [postgresql, upgrade]
 *                                         CopyTagsToSnapshot: true
 *
 * Engines are read as written: the log types and IAM authentication exist
 * for the engines named in engines[] only (MySQL, MariaDB 10.6 and later,
 * PostgreSQL, and Aurora MySQL and PostgreSQL provisioned clusters), and
 * an engine decided at deploy time gets nothing engine-specific. An
 * instance of a cluster, or a read replica, takes these settings from its
 * cluster or source and is left alone.
 *
 * In deployed mode a running database keeps working exactly as it does:
 * IAM authentication and log exports become advisories there (the first
 * changes how clients may sign in, which the owner schedules; the second
 * makes the database write somewhere new, into log groups kept forever).
 * CopyTagsToSnapshot is "Update requires: No interruption" and changes
 * nothing but the tags on future snapshots: it is made in both modes.
 * Enhanced monitoring, minor version upgrades switched off and public
 * access are reported, never changed: monitoring needs a role with the
 * AWS managed policy AmazonRDSEnhancedMonitoringRole (a cdk-nag IAM4
 * finding in exchange for CT.RDS.PR.2) and an interval the owner pays
 * for; upgrades restart the database; making it private takes access away
 * from whoever reaches it now. Deletion protection, backups and Multi-AZ
 * are the stateful pass's, encryption the encryption pass's, the master
 * password the secrets pass's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "options.h"
#include "passlib.h"

/* What the pass knows of an engine, by its Engine value. */
struct engine {
	const char *name;
	bool cluster;		/* an Aurora engine: settings on the cluster */
	bool iam_auth;		/* IAM database authentication exists */
	const char *logs;	/* every exportable log type, space-separated */
};

/* The log types are the engine's in the RDS and Aurora user guides
 * ("Publishing database logs to Amazon CloudWatch Logs"), the lists that
 * cdk-nag's RDSLoggingEnabled and Control Tower's CT.RDS.PR.14 and
 * CT.RDS.PR.25 ask for. Oracle and SQL Server are left out: their types
 * depend on the edition and the options installed. */
static const struct engine engines[] = {
	{ "mysql", false, true, "audit error general slowquery" },
	{ "mariadb", false, true, "audit error general slowquery" },
	{ "postgres", false, true, "postgresql upgrade" },
	{ "aurora", true, true, "audit error general slowquery" },
	{ "aurora-mysql", true, true, "audit error general slowquery" },
	{ "aurora-postgresql", true, true, "postgresql" },
};

/* The engine as written, or NULL when it is missing, decided at deploy
 * time or one the pass does not know. */
static const struct engine *engine_of(const struct cfh_node *p)
{
	const struct cfh_node *e = cfh_map_get(p, "Engine");
	size_t i;

	if (!cfh_node_is_str(e))
		return NULL;
	for (i = 0; i < CFH_ARRAY_SIZE(engines); i++)
		if (!strcasecmp(cfh_node_str(e), engines[i].name))
			return &engines[i];
	return NULL;
}

/* MariaDB has IAM authentication from 10.6 on; a version decided at
 * deploy time may be older. No EngineVersion is the newest. */
static bool iam_auth_version(const struct engine *en,
			     const struct cfh_node *p)
{
	const struct cfh_node *v = cfh_map_get(p, "EngineVersion");
	int major = 0, minor = 0;

	if (strcmp(en->name, "mariadb") || !v)
		return true;
	if (!cfh_node_is_str(v) ||
	    sscanf(cfh_node_str(v), "%d.%d", &major, &minor) < 1)
		return false;
	return major > 10 || (major == 10 && minor >= 6);
}

/* A DBCluster of Aurora, provisioned: Serverless v1 (EngineMode
 * serverless) has neither setting, and a mode decided at deploy time may
 * be it. */
static bool provisioned(const struct cfh_node *p)
{
	const struct cfh_node *m = cfh_map_get(p, "EngineMode");

	return !m || cfh_node_str_eq(m, "provisioned");
}

static json_t *words(const char *list)
{
	json_t *a = json_array();
	const char *s = list, *end;

	while (a && *s) {
		end = strchr(s, ' ');
		if (!end)
			end = s + strlen(s);
		json_array_append_new(a, json_stringn(s, (size_t)(end - s)));
		s = *end ? end + 1 : end;
	}
	return a;
}

/* IAM database authentication (C004-01): IAM users and roles sign in
 * with a token that lasts 15 minutes instead of a stored password;
 * password sign-in keeps working beside it. */
static int iam_auth(struct cfh_run *r, struct cfh_node *res,
		    struct cfh_node *p, const struct engine *en)
{
	const struct cfh_node *v = cfh_map_get(p,
					       "EnableIAMDatabaseAuthentication");

	if (v || !en->iam_auth)
		return 0;	/* the template's choice, or nothing to do */
	if (!iam_auth_version(en, p))
		return cfh_advise(r, res,
				  "no IAM database authentication: MariaDB has "
				  "it from 10.6 on; once the engine is 10.6 or "
				  "later, set EnableIAMDatabaseAuthentication: "
				  "true (C004-01)");
	if (cfh_is_running(r, res))
		return cfh_advise(r, res,
				  "no IAM database authentication: clients "
				  "sign in with stored passwords only; set "
				  "EnableIAMDatabaseAuthentication: true in a "
				  "maintenance window, then create the database "
				  "users that sign in with IAM (C004-01)");
	return cfh_edit_set_take(r, p, "EnableIAMDatabaseAuthentication",
				 json_true(),
				 "IAM users and roles may sign in with "
				 "short-lived tokens instead of stored "
				 "passwords; password sign-in keeps working "
				 "(C004-01)",
				 NULL);
}

/* Log exports (C004-02): every log type the engine has, in CloudWatch
 * Logs, where they outlive the instance and can be searched. */
static int log_exports(struct cfh_run *r, struct cfh_node *res,
		       struct cfh_node *p, const struct engine *en)
{
	char why[512], shown[128];
	bool mysql = strstr(en->logs, "slowquery") != NULL;
	const char *c;
	size_t k = 0;

	/* "a b" as "a, b", the way a YAML flow list reads. */
	for (c = en->logs; *c && k + 3 < sizeof(shown); c++) {
		if (*c == ' ')
			shown[k++] = ',';
		shown[k++] = *c;
	}
	shown[k] = '\0';

	if (cfh_map_get(p, "EnableCloudwatchLogsExports"))
		return 0;
	if (cfh_is_running(r, res)) {
		snprintf(why, sizeof(why),
			 "its logs are not exported to CloudWatch Logs, where "
			 "they could be searched and kept: export them "
			 "(EnableCloudwatchLogsExports: [%s]) once you have "
			 "made their log groups /aws/rds/%s/<identifier>/<type> "
			 "with a retention, or RDS makes them kept forever "
			 "(C004-02)",
			 shown, en->cluster ? "cluster" : "instance");
		return cfh_advise(r, res, why);
	}
	if (cfh_edit_set_take(r, p, "EnableCloudwatchLogsExports",
			      words(en->logs),
			      "the database's logs go to CloudWatch Logs, "
			      "where they outlive the instance and can be "
			      "searched (C004-02)",
			      NULL))
		return -1;
	/* The groups are RDS's: named after an identifier CloudFormation
	 * may generate, made on the first export, with no retention. */
	snprintf(why, sizeof(why),
		 "RDS makes the log groups /aws/rds/%s/<identifier>/<type> "
		 "with no retention: give each a retention once deployed, or "
		 "add them to the template (with DependsOn from the "
		 "database)%s (C004-02)",
		 en->cluster ? "cluster" : "instance",
		 mysql ? "; the general and slow query logs are written only "
			 "when the parameter group turns them on, the audit "
			 "log with the MARIADB_AUDIT_PLUGIN option"
		       : "");
	return cfh_advise(r, res, why);
}

/* Tags on snapshots (C004-03): "Update requires: No interruption", and
 * only snapshots taken from now on change. */
static int copy_tags(struct cfh_run *r, struct cfh_node *p)
{
	if (cfh_map_get(p, "CopyTagsToSnapshot"))
		return 0;
	return cfh_edit_set_take(r, p, "CopyTagsToSnapshot", json_true(),
				 "snapshots carry the database's tags, so "
				 "cost reports and tag-based policies cover "
				 "them too (C004-03)",
				 NULL);
}

/* The findings only the owner can settle (C004-04 to C004-06). */
static int advice(struct cfh_run *r, struct cfh_node *res,
		  const struct cfh_node *p, bool member)
{
	const struct cfh_node *mi = cfh_map_get(p, "MonitoringInterval");

	if (cfh_node_str_eq(cfh_map_get(p, "AutoMinorVersionUpgrade"),
			    "false") &&
	    cfh_advise(r, res,
		       "minor version upgrades are off: security fixes wait "
		       "for someone to apply them; AutoMinorVersionUpgrade: "
		       "true applies them in the maintenance window, with a "
		       "restart (C004-04)"))
		return -1;
	if (!member && (!mi || cfh_node_str_eq(mi, "0")) &&
	    cfh_advise(r, res,
		       "no enhanced monitoring: the operating system's "
		       "metrics (memory, processes, disk) are not collected; "
		       "set MonitoringInterval (60) and a MonitoringRoleArn "
		       "whose role monitoring.rds.amazonaws.com assumes with "
		       "the AWS managed policy AmazonRDSEnhancedMonitoringRole "
		       "(C004-05)"))
		return -1;
	if (cfh_node_str_eq(cfh_map_get(p, "PubliclyAccessible"), "true") &&
	    cfh_advise(r, res,
		       "publicly accessible: its endpoint resolves to a public "
		       "address; once every client reaches it from inside the "
		       "VPC (or through a proxy), set PubliclyAccessible: false "
		       "(C004-06)"))
		return -1;
	return 0;
}

static int instance(struct cfh_run *r, void *st, const char *id,
		    struct cfh_node *res)
{
	struct cfh_node *p = cfh_map_get(res, "Properties");
	const struct engine *en;
	bool member;

	(void)st;
	(void)id;
	if (!cfh_node_is_map(p))
		return 0;
	/* A cluster's instance (Aurora's always are) takes IAM
	 * authentication, log exports and snapshot tags from its cluster
	 * (the RDS API refuses them on it); a read replica from its
	 * source. */
	en = engine_of(p);
	member = cfh_map_get(p, "DBClusterIdentifier") ||
		 (en && en->cluster);
	if (advice(r, res, p, member))
		return -1;
	if (member || cfh_map_get(p, "SourceDBInstanceIdentifier") ||
	    cfh_map_get(p, "SourceDBClusterIdentifier"))
		return 0;
	if (copy_tags(r, p))
		return -1;
	if (!en)
		return 0;
	return iam_auth(r, res, p, en) || log_exports(r, res, p, en) ? -1 : 0;
}

static int cluster(struct cfh_run *r, void *st, const char *id,
		   struct cfh_node *res)
{
	struct cfh_node *p = cfh_map_get(res, "Properties");
	const struct engine *en;

	(void)st;
	(void)id;
	if (!cfh_node_is_map(p))
		return 0;
	/* Multi-AZ DB clusters (non-Aurora engines) and Serverless v1 get
	 * the tags only: their log types and authentication differ. */
	en = engine_of(p);
	if (copy_tags(r, p))
		return -1;
	if (!en || !en->cluster || !provisioned(p))
		return 0;
	return iam_auth(r, res, p, en) || log_exports(r, res, p, en) ? -1 : 0;
}

static const struct cfh_handler handlers[] = {
	{ "AWS::RDS::DBInstance", instance },
	{ "AWS::RDS::DBCluster", cluster },
};

const struct cfh_pass_ops cfh_pass_rds = {
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
};
