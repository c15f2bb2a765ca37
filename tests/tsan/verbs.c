/*
 * tests/tsan/verbs.c: every verb of every latch, each in a function of its
 * own: the translation unit whose machine code the ThreadSanitizer
 * annotations must not change in an ordinary build (tests/tsan/zero.sh
 * compares its objdump against another commit's headers).
 */
#include <latchkit/tas.h>
#include <latchkit/ttas.h>
#include <latchkit/ticket.h>
#include <latchkit/mcs.h>
#include <latchkit/clh.h>
#include <latchkit/mutex.h>
#include <latchkit/reentrant.h>
#include <latchkit/rwlock.h>
#include <latchkit/rwmutex.h>
#include <latchkit/pfrwlock.h>
#include <latchkit/rprwlock.h>
#include <latchkit/brlock.h>
#include <latchkit/leftright.h>
#include <latchkit/seqlock.h>
#include <latchkit/optlock.h>
#include <latchkit/sem.h>
#include <latchkit/once.h>
#include <latchkit/barrier.h>
#include <latchkit/event.h>
#include <latchkit/cond.h>
#include <latchkit/robust.h>
#define MX(n) \
void v_##n##_init(lk_##n##_t *l) { lk_##n##_init(l); } \
void v_##n##_lock(lk_##n##_t *l) { lk_##n##_lock(l); } \
bool v_##n##_trylock(lk_##n##_t *l) { return lk_##n##_trylock(l); } \
void v_##n##_unlock(lk_##n##_t *l) { lk_##n##_unlock(l); }
#define TM(n) bool v_##n##_timedlock(lk_##n##_t *l, uint64_t t) { return lk_##n##_timedlock(l, t); }
#define RW(n) \
void v_##n##_init(lk_##n##_t *l) { lk_##n##_init(l); } \
void v_##n##_rdlock(lk_##n##_t *l) { lk_##n##_rdlock(l); } \
bool v_##n##_rdtrylock(lk_##n##_t *l) { return lk_##n##_rdtrylock(l); } \
bool v_##n##_rdtimedlock(lk_##n##_t *l, uint64_t t) { return lk_##n##_rdtimedlock(l, t); } \
void v_##n##_rdunlock(lk_##n##_t *l) { lk_##n##_rdunlock(l); } \
void v_##n##_wrlock(lk_##n##_t *l) { lk_##n##_wrlock(l); } \
bool v_##n##_wrtrylock(lk_##n##_t *l) { return lk_##n##_wrtrylock(l); } \
bool v_##n##_wrtimedlock(lk_##n##_t *l, uint64_t t) { return lk_##n##_wrtimedlock(l, t); } \
void v_##n##_wrunlock(lk_##n##_t *l) { lk_##n##_wrunlock(l); }
MX(tas) TM(tas) MX(ttas) TM(ttas) MX(ticket) MX(mcs) MX(clh) MX(mutex) TM(mutex)
MX(rmutex) TM(rmutex) MX(rttas) TM(rttas)
RW(rwlock) RW(rwmutex) RW(pfrwlock) RW(rprwlock) RW(brlock)
void v_robust_init(lk_robust_t *l) { lk_robust_init(l); }
int v_robust_lock(lk_robust_t *l) { return lk_robust_lock(l); }
int v_robust_trylock(lk_robust_t *l) { return lk_robust_trylock(l); }
int v_robust_timedlock(lk_robust_t *l, uint64_t t) { return lk_robust_timedlock(l, t); }
int v_robust_unlock(lk_robust_t *l) { return lk_robust_unlock(l); }
int v_robust_consistent(lk_robust_t *l) { return lk_robust_consistent(l); }
void v_mcs_lock_node(lk_mcs_t *l, lk_mcs_node_t *n) { lk_mcs_lock_node(l, n); }
bool v_mcs_trylock_node(lk_mcs_t *l, lk_mcs_node_t *n) { return lk_mcs_trylock_node(l, n); }
void v_mcs_unlock_node(lk_mcs_t *l, lk_mcs_node_t *n) { lk_mcs_unlock_node(l, n); }
lk_clh_node_t *v_clh_lock_node(lk_clh_t *l, lk_clh_node_t *n) { return lk_clh_lock_node(l, n); }
bool v_clh_trylock_node(lk_clh_t *l, lk_clh_node_t *n) { return lk_clh_trylock_node(l, n); }
bool v_clh_unlock_node(lk_clh_t *l, lk_clh_node_t *n) { return lk_clh_unlock_node(l, n); }
void v_rwm_uplock(lk_rwmutex_t *l) { lk_rwmutex_uplock(l); }
bool v_rwm_uptrylock(lk_rwmutex_t *l) { return lk_rwmutex_uptrylock(l); }
bool v_rwm_uptimedlock(lk_rwmutex_t *l, uint64_t t) { return lk_rwmutex_uptimedlock(l, t); }
void v_rwm_upunlock(lk_rwmutex_t *l) { lk_rwmutex_upunlock(l); }
void v_rwm_upgrade(lk_rwmutex_t *l) { lk_rwmutex_upgrade(l); }
void v_rwm_downgrade(lk_rwmutex_t *l) { lk_rwmutex_downgrade(l); }
void v_rwm_updowngrade(lk_rwmutex_t *l) { lk_rwmutex_updowngrade(l); }
void v_seq_init(lk_seqlock_t *l) { lk_seqlock_init(l); }
void v_seq_lock(lk_seqlock_t *l) { lk_seqlock_write_lock(l); }
bool v_seq_trylock(lk_seqlock_t *l) { return lk_seqlock_write_trylock(l); }
bool v_seq_timedlock(lk_seqlock_t *l, uint64_t t) { return lk_seqlock_write_timedlock(l, t); }
void v_seq_unlock(lk_seqlock_t *l) { lk_seqlock_write_unlock(l); }
unsigned v_seq_read(const lk_seqlock_t *l, uint64_t *d, const LK_ATOMIC(uint64_t) *s) { return lk_seqlock_read_copy(l, d, s, 4); }
void v_seq_write(lk_seqlock_t *l, LK_ATOMIC(uint64_t) *d, const uint64_t *s) { lk_seqlock_write_copy(l, d, s, 4); }
void v_opt_init(lk_optlock_t *l) { lk_optlock_init(l); }
void v_opt_lock(lk_optlock_t *l) { lk_optlock_lock(l); }
bool v_opt_trylock(lk_optlock_t *l) { return lk_optlock_trylock(l); }
bool v_opt_timedlock(lk_optlock_t *l, uint64_t t) { return lk_optlock_timedlock(l, t); }
bool v_opt_upgrade(lk_optlock_t *l, uint64_t v) { return lk_optlock_upgrade(l, v); }
void v_opt_unlock(lk_optlock_t *l) { lk_optlock_unlock(l); }
void v_opt_unlock_obs(lk_optlock_t *l) { lk_optlock_unlock_obsolete(l); }
bool v_opt_read(const lk_optlock_t *l, uint64_t *v) { return lk_optlock_read_begin(l, v) && lk_optlock_validate(l, *v); }
void v_sem_init(lk_sem_t *s) { lk_sem_init(s, 1); }
void v_sem_post(lk_sem_t *s) { lk_sem_post(s); }
void v_sem_wait(lk_sem_t *s) { lk_sem_wait(s); }
bool v_sem_trywait(lk_sem_t *s) { return lk_sem_trywait(s); }
bool v_sem_timedwait(lk_sem_t *s, uint64_t t) { return lk_sem_timedwait(s, t); }
void v_lr_init(lk_leftright_t *lr, void *a, void *b) { lk_leftright_init(lr, a, b); }
void v_lr_write(lk_leftright_t *lr, void (*f)(void *, void *), void *arg) { lk_leftright_write(lr, f, arg); }
const void *v_lr_read(lk_leftright_t *lr, unsigned *t) { return lk_leftright_read_begin(lr, t); }
void v_lr_end(lk_leftright_t *lr, unsigned t) { lk_leftright_read_end(lr, t); }
void v_once_init(lk_once_t *o) { lk_once_init(o); }
void v_once(lk_once_t *o, void (*f)(void)) { lk_once(o, f); }
void v_once_ctx(lk_once_t *o, void (*f)(void *), void *a) { lk_once_ctx(o, f, a); }
bool v_once_is_done(const lk_once_t *o) { return lk_once_is_done(o); }
int v_bar_init(lk_barrier_t *b, uint32_t n) { return lk_barrier_init(b, n); }
int v_bar_wait(lk_barrier_t *b) { return lk_barrier_wait(b); }
int v_bar_destroy(lk_barrier_t *b) { return lk_barrier_destroy(b); }
void v_ev_init(lk_event_t *e) { lk_event_init(e); }
void v_ev_set(lk_event_t *e) { lk_event_set(e); }
bool v_ev_is_set(const lk_event_t *e) { return lk_event_is_set(e); }
bool v_ev_trywait(const lk_event_t *e) { return lk_event_trywait(e); }
void v_ev_wait(lk_event_t *e) { lk_event_wait(e); }
bool v_ev_timedwait(lk_event_t *e, uint64_t t) { return lk_event_timedwait(e, t); }
int v_ev_timedwait_until(lk_event_t *e, const struct timespec *t) { return lk_event_timedwait_until(e, t); }
int v_latch_init(lk_latch_t *l, uint32_t n) { return lk_latch_init(l, n); }
int v_latch_count_down(lk_latch_t *l, uint32_t n) { return lk_latch_count_down(l, n); }
bool v_latch_try_wait(const lk_latch_t *l) { return lk_latch_try_wait(l); }
void v_latch_wait(lk_latch_t *l) { lk_latch_wait(l); }
bool v_latch_timedwait(lk_latch_t *l, uint64_t t) { return lk_latch_timedwait(l, t); }
int v_latch_timedwait_until(lk_latch_t *l, const struct timespec *t) { return lk_latch_timedwait_until(l, t); }
uint32_t v_latch_count(const lk_latch_t *l) { return lk_latch_count(l); }
void v_cond_init(lk_cond_t *c) { lk_cond_init(c); }
void v_cond_destroy(lk_cond_t *c) { lk_cond_destroy(c); }
void v_cond_wait(lk_cond_t *c, lk_mutex_t *m) { lk_cond_wait(c, m); }
bool v_cond_timedwait(lk_cond_t *c, lk_mutex_t *m, uint64_t t) { return lk_cond_timedwait(c, m, t); }
int v_cond_timedwait_until(lk_cond_t *c, lk_mutex_t *m, const struct timespec *t) { return lk_cond_timedwait_until(c, m, t); }
void v_cond_wait_with(lk_cond_t *c, void *l, lk_cond_latch_fn u, lk_cond_latch_fn k) { lk_cond_wait_with(c, l, u, k); }
bool v_cond_timedwait_with(lk_cond_t *c, void *l, lk_cond_latch_fn u, lk_cond_latch_fn k, uint64_t t) { return lk_cond_timedwait_with(c, l, u, k, t); }
int v_cond_timedwait_until_with(lk_cond_t *c, void *l, lk_cond_latch_fn u, lk_cond_latch_fn k, const struct timespec *t) { return lk_cond_timedwait_until_with(c, l, u, k, t); }
void v_cond_signal(lk_cond_t *c) { lk_cond_signal(c); }
void v_cond_broadcast(lk_cond_t *c) { lk_cond_broadcast(c); }
uint32_t v_cond_waiters(const lk_cond_t *c) { return lk_cond_waiters(c); }
