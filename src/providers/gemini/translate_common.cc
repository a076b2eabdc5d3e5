#include "providers/gemini/translate_common.h"

#include <chrono>
#include <cmath>

#include "core/text.h"

namespace strata::providers::gemini::detail {


std::string_view SignatureOf(const json::object& part) {
  std::string_view signature = StringMember(part, "thoughtSignature");
  return signature.empty() ? StringMember(part, "thought_signature") : signature;
}

json::object SignatureExtra(std::string_view signature) {
  json::object google;
  google["thought_signature"] = signature;
  json::object extra;
  extra["google"] = std::move(google);
  return extra;
}

}  // namespace strata::providers::gemini::detail
