/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(schema_suite());
	int failed;

	srunner_add_suite(sr, load_suite());
	srunner_add_suite(sr, refuse_suite());
	srunner_add_suite(sr, node_suite());
	srunner_add_suite(sr, reprint_suite());
	srunner_add_suite(sr, edit_suite());
	srunner_add_suite(sr, graph_suite());
	srunner_add_suite(sr, engine_suite());
	srunner_add_suite(sr, policy_suite());
	srunner_add_suite(sr, iam_table_suite());
	srunner_add_suite(sr, contract_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
