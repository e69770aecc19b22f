# traffic.sh: the datagrams the len_hist tests send, as sendudp arguments
# (payload bytes x count). Chosen around bucket edges: IPv4 adds 28 bytes
# (31|32, 63|64, 127|128, ...), IPv6 adds 48 (63|64, 127|128, ...).
SIZES4="0x2 3x3 4x1 35x2 36x4 99x1 100x3 227x2 228x1 483x2 484x1 995x1 996x2 1000x1 1472x2"
SIZES6="0x3 15x1 16x2 79x2 80x1 207x1 208x3 463x1 464x2 975x2 976x1 1452x2"
