/* SPDX-License-Identifier: MIT */
/*
 * What the ecs pass needs to know of ECS, apart from the pass that
 * applies it (transforms/ecs.c). What a task needs: read from a task
 * definition's containers, the ECR repositories its images come from,
 * the log groups its awslogs containers write to, the Secrets Manager
 * secrets and SSM parameters its containers read and the template keys
 * those are encrypted with; and the statements an execution role needs
 * for exactly those. What cannot be read exactly is named instead, so
 * that a human grants it rather than a wildcard. And how a service is
 * wired: the task definition it runs, its cluster's name, the listener
 * in front of its target group.
 *
 * Ownership: the template and its nodes are borrowed, and logical IDs
 * returned belong to the template; the lists of a struct cfh_ecs_needs
 * belong to it until cfh_ecs_needs_release(); json_t values returned are
 * new references; _take arguments are taken even on failure.
 */
#ifndef CFH_ECS_DATA_H
#define CFH_ECS_DATA_H

#include "model.h"

/*
 * The needs of a task definition's containers. The lists hold ARNs as
 * CloudFormation values (a GetAtt, a Ref, an Fn::Sub or a literal),
 * each once, in the order the containers name them.
 */
struct cfh_ecs_needs {
	json_t *repos;		/* ECR repositories of its images */
	json_t *groups;		/* log groups of awslogs containers */
	json_t *secrets;	/* Secrets Manager secrets */
	json_t *params;		/* SSM parameters */
	json_t *keys;		/* template KMS keys of those secrets */
	bool ecr;		/* an image is, or may be, in ECR */
	bool unlogged;		/* a container has no LogConfiguration */
	bool literal;		/* a secret is named by a literal ARN: the
				 * key it is encrypted with is not known */
	const char *unknown;	/* what cannot be read exactly (static
				 * text, for an advisory), or NULL */
};

/**
 * cfh_ecs_needs_init() - empty needs
 * @n: the needs to initialise
 * Returns: 0, or -1 when out of memory (@n is released).
 */
int cfh_ecs_needs_init(struct cfh_ecs_needs *n);

/* Free the lists of @n; @n may be initialised or zeroed. */
void cfh_ecs_needs_release(struct cfh_ecs_needs *n);

/**
 * cfh_ecs_needs_read() - what a task definition's containers need
 * @n: initialised needs, to add to
 * @t: the template, to find the repositories, groups, secrets,
 *     parameters and keys the containers name
 * @defs: the task definition's ContainerDefinitions (a sequence)
 *
 * Reads each container's Image, LogConfiguration, Secrets and
 * RepositoryCredentials. An image of a template repository, or one whose
 * URI names an ECR registry, needs that repository; an awslogs container
 * its group; a secret of the template, a "${Secret}:json-key::" on one,
 * an SSM parameter of the template or a literal ARN needs that secret or
 * parameter, and the template key the secret is encrypted with.
 * What cannot be read sets n->unknown.
 */
void cfh_ecs_needs_read(struct cfh_ecs_needs *n, struct cfh_template *t,
			const struct cfh_node *defs);

/**
 * cfh_ecs_needs_statements() - the statements of an execution role
 * @n: the needs of the task
 *
 * ECR's authorization token (which accepts only "*") and the pull
 * actions on the repositories; CreateLogStream and PutLogEvents on the
 * groups; GetSecretValue, GetParameters and kms:Decrypt on the secrets,
 * parameters and keys: each statement only when it has something to
 * grant.
 * Returns: a new list of statements, or NULL when out of memory.
 */
json_t *cfh_ecs_needs_statements(const struct cfh_ecs_needs *n);

/**
 * cfh_ecs_task_role_take() - a role ECS tasks of this account assume
 * @policy: the name of its one inline policy
 * @stmts: the statements of that policy (a list); taken
 * Returns: the resource ({Type, Properties}), or NULL when out of memory.
 */
json_t *cfh_ecs_task_role_take(const char *policy, json_t *stmts);

/**
 * cfh_ecs_task_of() - the task definition a service runs
 * @p: the service's Properties
 * Returns: the logical ID (borrowed) of the template's task definition
 * that TaskDefinition names by Ref, or NULL.
 */
const char *cfh_ecs_task_of(struct cfh_template *t, const struct cfh_node *p);

/**
 * cfh_ecs_cluster_name() - a service's cluster, by name
 * @c: the service's Cluster, or NULL
 *
 * What Application Auto Scaling's ResourceId ("service/CLUSTER/SERVICE")
 * needs: the name, where Cluster may give the name or the ARN. No
 * Cluster is the "default" one; a Ref (of a cluster or a parameter) and a
 * literal name are the name; a GetAtt of a template cluster becomes its
 * Ref.
 * Returns: the name as a value, or NULL when it cannot be known (a
 * literal ARN, another intrinsic) or out of memory.
 */
json_t *cfh_ecs_cluster_name(struct cfh_template *t, const struct cfh_node *c);

#endif
