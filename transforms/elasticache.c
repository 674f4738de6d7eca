/* SPDX-License-Identifier: MIT */
/*
 * Pass `elasticache` (C009-01 to C009-04): Valkey and Redis OSS caches
 * that keep a daily backup, take minor version upgrades, and fail over
 * to a replica.
 *
 * A cache without automatic backups loses everything it holds when its
 * node is lost or someone flushes it; one that never takes minor version
 * upgrades keeps its security fixes waiting; a replication group whose
 * primary fails without automatic failover is down until someone promotes
 * a replica by hand. The pass sets what is safe to set:
 *
 *   Cache:                                 Cache:
 *     Type: AWS::ElastiCache::            ==>  Properties:
 *           ReplicationGroup                     Engine: valkey
 *     Properties:                                NumCacheClusters: 2
 *       Engine: valkey                           SnapshotRetentionLimit: 15
 *       NumCacheClusters: 2                      AutoMinorVersionUpgrade: true
 *                                                AutomaticFailoverEnabled: true
 *                                                MultiAZEnabled: true
 *
 * SnapshotRetentionLimit, AutoMinorVersionUpgrade, AutomaticFailoverEnabled
 * and MultiAZEnabled are all "Update requires: No interruption"
 * (AWS::ElastiCache::ReplicationGroup, AWS::ElastiCache::CacheCluster):
 * none replaces the cache. But each changes what a running cache does: a
 * backup forks the engine once a day, which on a node short of memory
 * slows it down ("Performance impact of backups" in the ElastiCache user
 * guide); an upgrade restarts nodes in the maintenance window; failover
 * moves the primary to another node and zone. So in deployed mode a
 * running cache gets advisories with the exact setting, and only a new
 * stack (or a cache the run added) gets the edits. Memcached has neither
 * backups nor replicas and is left out; so are cache.t1 nodes (no
 * backups, no Multi-AZ) and values decided at deploy time.
 *
 * Failover is only set where the group already has a replica
 * (NumCacheClusters of 2 or more, ReplicasPerNodeGroup of 1 or more, or
 * NodeGroupConfiguration entries with replicas): adding a node changes
 * the cost and the topology, which is the owner's decision (C009-03).
 *
 * What the pass will NOT do, in either mode: encryption at rest and in
 * transit and the AUTH token are the encryption pass's (S002-08) -- both
 * flags are createOnly, so a running group gets an advisory there, and a
 * client that does not speak TLS breaks when transit encryption comes
 * on. A cache outside a subnet group (the default VPC) is reported, not
 * moved: CacheSubnetGroupName replaces the cache, and the pass cannot
 * invent the subnets (C009-04). Log delivery (slow and engine logs) is
 * not added yet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "options.h"
#include "passlib.h"

/* A literal, non-negative integer, or -1 (missing, dynamic, not a
 * number). */
static long long int_of(const struct cfh_node *n)
{
	const char *s = n && !cfh_is_dynamic(n) ? cfh_node_str(n) : NULL;
	char *end;
	long long v;

	if (!s || !*s)
		return -1;
	v = strtoll(s, &end, 10);
	return *end || v < 0 ? -1 : v;
}

/* The engine keeps data and has backups: Valkey or Redis OSS as written,
 * or (a replication group, whose engine defaults to redis) not written. */
static bool engine_backs_up(const struct cfh_node *p, bool dflt)
{
	const struct cfh_node *e = cfh_map_get(p, "Engine");
	const char *s;

	if (!e)
		return dflt;
	if (cfh_is_dynamic(e) || !(s = cfh_node_str(e)))
		return false;
	return !strcasecmp(s, "redis") || !strcasecmp(s, "valkey");
}

/* A cache.t1 node has neither backups nor Multi-AZ. A node type decided
 * at deploy time is taken as a current one: cache.t1 can no longer be
 * launched, so a new stack cannot have one. */
static bool old_node(const struct cfh_node *p)
{
	const struct cfh_node *n = cfh_map_get(p, "CacheNodeType");

	return n && !cfh_is_dynamic(n) && cfh_node_str(n) &&
	       !strncmp(cfh_node_str(n), "cache.t1.", 9);
}

/* Redis OSS before 6.0 has no auto minor version upgrade (the versions
 * CT.ELASTICACHE.PR.2 leaves out); Valkey always has it. A version
 * decided at deploy time is unknown. */
