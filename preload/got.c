/*
 * preload/got.c: the programs' PLT slots of pthread_mutex_lock and _unlock
 * (and of pthread_rwlock_rdlock, _wrlock and _unlock) pointed at the chosen
 * algorithm's own functions, once, at load.
 *
 * pthread_mutex_lock, as exported, jumps through a pointer that pl_init
 * sets (mutex.c): a program's call costs the PLT's jump and that one. The
 * constructor removes the second: in every object loaded with the program
 * it rewrites the R_X86_64_JUMP_SLOT entries of the two verbs that lead to
 * this library (resolved to the exported verb, or still lazy) with the
 * function the pointer holds, so the PLT's jump lands on the algorithm's
 * body. That is what an ifunc would do, without ld.so's "Relink ... for
 * IFUNC symbol" for objects relocated before this one (mutex.c).
 *
 * Left as they were, and still correct through the exported verb: slots
 * of objects dlopen'd later; slots that lead elsewhere (the program
 * defines the verb itself: then nothing is patched); GLOB_DAT entries
 * (function pointers, whose value a program may compare); the vDSO. A
 * slot in a RELRO page (-z now) is written between two mprotect calls.
 * The stores are single aligned words: a racing call takes either path,
 * and both run the same algorithm. LATCHKIT_PRELOAD_PLT=0 turns this off
 * (preload/cost.sh shows both).
 */
#include "preload.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct patch {
	int n;
	const char *const *name;
	void *const *exported; /* what a resolved slot holds now */
	void *const *to;
};

static uintptr_t dyn_ptr(uintptr_t base, ElfW(Addr) p)
{
	/* glibc relocates most objects' dynamic entries in place; not all
	 * (a read-only dynamic section). */
	return p < base ? base + p : p;
}

static void put(void **slot, void *to, uintptr_t ro_lo, uintptr_t ro_hi)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t page = (uintptr_t)slot & ~(pg - 1);
	bool ro = page >= ro_lo && page < ro_hi;
	if (ro && mprotect((void *)page, pg, PROT_READ | PROT_WRITE) != 0)
		return; /* left on the exported path */
	__atomic_store_n(slot, to, __ATOMIC_RELAXED);
	if (ro)
		(void)mprotect((void *)page, pg, PROT_READ);
}

/* Is a inside one of the object's own segments? */
static bool own(const struct dl_phdr_info *info, const void *a)
{
	uintptr_t x = (uintptr_t)a;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && x >= lo && x - lo < ph->p_memsz)
			return true;
	}
	return false;
}

static int patch_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	const struct patch *p = arg;
	uintptr_t base = info->dlpi_addr, ro_lo = 0, ro_hi = 0;
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	const ElfW(Dyn) *dyn = NULL;
	if (info->dlpi_name && strstr(info->dlpi_name, "linux-vdso"))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(base + ph->p_vaddr);
		else if (ph->p_type == PT_GNU_RELRO) { /* as ld.so rounds */
			ro_lo = (base + ph->p_vaddr) & ~(pg - 1);
			ro_hi = (base + ph->p_vaddr + ph->p_memsz) & ~(pg - 1);
		}
	}
	if (!dyn)
		return 0;
	uintptr_t rel = 0, relsz = 0, symtab = 0, strtab = 0;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		switch (dyn->d_tag) {
		case DT_JMPREL: rel = dyn_ptr(base, dyn->d_un.d_ptr); break;
		case DT_PLTRELSZ: relsz = dyn->d_un.d_val; break;
		case DT_SYMTAB: symtab = dyn_ptr(base, dyn->d_un.d_ptr); break;
		case DT_STRTAB: strtab = dyn_ptr(base, dyn->d_un.d_ptr); break;
		case DT_PLTREL:
			if (dyn->d_un.d_val != DT_RELA)
				return 0;
			break;
		default: break;
		}
	}
	if (!rel || !symtab || !strtab)
		return 0;
	const ElfW(Rela) *r = (const ElfW(Rela) *)rel;
	const ElfW(Sym) *sym = (const ElfW(Sym) *)symtab;
	for (size_t i = 0; i < relsz / sizeof *r; i++) {
		if (ELF64_R_TYPE(r[i].r_info) != R_X86_64_JUMP_SLOT)
			continue;
		const char *n = (const char *)strtab +
				sym[ELF64_R_SYM(r[i].r_info)].st_name;
		for (int v = 0; v < p->n; v++) {
			if (strcmp(n, p->name[v]) != 0)
				continue;
			void **slot = (void **)(base + r[i].r_offset);
			void *now = __atomic_load_n(slot, __ATOMIC_RELAXED);
			/* Resolved to us, or lazy (the PLT's stub, in the
			 * object itself; it would resolve to us: checked). */
			if (now == p->exported[v] || own(info, now))
				put(slot, p->to[v], ro_lo, ro_hi);
		}
	}
	return 0;
}

void pl_got_patch(int n, const char *const *names, void *const *exported,
		  void *const *to)
{
	const char *e = getenv("LATCHKIT_PRELOAD_PLT");
	if (e && strcmp(e, "0") == 0)
		return;
	/* Only where the global lookup finds this library's verbs. */
	for (int v = 0; v < n; v++)
		if (dlsym(RTLD_DEFAULT, names[v]) != exported[v])
			return;
	struct patch p = {n, names, exported, to};
	dl_iterate_phdr(patch_object, &p);
}
