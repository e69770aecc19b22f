#!/bin/sh
# gen.sh DIR: write the large hostile inputs into DIR (they are made at
# test time, not committed). Each NAME.lwtp here has a line in cases.
set -e
d=${1:?usage: gen.sh DIR}
mkdir -p "$d"

# 5 MB of statements in one policy, and in many policies
awk 'BEGIN { print "policy p {"; for (i = 0; i < 150000; i++) printf "    drop if skb.mark == %d;\n", i; print "}" }' > "$d/big_one_policy.lwtp"
awk 'BEGIN { for (p = 0; p < 40; p++) { printf "policy p%d {\n", p;
	for (i = 0; i < 3750; i++) printf "    drop if skb.mark == %d;\n", i; print "}" } }' > "$d/big_many_policies.lwtp"
# a 4 MB comment line, then an error on a 1 MB line
awk 'BEGIN { printf "#"; for (i = 0; i < 65536; i++) printf "%064d", i; print ""; print "policy p { count c; }" }' > "$d/long_comment.lwtp"
awk 'BEGIN { printf "policy p { drop if skb.mark == 1"; for (i = 0; i < 100000; i++) printf "          "; print " == 2; }" }' > "$d/long_line_error.lwtp"

# 100k-element sets
awk 'BEGIN { printf "policy p {\n    drop if skb.mark in { 0"; for (i = 1; i < 100000; i++) printf ", %d", i * 3; print " };\n}" }' > "$d/set_100k_int.lwtp"
awk 'BEGIN { printf "policy p {\n    drop if ip.dst in { 2001:db8::/32"; for (i = 0; i < 100000; i++)
	printf ", 10.%d.%d.%d", int(i / 65536) % 256, int(i / 256) % 256, i % 256; print " };\n}" }' > "$d/set_100k_addr.lwtp"
awk 'BEGIN { printf "const big = { 1"; for (i = 1; i < 100000; i++) printf ", %d..%d", i * 10, i * 10 + 5; print " };";
	print "policy p { drop if skb.mark not in big; }" }' > "$d/set_100k_ranges.lwtp"

# deep nesting
awk 'BEGIN { printf "policy p { drop if "; for (i = 0; i < 10000; i++) printf "("; printf "skb.mark == 1";
	for (i = 0; i < 10000; i++) printf ")"; print "; }" }' > "$d/parens_10k.lwtp"
awk 'BEGIN { printf "policy p { drop if "; for (i = 0; i < 150; i++) printf "("; printf "skb.mark == 1";
	for (i = 0; i < 150; i++) printf ")"; print "; }" }' > "$d/parens_150.lwtp"
awk 'BEGIN { printf "policy p { drop if "; for (i = 0; i < 100000; i++) printf "not "; print "skb.mark == 1; }" }' > "$d/not_100k.lwtp"
awk 'BEGIN { printf "policy p { drop if skb.mark == 0"; for (i = 1; i < 100000; i++) printf " or skb.mark == %d", i; print "; }" }' > "$d/or_100k.lwtp"
awk 'BEGIN { printf "policy p { drop if skb.mark == 0"; for (i = 1; i < 300000; i++) printf " or skb.mark == 1"; print "; }" }' > "$d/or_5mb.lwtp"
awk 'BEGIN { printf "policy p { set skb.mark = skb.mark"; for (i = 1; i < 100000; i++) printf " | 1"; print "; }" }' > "$d/bitor_100k.lwtp"
awk 'BEGIN { printf "policy p { drop if skb.mark == 0"; for (i = 1; i < 150; i++) printf " or skb.mark == %d", i; print "; }" }' > "$d/or_150.lwtp"
awk 'BEGIN { print "policy p {"; for (i = 0; i < 1000; i++) printf "if skb.mark != %d {\n", i; print "drop;";
	for (i = 0; i < 1000; i++) print "}"; print "}" }' > "$d/ifs_1k.lwtp"
awk 'BEGIN { print "policy p {"; for (i = 0; i < 64; i++) printf "if skb.mark != %d {\n", i; print "drop;";
	for (i = 0; i < 64; i++) print "}"; print "}" }' > "$d/ifs_64.lwtp"
for n in 1000 2000; do
	awk -v n=$n 'BEGIN { print "policy p {"; printf "if skb.mark == 0 { drop; }"; for (i = 1; i < n; i++) printf " else if skb.mark == %d { count c%d; }", i, i % 10;
		print " else { pass; }"; print "}" }' > "$d/elseif_$n.lwtp"
done

# long names
awk 'BEGIN { printf "policy p { count "; for (i = 0; i < 300; i++) printf "a"; print "; }" }' > "$d/name_300.lwtp"
awk 'BEGIN { printf "policy p { count "; for (i = 0; i < 100000; i++) printf "b"; print "; }" }' > "$d/name_100k.lwtp"
awk 'BEGIN { printf "policy p { count "; for (i = 0; i < 255; i++) printf "c"; printf "; hist ";
	for (i = 0; i < 245; i++) printf "h"; print " log2(skb.len) by (ip.dst, ip.proto); }" }' > "$d/name_255.lwtp"
awk 'BEGIN { printf "policy "; for (i = 0; i < 255; i++) printf "p"; print " { count c; drop; }" }' > "$d/policy_name_255.lwtp"
awk 'BEGIN { printf "policy p { drop if skb.mark == "; for (i = 0; i < 100000; i++) printf "9"; print "; }" }' > "$d/int_100k_digits.lwtp"
