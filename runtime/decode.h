/* decode.h: lwtp's map decoder, all of it, for those that use every part
 * (the test tools): what a map holds (decode_layout.h), reading it
 * (decode_read.h), printing it (decode_format.h), the values the policy
 * language names (decode_names.h). Runtime code includes the part it uses.
 */
#ifndef LWTP_DECODE_H
#define LWTP_DECODE_H

#include "decode_format.h"
#include "decode_layout.h"
#include "decode_names.h"
#include "decode_read.h"

#endif
