/* SPDX-License-Identifier: MIT */
#include "suites.h"

Suite *graph_suite(void)
{
	return suite_create("graph");
}
