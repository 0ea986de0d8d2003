// The Linux calls the parking lot needs that Swift's Glibc module does not export: epoll and
// eventfd. Nothing but headers; see Sources/Transport/ParkingLot.swift.
#ifndef C_SOCKET_POLL_H
#define C_SOCKET_POLL_H

#ifdef __linux__
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

// accept4 is declared only under _GNU_SOURCE, which the Glibc module is not built with.
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

/// Accepts a connection as a non-blocking, close-on-exec socket in one call.
static inline int csp_accept(int fd) {
    return accept4(fd, (struct sockaddr *)0, (socklen_t *)0, SOCK_NONBLOCK | SOCK_CLOEXEC);
}
#endif

#endif
