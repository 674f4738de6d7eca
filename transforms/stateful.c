/* SPDX-License-Identifier: MIT */
/*
 * Pass `stateful` (S001-12, S003-05, S004-08): resources that hold data
 * say what happens to it when the stack deletes or replaces them.
 *
 * CloudFormation's default for both is Delete: a renamed database, a
 * stack deleted by mistake, or a property change that replaces a table
 * loses the data for good. The pass writes DeletionPolicy and
 * UpdateReplacePolicy on every stateful type (cfn-lint I3011's list, and
 * buckets) by the profile (general.profile):
 *
 *   prod  Snapshot where the type takes one, else Retain (log groups and
 *         queues, whose data only passes through, and EMR clusters and
 *         Kinesis streams, which would keep billing, get Delete); RDS, DocDB and
 *         Neptune clusters and RDS instances get deletion protection and
 *         backups kept for stateful.backup-retention-days; RDS instances
 *         run Multi-AZ; DynamoDB tables get deletion protection;
 *   dev   Delete, so that test environments tear down cleanly (S003-05).
 *
 * DynamoDB tables get point-in-time recovery under both (S004-08): it
 * costs little and is the only way back from a bad write.
 *
 *   Table:                             Table:
 *     Type: AWS::DynamoDB::Table  ==>    Type: AWS::DynamoDB::Table
 *     Properties: ...                    DeletionPolicy: Retain
 *                                        UpdateReplacePolicy: Retain
 *                                        Properties:
 *                                          ...
 *                                          PointInTimeRecoverySpecification:
 *                                            PointInTimeRecoveryEnabled: true
 *                                          DeletionProtectionEnabled: true
 *
 * Values the template already has are kept: an explicit DeletionPolicy:
 * Delete stays, and a backup retention shorter than the setting is
 * reported, not changed. Instances of a database cluster hold no data of
 * their own (the cluster does): they get Delete, and nothing else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "options.h"
#include "passlib.h"

/* Stateful types (cfn-lint's StatefulResources.json, as I3011 reads it,
 * plus buckets for S003-05), and whether DeletionPolicy may be Snapshot
 * (cfn-lint's valid_snapshot_types, rule E3035). Nested stacks are left
 * out: retaining one keeps a whole stack behind. */
static const struct {
	const char *type;
	bool snapshot;
	bool member;	/* a cluster's instance: the cluster holds the data */
	bool transient;	/* data in passing: the stack's to delete */
	bool bills;	/* retained, it keeps running and billing */
} stateful_types[] = {
	{ "AWS::Backup::BackupVault", false, false, false, false },
	{ "AWS::Cognito::UserPool", false, false, false, false },
	{ "AWS::DocDB::DBCluster", true, false, false, false },
	{ "AWS::DocDB::DBInstance", false, true, false, false },
	{ "AWS::DynamoDB::GlobalTable", false, false, false, false },
	{ "AWS::DynamoDB::Table", false, false, false, false },
	{ "AWS::EC2::Volume", true, false, false, false },
	{ "AWS::EFS::FileSystem", false, false, false, false },
	{ "AWS::EMR::Cluster", false, false, false, true },
	{ "AWS::ElastiCache::CacheCluster", true, false, false, false },
	{ "AWS::ElastiCache::ReplicationGroup", true, false, false, false },
	{ "AWS::Elasticsearch::Domain", false, false, false, false },
	{ "AWS::FSx::FileSystem", false, false, false, false },
	{ "AWS::KMS::Key", false, false, false, false },
	{ "AWS::Kinesis::Stream", false, false, false, true },
	{ "AWS::Logs::LogGroup", false, false, true, false },
	{ "AWS::Neptune::DBCluster", true, false, false, false },
	{ "AWS::Neptune::DBInstance", false, true, false, false },
	{ "AWS::OpenSearchService::Domain", false, false, false, false },
	{ "AWS::Organizations::Account", false, false, false, false },
	{ "AWS::QLDB::Ledger", false, false, false, false },
	{ "AWS::RDS::DBCluster", true, false, false, false },
	{ "AWS::RDS::DBInstance", true, false, false, false },
	{ "AWS::Redshift::Cluster", true, false, false, false },
	{ "AWS::S3::Bucket", false, false, false, false },
	{ "AWS::SDB::Domain", false, false, false, false },
	{ "AWS::SQS::Queue", false, false, true, false },
	{ "AWS::SecretsManager::Secret", false, false, false, false },
	{ "AWS::Serverless::SimpleTable", false, false, false, false },
};

