/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness (make fuzz): load, harden with every pass, print.
 *
 * Besides crashes and sanitizer reports it checks the promises a user
 * relies on, so that a silent wrong answer is found like a crash:
 *  - a template that loads reprints byte for byte when nothing changed;
 *  - the hardened output loads again;
 *  - the reports and the conversions to JSON and YAML do not fail.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfharden.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfh_run *r;
	struct cfh_template *t, *again;
	struct cfh_diag d;
	char *out, *conv;
	size_t len, clen;

	/* Templates are text files; keep inputs small so the fuzzer spends
	 * its time on shapes, not on sheer length. */
	if (size > 65536)
		return 0;
	t = cfh_template_load((const char *)data, size, "fuzz", &d);
	if (!t)
		return 0;
	out = cfh_template_print(t, &len);
	if (!out || len != size || memcmp(out, data, size)) {
		fprintf(stderr, "identity broken: untouched reprint differs\n");
		abort();
	}
	free(out);
	r = cfh_run_new(t, NULL);
	if (!r)
		abort();
	if (cfh_run_harden(r, &d) == 0) {
		out = cfh_template_print(t, &len);
		if (!out)
			abort();
		again = cfh_template_load(out, len, "fuzz-out", &d);
		if (!again) {
			fprintf(stderr, "hardened output does not load: %d:%d: %s\n",
				d.line, d.col, d.msg);
			abort();
		}
		cfh_template_free(again);
		free(out);
	}
	conv = cfh_report(r, CFH_REPORT_JSON, "fuzz");
	free(conv);
	conv = cfh_report(r, CFH_REPORT_MD, "fuzz");
	free(conv);
	conv = cfh_template_convert(t, CFH_FORMAT_JSON, &clen);
	free(conv);
	conv = cfh_template_convert(t, CFH_FORMAT_YAML, &clen);
	free(conv);
	cfh_run_free(r);
	cfh_template_free(t);
	return 0;
}
