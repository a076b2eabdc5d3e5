#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include "core/exchange.h"

namespace strata::gateway {

// A piece of text the guardrails read in a request or an answer: where it is
// (a path such as "messages[1].content", for decision records) and the JSON
// string itself, which redaction rewrites in place.
struct TextField {
  std::string path;
  boost::json::string* text;
};

// The texts of a request body a model reads: chat and Anthropic message
// contents (plain or as text parts), the system prompt, a completion's prompt,
// an embedding's input. Tool-call arguments and images are not scanned.
std::vector<TextField> RequestTexts(core::ApiFormat format, boost::json::object& body);

// The texts of a whole answer, in the client's format: each choice's message
// content (chat), text (completions), or text blocks (Anthropic).
std::vector<TextField> AnswerTexts(core::ApiFormat format, boost::json::object& answer);

// The text a stream event adds, in the client's format, and which piece of
// the answer it continues (a choice index, or an Anthropic content block).
// `text` is null for an event that carries none.
struct DeltaText {
  int index = 0;
  boost::json::string* text = nullptr;
};
DeltaText StreamDelta(core::ApiFormat format, boost::json::object& event);

}  // namespace strata::gateway