/* Per run of the pass. */
struct st {
	struct cfh_run *r;
	bool prod;
	long long retention;
	bool disposable;	/* the resource's DeletionPolicy, as written,
				 * is Delete: no deletion protection; set
				 * by the first handler for the rest */
};

static int stateful_index(const struct cfh_node *res)
{
	const char *ty = cfh_resource_type(res);
	size_t i;

	for (i = 0; ty && i < sizeof(stateful_types) / sizeof(*stateful_types);
	     i++)
		if (!strcmp(ty, stateful_types[i].type))
			return (int)i;
	return -1;
}

/* An RDS instance whose data lives elsewhere: a member of a cluster (an
 * Aurora instance always is), or a read replica. */
static bool rds_secondary(const struct cfh_node *res)
{
	const struct cfh_node *p = cfh_map_get(res, "Properties");
	const char *engine = cfh_node_str(cfh_map_get(p, "Engine"));

	return (engine && !strncasecmp(engine, "aurora", 6)) ||
	       cfh_map_get(p, "DBClusterIdentifier") ||
	       cfh_map_get(p, "SourceDBInstanceIdentifier") ||
	       cfh_map_get(p, "SourceDBClusterIdentifier");
}

/* The policy the profile asks for; *why says why, citing its fix ID. */
static const char *policy_for(const struct st *s, const struct cfh_node *res,
			      int k, const char **why)
{
	if (stateful_types[k].member ||
	    (cfh_res_is(res, "AWS::RDS::DBInstance") && rds_secondary(res))) {
		*why = "the data of a cluster's instance or read replica lives "
		       "in its cluster or source: say so (S001-12)";
		return "Delete";
	}
	if (stateful_types[k].bills) {
		*why = "a retained cluster or stream keeps running, and "
		       "billing, after its stack is gone, while what it holds "
		       "lives elsewhere (S3) or expires with its retention: "
		       "say Delete (S001-12)";
		return "Delete";
	}
	if (stateful_types[k].transient) {
		*why = "logs with a retention and queued messages pass through: "
		       "a retained log group or queue outlives its stack and "
		       "blocks the next one of the same name, so say Delete "
		       "(S001-12)";
		return "Delete";
	}
	if (!s->prod) {
		*why = "dev profile: the environment tears down cleanly "
		       "(S003-05)";
		return "Delete";
	}
	if (stateful_types[k].snapshot) {
		*why = "keep a final snapshot when the stack deletes or replaces "
		       "the resource, rather than lose its data (S001-12)";
		return "Snapshot";
	}
	*why = "keep the resource and its data when the stack deletes or "
	       "replaces it, rather than lose them (S001-12)";
	return "Retain";
}

static int policies(struct st *s, struct cfh_node *res, int k)
{
	struct cfh_node *dp = cfh_map_get(res, "DeletionPolicy");
	const char *want, *why;

	want = policy_for(s, res, k, &why);
	if (!dp) {
		if (cfh_edit_insert_take(s->r, res, "Type", "DeletionPolicy",
					 json_string(want), why, NULL))
			return -1;
		dp = cfh_map_get(res, "DeletionPolicy");
	}
	if (cfh_map_get(res, "UpdateReplacePolicy"))
		return 0;
	/* An explicit DeletionPolicy is the user's word for what the data is
	 * worth: a replacement treats it the same way. One decided at deploy
	 * time (Fn::If) leaves the profile's choice. */
	if (cfh_node_is_str(dp) && strcmp(cfh_node_str(dp), want)) {
		/* A value CloudFormation refuses (a made-up policy, or
		 * Snapshot on a type that takes none) is the user's to mend:
		 * copying it would repeat the error in a second attribute. */
		if (!cfh_node_str_eq(dp, "Delete") &&
		    !cfh_node_str_eq(dp, "Retain") &&
		    !cfh_node_str_eq(dp, "RetainExceptOnCreate") &&
		    !(cfh_node_str_eq(dp, "Snapshot") &&
		      stateful_types[k].snapshot))
			return 0;
		/* RetainExceptOnCreate is for deletion only. */
		want = cfh_node_str_eq(dp, "RetainExceptOnCreate")
			       ? "Retain"
			       : cfh_node_str(dp);
		why = "a replacement treats the data as the DeletionPolicy "
		      "already does (S001-12)";
	}
	return cfh_edit_insert_take(s->r, res, "DeletionPolicy",
				    "UpdateReplacePolicy", json_string(want),
				    why, NULL);
}

