#include "config/value_parsers.h"

#include <array>
#include <charconv>
#include <limits>
#include <utility>

namespace strata::config {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Splits a leading decimal number ("12", "1.5", ".5") off `text`.
std::string_view TakeNumber(std::string_view& text) {
  std::size_t end = 0;
  while (end < text.size() && (IsDigit(text[end]) || text[end] == '.')) {
    ++end;
  }
  std::string_view number = text.substr(0, end);
  text.remove_prefix(end);
  return number;
}

std::string_view TakeUnit(std::string_view& text) {
  std::size_t end = 0;
  while (end < text.size() && IsLetter(text[end])) {
    ++end;
  }
  std::string_view unit = text.substr(0, end);
  text.remove_prefix(end);
  return unit;
}

void SkipSpaces(std::string_view& text) {
  while (!text.empty() && text.front() == ' ') {
    text.remove_prefix(1);
  }
}

// `number` times `multiplier`, computed exactly in integers so that "1.1s" is
// 1100 ms and not 1100.0000000000002. Fails on overflow and on results that are
// not whole ("0.5ms").
std::optional<std::uint64_t> ScaleDecimal(std::string_view number, std::uint64_t multiplier) {
  std::uint64_t mantissa = 0;
  std::uint64_t divisor = 1;
  bool seen_dot = false;
  bool seen_digit = false;
  for (char c : number) {
    if (c == '.') {
      if (seen_dot) {
        return std::nullopt;
      }
      seen_dot = true;
      continue;
    }
    seen_digit = true;
    if (__builtin_mul_overflow(mantissa, 10U, &mantissa) ||
        __builtin_add_overflow(mantissa, static_cast<std::uint64_t>(c - '0'), &mantissa)) {
      return std::nullopt;
    }
    if (seen_dot && __builtin_mul_overflow(divisor, 10U, &divisor)) {
      return std::nullopt;
    }
  }
  std::uint64_t product = 0;
  if (!seen_digit || __builtin_mul_overflow(mantissa, multiplier, &product) || product % divisor != 0) {
    return std::nullopt;
  }
  return product / divisor;
}

template <std::size_t N>
std::optional<std::uint64_t> UnitMultiplier(std::string_view unit,
                                            const std::array<std::pair<std::string_view, std::uint64_t>, N>& units) {
  for (const auto& [name, multiplier] : units) {
    if (name == unit) {
      return multiplier;
    }
  }
  return std::nullopt;
}

constexpr std::array<std::pair<std::string_view, std::uint64_t>, 4> kDurationUnits{{
    {"ms", 1},
    {"s", 1'000},
    {"m", 60'000},
    {"h", 3'600'000},
}};

constexpr std::uint64_t kKi = 1024;
constexpr std::array<std::pair<std::string_view, std::uint64_t>, 10> kSizeUnits{{
    {"B", 1},
    {"kB", 1'000},
    {"KB", 1'000},
    {"MB", 1'000'000},
    {"GB", 1'000'000'000},
    {"TB", 1'000'000'000'000},
    {"KiB", kKi},
    {"MiB", kKi * kKi},
    {"GiB", kKi * kKi * kKi},
    {"TiB", kKi * kKi * kKi * kKi},
}};

}  // namespace

std::optional<long long> ParseInteger(std::string_view text) {
  long long value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return value;
}

std::optional<bool> ParseBool(std::string_view text) {
  auto equals_ignoring_case = [text](std::string_view word) {
    if (text.size() != word.size()) {
      return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (c >= 'A' && c <= 'Z') {
        c = static_cast<char>(c - 'A' + 'a');
      }
      if (c != word[i]) {
        return false;
      }
    }
    return true;
  };
  if (equals_ignoring_case("true")) {
    return true;
  }
  if (equals_ignoring_case("false")) {
    return false;
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::chrono::milliseconds::rep>::max());
  std::uint64_t total = 0;
  while (!text.empty()) {
    std::string_view number = TakeNumber(text);
    SkipSpaces(text);
    std::optional<std::uint64_t> multiplier = UnitMultiplier(TakeUnit(text), kDurationUnits);
    if (number.empty() || !multiplier) {
      return std::nullopt;
    }
    std::optional<std::uint64_t> part = ScaleDecimal(number, *multiplier);
    if (!part || __builtin_add_overflow(total, *part, &total) || total > kMax) {
      return std::nullopt;
    }
  }
  return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(total));
}

std::optional<std::uint64_t> ParseByteSize(std::string_view text) {
  std::string_view number = TakeNumber(text);
  SkipSpaces(text);
  std::string_view unit = TakeUnit(text);
  if (number.empty() || !text.empty()) {
    return std::nullopt;
  }
  if (unit.empty()) {
    // A bare count of bytes must be whole: "1.5" bytes means nothing.
    return number.find('.') == std::string_view::npos ? ScaleDecimal(number, 1) : std::nullopt;
  }
  std::optional<std::uint64_t> multiplier = UnitMultiplier(unit, kSizeUnits);
  if (!multiplier) {
    return std::nullopt;
  }
  return ScaleDecimal(number, *multiplier);
}

}  // namespace strata::config
