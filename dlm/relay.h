/*
 * dlm/relay.h: a TCP relay on loopback between one client and one ensemble
 * member, for the lost-reply test (ZOOKEEPER-1262). It forwards the
 * ZooKeeper protocol frame by frame. Its first create request goes through
 * to the member; the member's reply to it is read and dropped, and both
 * connections are cut, so that the create has happened and its reply never
 * reaches the client. After that it forwards everything, and the client
 * reconnects through it within the same session. From the cut on, it
 * reports the type of each request it forwards (pings left out).
 */
#ifndef LK_DLM_RELAY_H
#define LK_DLM_RELAY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct {
	pid_t pid;
	int port;   /* where the client connects: 127.0.0.1:port */
	int report; /* the relay's reports, one line each */
} relay_t;

/* Starts the relay process in front of upstream ("host:port"); 0 or -1. */
int relay_start(relay_t *r, const char *upstream);
/* Waits up to cap_ms for the cut: 0 with the dropped reply's error code
 * (0: the node was created), its czxid and the node's path; -1 if none. */
int relay_cut(relay_t *r, int cap_ms, int *err, int64_t *czxid, char *node, size_t cap);
/* Adds the requests forwarded since the last call to count[type] (types
 * 0..n-1; ZooKeeper's op codes: 1 create, 2 delete, 3 exists, 8
 * getChildren, 15 create2), without waiting. */
void relay_ops(relay_t *r, int *count, int n);
void relay_stop(relay_t *r);

#endif