static bool upgrades_exist(const struct cfh_node *p)
{
	const struct cfh_node *v = cfh_map_get(p, "EngineVersion");
	const char *s;

	if (!v)
		return true;	/* the latest version */
	if (cfh_is_dynamic(v) || !(s = cfh_node_str(v)))
		return false;
	return atoi(s) >= 6 ||
	       cfh_node_str_eq(cfh_map_get(p, "Engine"), "valkey");
}

/* C009-01: automatic backups, kept for elasticache.snapshot-retention-days. */
static int backups(struct cfh_run *r, struct cfh_node *res,
		   struct cfh_node *p, bool serverless)
{
	const struct cfh_node *cur = cfh_map_get(p, "SnapshotRetentionLimit");
	long long days = cfh_opt_int(r, "snapshot-retention-days");
	char why[400];

	if (cur && (cfh_is_dynamic(cur) || int_of(cur) != 0))
		return 0;	/* kept, or the owner's at deploy time */
	if (cur) {
		snprintf(why, sizeof(why),
			 "automatic backups are switched off "
			 "(SnapshotRetentionLimit: 0): a lost node or a flush "
			 "loses the data; if the cache holds anything that "
			 "cannot be rebuilt, set SnapshotRetentionLimit: %lld "
			 "(C009-01)", days);
		return cfh_advise(r, res, why);
	}
	/* A serverless cache's backup does not fork a node, but it is
	 * still data kept, and paid for, that the owner did not ask for. */
	if (cfh_is_running(r, res)) {
		snprintf(why, sizeof(why),
			 serverless ?
			 "no automatic backups: a flush or a bad write loses "
			 "the data; set SnapshotRetentionLimit: %lld, and "
			 "DailySnapshotTime to a quiet hour (C009-01)" :
			 "no automatic backups: a lost node or a flush loses "
			 "the data; a daily backup forks the engine, which slows "
			 "a node short of memory, so choose a quiet "
			 "SnapshotWindow and set SnapshotRetentionLimit: %lld "
			 "(C009-01)", days);
		return cfh_advise(r, res, why);
	}
	snprintf(why, sizeof(why),
		 "keep a daily backup for %lld days: a lost node or a flush "
		 "no longer loses the data (C009-01)", days);
	return cfh_edit_set_take(r, p, "SnapshotRetentionLimit",
				 json_integer(days), why, NULL);
}

/* C009-02: minor version upgrades (security fixes) in the maintenance
 * window. */
static int upgrades(struct cfh_run *r, struct cfh_node *res,
		    struct cfh_node *p)
{
	const struct cfh_node *cur = cfh_map_get(p, "AutoMinorVersionUpgrade");

	if (!upgrades_exist(p) || (cur && cfh_is_dynamic(cur)) ||
	    cfh_node_str_eq(cur, "true"))
		return 0;
	if (cur || cfh_is_running(r, res))
		return cfh_advise(r, res,
				  "minor version upgrades are not switched on: "
				  "security fixes wait for someone to apply "
				  "them; AutoMinorVersionUpgrade: true applies "
				  "them in the maintenance window, restarting "
				  "nodes one at a time (C009-02)");
	return cfh_edit_set_take(r, p, "AutoMinorVersionUpgrade", json_true(),
				 "security fixes of the engine are applied in "
				 "the maintenance window (C009-02)",
				 NULL);
}

/* True if the group as written has a replica to fail over to; false if
 * it has none or the count is decided at deploy time. */
static bool has_replica(const struct cfh_node *p)
{
	const struct cfh_node *ngc = cfh_map_get(p, "NodeGroupConfiguration");
	const struct cfh_entry *e;
	bool any = false;

	if (int_of(cfh_map_get(p, "NumCacheClusters")) >= 2)
		return true;
	if (cfh_map_get(p, "ReplicasPerNodeGroup"))
		return int_of(cfh_map_get(p, "ReplicasPerNodeGroup")) >= 1;
	if (!cfh_node_is_seq(ngc))
		return false;
	/* Every shard needs its own replica to fail over to. */
	cfh_for_each_entry(ngc, e) {
		if (int_of(cfh_map_get(e->value, "ReplicaCount")) < 1)
			return false;
		any = true;
	}
	return any;
}

/* C009-03: a replica takes over when the primary fails. */
static int failover(struct cfh_run *r, struct cfh_node *res,
		    struct cfh_node *p)
{
	const struct cfh_node *af = cfh_map_get(p, "AutomaticFailoverEnabled");
	const struct cfh_node *maz = cfh_map_get(p, "MultiAZEnabled");

