/* fuzz_lwtc.c: a libFuzzer target over lwtc's front and middle end.
 *
 * Each input is one .lwtp file. It goes through what lwtc does before it
 * runs clang: the scanner and the parser, the checking pass, the resources
 * pass, and, when those accept it, the C emitter (into memory). The
 * diagnostics are printed too (to /dev/null), so the source-line and caret
 * code runs on every input. Crashes, sanitizer reports, leaks and
 * timeouts are findings.
 *
 *   make fuzz                     # FUZZ_SECONDS=120 by default
 *   build/fuzz/fuzz_lwtc CRASH    # replay one input
 *
 * Built with clang -fsanitize=fuzzer,address,undefined from every
 * compiler/*.c but main.c (Makefile, target fuzz).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "check.h"
#include "diag.h"
#include "emit.h"
#include "parse.h"
#include "resources.h"

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();

	/* NUL-terminated, as lwtc's read_input() gives it */
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	diag_reset();
	diag_set_source("fuzz.lwtp", text, size);

	struct program prog = { 0 };
	int failed = parse_program("fuzz.lwtp", text, size, &prog) != 0 ||
		     check_program(&prog) != 0 ||
		     resources_collect(&prog) != 0;
	diag_flush(devnull);

	if (!failed) {
		char *c = NULL;
		size_t clen = 0;
		FILE *mem = open_memstream(&c, &clen);
		if (mem) {
			int err = emit_program(mem, &prog);
			fclose(mem);
			/* every accepted policy must become some C */
			if (!err && clen == 0)
				abort();
		}
		free(c);
	}

	resources_free(&prog);
	ast_program_free(&prog);
	diag_reset();
	free(text);
	return 0;
}
