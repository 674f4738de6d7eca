/* SPDX-License-Identifier: MIT */
/*
 * Replacement analysis: which deployed resources a change replaces. A
 * change replaces its resource when it touches a createOnly property (the
 * resource schemas cfn-lint ships are the authority, src/schema.h); the
 * new resource has a new physical ID and new attributes, so every
 * resource that uses it in a createOnly property of its own is replaced
 * too, and so on: a renamed DB subnet group replaces the Aurora cluster
 * that names it, a role that loses its RoleName replaces the EKS node
 * group whose NodeRole it is.
 *
 * Ownership: json_t values returned are new references; logical IDs are
 * copied into them.
 */
#ifndef CFH_REPLACE_H
#define CFH_REPLACE_H

#include "model.h"

/**
 * cfh_replace_chains() - what replacing a resource replaces
 * @id: the logical ID of a resource a change replaces
 *
 * Follows the reference graph from @id to every resource that names it
 * (Ref, GetAtt, Sub) inside one of its createOnly properties, and from
 * those on, each resource once. Resources the run added are not deployed
 * and replace nothing.
 * Returns: a JSON array of chains, one per replaced resource, @id's own
 * first: ["X"], then ["X", "X's user"], ... where each chain is an array
 * of objects {"resource": ID, "property": P} (no "property" on the first:
 * the change itself replaces it); NULL when out of memory.
 */
json_t *cfh_replace_chains(struct cfh_template *t, const char *id);

/**
 * cfh_replace_describe() - a chain as a reviewer reads it
 * @chain: one element of cfh_replace_chains()
 * Returns: "Cluster (its DBSubnetGroupName names SubnetGroup)", or for a
 * chain of one "SubnetGroup (a createOnly property changes)", as a
 * malloc'ed string (caller frees), or NULL when out of memory.
 */
char *cfh_replace_describe(const json_t *chain);

#endif
