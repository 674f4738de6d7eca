# SPDX-License-Identifier: MIT
# What the shell suites share: counting checks and the closing line.
# Sourced (`. tests/lib.sh`) after setting `suite`, the name each line
# starts with. Counters are plain variables so that a suite may count a
# check it made another way (pass=$((pass + 1))).
pass=0
fail=0

# check DESCRIPTION COMMAND [ARG...]: COMMAND's exit status is the verdict;
# its output is not shown (a failing check says its description).
check() {
	desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		pass=$((pass + 1))
	else
		echo "$suite: FAIL: $desc"
		fail=$((fail + 1))
	fi
}

# The closing line tests/total.sh adds up, and the suite's exit status.
check_summary() {
	echo "$suite: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
