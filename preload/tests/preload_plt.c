/*
 * preload/tests/preload_plt.c: where this program's PLT slots of
 * pthread_mutex_lock and _unlock, and of pthread_rwlock_rdlock, _wrlock
 * and _unlock, lead (preload/got.c). PRELOAD_PLT says
 * what to expect: "patched" (inside the preload, not its exported verb:
 * the algorithm's own function) or "exported" (the exported verb, as
 * ld.so resolved it: LATCHKIT_PRELOAD_PLT=0 or an unknown LATCHKIT_LOCK).
 * Either way the mutex and the RW lock must still work, through the slot
 * and through a function pointer to the exported verb. Exit 0: as expected.
 */
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NV 5
static const char *names[NV] = {"pthread_mutex_lock", "pthread_mutex_unlock",
				"pthread_rwlock_rdlock", "pthread_rwlock_wrlock",
				"pthread_rwlock_unlock"};
static void *slot_val[NV];

/* The main program's JUMP_SLOT of each verb, read after a call. */
static int find(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	if (info->dlpi_name && info->dlpi_name[0])
		return 0; /* the main program only: the first, named "" */
	uintptr_t base = info->dlpi_addr, rel = 0, relsz = 0, sym = 0, str = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		if (info->dlpi_phdr[i].p_type != PT_DYNAMIC)
			continue;
		const ElfW(Dyn) *d = (const void *)(base + info->dlpi_phdr[i].p_vaddr);
		for (; d->d_tag != DT_NULL; d++) {
			uintptr_t p = d->d_un.d_ptr < base ? base + d->d_un.d_ptr
							   : d->d_un.d_ptr;
			if (d->d_tag == DT_JMPREL)
				rel = p;
			else if (d->d_tag == DT_PLTRELSZ)
				relsz = d->d_un.d_val;
			else if (d->d_tag == DT_SYMTAB)
				sym = p;
			else if (d->d_tag == DT_STRTAB)
				str = p;
		}
	}
	const ElfW(Rela) *r = (const void *)rel;
	const ElfW(Sym) *s = (const void *)sym;
	for (size_t i = 0; rel && i < relsz / sizeof *r; i++) {
		const char *n = (const char *)str + s[ELF64_R_SYM(r[i].r_info)].st_name;
		for (int v = 0; v < NV; v++)
			if (!strcmp(n, names[v]))
				slot_val[v] = *(void **)(base + r[i].r_offset);
	}
	return 1;
}

int main(void)
{
	const char *want = getenv("PRELOAD_PLT");
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&m); /* through the slots: resolves lazy ones */
	int owner = m.__data.__owner;
	pthread_mutex_unlock(&m);
	int (*lk)(pthread_mutex_t *) = (int (*)(pthread_mutex_t *))dlsym(RTLD_DEFAULT, names[0]);
	int (*un)(pthread_mutex_t *) = (int (*)(pthread_mutex_t *))dlsym(RTLD_DEFAULT, names[1]);
	int bad = 0;
	if (!lk || !un || lk(&m) != 0 || pthread_mutex_trylock(&m) == 0 ||
	    un(&m) != 0 || pthread_mutex_trylock(&m) != 0 ||
	    pthread_mutex_unlock(&m) != 0) {
		printf("FAIL: the mutex through the exported verbs\n");
		bad = 1;
	}
	pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
	pthread_rwlock_rdlock(&rw); /* through the slots */
	pthread_rwlock_unlock(&rw);
	pthread_rwlock_wrlock(&rw);
	int writer = rw.__data.__cur_writer; /* set by the preload's writer */
	pthread_rwlock_unlock(&rw);
	typedef int (*rwfn)(pthread_rwlock_t *);
	rwfn rd = (rwfn)dlsym(RTLD_DEFAULT, names[2]);
	rwfn wr = (rwfn)dlsym(RTLD_DEFAULT, names[3]);
	rwfn ru = (rwfn)dlsym(RTLD_DEFAULT, names[4]);
	if (!rd || !wr || !ru || rd(&rw) != 0 || pthread_rwlock_trywrlock(&rw) == 0 ||
	    ru(&rw) != 0 || wr(&rw) != 0 || pthread_rwlock_tryrdlock(&rw) == 0 ||
	    ru(&rw) != 0 || pthread_rwlock_trywrlock(&rw) != 0 ||
	    pthread_rwlock_unlock(&rw) != 0) {
		printf("FAIL: the RW lock through the exported verbs\n");
		bad = 1;
	}
	dl_iterate_phdr(find, NULL);
	void *exported[NV] = {(void *)lk, (void *)un, (void *)rd, (void *)wr,
			      (void *)ru};
	for (int v = 0; v < NV; v++) {
		Dl_info d;
		bool ours = slot_val[v] && dladdr(slot_val[v], &d) &&
			    d.dli_fname && strstr(d.dli_fname, "latchkit-preload");
		bool patched = ours && slot_val[v] != exported[v];
		bool ok = want && !strcmp(want, "patched")
				  ? patched && owner == 0 &&
					    (v < 2 || writer != 0)
				  : slot_val[v] == exported[v];
		printf("%s %s: slot %p (%s), exported %p\n", ok ? "ok" : "FAIL",
		       names[v], slot_val[v], ours ? "the preload" : "elsewhere",
		       exported[v]);
		bad |= !ok;
	}
	return bad;
}
