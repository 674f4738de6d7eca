/* SPDX-License-Identifier: MIT */
#include "suites.h"

Suite *load_suite(void)
{
	return suite_create("load");
}
