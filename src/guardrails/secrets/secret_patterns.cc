// SECRET: vendor credentials with a recognisable prefix (certain on sight),
// private key blocks, JWTs, and long random-looking tokens next to a word
// such as "token" or "password" (uncertain, so only with that word).
#include "guardrails/internal/checksums.h"
#include "guardrails/internal/context.h"
#include "guardrails/internal/pattern.h"

namespace strata::guardrails::internal {
namespace {

bool IsTokenChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c == '-' || c == '+' || c == '/' || c == '=' || c == '.';
}

// A vendor key must not be the middle of a longer token: "xsk-…" or a key
// followed by more key characters means the pattern cut it short. An '=' just
// before it is an assignment ("OPENAI_API_KEY=sk-…", "?key=AIza…"), the
// commonest way keys leak, not part of the key.
std::optional<Candidate> ValidateVendorKey(const Match& match) {
  if (match.begin > 0 && IsTokenChar(match.text[match.begin - 1]) &&
      match.text[match.begin - 1] != '.' && match.text[match.begin - 1] != '=') {
    return std::nullopt;
  }
  if (match.end < match.text.size() && IsTokenChar(match.text[match.end]) &&
      match.text[match.end] != '.' && match.text[match.end] != '=') {
    return std::nullopt;
  }
  return Candidate{match.begin, match.end, match.base_score};
}

std::optional<Candidate> ValidateJwt(const Match& match) {
  const std::string_view value = match.value();
  if (match.end < match.text.size() && IsTokenChar(match.text[match.end]) &&
      match.text[match.end] != '.') {
    return std::nullopt;
  }
  if (!JwtHeaderValid(value.substr(0, value.find('.')))) return std::nullopt;
  return Candidate{match.begin, match.end, match.base_score};
}

// The pattern matched `password: "…"`; the finding is the token alone, found
// by walking back from the end (the pattern runs without SOM), and it
// counts only when it looks random: mixed letters and digits, and an entropy
// that English words and hex-less identifiers do not reach.
std::optional<Candidate> ValidateContextToken(const Match& match) {
  // Hyperscan reports every end from 32 characters on; only the last one of a
  // run can be the token, and checking that first keeps a long base64 blob
  // after "token:" linear instead of quadratic.
  if (match.end < match.text.size() && IsTokenChar(match.text[match.end])) return std::nullopt;
  // Longer runs are blobs (an embedded file), not credentials.
  constexpr std::size_t kMaxRun = 512;
  const std::size_t floor = match.end > kMaxRun ? match.end - kMaxRun : 0;
  std::size_t token_begin = match.end;
  while (token_begin > floor && IsTokenChar(match.text[token_begin - 1])) --token_begin;
  if (token_begin == floor && floor > 0 && IsTokenChar(match.text[floor - 1])) return std::nullopt;
  // The context word itself may be glued on ("api_key=…" has no space); the
  // token starts after the last '=' or ':' in that case.
  const std::string_view run = match.text.substr(token_begin, match.end - token_begin);
  const std::size_t assign = run.find_last_of("=:");
  if (assign != std::string_view::npos && assign + 1 < run.size()) token_begin += assign + 1;
  while (token_begin < match.end && (match.text[token_begin] == '"' || match.text[token_begin] == '\'')) {
    ++token_begin;
  }
  const std::string_view token = match.text.substr(token_begin, match.end - token_begin);
  if (token.size() < 32) return std::nullopt;
  bool digit = false, letter = false;
  for (char c : token) {
    digit |= c >= '0' && c <= '9';
    letter |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
  if (!digit || !letter || ShannonEntropy(token) < 3.5) return std::nullopt;
  return Candidate{token_begin, match.end, match.base_score};
}

}  // namespace

std::vector<PatternSpec> SecretPatterns() {
  return {
      // Anthropic before OpenAI: both start with "sk-"; the same span and
      // score, so either label is right and the type is the same anyway.
      {R"(sk-ant-[A-Za-z0-9_-]{32,})", 0, EntityType::kSecret, 0.97, ValidateVendorKey},
      {R"(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,})", 0, EntityType::kSecret, 0.9,
       ValidateVendorKey},
      {R"((?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16})", 0, EntityType::kSecret, 0.95,
       ValidateVendorKey},
      {R"(gh[pousr]_[A-Za-z0-9]{36,})", 0, EntityType::kSecret, 0.97, ValidateVendorKey},
      {R"(github_pat_[A-Za-z0-9_]{22,})", 0, EntityType::kSecret, 0.97, ValidateVendorKey},
      {R"(xox[baprs]-[A-Za-z0-9-]{10,})", 0, EntityType::kSecret, 0.95, ValidateVendorKey},
      {R"(AIza[0-9A-Za-z_-]{35})", 0, EntityType::kSecret, 0.95, ValidateVendorKey},
      {R"([sr]k_live_[0-9A-Za-z]{16,})", 0, EntityType::kSecret, 0.97, ValidateVendorKey},
      // A whole PEM private key block. The body class has no '-', so one match
      // can never run from one block's BEGIN to the next block's END.
      {R"(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[A-Za-z0-9+/=\s:,]*-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----)",
       0, EntityType::kSecret, 0.99, nullptr},
      // The header alone: a truncated or oddly formatted key is still a key.
      {R"(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----)", 0, EntityType::kSecret, 0.9, nullptr},
      {R"(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,})", 0, EntityType::kSecret,
       0.9, ValidateJwt},
      {R"(\b(?i:api[_-]?key|apikey|access[_-]?key|secret|secret[_-]?key|client[_-]?secret|token|access[_-]?token|auth[_-]?token|bearer|password|passwd|pwd)(?:"|')?(?:\s*[:=]\s*|\s+is\s+|\s+)(?:"|')?[A-Za-z0-9_+/=.-]{32,})",
       0, EntityType::kSecret, 0.8, ValidateContextToken, StartBy::kValidator},
  };
}

}  // namespace strata::guardrails::internal
