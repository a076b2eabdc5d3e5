// CREDIT_CARD, IBAN and US_SSN: numbers with a checksum or a structure that
// tells them from order ids, so the checksum decides and context only adds.
#include <string>
#include <vector>

#include "guardrails/internal/ascii.h"
#include "guardrails/internal/checksums.h"
#include "guardrails/internal/context.h"
#include "guardrails/internal/pattern.h"

namespace strata::guardrails::internal {
namespace {

// Issuer prefixes of the card networks people actually paste: Visa 4,
// Mastercard 51–55 and 2221–2720, Amex 34/37, Discover 6011/65/644–649,
// Diners 36/38/300–305, JCB 35, UnionPay 62. A Luhn-valid 16-digit number
// starting with 1 or 9 is far more often an id or a timestamp.
bool KnownIssuer(std::string_view digits) {
  const auto prefix = [&](int n) {
    int value = 0;
    for (int i = 0; i < n; ++i) value = value * 10 + (digits[i] - '0');
    return value;
  };
  switch (digits[0]) {
    case '4': return true;
    case '5': return prefix(2) >= 51 && prefix(2) <= 55;
    case '2': return prefix(4) >= 2221 && prefix(4) <= 2720;
    case '3': {
      const int two = prefix(2);
      return two == 34 || two == 37 || two == 35 || two == 36 || two == 38 ||
             (prefix(3) >= 300 && prefix(3) <= 305);
    }
    case '6': return prefix(4) == 6011 || prefix(2) == 65 || prefix(2) == 62 ||
                     (prefix(3) >= 644 && prefix(3) <= 649);
    default: return false;
  }
}

// Printed card numbers come in a few layouts: fours with a shorter last group
// (4-4-4-4, 4-4-4-4-3) or Amex/Diners 4-6-5 and 4-6-4. Other groupings of
// 13–19 digits are account numbers, IBAN tails or table cells.
bool CardGrouping(const std::vector<std::size_t>& groups) {
  if (groups.size() == 1) return true;  // unseparated
  if (groups.size() == 3 && groups[0] == 4 && groups[1] == 6 && (groups[2] == 5 || groups[2] == 4)) {
    return true;
  }
  for (std::size_t i = 0; i + 1 < groups.size(); ++i) {
    if (groups[i] != 4) return false;
  }
  return groups.back() == 4 || groups.back() == 3;
}

std::optional<Candidate> ValidateCard(const Match& match) {
  const std::string_view value = match.value();
  std::string digits;
  std::vector<std::size_t> groups{0};
  char separator = 0;
  for (char c : value) {
    if (IsDigit(c)) {
      digits.push_back(c);
      ++groups.back();
      continue;
    }
    if (separator == 0) separator = c;
    if (c != separator) return std::nullopt;  // "1234 5678-9012": mixed separators
    groups.push_back(0);
  }
  if (!CardGrouping(groups)) return std::nullopt;
  if (digits.size() < 13 || digits.size() > 19) return std::nullopt;
  // "+4915112345678" is a phone number that happens to pass Luhn.
  if (match.begin > 0 && match.text[match.begin - 1] == '+') return std::nullopt;
  if (!LuhnValid(digits) || !KnownIssuer(digits)) return std::nullopt;
  double score = match.base_score;
  if (HasContextBefore(match.text, match.begin,
                       {"card", "credit", "debit", "visa", "mastercard", "amex", "cc", "pan",
                        "payment"})) {
    score += 0.1;
  }
  return Candidate{match.begin, match.end, score};
}

std::optional<Candidate> ValidateIban(const Match& match) {
  if (!IbanValid(match.value())) return std::nullopt;
  return Candidate{match.begin, match.end, match.base_score};
}

std::optional<Candidate> ValidateSsn(const Match& match) {
  if (!UsSsnValid(match.value())) return std::nullopt;
  if (AlnumBefore(match.text, match.begin) || AlnumAt(match.text, match.end)) return std::nullopt;
  // "123-45-6789-0" or "12.123-45-6789": part of a longer identifier.
  const auto joined = [&](std::size_t at) {
    return at < match.text.size() && (match.text[at] == '-' || match.text[at] == '.' ||
                                      match.text[at] == '/');
  };
  if (joined(match.end) || (match.begin > 0 && joined(match.begin - 1))) return std::nullopt;
  double score = match.base_score;
  if (HasContextBefore(match.text, match.begin, {"ssn", "social security", "social", "ss#", "tin"})) {
    score += 0.4;
  }
  return Candidate{match.begin, match.end, score};
}

}  // namespace

std::vector<PatternSpec> FinancialPatterns() {
  return {
      // 13–19 digits, optionally in groups separated by one space or dash.
      {R"(\b\d(?:[ -]?\d){12,18}\b)", 0, EntityType::kCreditCard, 0.85, ValidateCard},
      // Country code, check digits, then the BBAN in print groups of four or compact.
      {R"(\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b)", 0, EntityType::kIban, 0.95,
       ValidateIban},
      {R"(\b\d{3}-\d{2}-\d{4}\b)", 0, EntityType::kUsSsn, 0.55, ValidateSsn},
      // Spaces or no separator at all: common in forms, but then a context word must say so.
      {R"(\b\d{3} \d{2} \d{4}\b)", 0, EntityType::kUsSsn, 0.35, ValidateSsn},
      {R"(\b\d{9}\b)", 0, EntityType::kUsSsn, 0.25, ValidateSsn},
  };
}

}  // namespace strata::guardrails::internal
