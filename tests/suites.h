/* SPDX-License-Identifier: MIT */
/* The unit-test suites, one per area; tests/check_main.c runs them all. */
#ifndef CFH_TEST_SUITES_H
#define CFH_TEST_SUITES_H

#include <check.h>

Suite *schema_suite(void);
Suite *load_suite(void);
Suite *refuse_suite(void);
Suite *node_suite(void);
Suite *reprint_suite(void);
Suite *edit_suite(void);
Suite *graph_suite(void);
Suite *engine_suite(void);
Suite *policy_suite(void);
Suite *iam_table_suite(void);
Suite *contract_suite(void);

#endif
