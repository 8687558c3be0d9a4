#!/usr/bin/env bats
# Documents that are generated from the tree stay in step with it.
# bats file_tags=cli

bats_require_minimum_version 1.5.0

@test "docs/RELIABILITY.md's table matches what the test suite tries" {
	run -0 "$BATS_TEST_DIRNAME/../scripts/reliability-counts" --check
}

@test "every fixture in fixtures/ is listed by pmemlab fixtures and in docs/FIXTURES.md" {
	local dir=$BATS_TEST_DIRNAME/../fixtures files=() listed name
	# the files on disk are the independent fact; the list must hold them all
	for name in "$dir"/*.sh; do
		name=${name##*/}
		[[ $name == lib.sh ]] || files+=("${name%.sh}")
	done
	((${#files[@]} >= 11))
	listed=$("$BATS_TEST_DIRNAME/../scripts/pmemlab" fixtures --format json | jq -r '.[].fixture' | sort)
	[[ $listed == "$(printf '%s\n' "${files[@]}" | sort)" ]]
	for name in "${files[@]}"; do
		grep -q "^| \`$name\` |" "$BATS_TEST_DIRNAME/../docs/FIXTURES.md" || {
			echo "docs/FIXTURES.md has no row for $name" >&2
			return 1
		}
	done
}
