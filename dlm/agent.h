/*
 * dlm/agent.h: client processes for the tests and the history check. Each
 * agent is a forked process with its own lk_dlm handle (its own session),
 * driven by one-line commands over a pipe; it answers "RC TOKEN".
 *   L res mode timeout_ms   lk_dlm_timedlock (default table)
 *   U res / A               lk_dlm_unlock / lk_dlm_unlock_all
 *   H res / C / N / R       held / check / nheld / reset
 *   K res                   the number of requests queued on res (its
 *                           znode's children, read by a session of its own)
 *   D res                   delete res's znode (empty), by a session of its own
 *   W res                   write the token of its last grant on res to the
 *                           fenced store: answers 1 accepted, 0 refused
 *   Z n nres seed stall     n random lock/unlock rounds on nres resources;
 *                           from round stall on (0: never), it stops itself
 *                           (SIGSTOP) once, holding an exclusive lock, before
 *                           writing; told of the loss later, it resets
 *   Q                       close and exit
 * Every grant, release and loss goes to the shared history file, one
 * line: time_ns pid GRANT|REL|LOST|WROTE|REFUSED res mode token (WROTE and
 * REFUSED: Z's exclusive holders write their token to the fenced store).
 */
#ifndef LK_DLM_AGENT_H
#define LK_DLM_AGENT_H

#include <stdint.h>
#include <sys/types.h>

typedef struct {
	pid_t pid;
	int to, from;
	char name[16];
} agent_t;

/* The parent must hold no ZooKeeper handle (its threads do not fork). */
int agent_spawn(agent_t *a, const char *name, const char *hosts, int session_ms,
		const char *history, const char *store_dir);
/* Sends one command; agent_reply waits up to cap_ms for its answer.
 * Returns the status, or -100 on timeout or a dead agent. */
void agent_send(agent_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int agent_reply(agent_t *a, int cap_ms, uint64_t *tok);
int agent_do(agent_t *a, int cap_ms, uint64_t *tok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void agent_signal(agent_t *a, int sig);
/* Q, then waits for exit; kills it if it does not go within cap_ms. */
void agent_quit(agent_t *a, int cap_ms);

#endif
