/*
 * preload/profile.c: LATCHKIT_PROFILE, a contention profile of the
 * program's latchkit mutexes, written at exit.
 *
 * LATCHKIT_PROFILE=1 writes the table to stderr and the CSV to
 * latchkit-profile.PID.csv; LATCHKIT_PROFILE=FILE writes the table to FILE
 * and the CSV to FILE.csv (a forked child that exits writes FILE.PID and
 * FILE.PID.csv). LATCHKIT_PROFILE_TOP=N: the N most contended locks (10).
 *
 * Per mutex address, a record (its pointer in the mutex's __list.__next):
 * made when the first mutex at that address is initialised, or first taken
 * if it was initialised statically; its site is the first three frames of
 * the stack outside this library at that moment. A mutex made again at an
 * address that had one (a stack frame's, a reused heap object: RocksDB
 * makes a mutex in each write's stack frame, 47,000 in a short db_bench
 * run) continues that address's record, found in an index by address, so
 * it costs no stack walk: the report counts per address and names the
 * first site there. A new record's stack walk skips this library's frames
 * by address range (dladdr per frame took a lock of the dynamic linker:
 * 64 us per record with 8 threads, against 3 us for the walk alone).
 * What an acquisition costs, by design:
 *   - uncontended (the first trylock takes it): one increment of a counter
 *     in the thread's own block (preload.h, struct pl_thr), no clock read,
 *     no write to a line another thread reads. The counters reach the
 *     records when another record takes their slot, when the thread exits
 *     (a pthread key's destructor), and at the report (every block, of
 *     live threads too: blocks are never unmapped).
 *   - contended: two TSC reads around the wait; the thread adds it to the
 *     record once it has released the mutex, by atomic adds (count,
 *     total, max, and a log-linear histogram for the p99: four buckets
 *     per power of two, so a percentile is exact to within 19%), so the
 *     record's line does not move inside the critical section.
 *   - hold time: sampled, one acquisition in PL_SAMPLE per thread (TSC at
 *     acquisition and release, a cond wait's release included); the
 *     report scales the samples' mean by the acquisitions.
 * A trylock that fails is counted by a relaxed atomic add (busy). Records
 * and blocks come from mmap, never malloc, so that a program whose
 * allocator locks pthread mutexes does not re-enter; 262,144 records at
 * most (further mutexes are not profiled). Only latchkit's mutexes are
 * profiled: not glibc's kinds, conds' internal locks or RW locks.
 */
#include "preload.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define NSITE PL_NSITE
#define NHIST PL_NHIST
#define MAXREC (1u << 18)
#define NIDX (2 * MAXREC) /* the index by address: at most half full */

static struct pl_rec *recs;
static uint32_t *idx;            /* record number + 1 per address, or 0 */
static uintptr_t self_lo, self_hi; /* this library's code and data */
static uint32_t nrec;
__thread struct pl_thr *pl_thr_ __attribute__((tls_model("initial-exec")));
static struct pl_thr *thr_all;  /* every block (pushed by CAS) */
static struct pl_thr *thr_free; /* under thr_latch */
static uint32_t thr_latch;      /* a test-and-set latch */
static pthread_key_t thr_key;
static bool thr_key_ok;
static uint64_t tsc0, ns0;
static pid_t pid0;
static Dl_info self;

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int bucket(uint64_t t)
{
	if (t < 4)
		return (int)t;
	int msb = 63 - __builtin_clzll(t);
	int b = 4 * (msb - 1) + (int)((t >> (msb - 2)) & 3);
	return b < NHIST ? b : NHIST - 1;
}

/* The smallest value of the bucket above b: an upper bound of its values. */
static uint64_t bucket_top(int b)
{
	if (b < 4)
		return (uint64_t)b;
	int msb = b / 4 + 1;
	return ((uint64_t)(4 + b % 4 + 1)) << (msb - 2);
}

static void report(void);

/* ---- the threads' blocks ------------------------------------------------ */

