/* SPDX-License-Identifier: Apache-2.0 */
/* CStaticLink replaces, in the static release link only, the glibc functions that a statically linked program
 * cannot run correctly (they need the shared libraries of the glibc that linked it); see static_link.c.
 * The numeric resolver is also built in debug builds so that the tests can exercise it. */
#ifndef WIF_STATIC_LINK_H
#define WIF_STATIC_LINK_H
#include <netdb.h>

/* getaddrinfo(3) for numeric hosts and services only (AI_NUMERICHOST | AI_NUMERICSERV always apply): an IPv4
 * or IPv6 literal, or no host (the wildcard with AI_PASSIVE, else loopback); a decimal port or no service.
 * Any other name is EAI_NONAME. The result is freed with wif_numeric_freeaddrinfo. */
int wif_numeric_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                            struct addrinfo **res);
void wif_numeric_freeaddrinfo(struct addrinfo *ai);
#endif
