# SPDX-License-Identifier: MIT
# cfn-harden: plain Makefile. `make` builds build/cfn-harden and
# build/libcfharden.a, and installs nothing; `make deps` installs the
# Debian packages; `make check` runs every test; `make demo` hardens an
# example. check and demo (the README's set-up commands) call `make deps`
# first, so they work on a fresh machine.

PREFIX ?= /usr/local
CC ?= cc
BUILD ?= build
PKGS = libfyaml jansson
DEB_PKGS = libfyaml-dev libfyaml-utils libjansson-dev check pkg-config mandoc bc \
	python3-jsonschema python3-jsonpatch

WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE $(WARN) $(CFLAGS) -Iinclude -Isrc \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -pthread
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

LIB_OBJS = \
	$(BUILD)/src/batch.o \
	$(BUILD)/src/batch_out.o \
	$(BUILD)/src/buf.o \
	$(BUILD)/src/cli.o \
	$(BUILD)/src/config.o \
	$(BUILD)/src/conv.o \
	$(BUILD)/src/diff.o \
	$(BUILD)/src/ecs_data.o \
	$(BUILD)/src/edit.o \
	$(BUILD)/src/encryption_stores.o \
	$(BUILD)/src/engine.o \
	$(BUILD)/src/graph.o \
	$(BUILD)/src/iam_data.o \
	$(BUILD)/src/iam_table.o \
	$(BUILD)/src/iam_table_data.o \
	$(BUILD)/src/io.o \
	$(BUILD)/src/kms.o \
	$(BUILD)/src/load.o \
	$(BUILD)/src/load_guard.o \
	$(BUILD)/src/node.o \
	$(BUILD)/src/options.o \
	$(BUILD)/src/passlib.o \
	$(BUILD)/src/policy.o \
	$(BUILD)/src/render.o \
	$(BUILD)/src/replace.o \
	$(BUILD)/src/report.o \
	$(BUILD)/src/reprint.o \
	$(BUILD)/src/schema.o \
	$(BUILD)/src/schema_table.o \
	$(BUILD)/src/template.o \
	$(BUILD)/src/usage.o

# One object per pass, in registry order (transforms/passes.def).
PASS_OBJS = \
	$(BUILD)/transforms/encryption.o \
	$(BUILD)/transforms/iam.o \
	$(BUILD)/transforms/dlq.o \
	$(BUILD)/transforms/pipeline_trigger.o \
	$(BUILD)/transforms/deploy_stage.o \
	$(BUILD)/transforms/build.o \
	$(BUILD)/transforms/alarms.o \
	$(BUILD)/transforms/logs.o \
	$(BUILD)/transforms/vpc.o \
	$(BUILD)/transforms/rds.o \
	$(BUILD)/transforms/elasticache.o \
	$(BUILD)/transforms/lambda.o \
	$(BUILD)/transforms/apigw.o \
	$(BUILD)/transforms/stepfunctions.o \
	$(BUILD)/transforms/secrets.o \
	$(BUILD)/transforms/portability.o \
	$(BUILD)/transforms/stateful.o \
	$(BUILD)/transforms/elb.o \
	$(BUILD)/transforms/cloudfront.o \
	$(BUILD)/transforms/s3.o \
	$(BUILD)/transforms/ecs.o \
	$(BUILD)/transforms/graph_fix.o \
	$(BUILD)/transforms/parameters.o \
	$(BUILD)/transforms/naming.o \
	$(BUILD)/transforms/ec2.o \
	$(BUILD)/transforms/tags.o \
	$(BUILD)/transforms/outputs.o

TEST_OBJS = \
	$(BUILD)/tests/check_main.o \
	$(BUILD)/tests/testlib.o \
	$(BUILD)/tests/check_schema.o \
	$(BUILD)/tests/check_load.o \
	$(BUILD)/tests/check_refuse.o \
	$(BUILD)/tests/check_node.o \
	$(BUILD)/tests/check_reprint.o \
	$(BUILD)/tests/check_edit.o \
	$(BUILD)/tests/check_graph.o \
	$(BUILD)/tests/check_engine.o \
	$(BUILD)/tests/check_policy.o \
	$(BUILD)/tests/check_iam_table.o \
	$(BUILD)/tests/check_contract.o