static void thr_lock(void)
{
	while (__atomic_exchange_n(&thr_latch, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&thr_latch, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
}

static void thr_unlock(void)
{
	__atomic_store_n(&thr_latch, 0, __ATOMIC_RELEASE);
}

/* A block's counters into the records (other threads flush into the
 * same records: an atomic add). The report flushes the blocks of threads
 * still running too: an acquisition such a thread counts meanwhile may be
 * lost or counted twice. */
static void thr_flush(struct pl_thr *t)
{
	if (t->wait_r)
		pl_prof_wait_flush(t);
	for (unsigned i = 0; i < PL_TC; i++) {
		uint64_t n = t->n[i];
		struct pl_rec *r = t->rec[i];
		t->n[i] = 0;
		if (n && r)
			__atomic_fetch_add(&r->acq, n, __ATOMIC_RELAXED);
	}
}

static void thr_exit(void *p)
{
	struct pl_thr *t = p;
	thr_flush(t);
	t->held_m = NULL;
	pl_thr_ = NULL;
	thr_lock();
	t->next = thr_free;
	thr_free = t;
	thr_unlock();
}

struct pl_thr *pl_thr_new(void)
{
	if (!__atomic_load_n(&recs, __ATOMIC_ACQUIRE))
		return NULL;
	thr_lock();
	struct pl_thr *t = thr_free;
	if (t)
		thr_free = t->next;
	thr_unlock();
	if (!t) {
		t = mmap(NULL, sizeof *t, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (t == MAP_FAILED)
			return NULL;
		t->all = __atomic_load_n(&thr_all, __ATOMIC_RELAXED);
		while (!__atomic_compare_exchange_n(&thr_all, &t->all, t, true,
						    __ATOMIC_RELEASE,
						    __ATOMIC_RELAXED))
			;
	}
	/* Threads' samples out of step: a counter that is not a multiple of
	 * PL_SAMPLE in every thread at once. */
	t->countdown = 1 + (uint32_t)((uintptr_t)t >> 12) % PL_SAMPLE;
	pl_thr_ = t;
	if (thr_key_ok)
		(void)pthread_setspecific(thr_key, t);
	return t;
}

void pl_thr_evict(struct pl_thr *t, unsigned i, struct pl_rec *r)
{
	if (t->n[i] && t->rec[i])
		__atomic_fetch_add(&t->rec[i]->acq, t->n[i], __ATOMIC_RELAXED);
	t->n[i] = 0;
	t->rec[i] = r;
}

void pl_prof_sample(struct pl_thr *t, pthread_mutex_t *m, struct pl_rec *r)
{
	t->countdown = PL_SAMPLE;
	if (t->held_m)
		return; /* one sample at a time: this thread holds it still */
	t->held_m = m;
	t->held_r = r;
	t->held_t = pl_ticks();
}

void pl_prof_hold_end(struct pl_thr *t)
{
	struct pl_rec *r = t->held_r;
	r->hold += pl_ticks() - t->held_t;
	r->held++;
	t->held_m = NULL;
}

/* dl_iterate_phdr's callback: this library's loaded range. */
static int self_range(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	if ((void *)info->dlpi_addr != self.dli_fbase)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		uintptr_t hi = lo + ph->p_memsz;
		if (!self_lo || lo < self_lo)
			self_lo = lo;
		if (hi > self_hi)
			self_hi = hi;
	}
	return 1;
}

void pl_prof_init(void)
{
	struct pl_rec *r = mmap(NULL, (size_t)MAXREC * sizeof(struct pl_rec),
				PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				-1, 0);
	if (r == MAP_FAILED)
		return;
	idx = mmap(NULL, (size_t)NIDX * sizeof *idx, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (idx == MAP_FAILED) {
		munmap(r, (size_t)MAXREC * sizeof(struct pl_rec));
		return;
	}
	dladdr((void *)pl_prof_init, &self);
	dl_iterate_phdr(self_range, NULL);
	/* The first backtrace loads libgcc_s (dlopen, malloc): now, before
	 * any record is made, not under a mutex the allocator may need
	 * (jemalloc's own, taken again inside that malloc). */
	void *warm[2];
	backtrace(warm, 2);
	/* A thread's block goes back to the free list when it exits. */
	thr_key_ok = pthread_key_create(&thr_key, thr_exit) == 0;
	pid0 = getpid();
	ns0 = mono_ns();
	tsc0 = __rdtsc();
	atexit(report);
	__atomic_store_n(&recs, r, __ATOMIC_RELEASE); /* records from now */
}

static uint32_t addr_hash(const pthread_mutex_t *m)
{
	uint64_t h = (uint64_t)(uintptr_t)m * 0x9E3779B97F4A7C15ull;
	return (uint32_t)(h >> 40);
}

/* The record of the address m, if one was made: linear probing over an
 * index whose entries are only ever added (acquire: the record's address
 * was written before its entry). */
static struct pl_rec *idx_find(struct pl_rec *arena, pthread_mutex_t *m)
{
	for (uint32_t k = addr_hash(m);; k++) {
		uint32_t v = __atomic_load_n(&idx[k % NIDX], __ATOMIC_ACQUIRE);
		if (v == 0)
			return NULL;
		if (arena[v - 1].addr == m)
			return &arena[v - 1];
	}
}

/* Adds record i for m (release: its address first). Two threads that
 * make a record for one address at once both add theirs; the first found
 * serves later mutexes there. */
static void idx_add(pthread_mutex_t *m, uint32_t i)
{
	for (uint32_t k = addr_hash(m);; k++) {
		uint32_t v = 0;
		if (__atomic_compare_exchange_n(&idx[k % NIDX], &v, i + 1,
						false, __ATOMIC_RELEASE,
						__ATOMIC_RELAXED))
			return;
	}
}

struct pl_rec *pl_prof_new(pthread_mutex_t *m)
{
	struct pl_rec **slot = pl_rec_slot(m);
	struct pl_rec *r = __atomic_load_n(slot, __ATOMIC_RELAXED);
	struct pl_rec *arena = __atomic_load_n(&recs, __ATOMIC_ACQUIRE);
	/* backtrace() may take a mutex of its own (libgcc's registered
	 * frames): that one is not recorded on this pass. */
	static __thread bool inside;
	if (r != NULL || !arena || inside)
		return r;
	if ((r = idx_find(arena, m)) != NULL) { /* a mutex here before */
		__atomic_store_n(slot, r, __ATOMIC_RELAXED);
		return r;
	}
	uint32_t i = __atomic_fetch_add(&nrec, 1, __ATOMIC_RELAXED);
	if (i >= MAXREC)
		return NULL;
	inside = true;
	r = &arena[i];
	r->addr = m;
	void *bt[16];
	int n = backtrace(bt, 16), k = 0;
	for (int j = 0; j < n && k < NSITE; j++) {
		uintptr_t pc = (uintptr_t)bt[j];
		if (pc >= self_lo && pc < self_hi)
			continue; /* a frame of ours */
		r->site[k++] = bt[j];
	}
	idx_add(m, i);
	__atomic_store_n(slot, r, __ATOMIC_RELAXED);
	inside = false;
	return r;
}

void pl_prof_wait_flush(struct pl_thr *t)
{
	struct pl_rec *r = t->wait_r;
	uint64_t w = t->wait_w, max;
	t->wait_r = NULL;
	__atomic_fetch_add(&r->cont, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->wait, w, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->hist[bucket(w)], 1, __ATOMIC_RELAXED);
	max = __atomic_load_n(&r->wait_max, __ATOMIC_RELAXED);
	while (w > max && !__atomic_compare_exchange_n(&r->wait_max, &max, w,
						       true, __ATOMIC_RELAXED,
						       __ATOMIC_RELAXED))
		;
}

/* ---- the report --------------------------------------------------------- */

static double ns_per_tick;

static uint64_t p99(const struct pl_rec *r)
{
	uint64_t want = r->cont - r->cont / 100, seen = 0;
	if (!r->cont)
		return 0;
	for (int b = 0; b < NHIST; b++) {
		seen += r->hist[b];
		if (seen >= want) {
			uint64_t top = bucket_top(b);
			return top < r->wait_max ? top : r->wait_max;
		}
	}
	return r->wait_max;
}

static int by_contention(const void *a, const void *b)
{
	const struct pl_rec *x = *(const struct pl_rec *const *)a;
	const struct pl_rec *y = *(const struct pl_rec *const *)b;
	if (x->cont != y->cont)
		return x->cont < y->cont ? 1 : -1;
	if (x->wait != y->wait)
		return x->wait < y->wait ? 1 : -1;
	return x->acq < y->acq ? 1 : x->acq > y->acq ? -1 : 0;
}

/* "symbol+0xoff" or "file+0xoff" for a code address. */
static void sym(char *buf, size_t n, void *pc)
{
	Dl_info d;
	if (!pc) {
		snprintf(buf, n, "-");
		return;
	}
	if (!dladdr(pc, &d) || !d.dli_fname) {
		snprintf(buf, n, "%p", pc);
		return;
	}
	if (d.dli_sname) {
		/* C++ names demangled when the program has libstdc++ */
		char *(*dem)(const char *, char *, size_t *, int *) =
			(char *(*)(const char *, char *, size_t *,
				   int *))dlsym(RTLD_DEFAULT, "__cxa_demangle");
		int st = -1;
		char *nice = dem ? dem(d.dli_sname, NULL, NULL, &st) : NULL;
		snprintf(buf, n, "%s+0x%lx", nice && !st ? nice : d.dli_sname,
			 (unsigned long)((char *)pc - (char *)d.dli_saddr));
		free(nice);
	}
	else {
		const char *f = strrchr(d.dli_fname, '/');
		snprintf(buf, n, "%s+0x%lx", f ? f + 1 : d.dli_fname,
			 (unsigned long)((char *)pc - (char *)d.dli_fbase));
	}
}

static void site(char *buf, size_t n, const struct pl_rec *r)
{
	size_t used = 0;
	buf[0] = 0;
	for (int k = 0; k < NSITE && r->site[k] && used + 1 < n; k++) {
		char s[256];
		sym(s, sizeof s, r->site[k]);
		used += (size_t)snprintf(buf + used, n - used, "%s%s",
					 k ? " < " : "", s);
	}
	if (!buf[0])
		snprintf(buf, n, "-");
}

#define MS(t) ((double)(t) * ns_per_tick / 1e6)
#define US(t) ((double)(t) * ns_per_tick / 1e3)

static void report(void)
{
	if (!recs)
		return;
	uint64_t dns = mono_ns() - ns0, dt = __rdtsc() - tsc0;
	ns_per_tick = dt ? (double)dns / (double)dt : 1.0;
	uint32_t n = __atomic_load_n(&nrec, __ATOMIC_RELAXED);
	if (n > MAXREC)
		n = MAXREC;
	/* Every thread's counters, running threads' too. */
	for (struct pl_thr *t = __atomic_load_n(&thr_all, __ATOMIC_ACQUIRE);
	     t; t = t->all)
		thr_flush(t);
	const char *env = getenv("LATCHKIT_PROFILE");
	const char *top_env = getenv("LATCHKIT_PROFILE_TOP");
	uint32_t top = top_env ? (uint32_t)atoi(top_env) : 10;
	struct pl_rec **v = mmap(NULL, (n + 1) * sizeof *v,
				 PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v == MAP_FAILED)
		return;
	uint64_t acq = 0, cont = 0;
	for (uint32_t i = 0; i < n; i++) {
		v[i] = &recs[i];
		acq += recs[i].acq;
		cont += recs[i].cont;
	}
	if (!acq) { /* a wrapper (a shell, timeout): leave the file alone */
		munmap(v, (n + 1) * sizeof *v);
		return;
	}
	qsort(v, n, sizeof *v, by_contention);
	if (top > n)
		top = n;
	char tname[4096], cname[4200];
	FILE *t = stderr;
	pid_t pid = getpid();
	if (strcmp(env, "1") != 0) {
		if (pid != pid0)
			snprintf(tname, sizeof tname, "%s.%d", env, (int)pid);
		else
			snprintf(tname, sizeof tname, "%s", env);
		snprintf(cname, sizeof cname, "%s.csv", tname);
		t = fopen(tname, "w");
		if (!t)
			t = stderr;
	} else
		snprintf(cname, sizeof cname, "latchkit-profile.%d.csv",
			 (int)pid);
	fprintf(t,
		"latchkit profile (pid %d, lock %s): %u mutex addresses, %llu "
		"acquisitions, %llu contended; top %u by contended "
		"acquisitions\n",
		(int)pid, pl_alg_names[pl_alg], n, (unsigned long long)acq,
		(unsigned long long)cont, top);
	fprintf(t, "%3s %-14s %10s %10s %6s %8s %10s %10s %10s %10s %9s  %s\n",
		"#", "mutex", "acq", "contended", "cont%", "busy",
		"wait_ms", "p99_us", "max_us", "hold_ms", "hold_ns", "site");
	FILE *c = fopen(cname, "w");
	if (c)
		fprintf(c, "rank,mutex,acquisitions,contended,busy_trylocks,"
			   "wait_total_ns,wait_p99_ns,wait_max_ns,"
			   "hold_total_ns,hold_avg_ns,site\n");
	for (uint32_t i = 0; i < top; i++) {
		const struct pl_rec *r = v[i];
		char s[1024];
		site(s, sizeof s, r);
		/* the sampled holds' mean, times the acquisitions */
		double hold_avg = r->held ? MS(r->hold) * 1e6 / (double)r->held
					  : 0;
		double hold_ms = hold_avg * (double)r->acq / 1e6;
		fprintf(t,
			"%3u %-14p %10llu %10llu %5.1f%% %8llu %10.3f %10.2f "
			"%10.2f %10.3f %9.0f  %s\n",
			i + 1, (void *)r->addr, (unsigned long long)r->acq,
			(unsigned long long)r->cont,
			r->acq ? 100.0 * (double)r->cont / (double)r->acq : 0.0,
			(unsigned long long)r->busy, MS(r->wait), US(p99(r)),
			US(r->wait_max), hold_ms, hold_avg, s);
		if (c)
			fprintf(c, "%u,%p,%llu,%llu,%llu,%.0f,%.0f,%.0f,%.0f,%.0f,\"%s\"\n",
				i + 1, (void *)r->addr,
				(unsigned long long)r->acq,
				(unsigned long long)r->cont,
				(unsigned long long)r->busy, MS(r->wait) * 1e6,
				US(p99(r)) * 1e3, US(r->wait_max) * 1e3,
				hold_ms * 1e6, hold_avg, s);
	}
	if (c) {
		fclose(c);
		fprintf(t, "(CSV: %s)\n", cname);
	}
	if (t != stderr)
		fclose(t);
	munmap(v, (n + 1) * sizeof *v);
}
