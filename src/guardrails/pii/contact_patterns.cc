// EMAIL, PHONE and IP_ADDRESS: the contact details people paste into prompts.
#include "guardrails/internal/ascii.h"
#include "guardrails/internal/checksums.h"
#include "guardrails/internal/context.h"
#include "guardrails/internal/pattern.h"

namespace strata::guardrails::internal {
namespace {

int CountDigits(std::string_view value) {
  int digits = 0;
  for (char c : value) digits += IsDigit(c) ? 1 : 0;
  return digits;
}

bool IsEmailLocalByte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) ||
         c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

bool IsEmailDomainByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '.' || c == '-';
}

// The email pattern runs without SOM: tracking the leftmost start of an
// unbounded local part cost 8 of the pattern pass's 10 µs per 2 KB. The start
// is found here instead, exactly as SOM_LEFTMOST would: back over the domain
// to the '@', then back over every byte the local part may hold.
// Both walks are bounded by RFC 5321's limits (255-byte domain, 64-character
// local part, here up to 256 bytes of UTF-8), which also keeps a pathological
// "a@b.c.d.e.…" run linear: longer is not an address.
std::optional<Candidate> ValidateEmail(const Match& match) {
  constexpr std::size_t kMaxDomain = 255;
  constexpr std::size_t kMaxLocal = 256;
  const std::string_view text = match.text;
  std::size_t at = match.end;
  while (at > 0 && match.end - at <= kMaxDomain && IsEmailDomainByte(text[at - 1])) --at;
  if (at == 0 || text[at - 1] != '@') return std::nullopt;
  const std::size_t sign = at - 1;
  std::size_t begin = sign;
  while (begin > 0 && sign - begin <= kMaxLocal && IsEmailLocalByte(text[begin - 1])) --begin;
  if (begin == sign || sign - begin > kMaxLocal) return std::nullopt;
  return Candidate{begin, match.end, match.base_score};
}

// Phone numbers are the detector most prone to false positives: a plain run
// of digits is as likely an order id. The patterns therefore require a "+"
// prefix, a parenthesised area code or separators in phone-like groups, and
// this validator refuses anything shaped like a date or a version.
std::optional<Candidate> ValidatePhone(const Match& match) {
  const std::string_view value = match.value();
  const int digits = CountDigits(value);
  if (digits < 8 || digits > 15) return std::nullopt;  // E.164 allows at most 15
  if (AlnumBefore(match.text, match.begin) || AlnumAt(match.text, match.end)) return std::nullopt;
  // Joined by a dot, slash, dash or colon to more digits on either side: a
  // version, a decimal, a date or a path, not a number on its own.
  const auto joined = [&](std::size_t separator, std::size_t digit) {
    const std::string_view text = match.text;
    return separator < text.size() && digit < text.size() &&
           (text[separator] == '.' || text[separator] == '/' || text[separator] == '-' ||
            text[separator] == ':') &&
           IsDigit(text[digit]);
  };
  if (joined(match.end, match.end + 1) ||
      (match.begin >= 2 && joined(match.begin - 1, match.begin - 2))) {
    return std::nullopt;
  }
  double score = match.base_score;
  if (HasContextBefore(match.text, match.begin,
                       {"phone", "tel", "telephone", "mobile", "cell", "call", "fax", "whatsapp",
                        "contact", "number", "reach me", "text me"})) {
    score += 0.3;
  }
  return Candidate{match.begin, match.end, score};
}

// North American numbers are recognisable by shape alone, except when the
// groups are separated only by spaces: then they are as often a table row.
std::optional<Candidate> ValidateNanpPhone(const Match& match) {
  std::optional<Candidate> candidate = ValidatePhone(match);
  if (candidate && match.value().find_first_of("(-.") == std::string_view::npos) {
    candidate->score -= 0.2;
  }
  return candidate;
}

std::optional<Candidate> ValidateIpv4(const Match& match) {
  const std::string_view value = match.value();
  if (!Ipv4Valid(value)) return std::nullopt;
  // Loopback, "any" and broadcast identify no one and fill every config snippet.
  if (value.starts_with("127.") || value == "0.0.0.0" || value == "255.255.255.255") {
    return std::nullopt;
  }
  // "1.2.3.4.5" or "v1.2.3.4": part of something longer than an address.
  const auto dotted_neighbour = [&](std::size_t dot, std::size_t digit) {
    return dot < match.text.size() && match.text[dot] == '.' && digit < match.text.size() &&
           IsDigit(match.text[digit]);
  };
  if (dotted_neighbour(match.end, match.end + 1) ||
      (match.begin >= 2 && dotted_neighbour(match.begin - 1, match.begin - 2))) {
    return std::nullopt;
  }
  if (match.begin > 0 && (match.text[match.begin - 1] == 'v' || match.text[match.begin - 1] == 'V')) {
    return std::nullopt;
  }
  if (HasContextBefore(match.text, match.begin, {"version", "release", "build"})) return std::nullopt;
  double score = match.base_score;
  if (HasContextBefore(match.text, match.begin,
                       {"ip", "address", "addr", "host", "server", "client", "from", "connect"})) {
    score += 0.25;
  }
  return Candidate{match.begin, match.end, score};
}

std::optional<Candidate> ValidateIpv6(const Match& match) {
  const std::string_view value = match.value();
  // At least three hex groups: "a::b" is C++ ("std::swap" minus a letter), and
  // the one-group forms (::1) carry nothing personal.
  int groups = 0;
  bool in_group = false;
  for (char c : value) {
    const bool hex = c != ':' && c != '.';
    if (hex && !in_group) ++groups;
    in_group = hex;
  }
  if (groups < 3) return std::nullopt;
  const auto ip_char = [&](std::size_t at) {
    const char c = match.text[at];
    return c == ':' || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
  };
  if ((match.begin > 0 && ip_char(match.begin - 1)) ||
      (match.end < match.text.size() && ip_char(match.end))) {
    return std::nullopt;
  }
  if (!Ipv6Valid(value)) return std::nullopt;
  return Candidate{match.begin, match.end, match.base_score};
}

}  // namespace

std::vector<PatternSpec> ContactPatterns() {
  return {
      {R"([A-Za-z0-9._%+\x80-\xff-]@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b)", 0,
       EntityType::kEmail, 0.9, ValidateEmail, StartBy::kValidator},
      // E.164 and international formats: +44 20 7946 0958, +1 (555) 123-4567, +4915112345678.
      {R"(\+\d{1,3}(?:[ .-]?\(\d{1,4}\))?(?:[ .-]?\d{1,5}){1,6})", 0, EntityType::kPhone, 0.7,
       ValidatePhone},
      // North American: (555) 123-4567, 555-123-4567, 555.123.4567 (area and exchange 2–9).
      {R"((?:\([2-9]\d{2}\) ?|\b[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}\b)", 0, EntityType::kPhone, 0.55,
       ValidateNanpPhone},
      // National trunk-prefixed groupings: 020 7946 0958, 01 23 45 67 89, 030 1234567.
      // Alone these look like many other numbers, so they need a context word.
      {R"(\b0\d{1,4}(?:[ ]\d{2,8}){1,4}\b)", 0, EntityType::kPhone, 0.35, ValidatePhone},
      {R"(\b\d{1,3}(?:\.\d{1,3}){3}\b)", 0, EntityType::kIpAddress, 0.6, ValidateIpv4},
      {R"([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?::\d{1,3}(?:\.\d{1,3}){3})?)", 0,
       EntityType::kIpAddress, 0.75, ValidateIpv6},
  };
}

}  // namespace strata::guardrails::internal
