/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Release binaries are linked fully static and without PIE (Package.swift): a run then costs 0.36 M instructions
 * of start-up instead of 2.9 M (no dynamic loader, no relocation of libstdc++ and libcrypto).
 *
 * In a static program, glibc's dlopen, getaddrinfo and gethostbyname need at run time the shared libraries of
 * the glibc that linked it (NSS modules, the dynamic loader), and the linker warns for each. wif calls none of
 * them; the references come from code that never runs to a useful end on wif's paths: the Swift runtime's
 * optional lookup of libswiftPrespecialized, OpenSSL's DSO loader (provider modules or engines named in an
 * OPENSSL_CONF file) and OpenSSL's socket BIOs (pulled in by its cleanup code). The definitions below, linked
 * before libc.a, take their place with deterministic behaviour that needs nothing at run time, so no glibc
 * object that needs shared libraries is linked and the link has no warnings:
 *   dlopen         fails (nothing is loaded dynamically; wif(7) says so for provider modules)
 *   getaddrinfo    numeric hosts and ports only (a loopback server binds numeric addresses), never NSS
 *   gethostbyname  fails (a host name would need NSS)
 * Only where WIF_STATIC_LINK is defined (the release configuration); debug and test builds link glibc
 * dynamically and use its functions.
 */
#include "static_link.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int parse_port(const char *service, unsigned short *port) {
    if (service == NULL) { *port = 0; return 0; }
    if (*service == '\0') return EAI_NONAME;
    unsigned long v = 0;
    for (const char *p = service; *p; p++) {
        if (*p < '0' || *p > '9') return EAI_NONAME;
        v = v * 10 + (unsigned long)(*p - '0');
        if (v > 65535) return EAI_SERVICE;
    }
    *port = htons((unsigned short)v);
    return 0;
}

/* one result node with its address in the same allocation */
static struct addrinfo *node_for(int family, int socktype, int protocol, const void *addr, unsigned short port) {
    size_t alen = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    struct addrinfo *ai = calloc(1, sizeof *ai + alen);
    if (ai == NULL) return NULL;
    ai->ai_family = family;
    ai->ai_socktype = socktype;
    ai->ai_protocol = protocol;
    ai->ai_addrlen = (socklen_t)alen;
    ai->ai_addr = (struct sockaddr *)(ai + 1);
    if (family == AF_INET) {
        struct sockaddr_in *s = (struct sockaddr_in *)ai->ai_addr;
        s->sin_family = AF_INET;
        s->sin_port = port;
        memcpy(&s->sin_addr, addr, sizeof s->sin_addr);
    } else {
        struct sockaddr_in6 *s = (struct sockaddr_in6 *)ai->ai_addr;
        s->sin6_family = AF_INET6;
        s->sin6_port = port;
        memcpy(&s->sin6_addr, addr, sizeof s->sin6_addr);
    }
    return ai;
}

int wif_numeric_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                            struct addrinfo **res) {
    if (res == NULL || (node == NULL && service == NULL)) return EAI_NONAME;
    *res = NULL;
    int family = hints ? hints->ai_family : AF_UNSPEC;
    int flags = hints ? hints->ai_flags : 0;
    int socktype = hints ? hints->ai_socktype : 0;
    int protocol = hints ? hints->ai_protocol : 0;
    if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6) return EAI_FAMILY;
    if (socktype != 0 && socktype != SOCK_STREAM && socktype != SOCK_DGRAM && socktype != SOCK_RAW)
        return EAI_SOCKTYPE;
    unsigned short port;
    int r = parse_port(service, &port);
    if (r != 0) return r;

    struct in_addr a4;
    struct in6_addr a6;
    int fam;
    if (node == NULL) {
        fam = family == AF_INET6 ? AF_INET6 : AF_INET;
        int passive = (flags & AI_PASSIVE) != 0;
        a4.s_addr = htonl(passive ? INADDR_ANY : INADDR_LOOPBACK);
        a6 = passive ? in6addr_any : in6addr_loopback;
    } else if (family != AF_INET6 && inet_pton(AF_INET, node, &a4) == 1) {
        fam = AF_INET;
    } else if (family != AF_INET && inet_pton(AF_INET6, node, &a6) == 1) {
        fam = AF_INET6;
    } else {
        return EAI_NONAME;
    }
    const void *addr = fam == AF_INET ? (const void *)&a4 : (const void *)&a6;
    /* as glibc: one result per socket type when none is asked for */
    static const int kinds[][2] = {{SOCK_STREAM, IPPROTO_TCP}, {SOCK_DGRAM, IPPROTO_UDP}};
    struct addrinfo *head = NULL, **tail = &head;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (socktype != 0 && socktype != kinds[i][0]) continue;
        struct addrinfo *ai = node_for(fam, kinds[i][0], protocol ? protocol : kinds[i][1], addr, port);
        if (ai == NULL) { wif_numeric_freeaddrinfo(head); return EAI_MEMORY; }
        *tail = ai;
        tail = &ai->ai_next;
    }
    if (head == NULL) { /* SOCK_RAW */
        head = node_for(fam, socktype, protocol, addr, port);
        if (head == NULL) return EAI_MEMORY;
    }
    if ((flags & AI_CANONNAME) && node != NULL) {
        head->ai_canonname = strdup(node);
        if (head->ai_canonname == NULL) { wif_numeric_freeaddrinfo(head); return EAI_MEMORY; }
    }
    *res = head;
    return 0;
}

void wif_numeric_freeaddrinfo(struct addrinfo *ai) {
    while (ai != NULL) {
        struct addrinfo *next = ai->ai_next;
        free(ai->ai_canonname);
        free(ai);
        ai = next;
    }
}

#ifdef WIF_STATIC_LINK
void *dlopen(const char *file, int mode) {
    (void)file;
    (void)mode;
    errno = ENOSYS;
    return NULL;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
    return wif_numeric_getaddrinfo(node, service, hints, res);
}

void freeaddrinfo(struct addrinfo *ai) { wif_numeric_freeaddrinfo(ai); }

struct hostent *gethostbyname(const char *name) {
    (void)name;
    h_errno = HOST_NOT_FOUND;
    return NULL;
}
#endif
