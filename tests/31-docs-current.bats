#!/usr/bin/env bats
# Documents that are generated from the tree stay in step with it.
# bats file_tags=cli

bats_require_minimum_version 1.5.0

@test "docs/RELIABILITY.md's table matches what the test suite tries" {
	run -0 "$BATS_TEST_DIRNAME/../scripts/reliability-counts" --check
}

@test "every fixture in fixtures/ is listed in docs/FIXTURES.md" {
	local name
	while read -r name _; do
		grep -q "^| \`$name\` |" "$BATS_TEST_DIRNAME/../docs/FIXTURES.md"
	done < <(sh "$BATS_TEST_DIRNAME/../fixtures/run" --list)
}
