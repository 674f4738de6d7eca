/* SPDX-License-Identifier: MIT */
#include "suites.h"

Suite *engine_suite(void)
{
	return suite_create("engine");
}
