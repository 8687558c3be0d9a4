# XML helpers the JUnit writers share (include "xml"; with jq -L
# scripts/report): text and attribute values escaped, with the control
# characters XML 1.0 cannot carry removed (a suite's output may hold them).

def xml: tostring | gsub("[\u0000-\u0008\u000b\u000c\u000e-\u001f]"; "") | @html;
def secs: (. // 0) | tostring;
def attrs($pairs): $pairs | to_entries | map(" \(.key)=\"\(.value | xml)\"") | join("");
