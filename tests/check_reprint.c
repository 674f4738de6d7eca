/* SPDX-License-Identifier: MIT */
#include "suites.h"

Suite *reprint_suite(void)
{
	return suite_create("reprint");
}
