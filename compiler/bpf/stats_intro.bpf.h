/* ---- statistics -------------------------------------------------------- */

/* Per-CPU values are added to atomically: the kernel runs route programs
 * with bottom halves disabled, but BPF_PROG_TEST_RUN only disables
 * migration, and counts must stay exact there too. */
