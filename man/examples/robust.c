#include <latchkit/robust.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct shared {
	lk_robust_t lock;
	volatile int held;
	long balance; /* guarded by lock */
};

int main(void)
{
	struct shared *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		return 1;
	lk_robust_init(&s->lock);
	pid_t pid = fork();
	if (pid == 0) { /* takes the lock and dies holding it */
		lk_robust_lock(&s->lock);
		s->balance = -1; /* half-done */
		s->held = 1;
		for (;;)
			pause();
	}
	while (!s->held)
		usleep(1000);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	int rc = lk_robust_lock(&s->lock);
	if (rc == EOWNERDEAD) { /* ours, but the state may be broken */
		s->balance = 0; /* repair */
		lk_robust_consistent(&s->lock);
	}
	lk_robust_unlock(&s->lock);
	printf("%s, balance %ld\n", rc == EOWNERDEAD ? "owner died" : "ok",
	       s->balance);
	return rc != EOWNERDEAD;
}
