/*
 * dlm/fenced.h: a demo fenced store for the tests (not part of the library).
 * A file per resource holding the highest token it has accepted; a write
 * with a lower token is refused. flock(2) makes check-and-set atomic across
 * processes, as a real store would under its own concurrency control.
 */
#ifndef LK_DLM_FENCED_H
#define LK_DLM_FENCED_H

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

/* 1: accepted (and recorded), 0: refused (a newer token was seen), -1: I/O.
 * at (may be NULL): CLOCK_MONOTONIC ns, read under the store's lock, so the
 * stamps of writes are in the store's order. */
static inline int fenced_write_at(const char *file, uint64_t token, int64_t *at)
{
	int fd = open(file, O_RDWR | O_CREAT, 0600);
	if (fd < 0)
		return -1;
	flock(fd, LOCK_EX);
	char buf[32] = {0};
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	uint64_t max = 0;
	if (n > 0)
		sscanf(buf, "%" SCNu64, &max);
	int ok = token >= max;
	if (at) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		*at = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
	if (ok) {
		int len = snprintf(buf, sizeof buf, "%" PRIu64 "\n", token);
		ok = pwrite(fd, buf, (size_t)len, 0) == len && ftruncate(fd, len) == 0 ? 1 : -1;
	}
	flock(fd, LOCK_UN);
	close(fd);
	return ok;
}

static inline int fenced_write(const char *file, uint64_t token)
{
	return fenced_write_at(file, token, NULL);
}
#endif
