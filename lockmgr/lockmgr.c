/* Placeholder so the library links while the lock table is written. */
#include "lockmgr.h"

const char *lk_strerror(int s) { (void)s; return "LK_?: not yet"; }
const lk_modetable_t *lk_modetable_default(void) { return NULL; }
const lk_modetable_t *lk_modetable_postgres(void) { return NULL; }
const lk_modetable_t *lk_modetable_sx(void) { return NULL; }
int lk_modetable_init(lk_modetable_t *t, unsigned n, const char *const *names, const uint16_t *c) { (void)t; (void)n; (void)names; (void)c; return LK_INVAL; }
void lk_lockmgr_config_init(lk_lockmgr_config_t *cfg) { memset(cfg, 0, sizeof *cfg); }
int lk_lockmgr_create(const lk_lockmgr_config_t *cfg, lk_lockmgr_t **out) { (void)cfg; *out = NULL; return LK_NOMEM; }
void lk_lockmgr_destroy(lk_lockmgr_t *m) { (void)m; }
int lk_txn_begin(lk_lockmgr_t *m, lk_txn_t **out) { (void)m; *out = NULL; return LK_INVAL; }
int lk_txn_commit(lk_txn_t *t) { (void)t; return LK_INVAL; }
int lk_txn_abort(lk_txn_t *t) { (void)t; return LK_INVAL; }
uint64_t lk_txn_id(const lk_txn_t *t) { (void)t; return 0; }
int lk_lock(lk_txn_t *t, const lk_res_t *r, int m, uint64_t to, unsigned f) { (void)t; (void)r; (void)m; (void)to; (void)f; return LK_INVAL; }
int lk_lock_ex(lk_txn_t *t, const lk_res_t *r, int m, uint64_t to, unsigned f, uint64_t *tok) { (void)t; (void)r; (void)m; (void)to; (void)f; (void)tok; return LK_INVAL; }
uint64_t lk_lock_token(lk_txn_t *t, const lk_res_t *r) { (void)t; (void)r; return 0; }
int lk_held_mode(lk_txn_t *t, const lk_res_t *r) { (void)t; (void)r; return -1; }
int lk_unlock(lk_txn_t *t, const lk_res_t *r) { (void)t; (void)r; return LK_INVAL; }
size_t lk_snapshot(lk_lockmgr_t *m, lk_lockinfo_t *o, size_t c) { (void)m; (void)o; (void)c; return 0; }
size_t lk_blocking_set(lk_txn_t *t, uint64_t *ids, size_t n) { (void)t; (void)ids; (void)n; return 0; }
size_t lk_blocking_set_id(lk_lockmgr_t *m, uint64_t id, uint64_t *ids, size_t n) { (void)m; (void)id; (void)ids; (void)n; return 0; }
int lk_waitfor_dot(lk_lockmgr_t *m, FILE *f) { (void)m; (void)f; return LK_INVAL; }
void lk_lockmgr_stats(lk_lockmgr_t *m, lk_stats_t *o) { (void)m; memset(o, 0, sizeof *o); }
void lk_lockmgr_set_trace(lk_lockmgr_t *m, lk_trace_fn fn, void *ctx) { (void)m; (void)fn; (void)ctx; }
size_t lk_request_size(void) { return 0; }
size_t lk_head_size(void) { return 0; }
