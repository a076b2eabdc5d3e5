#include "core/json_values.h"

#include <boost/json/parse.hpp>

namespace strata::core {

boost::json::value ParsedOrText(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(text, ec);
  return ec ? boost::json::value(text) : parsed;
}

boost::json::value SecondsOrNull(std::int64_t ms) {
  return ms == 0 ? boost::json::value(nullptr) : boost::json::value(ms / 1000);
}

}  // namespace strata::core