HEADERS = $(wildcard include/*.h src/*.h tests/*.h) transforms/passes.def \
	transforms/options.def

.PHONY: all build deps deps-quiet pkg-check schema schema-check iam-table iam-table-check check unit golden catalogue corpus batch lint-outputs invariants never-broader never-narrower replacements unchanged rerender alarm-metrics manlint asan demo \
	bench install uninstall clean regen fuzz fuzz-deps fuzz-regress generated-inputs examples examples-check valgrind

# Only builds: a plain `make` must not run apt-get. Without the packages
# it stops at pkg-check, which says to run `make deps`.
all: build

build: $(BUILD)/cfn-harden $(BUILD)/libcfharden.a

# Installs whatever Debian packages are missing; silent when none are.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq $$missing >/dev/null; \
	fi

deps-quiet:
	@$(MAKE) --no-print-directory deps

# Stops a build at once, with the fix, when the libraries are missing,
# instead of a compiler error about a header. Order-only: it never makes
# an object out of date.
pkg-check:
	@pkg-config --exists $(PKGS) 2>/dev/null || { \
		echo "cfn-harden: libraries missing ($(PKGS), found with pkg-config); run 'make deps' as root first" >&2; \
		exit 1; }

$(BUILD)/%.o: %.c $(HEADERS) | pkg-check
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itransforms -c -o $@ $<

$(BUILD)/libcfharden.a: $(LIB_OBJS) $(PASS_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/cfn-harden: $(BUILD)/src/main.o $(BUILD)/libcfharden.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/check_unit: $(TEST_OBJS) $(BUILD)/libcfharden.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LIBS)

$(BUILD)/cfh-edit: $(BUILD)/tests/edit_driver.o $(BUILD)/libcfharden.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/corpus-check: $(BUILD)/tests/corpus_check.o $(BUILD)/libcfharden.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

TOOLS = $(BUILD)/cfn-harden $(BUILD)/check_unit $(BUILD)/cfh-edit \
	$(BUILD)/corpus-check

# check and demo: packages first, then a fresh make: pkg-config's answers
# are read when a Makefile is parsed, so the build must not be parsed
# before they exist.
check: deps-quiet
	@$(MAKE) --no-print-directory $(TOOLS)
	@sh tests/total.sh "$(MAKE)" schema-check iam-table-check unit golden \
		catalogue fuzz-regress generated-inputs examples-check corpus \
		alarm-metrics batch \
		manlint lint-outputs invariants never-broader never-narrower \
		replacements unchanged rerender io-faults

# make check with the long parts: cfn-lint on 250 hardened corpus templates
# and the semantic checks on all of them (CHECK_FULL=1; make check takes
# 100 and a sample), then the suite under ASan, UBSan and valgrind.
.PHONY: check-full
check-full:
	@CHECK_FULL=1 $(MAKE) --no-print-directory check
	@$(MAKE) --no-print-directory asan

unit: $(BUILD)/check_unit
	$(BUILD)/check_unit

# src/schema_table.c is generated from the installed cfn-lint's resource
# schemas (tools/gen-schema-table.py). schema-check fails while it is
# stale; `make schema` rewrites it (review the diff). Neither downloads.
schema-check:
	@sh tests/check-schema-table.sh

schema:
	@REGEN=1 sh tests/check-schema-table.sh

# src/iam_table_data.c likewise, from the IAM service reference data cfn-lint
# ships (tools/gen-iam-table.py); `make iam-table` rewrites it.
iam-table-check:
	@sh tests/check-schema-table.sh iam

iam-table:
	@REGEN=1 sh tests/check-schema-table.sh iam

golden: $(BUILD)/cfn-harden $(BUILD)/cfh-edit
	@sh tests/run-golden.sh $(BUILD)

# The seed examples: committed outputs, cfn-lint, the seed checklist.
# `make examples` rewrites examples/hardened/ (review the diff).
examples-check: $(BUILD)/cfn-harden
	@sh tests/check-examples.sh $(BUILD)

examples: $(BUILD)/cfn-harden
	@REGEN=1 sh tests/check-examples.sh $(BUILD)

fuzz-regress: $(BUILD)/cfn-harden
	@sh tests/run-fuzz-regress.sh $(BUILD)

generated-inputs: $(BUILD)/cfn-harden
	@sh tests/check-generated-inputs.sh $(BUILD)

corpus: $(BUILD)/corpus-check
	@sh tests/run-corpus.sh $(BUILD)

manlint:
	@sh tests/check-man.sh $(BUILD)

batch:
	@sh tests/check-batch.sh $(BUILD)

# Colliding destinations, links below the output trees, signals, `ulimit
# -f`, stale temporary files and unreadable directories.
.PHONY: io-faults
io-faults: $(BUILD)/cfn-harden
	@sh tests/check-io-faults.sh $(BUILD)

# Every alarm and dashboard line the tool adds, in the golden and corpus
# outputs, is on a metric the service publishes (tests/check-alarms.py).
alarm-metrics: $(BUILD)/cfn-harden
	@python3 tests/check-alarms.py --cfn-harden $(BUILD)/cfn-harden $(BUILD)

catalogue: $(BUILD)/cfn-harden
	@sh tests/check-catalogue.sh $(BUILD)

# Rewrites the table --explain prints (src/cli.c) from docs/fixes.md.
.PHONY: fixes-table
fixes-table:
	@REGEN=1 sh tests/check-catalogue.sh

lint-outputs:
	@sh tests/lint-outputs.sh $(BUILD) $(BUILD)/corpus-sample/manifest

invariants:
	@sh tests/check-invariants.sh $(BUILD)

never-broader:
	@sh tests/check-semantic.sh never-broader $(BUILD)

never-narrower:
	@sh tests/check-semantic.sh never-narrower $(BUILD)

replacements:
	@sh tests/check-semantic.sh replacements $(BUILD)

unchanged:
	@sh tests/check-semantic.sh unchanged $(BUILD)

rerender:
	@sh tests/check-semantic.sh rerender $(BUILD)

regen: $(BUILD)/cfn-harden $(BUILD)/cfh-edit
	@REGEN=1 sh tests/run-golden.sh $(BUILD)

# The suite and the corpus under ASan and UBSan, then valgrind memcheck
# on the examples and the bad inputs (the plain build: memcheck cannot
# run sanitized binaries).
asan: deps-quiet
	@$(MAKE) --no-print-directory BUILD=build-asan CC=clang \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" check
	@$(MAKE) --no-print-directory valgrind

valgrind: deps-quiet
	@$(MAKE) --no-print-directory DEB_PKGS="$(DEB_PKGS) valgrind" deps
	@$(MAKE) --no-print-directory $(BUILD)/cfn-harden
	@sh tests/check-valgrind.sh $(BUILD)

# libFuzzer over load + every pass + print (fuzz/fuzz_harden.c), for
# FUZZ_TIME seconds (default 600). clang's fuzzer runtime is a Debian
# package of its own.
FUZZ_DEB_PKGS = clang libclang-rt-dev
FUZZ_CFLAGS = -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=all

fuzz-deps:
	@$(MAKE) --no-print-directory DEB_PKGS="$(DEB_PKGS) $(FUZZ_DEB_PKGS)" deps

fuzz: fuzz-deps
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang \
		CFLAGS="$(FUZZ_CFLAGS)" build-fuzz/fuzz_harden
	@sh fuzz/run.sh build-fuzz

$(BUILD)/fuzz_harden: $(BUILD)/fuzz/fuzz_harden.o $(BUILD)/libcfharden.a
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

# Packages first, then a fresh make (see check).
demo: deps-quiet
	@$(MAKE) --no-print-directory build
	@sh tests/demo.sh $(BUILD)

# bench needs bc and fy-tool (libfyaml-utils), so packages first too.
bench: deps-quiet
	@$(MAKE) --no-print-directory build $(BUILD)/corpus-check
	@sh bench/run.sh $(BUILD)

# What independent checkers (cdk-nag, cfn-guard with the Control Tower
# rules, cfn-lint's security rules) find on a fixed corpus sample before
# and after hardening, per mode: a measurement, not part of check. Needs
# ../shared/oracles/install.sh run once, and ../shared/corpus.
.PHONY: scan
scan:
	@$(MAKE) --no-print-directory build
	@sh bench/scan.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
		$(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(BUILD)/cfn-harden $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/libcfharden.a $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/cfharden.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 man/cfn-harden.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(shell sed -n 's/^#define CFH_VERSION "\(.*\)"/\1/p' include/cfharden.h)|' \
		cfharden.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/cfharden.pc
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 contrib/cfn-harden.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/cfn-harden

# What install wrote, and nothing else.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/cfn-harden \
		$(DESTDIR)$(PREFIX)/lib/libcfharden.a \
		$(DESTDIR)$(PREFIX)/include/cfharden.h \
		$(DESTDIR)$(PREFIX)/share/man/man1/cfn-harden.1 \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig/cfharden.pc \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/cfn-harden

clean:
	rm -rf build build-asan build-fuzz
