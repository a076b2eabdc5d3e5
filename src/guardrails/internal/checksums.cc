#include "guardrails/internal/checksums.h"

#include <arpa/inet.h>

#include <array>
#include <cmath>
#include <string>

#include "guardrails/internal/ascii.h"

namespace strata::guardrails::internal {
namespace {

// base64url alphabet → 6-bit value, or -1.
int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-' || c == '+') return 62;
  if (c == '_' || c == '/') return 63;
  return -1;
}

}  // namespace

bool LuhnValid(std::string_view value) {
  int sum = 0;
  int digits = 0;
  for (auto it = value.rbegin(); it != value.rend(); ++it) {
    if (!IsDigit(*it)) continue;
    int digit = *it - '0';
    if (digits % 2 == 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    ++digits;
  }
  return digits > 0 && sum % 10 == 0;
}

bool IbanValid(std::string_view value) {
  std::string compact;
  compact.reserve(value.size());
  for (char c : value) {
    if (c == ' ') continue;
    if (!IsDigit(c) && !IsUpper(c)) return false;
    compact.push_back(c);
  }
  if (compact.size() < 15 || compact.size() > 34) return false;
  if (!IsUpper(compact[0]) || !IsUpper(compact[1]) || !IsDigit(compact[2]) || !IsDigit(compact[3])) {
    return false;
  }
  // Move the first four characters to the end, read letters as 10..35, and
  // reduce mod 97 digit by digit so no big integer is needed.
  const std::string rearranged = compact.substr(4) + compact.substr(0, 4);
  int remainder = 0;
  for (char c : rearranged) {
    if (IsDigit(c)) {
      remainder = (remainder * 10 + (c - '0')) % 97;
    } else {
      remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
    }
  }
  return remainder == 1;
}

bool UsSsnValid(std::string_view value) {
  std::array<int, 9> d{};
  std::size_t n = 0;
  for (char c : value) {
    if (!IsDigit(c)) continue;
    if (n == d.size()) return false;
    d[n++] = c - '0';
  }
  if (n != 9) return false;
  const int area = d[0] * 100 + d[1] * 10 + d[2];
  const int group = d[3] * 10 + d[4];
  const int serial = d[5] * 1000 + d[6] * 100 + d[7] * 10 + d[8];
  if (area == 0 || area == 666 || area >= 900) return false;
  return group != 0 && serial != 0;
}

bool Ipv4Valid(std::string_view value) {
  int octets = 0;
  std::size_t i = 0;
  while (i <= value.size()) {
    std::size_t start = i;
    int octet = 0;
    while (i < value.size() && IsDigit(value[i])) {
      octet = octet * 10 + (value[i] - '0');
      ++i;
    }
    const std::size_t length = i - start;
    if (length == 0 || length > 3 || octet > 255) return false;
    if (length > 1 && value[start] == '0') return false;  // "01" reads as octal to some tools
    ++octets;
    if (i == value.size()) break;
    if (value[i] != '.') return false;
    ++i;
  }
  return octets == 4;
}

bool Ipv6Valid(std::string_view value) {
  if (value.size() < 2 || value.size() > 45) return false;
  const std::string copy(value);
  in6_addr address;
  return inet_pton(AF_INET6, copy.c_str(), &address) == 1;
}

bool JwtHeaderValid(std::string_view first_segment) {
  // The header of a JWT is small; decoding the first 256 bytes is plenty.
  std::string decoded;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : first_segment.substr(0, 256)) {
    const int v = Base64UrlValue(c);
    if (v < 0) return false;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      decoded.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return !decoded.empty() && decoded.front() == '{' && decoded.find("\"alg\"") != std::string::npos;
}

double ShannonEntropy(std::string_view value) {
  if (value.empty()) return 0.0;
  std::array<int, 256> counts{};
  for (unsigned char c : value) ++counts[c];
  double entropy = 0.0;
  const double total = static_cast<double>(value.size());
  for (int count : counts) {
    if (count == 0) continue;
    const double p = count / total;
    entropy -= p * std::log2(p);
  }
  return entropy;
}

}  // namespace strata::guardrails::internal
