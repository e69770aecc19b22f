/* diff.h: lwtp diff OLD[:SECTION] NEW[:SECTION] CAPTURE (diff.c). */
#ifndef LWTP_DIFF_H
#define LWTP_DIFF_H

int do_diff(int argc, char **argv);

#endif