/* Set @key to @v unless the template says something already. */
static int ensure(struct st *s, struct cfh_node *p, const char *key,
		  json_t *v, const char *why)
{
	if (cfh_map_get(p, key)) {
		json_decref(v);
		return 0;
	}
	return cfh_edit_set_take(s->r, p, key, v, why, NULL);
}

/* Deletion protection under the prod profile, unless the DeletionPolicy
 * as written is Delete: the author means the resource to go. @what: the
 * resource with its article, in the reason. */
static int protect(struct st *s, struct cfh_node *p, const char *key,
		   const char *what)
{
	char why[160];

	if (!s->prod || s->disposable)
		return 0;
	snprintf(why, sizeof(why),
		 "prod profile: %s cannot be deleted by a stack operation or a "
		 "console click until this is turned off (S001-12)",
		 what);
	return ensure(s, p, key, json_true(), why);
}

/* Backups kept for the setting's days; a shorter explicit one is the
 * user's, and only reported. */
static int backups(struct st *s, struct cfh_node *p)
{
	const struct cfh_node *b = cfh_map_get(p, "BackupRetentionPeriod");
	char why[160];
	const char *txt;

	if (b) {
		txt = cfh_node_str(b);
		if (txt && !cfh_is_dynamic(b) && atoll(txt) < s->retention) {
			snprintf(why, sizeof(why),
				 "backups are kept for %s days, fewer than %lld: a "
				 "bad change found late cannot be undone "
				 "(S001-12)",
				 txt, s->retention);
			return cfh_advise(s->r, b, why);
		}
		return 0;
	}
	snprintf(why, sizeof(why),
		 "prod profile: keep automated backups %lld days (S001-12)",
		 s->retention);
	return cfh_edit_set_take(s->r, p, "BackupRetentionPeriod",
				 json_integer(s->retention), why, NULL);
}

/* Engines whose instances take no MultiAZ: Aurora's are placed by their
 * cluster, SQL Server Express and Web have no standby. */
static bool engine_single_az(const struct cfh_node *p)
{
	const char *e = cfh_node_str(cfh_map_get(p, "Engine"));

	if (!e || cfh_is_dynamic(cfh_map_get(p, "Engine")))
		return false;
	return !strncmp(e, "aurora", 6) || !strcmp(e, "sqlserver-ex") ||
	       !strcmp(e, "sqlserver-web");
}

/* The prod profile's protection, backups and standby: under dev the data
 * is deleted anyway. */
static int rds_instance(struct cfh_run *r, void *st, const char *id,
			struct cfh_node *res)
{
	struct st *s = st;
	struct cfh_node *p;

	(void)id;
	if (!s->prod || rds_secondary(res))
		return 0;
	p = cfh_res_props(r, res, "add Properties");
	if (!p)
		return -1;
	if (protect(s, p, "DeletionProtection", "the database") ||
	    backups(s, p))
		return -1;
	/* MultiAZ conflicts with a pinned AvailabilityZone. A running
	 * instance converts by a snapshot and a sync that slows its I/O
	 * for as long as they take, and then costs twice: its owner picks
	 * the window. */
	if (cfh_opt_bool(s->r, "multi-az") && !engine_single_az(p) &&
	    !cfh_map_get(p, "AvailabilityZone") && !cfh_map_get(p, "MultiAZ") &&
	    cfh_is_running(r, res))
		return cfh_advise(r, res,
				  "no standby in a second availability zone; "
				  "converting it slows its I/O while the standby "
				  "syncs and doubles its cost: set MultiAZ: true "
				  "in a maintenance window (S001-12)");
	if (cfh_opt_bool(s->r, "multi-az") && !engine_single_az(p) &&
	    !cfh_map_get(p, "AvailabilityZone") &&
	    ensure(s, p, "MultiAZ", json_true(),
		   "prod profile: a standby in a second availability zone "
		   "takes over when the first fails (S001-12)"))
		return -1;
	return 0;
}

static int db_cluster(struct cfh_run *r, void *st, const char *id,
		      struct cfh_node *res)
{
	struct st *s = st;
	struct cfh_node *p;

