#pragma once

#include <string>

namespace strata::observability {

struct LogOptions {
  std::string level = "info";   // trace, debug, info, warn, error, off
  std::string format = "json";  // json (one object per line) or text
  bool access_log = true;       // one line per HTTP request
  std::string file;             // empty: stderr
};

}  // namespace strata::observability
