#include "tracing/trace_context.h"

#include <random>

namespace strata::tracing {
namespace {

constexpr char kHex[] = "0123456789abcdef";

template <std::size_t N>
bool AnyNonZero(const std::array<std::uint8_t, N>& bytes) {
  for (std::uint8_t byte : bytes) {
    if (byte != 0) return true;
  }
  return false;
}

template <std::size_t N>
void AppendBytesHex(std::string& out, const std::array<std::uint8_t, N>& bytes) {
  const std::size_t at = out.size();
  out.resize(at + 2 * N);
  for (std::size_t i = 0; i < N; ++i) {
    out[at + 2 * i] = kHex[bytes[i] >> 4];
    out[at + 2 * i + 1] = kHex[bytes[i] & 0xf];
  }
}

// Lowercase hex only: W3C forbids upper case in traceparent.
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

template <std::size_t N>
bool ParseHexBytes(std::string_view text, std::array<std::uint8_t, N>& out) {
  if (text.size() != 2 * N) return false;
  for (std::size_t i = 0; i < N; ++i) {
    const int high = HexValue(text[2 * i]);
    const int low = HexValue(text[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    out[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  return true;
}

std::string_view TrimOws(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// xoshiro256** (Blackman & Vigna): 4 words of state, a few ns per draw.
class Xoshiro256 {
 public:
  Xoshiro256() {
    std::random_device device;
    // splitmix64 spreads the seed so that no state word is zero-ish.
    std::uint64_t seed = (static_cast<std::uint64_t>(device()) << 32) ^ device();
    for (std::uint64_t& word : state_) {
      seed += 0x9e3779b97f4a7c15ULL;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31) ^ (static_cast<std::uint64_t>(device()) << 32 | device());
    }
  }

  std::uint64_t Next() {
    const std::uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
};

Xoshiro256& ThreadGenerator() {
  thread_local Xoshiro256 generator;
  return generator;
}

void StoreBigEndian(std::uint64_t value, std::uint8_t* out) {
  for (int i = 7; i >= 0; --i, value >>= 8) out[i] = static_cast<std::uint8_t>(value & 0xff);
}

}  // namespace

bool TraceId::IsValid() const { return AnyNonZero(bytes); }

std::string TraceId::Hex() const {
  std::string out;
  AppendHex(out);
  return out;
}

void TraceId::AppendHex(std::string& out) const { AppendBytesHex(out, bytes); }

std::uint64_t TraceId::Randomness() const {
  std::uint64_t value = 0;
  for (std::size_t i = 9; i < 16; ++i) value = value << 8 | bytes[i];
  return value;
}

bool SpanId::IsValid() const { return AnyNonZero(bytes); }

std::string SpanId::Hex() const {
  std::string out;
  AppendHex(out);
  return out;
}

void SpanId::AppendHex(std::string& out) const { AppendBytesHex(out, bytes); }

std::optional<SpanContext> ParseTraceparent(std::string_view value) {
  value = TrimOws(value);
  // version "-" trace-id "-" parent-id "-" trace-flags
  constexpr std::size_t kLength = 2 + 1 + 32 + 1 + 16 + 1 + 2;
  if (value.size() < kLength) return std::nullopt;
  std::array<std::uint8_t, 1> version{};
  if (!ParseHexBytes(value.substr(0, 2), version) || version[0] == 0xff) return std::nullopt;
  if (version[0] == 0x00) {
    if (value.size() != kLength) return std::nullopt;
  } else if (value.size() > kLength && value[kLength] != '-') {
    return std::nullopt;  // a later version may only append "-…" fields
  }
  if (value[2] != '-' || value[35] != '-' || value[52] != '-') return std::nullopt;
  SpanContext context;
  std::array<std::uint8_t, 1> flags{};
  if (!ParseHexBytes(value.substr(3, 32), context.trace_id.bytes) ||
      !ParseHexBytes(value.substr(36, 16), context.span_id.bytes) || !ParseHexBytes(value.substr(53, 2), flags)) {
    return std::nullopt;
  }
  if (!context.trace_id.IsValid() || !context.span_id.IsValid()) return std::nullopt;
  context.flags = flags[0];
  context.remote = true;
  return context;
}

std::string FormatTraceparent(const SpanContext& context) {
  if (!context.IsValid()) return {};
  std::string out;
  out.reserve(55);
  out += "00-";
  context.trace_id.AppendHex(out);
  out += '-';
  context.span_id.AppendHex(out);
  out += '-';
  // Only the sampled bit is defined by version 00; the others go out as zero.
  out += context.sampled() ? "01" : "00";
  return out;
}

std::optional<std::string> SanitizeTraceState(std::string_view value) {
  value = TrimOws(value);
  if (value.empty() || value.size() > kMaxTraceStateLength) return std::nullopt;
  std::size_t members = 0;
  bool member_has_text = false;
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) return std::nullopt;
    if (c == ',') {
      members += member_has_text ? 1 : 0;
      member_has_text = false;
    } else if (c != ' ' && c != '\t') {
      member_has_text = true;
    }
  }
  members += member_has_text ? 1 : 0;
  if (members == 0 || members > kMaxTraceStateMembers) return std::nullopt;
  return std::string(value);
}

TraceId NewTraceId() {
  Xoshiro256& generator = ThreadGenerator();
  TraceId id;
  do {
    StoreBigEndian(generator.Next(), id.bytes.data());
    StoreBigEndian(generator.Next(), id.bytes.data() + 8);
  } while (!id.IsValid());
  return id;
}

SpanId NewSpanId() {
  Xoshiro256& generator = ThreadGenerator();
  SpanId id;
  do {
    StoreBigEndian(generator.Next(), id.bytes.data());
  } while (!id.IsValid());
  return id;
}

}  // namespace strata::tracing
