#ifndef DRREPORT_CZLIBCHECKSUM_SHIM_H
#define DRREPORT_CZLIBCHECKSUM_SHIM_H

// zlib's crc32, under a name of its own: declared here rather than by including zlib.h, so that this
// module adds no second copy of zlib's declarations beside the ones the ZIP library's module wraps.
// The ZIP library computes a member's CRC-32 in plain Swift on Linux, at a fraction of zlib's speed.
unsigned long drreport_zlib_crc32(unsigned long crc, const unsigned char *buf, unsigned int len) __asm__("crc32");

#endif
