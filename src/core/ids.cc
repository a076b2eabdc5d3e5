#include "core/ids.h"

#include <chrono>
#include <random>

namespace strata::core {

namespace {

constexpr char kHex[] = "0123456789abcdef";

std::mt19937_64& Generator() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return generator;
}

// Writes the low `digits` hex digits of `bits` into out[0, digits), most significant first.
void PutHex(char* out, std::uint64_t bits, int digits) {
  for (int i = digits - 1; i >= 0; --i, bits >>= 4) out[i] = kHex[bits & 0xf];
}

}  // namespace

std::string NewRequestId() {
  std::string id(32, '0');
  PutHex(id.data(), Generator()(), 16);
  PutHex(id.data() + 16, Generator()(), 16);
  return id;
}

std::string NewTimeOrderedId() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto millis = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
  std::string id(32, '0');
  PutHex(id.data(), millis, 12);
  PutHex(id.data() + 12, Generator()(), 16);
  PutHex(id.data() + 28, Generator()(), 4);
  return id;
}

bool IsAcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace strata::core
