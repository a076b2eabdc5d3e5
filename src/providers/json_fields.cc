#include "providers/json_fields.h"

#include <chrono>
#include <cmath>

#include "core/text.h"

namespace strata::providers::json_fields {

std::optional<std::uint64_t> Unsigned(const json::value& value) {
  if (const std::uint64_t* u = value.if_uint64()) return *u;
  if (const std::int64_t* i = value.if_int64()) {
    if (*i >= 0) return static_cast<std::uint64_t>(*i);
    return std::nullopt;
  }
  if (const double* d = value.if_double()) {
    // 2^63 bounds the cast; anything larger is no count anyway.
    if (*d >= 0 && *d < 9.2e18 && std::floor(*d) == *d) return static_cast<std::uint64_t>(*d);
  }
  return std::nullopt;
}

std::int64_t NowUnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Indexed(std::string_view base, std::size_t index) {
  std::string out(base);
  out += '[';
  out += std::to_string(index);
  out += ']';
  return out;
}

}  // namespace strata::providers::json_fields
