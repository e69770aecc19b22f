# bench/lib.sh: what the bench scripts share; sourced from the repository's
# root.

B=build/bench
EMPTY=$B/empty.bpf.o:empty
BENCH_ROUNDS=${BENCH_ROUNDS:-31}

# md_table < TSV: an aligned Markdown table (the first line is the header)
md_table() {
	awk -f bench/table.awk
}

# set_policy DIR N: DIR/setN.lwtp, 'drop if ip.dst in deny;' for a set of
# N prefixes, half IPv4, half IPv6, none holding the packets' addresses
# (tests/tools/genprefixes.sh), read from DIR/setN.txt
set_policy() {
	sh tests/tools/genprefixes.sh $(($2 / 2)) $(($2 - $2 / 2)) > "$1/set$2.txt"
	printf 'const deny = file "set%s.txt";\n\npolicy p {\n    drop if ip.dst in deny;\n}\n' \
		"$2" > "$1/set$2.lwtp"
}
