// PROMPT_INJECTION: the phrasings that try to override the system prompt or
// unlock a "mode". Heuristics, case-insensitive, whitespace-tolerant; a later
// classifier can replace them, the finding shape stays the same.
#include <hs/hs.h>

#include "guardrails/internal/pattern.h"

namespace strata::guardrails::internal {

std::vector<PatternSpec> InjectionPatterns() {
  constexpr unsigned kCaseless = HS_FLAG_CASELESS;
  constexpr EntityType kType = EntityType::kPromptInjection;
  // Phrases full of \s+ and common words ("show the"): SOM on them cost 6 µs
  // per 2 KB of ordinary text; they rarely match, so rescanning is cheaper.
  constexpr StartBy kRescan = StartBy::kRescan;
  return {
      {R"(\b(?:ignore|disregard|forget|override|bypass|skip)\s+(?:all\s+|any\s+|every\s+)?(?:of\s+)?(?:the\s+|your\s+|my\s+)?(?:previous|prior|above|earlier|preceding|original|initial|system)\s+(?:instructions?|prompts?|rules|directions|directives|messages|guidelines|context)\b)",
       kCaseless, kType, 0.9, nullptr, kRescan},
      // "system prompt(s)" and "system messages" are the pattern above's.
      {R"(\b(?:disregard|ignore|forget)\s+(?:the\s+|your\s+)?system\s+message\b)", kCaseless, kType, 0.9,
       nullptr, kRescan},
      {R"(\bforget\s+(?:everything|all)\s+(?:you\s+(?:were|have\s+been)\s+told|above|before)\b)",
       kCaseless, kType, 0.85, nullptr, kRescan},
      {R"(\byou\s+are\s+(?:now\s+)?(?:DAN|in\s+developer\s+mode|jailbroken|an?\s+unrestricted|free\s+of\s+(?:all\s+)?restrictions)\b)",
       kCaseless, kType, 0.9, nullptr, kRescan},
      {R"(\b(?:do\s+anything\s+now|developer\s+mode\s+(?:enabled|on)|jailbreak\s+mode)\b)", kCaseless,
       kType, 0.85, nullptr, kRescan},
      {R"(\b(?:reveal|show|print|repeat|output|display|leak|tell\s+me)\s+(?:me\s+)?(?:your|the)\s+(?:(?:full|entire|original|hidden|secret)\s+)?(?:system\s+prompt|initial\s+(?:prompt|instructions)|hidden\s+instructions|instructions\s+above)\b)",
       kCaseless, kType, 0.85, nullptr, kRescan},
      {R"(\b(?:pretend|act\s+as\s+if|imagine)\s+(?:that\s+)?you\s+(?:have\s+no|are\s+not\s+bound\s+by|are\s+free\s+from)\s+(?:any\s+)?(?:restrictions|rules|guidelines|filters|limits)\b)",
       kCaseless, kType, 0.85, nullptr, kRescan},
      {R"(\bnew\s+instructions\s*:)", kCaseless, kType, 0.6, nullptr, kRescan},
  };
}

}  // namespace strata::guardrails::internal
