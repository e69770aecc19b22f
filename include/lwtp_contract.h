/* lwtp_contract.h: the names that tie lwtc's objects to the runtime that
 * reads them. lwtc writes them into the C it generates; lwtp looks for them
 * in pins, loaded programs and their BTF. Change one here and both sides see
 * it at compile time.
 */
#ifndef LWTP_CONTRACT_H
#define LWTP_CONTRACT_H

/* lwtp_full_NAME: the new keys of the keyed statistic NAME, or the samples
 * of the ring NAME (struct lwtp_keys) */
#define LWTP_FULL_PREFIX "lwtp_full_"

/* The program of policy NAME is the function lwtp_prog_NAME (SEC("NAME")).
 * The kernel keeps 15 bytes of it as the program's name; the BTF the
 * program was loaded with keeps all of it. */
#define LWTP_PROG_PREFIX "lwtp_prog_"

/* Every object holds one function lwtp_object_ID that no program calls:
 * ID is LWTP_OBJECT_ID_LEN hex digits of a hash of the C it was built from.
 * It is in the BTF of the object and of every program loaded from it, so
 * the runtime can tell which object a loaded program came from. */
#define LWTP_OBJECT_PREFIX "lwtp_object_"
#define LWTP_OBJECT_ID_LEN 16

#endif
