#pragma once

// OpenAI chat wire shapes that every translator writes or walks the same way.

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>

#include "core/result.h"
#include "providers/json_fields.h"

namespace strata::providers::openai_chat {

namespace json = boost::json;

// Walks an OpenAI `messages` array and hands each message to the
// conversation being built: system and developer content to AddSystem, user
// content to AddUser, assistant and tool messages whole to AddAssistant and
// AddToolResult (each with its error param, "messages[3]"). Refuses the
// legacy `function` role and unknown roles; stops at the first error.
template <class Conversation>
core::Status AddChatMessages(const json::array& messages, Conversation& conversation) {
  static const json::value kNull;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::string param = json_fields::Indexed("messages", i);
    const json::object* message = messages[i].if_object();
    if (message == nullptr) return json_fields::Invalid(param, "must be an object");
    const std::string_view role = json_fields::StringMember(*message, "role");
    const json::value* content = message->if_contains("content");
    const json::value& content_or_null = content != nullptr ? *content : kNull;
    core::Status added;
    if (role == "system" || role == "developer") {
      added = conversation.AddSystem(content_or_null, param + ".content");
    } else if (role == "user") {
      added = conversation.AddUser(content_or_null, param + ".content");
    } else if (role == "assistant") {
      added = conversation.AddAssistant(*message, param);
    } else if (role == "tool") {
      added = conversation.AddToolResult(*message, param);
    } else if (role == "function") {
      return json_fields::Invalid(param + ".role", "the legacy 'function' role is not supported; use 'tool'");
    } else {
      return json_fields::Invalid(param + ".role", "must be system, developer, user, assistant or tool");
    }
    if (!added) return added;
  }
  return {};
}

// Refuses the OpenAI chat fields no translated vendor can honour (log
// probabilities, logit_bias, non-text output, web search, the legacy
// functions API), naming the field and `vendor` ("Anthropic") in the error,
// rather than dropping them silently.
core::Status RefuseUntranslatableFields(const json::object& chat, std::string_view vendor);

// Whether an OpenAI chat body asks for the final usage chunk of a stream
// (`stream_options.include_usage: true`).
bool IncludeUsageRequested(const json::object& body);

// One `chat.completion.chunk`: `prefix` is the chunk's opening
// (`{"id":…,"object":…,"created":…,"model":…`), then one choice with
// `delta_json` and the finish reason (null when empty). With include_usage,
// OpenAI writes "usage":null on every chunk but the last.
std::string Chunk(std::string_view prefix, std::size_t index, std::string_view delta_json,
                  std::string_view finish_reason, bool include_usage);

}  // namespace strata::providers::openai_chat