	(void)id;
	if (!s->prod)
		return 0;
	p = cfh_res_props(r, res, "add Properties");
	if (!p)
		return -1;
	if (protect(s, p, "DeletionProtection", "the cluster"))
		return -1;
	return backups(s, p);
}

/* A table's settings, or a global table replica's: point-in-time
 * recovery under both profiles, deletion protection under prod. */
static int ddb_keep(struct st *s, struct cfh_node *m)
{
	if (ensure(s, m, "PointInTimeRecoverySpecification",
		   json_pack("{s:b}", "PointInTimeRecoveryEnabled", 1),
		   "point-in-time recovery: restore the table to any second "
		   "of the last 35 days after a bad write (S004-08)"))
		return -1;
	return protect(s, m, "DeletionProtectionEnabled", "the table");
}

static int ddb_table(struct cfh_run *r, void *st, const char *id,
		     struct cfh_node *res)
{
	struct cfh_node *p = cfh_res_props(r, res, "add Properties");

	(void)id;
	return p ? ddb_keep(st, p) : -1;
}

/* A global table keeps both settings per replica. */
static int ddb_global(struct cfh_run *r, void *st, const char *id,
		      struct cfh_node *res)
{
	struct st *s = st;
	struct cfh_node *reps = cfh_map_path(res, "Properties", "Replicas",
					     NULL);
	struct cfh_entry *e;

	(void)r;
	(void)id;
	if (!cfh_node_is_seq(reps) || reps->kind != CFH_SEQ)
		return 0;
	cfh_for_each_entry(reps, e) {
		if (e->value->kind != CFH_MAP || cfh_is_dynamic(e->value))
			continue;
		if (ddb_keep(s, e->value))
			return -1;
	}
	return 0;
}

/*
 * A pinned engine version that the region or the service no longer offers
 * fails the deployment (seed 002, S002-05). Which version to run is the
 * owner's decision; the pass says what to check.
 */
static int engine_advice(struct cfh_run *r, void *st, const char *id,
			 struct cfh_node *res)
{
	const struct cfh_node *v = cfh_map_path(res, "Properties",
						"EngineVersion", NULL);
	char why[256];

	(void)st;
	(void)id;
	if (!cfh_node_is_str(v) || !strchr(v->text, '.'))
		return 0;
	snprintf(why, sizeof(why),
		 "EngineVersion %.40s is pinned to a minor version: check that "
		 "the region offers it (aws rds describe-db-engine-versions), "
		 "or give the major version and let minor upgrades apply "
		 "(S002-05)",
		 v->text);
	return cfh_advise(r, res, why);
}

static int before(struct cfh_run *r, void *st)
{
	struct st *s = st;

	s->r = r;
	s->prod = !strcmp(cfh_opt_str(r, "general.profile"), "prod");
	s->retention = cfh_opt_int(r, "backup-retention-days");
	return 0;
}

/* Every stateful resource: its policies, and whether it was disposable
 * as written, before the policies are added, for the handlers after. */
static int stateful(struct cfh_run *r, void *st, const char *id,
		    struct cfh_node *res)
{
	struct st *s = st;
	int k = stateful_index(res);

	(void)r;
	(void)id;
	if (k < 0)
		return 0;
	s->disposable = cfh_node_str_eq(cfh_map_get(res, "DeletionPolicy"),
				       "Delete");
	return policies(s, res, k);
}

/* A resource goes through the rows in table order: the policies first
 * (the "*" row, which also sets s->disposable for the rows after it),
 * then the advisory, then the settings of its type. Every type below is
 * in stateful_types, so the "*" row has run for it. */
static const struct cfh_handler handlers[] = {
	{ "*", stateful },
	{ "AWS::RDS::DBInstance", engine_advice },
	{ "AWS::RDS::DBCluster", engine_advice },
	{ "AWS::DynamoDB::Table", ddb_table },
	{ "AWS::DynamoDB::GlobalTable", ddb_global },
	{ "AWS::RDS::DBInstance", rds_instance },
	{ "AWS::RDS::DBCluster", db_cluster },
	{ "AWS::DocDB::DBCluster", db_cluster },
	{ "AWS::Neptune::DBCluster", db_cluster },
};

const struct cfh_pass_ops cfh_pass_stateful = {
	.state_size = sizeof(struct st),
	.before = before,
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
};
