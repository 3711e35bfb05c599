# Sourced by the benchmark scripts: replace_docs_block DOC NAME RESULTS replaces the lines between
# "<!-- BEGIN NAME" and "<!-- END NAME -->" in DOC with the file RESULTS (the generated block of a
# benchmark's results). Fails, naming the file that holds the results, when the markers are missing.
replace_docs_block() {
  local doc=$1 name=$2 results=$3
  local begin="<!-- BEGIN $name" end="<!-- END $name -->"
  if ! grep -q "^$begin" "$doc" || ! grep -q "^$end" "$doc"; then
    echo "$doc has no $name markers; results are in $results" >&2
    return 1
  fi
  local tmp
  tmp=$(mktemp)
  awk -v begin="$begin" -v end="$end" -v results="$results" '
    index($0, begin) == 1 { print; while ((getline line < results) > 0) print line; skip = 1; next }
    index($0, end) == 1 { skip = 0 }
    !skip { print }
  ' "$doc" >"$tmp"
  mv "$tmp" "$doc"
}