	if ((af && cfh_is_dynamic(af)) || (maz && cfh_is_dynamic(maz)))
		return 0;
	if (cfh_node_str_eq(af, "true")) {
		/* Failover is on: Multi-AZ only says the replica that takes
		 * over is in another zone. A running group keeps its
		 * placement; the owner's false is the owner's. */
		if (maz || cfh_is_running(r, res))
			return 0;
		return cfh_edit_set_take(r, p, "MultiAZEnabled", json_true(),
					 "the replica that takes over is in "
					 "another availability zone (C009-03)",
					 NULL);
	}
	if (!has_replica(p))
		return cfh_advise(r, res,
				  "no automatic failover: when the primary "
				  "fails, the group is down until a replica is "
				  "promoted by hand; with a replica in every "
				  "shard (NumCacheClusters: 2 or "
				  "ReplicasPerNodeGroup: 1, an added cost), set "
				  "AutomaticFailoverEnabled: true and "
				  "MultiAZEnabled: true (C009-03)");
	/* The owner's false, or a running group whose primary would start
	 * moving between nodes and zones: clients that write to a node's
	 * own endpoint instead of the primary endpoint would lose writes. */
	if (af || maz || cfh_is_running(r, res))
		return cfh_advise(r, res,
				  "no automatic failover: when the primary "
				  "fails, the group is down until a replica is "
				  "promoted by hand; once every client writes "
				  "through the primary (or configuration) "
				  "endpoint, set AutomaticFailoverEnabled: true "
				  "and MultiAZEnabled: true (C009-03)");
	if (cfh_edit_set_take(r, p, "AutomaticFailoverEnabled", json_true(),
			      "a replica takes over when the primary fails "
			      "(C009-03)",
			      NULL))
		return -1;
	return cfh_edit_set_take(r, p, "MultiAZEnabled", json_true(),
				 "the replica that takes over is in another "
				 "availability zone (C009-03)",
				 NULL);
}

/* C009-04: a cache without a subnet group runs in the default VPC. */
static int subnets(struct cfh_run *r, struct cfh_node *res,
		   const struct cfh_node *p)
{
	if (cfh_map_get(p, "CacheSubnetGroupName"))
		return 0;
	return cfh_advise(r, res,
			  "no CacheSubnetGroupName: the cache runs in the "
			  "default VPC; an AWS::ElastiCache::SubnetGroup of "
			  "the application's private subnets places it there, "
			  "but setting it replaces the cache and its data "
			  "(C009-04)");
}

static int group(struct cfh_run *r, void *st, const char *id,
		 struct cfh_node *res)
{
	struct cfh_node *p = cfh_res_props(r, res, "add Properties");

	(void)st;
	(void)id;
	if (!p)
		return -1;
	if (!engine_backs_up(p, true))
		return 0;	/* memcached, or decided at deploy time */
	if (!old_node(p) && (backups(r, res, p, false) || failover(r, res, p)))
		return -1;
	return upgrades(r, res, p) || subnets(r, res, p) ? -1 : 0;
}

static int cluster(struct cfh_run *r, void *st, const char *id,
		   struct cfh_node *res)
{
	struct cfh_node *p = cfh_res_props(r, res, "add Properties");

	(void)st;
	(void)id;
	if (!p)
		return -1;
	if (!engine_backs_up(p, false))
		return 0;	/* memcached, or decided at deploy time */
	if (!old_node(p) && backups(r, res, p, false))
		return -1;
	return upgrades(r, res, p) || subnets(r, res, p) ? -1 : 0;
}

/* A serverless cache has no nodes to upgrade or fail over; only its
 * backups are the owner's to keep. */
static int serverless(struct cfh_run *r, void *st, const char *id,
		      struct cfh_node *res)
{
	struct cfh_node *p = cfh_res_props(r, res, "add Properties");

	(void)st;
	(void)id;
	if (!p)
		return -1;
	return engine_backs_up(p, false) ? backups(r, res, p, true) : 0;
}

static const struct cfh_handler handlers[] = {
	{ "AWS::ElastiCache::ReplicationGroup", group },
	{ "AWS::ElastiCache::CacheCluster", cluster },
	{ "AWS::ElastiCache::ServerlessCache", serverless },
};

const struct cfh_pass_ops cfh_pass_elasticache = {
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
};
