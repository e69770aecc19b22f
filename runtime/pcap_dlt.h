/* pcap_dlt.h: link types that an older libpcap's headers may not name. */
#ifndef LWTP_PCAP_DLT_H
#define LWTP_PCAP_DLT_H

#include <pcap/pcap.h>

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_NFLOG
#define DLT_NFLOG 239
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

#endif
