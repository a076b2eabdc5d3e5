#include "store/sqlite/error.h"

#include <string>

#include <sqlite3.h>

namespace strata::store::sqlite {

core::Error ToError(sqlite3* db, int rc, std::string_view during) {
  // sqlite3_errmsg describes the most recent failure on this handle; with no
  // handle, the code's generic text is all there is.
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string message = "sqlite: ";
  message += during;
  message += ": ";
  message += detail;
  message += " (";
  message += sqlite3_errstr(rc);
  message += ")";
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
      return core::Error::Unavailable(std::move(message));
    default:
      return core::Error::Internal(std::move(message));
  }
}

}  // namespace strata::store::sqlite
