#pragma once

#include <string_view>

#include "core/error.h"

struct sqlite3;

namespace strata::store::sqlite {

// Turns a failed SQLite call into a core::Error carrying SQLite's own message:
// "sqlite: <during>: <sqlite3_errmsg> (<result code name>)".
// Transient conditions (busy/locked database, disk full, I/O error, cannot
// open, read-only, out of memory) become kUnavailable: the store is down for
// now and the caller may retry. Everything else (bad SQL, constraint
// violations, misuse) is kInternal: a bug on our side.
// REQUIRES: `db` is the connection that returned `rc` and is still locked by
// the caller, so sqlite3_errmsg() describes this failure. `db` may be null
// (open failed before a handle existed).
core::Error ToError(sqlite3* db, int rc, std::string_view during);

}  // namespace strata::store::sqlite
