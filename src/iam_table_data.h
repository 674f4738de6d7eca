/* SPDX-License-Identifier: MIT */
/*
 * The layout of the generated IAM action table (src/iam_table_data.c,
 * written by tools/gen-iam-table.py from the data cfn-lint ships), shared
 * by the generated data and the hand-written look-ups in src/iam_table.c.
 * Nothing else includes it: src/iam_table.h is the interface.
 *
 * The table holds offsets, not pointers, so that it needs no relocation
 * at start-up (see src/schema.h): strings are offsets into cfh_iamtab_pool,
 * each distinct string once; lists are runs of cfh_iamtab_rlist_items and
 * cfh_iamtab_arn_items, each distinct run once.
 *
 * Ownership: static, read-only data.
 */
#ifndef CFH_IAM_TABLE_DATA_H
#define CFH_IAM_TABLE_DATA_H

#include <stddef.h>
#include <stdint.h>

struct cfh_iam_rtype {
	uint32_t name_off;	/* lower-case key, "repository" */
	uint16_t arn_off;	/* first of its run in cfh_iamtab_arn_items */
	uint16_t arn_len;
};

struct cfh_iam_act {
	uint32_t name_off;	/* "ecr:batchgetimage" */
	uint16_t rlist_off;	/* first of its run in cfh_iamtab_rlist_items */
	uint16_t rlist_len;	/* 0: the action works only on "*" */
};

struct cfh_iam_svc {
	uint32_t name_off;	/* "ecr" */
	uint32_t act_off;	/* first of its run in cfh_iamtab_actions */
	uint16_t act_len;
	uint16_t rtype_off;	/* first of its run in cfh_iamtab_rtypes */
	uint16_t rtype_len;
};

extern const char cfh_iamtab_pool[];
extern const uint32_t cfh_iamtab_arn_items[];
extern const uint16_t cfh_iamtab_rlist_items[];
extern const struct cfh_iam_rtype cfh_iamtab_rtypes[];
extern const struct cfh_iam_act cfh_iamtab_actions[];
extern const struct cfh_iam_svc cfh_iamtab_services[];
extern const size_t cfh_iamtab_nservices;

#endif
