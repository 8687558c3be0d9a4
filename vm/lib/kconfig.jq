# Judge a kernel config against vm/kconfig-requirements.tsv (see there and
# docs/KCONFIG.md). Called by vm/lib/kconfig.sh as
#   jq -n --arg tsv "REQS and the fixtures' @group lines" --rawfile config KV --argjson fixtures [...] --argjson na [...]
#         --argjson modules {name: path}|null --argjson builtin {...}|null
#         --argjson meta {...} -f kconfig.jq
# where KV holds "NAME<TAB>VALUE" lines (VALUE "n" for "is not set").

def norm: gsub("-"; "_");
def uniq_keep_order: reduce .[] as $x ([]; if index([$x]) then . else . + [$x] end);
def words: split(" ") | map(select(. != ""));

($meta.backends) as $backends
| ($fixtures | map(.name)) as $fixture_names

# The requirement table: groups and rows, with their line numbers.
| ($tsv | split("\n") | to_entries
   | map(.line = .key + 1 | select(.value | test("^[[:space:]]*(#.*)?$") | not))) as $lines
| ($lines | map(select(.value | startswith("@group")) | .value | split("\t")
   | {key: .[1], value: (.[2] // "" | words)}) | from_entries) as $groups
| def expand($t):
	if $groups[$t] then [$groups[$t][] as $m | expand($m)] | add
	elif ($fixture_names | index([$t])) then ["fixture:" + $t]
	elif (["guest", "exec"] + $backends | index([$t])) then [$t]
	else error("unknown target '\($t)'") end;
  def scopes($line):
	[.[] | . as $t | (split("@")) as $p
	| if ($p | length) == 1 then
		(try expand($p[0]) catch error("vm/kconfig-requirements.tsv line \($line): \(.)"))[]
	  elif ($backends | index([$p[1]])) | not then
		error("vm/kconfig-requirements.tsv line \($line): unknown backend in '\($t)'")
	  else
		(try expand($p[0]) catch error("vm/kconfig-requirements.tsv line \($line): \(.)"))[]
		| if startswith("fixture:") then . + "@" + $p[1]
		  else error("vm/kconfig-requirements.tsv line \($line): '\($t)': only fixtures take @BACKEND") end
	  end];
  ($lines | map(select(.value | startswith("@") | not) | .line as $line | .value | split("\t")
	| if length != 5 then error("vm/kconfig-requirements.tsv line \($line): expected 5 tab-separated columns, found \(length)")
	  elif (.[2] | . != "need" and . != "want") then error("vm/kconfig-requirements.tsv line \($line): level must be need or want")
	  else {option: .[0], module: .[1], level: .[2], needed_by: (.[3] | words), why: .[4], line: $line} end
	| .line as $l | .scopes = (.needed_by | scopes($l)))) as $reqs

# The config's values.
| ($config | split("\n") | map(select(. != "") | split("\t") | {key: .[0], value: (.[1:] | join("\t"))})
   | from_entries) as $values

# Each required option: its value and whether it is really there.
| def status:
	. as $r | $values[$r.option] as $v
	| (if $r.module == "-" then null else $r.module end) as $mod
	| if $v == null then {value: "n", state: "absent"}
	  elif $v == "y" then {value: "y", state: "builtin"}
	  elif $v == "n" then {value: "n", state: "not-set"}
	  elif $v == "m" then
		if $mod == null then {value: "m", state: "module"}
		elif $modules == null then {value: "m", state: "module-unchecked"}
		elif $modules[$mod | norm] then {value: "m", state: "module", module_path: $modules[$mod | norm]}
		elif ($builtin // {})[$mod | norm] then {value: "m", state: "module-builtin", module_path: $builtin[$mod | norm]}
		else {value: "m", state: "module-missing", hint: (($meta.module_hints // {})[$mod | norm])} end
	  else {value: $v, state: "other"} end
	| .available = (.state as $s | ["builtin", "module", "module-builtin", "module-unchecked"] | index([$s]) != null)
	| .module = $mod
	| .text = (
		if .state == "absent" then "CONFIG_\($r.option) is not in the config (an option it depends on or is selected by is off)"
		elif .state == "not-set" then "CONFIG_\($r.option) is not set"
		elif .state == "module-missing" then
			"CONFIG_\($r.option)=m but \($mod).ko is neither in \($meta.modules_dir) nor in its modules.builtin"
			+ (if .hint then " (\(.hint))" else "" end)
		else "CONFIG_\($r.option)=\(.value)" end
		+ ": " + $r.why);
  ($reqs | map(. + {status: status})) as $rows

# A set of scopes is supported when every "need" row touching it is available.
| def judge($scopes):
	[$rows[] | select(any(.scopes[]; . as $s | $scopes | index([$s]) != null))] as $touching
	| [$touching[] | select(.status.available | not)] as $failing
	| [$failing[] | select(.level == "need")] as $blocking
	| {supported: ($blocking | length == 0),
	   reasons: [$blocking[].status.text] | uniq_keep_order,
	   missing: [$blocking[].option] | uniq_keep_order,
	   # module files the kernel's package set lacks, and who ships them
	   missing_modules: [$blocking[] | select(.status.state == "module-missing") | .module] | uniq_keep_order,
	   hints: [$blocking[] | .status.hint // empty] | uniq_keep_order,
	   notes: [$failing[] | select(.level == "want") | .status.text] | uniq_keep_order};
  def merge_cells:
	(map(.supported) | any) as $any
	| {supported: $any,
	   reasons: (if $any then [] else map(.reasons[]) | uniq_keep_order end),
	   missing: (if $any then [] else map(.missing[]) | uniq_keep_order end),
	   missing_modules: (if $any then [] else map(.missing_modules[]) | uniq_keep_order end),
	   hints: (if $any then [] else map(.hints[]) | uniq_keep_order end),
	   notes: (map(.notes[]) | uniq_keep_order)};

{
	kernel: $meta.kernel,
	kernel_desc: $meta.kernel_desc,
	kernel_origin: $meta.kernel_origin,
	config: $meta.config,
	config_source: $meta.config_source,
	modules_dir: $meta.modules_dir,
	modules_checked: ($modules != null),
	options: ($rows | map({key: .option, value: .status.value}) | from_entries),
	option_details: ($rows | map({key: .option, value: {
		value: .status.value, state: .status.state, available: .status.available,
		module: .status.module, module_path: .status.module_path, hint: .status.hint,
		level: .level, needed_by: .needed_by, why: .why}}) | from_entries),
	# supported: the config allows it; emulator: what QEMU and the CPU
	# model must give this kernel besides (the backend's
	# BACKEND_EMULATOR_NEEDS), which the run checks against its QEMU
	backends: ($backends | map({key: ., value: (judge(["guest", .]) + {emulator: ($emulator[.] // [])})}) | from_entries),
	commands: {run: judge(["guest"]), exec: judge(["guest", "exec"]), shell: judge(["guest"])},
	# a cell whose fixture cannot exist on the backend (expectations.tsv
	# "-") is not applicable: the config decides nothing there
	fixtures: ($fixtures | map(.name as $f | .expected as $e
		| ($backends | map(. as $b | {key: $b, value: (judge(["guest", "fixture:" + $f, "fixture:" + $f + "@" + $b])
			+ ([$na[] | select(.fixture == $f and .backend == $b)] as $n
			   | if ($n | length) > 0 then {applicable: false, note: $n[0].note} else {applicable: true} end))})
			| from_entries) as $cells
		| {key: $f, value: ({expected: $e}
			+ ([$cells[] | select(.applicable)] | if length > 0 then merge_cells else {supported: false, reasons: [], missing: [], missing_modules: [], hints: [], notes: []} end)
			+ {backends: $cells})}) | from_entries),
	notes: (if $modules == null and ([$rows[] | select(.status.state == "module-unchecked")] | length > 0)
		then ["no modules tree known: =m options are taken as present (pass --modules DIR to check them)"]
		else [] end)
}
