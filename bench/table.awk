# table.awk: tab-separated lines, the first one the header, as a Markdown
# table whose columns line up in a terminal too. Columns of numbers (and
# "-") are right-aligned. Cells are ASCII: widths are counted in bytes.
#
#   awk -f bench/table.awk < rows.tsv
BEGIN { FS = "\t" }

{
	for (i = 1; i <= NF; i++) {
		cell[NR, i] = $i
		if (length($i) > width[i])
			width[i] = length($i)
		if (NR > 1 && $i !~ /^[-+0-9.,x%]+$/)
			text[i] = 1
	}
	if (NF > cols)
		cols = NF
}

function pad(s, w, right) {
	while (length(s) < w)
		s = right ? " " s : s " "
	return s
}

function rule(w, right,    s) {
	s = right ? ":" : ""
	while (length(s) < w)
		s = "-" s
	return s
}

END {
	for (i = 1; i <= cols; i++)
		if (width[i] < 3)
			width[i] = 3
	for (r = 1; r <= NR; r++) {
		line = "|"
		for (i = 1; i <= cols; i++)
			line = line " " pad(cell[r, i], width[i], !text[i]) " |"
		print line
		if (r > 1)
			continue
		line = "|"
		for (i = 1; i <= cols; i++)
			line = line " " rule(width[i], !text[i]) " |"
		print line
	}
}
