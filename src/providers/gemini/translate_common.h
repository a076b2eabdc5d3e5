#pragma once

// Private helpers shared by the Gemini translation files; not part of the
// module's API. (The Anthropic family has its own: the two families share
// no private code, so either can change without the other.)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "providers/json_fields.h"

namespace strata::providers::gemini::detail {

namespace json = boost::json;
using namespace json_fields;  // Member, StringMember, Unsigned, Indexed, ...

// The thought signature a part carries, or "" (thoughtSignature; the SDKs'
// snake_case spelling is accepted too).
std::string_view SignatureOf(const json::object& part);

// `"extra_content":{"google":{"thought_signature":…}}`, where Google's
// OpenAI-compatible endpoint puts a tool call's signature.
json::object SignatureExtra(std::string_view signature);

}  // namespace strata::providers::gemini::detail
