#include "guardrails/finding.h"

namespace strata::guardrails {

std::string_view EntityName(EntityType type) {
  switch (type) {
    case EntityType::kEmail: return "EMAIL";
    case EntityType::kPhone: return "PHONE";
    case EntityType::kCreditCard: return "CREDIT_CARD";
    case EntityType::kIban: return "IBAN";
    case EntityType::kUsSsn: return "US_SSN";
    case EntityType::kIpAddress: return "IP_ADDRESS";
    case EntityType::kDateOfBirth: return "DATE_OF_BIRTH";
    case EntityType::kPerson: return "PERSON";
    case EntityType::kSecret: return "SECRET";
    case EntityType::kPromptInjection: return "PROMPT_INJECTION";
    case EntityType::kPostalAddress: return "POSTAL_ADDRESS";
  }
  return "UNKNOWN";
}

}  // namespace strata::guardrails
