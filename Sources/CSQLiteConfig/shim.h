#ifndef DRREPORT_CSQLITECONFIG_SHIM_H
#define DRREPORT_CSQLITECONFIG_SHIM_H

// sqlite3_db_config is variadic, which Swift cannot call: a fixed-argument wrapper for the one
// option drreport sets. Declared here rather than by including sqlite3.h, so that this module adds
// no second copy of SQLite's declarations beside the ones GRDB's module already exports.
struct sqlite3;
int sqlite3_db_config(struct sqlite3 *, int op, ...);
int sqlite3_config(int op, ...);

/// SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE (1006): closing the connection leaves the write-ahead log as
/// it is instead of first copying it into the database.
static inline int drreport_sqlite_no_checkpoint_on_close(struct sqlite3 *db) {
    return sqlite3_db_config(db, 1006, 1, (int *)0);
}

/// SQLITE_CONFIG_MEMSTATUS (9) off: SQLite stops counting its memory use, which takes a process-wide
/// lock on every allocation it makes. Only takes effect before SQLite is first initialised.
static inline int drreport_sqlite_no_memory_statistics(void) {
    return sqlite3_config(9, 0);
}

#endif
