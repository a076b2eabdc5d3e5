// Whole (non-streamed) responses, both directions.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "providers/anthropic/translate.h"
#include "providers/anthropic/translate_common.h"

namespace strata::providers::anthropic {

namespace json = boost::json;
using detail::ArrayMember;
using detail::Member;
using detail::ObjectMember;
using detail::StringMember;
using detail::TypeOf;

json::object MessagesResponseToChat(const json::object& message, std::string_view client_model,
                                    std::int64_t created) {
  std::string text;
  bool has_text = false;
  std::string reasoning;
  json::array thinking_blocks;
  json::array tool_calls;
  bool json_output = false;
  if (const json::array* content = ArrayMember(message, "content")) {
    for (const json::value& block : *content) {
      const std::string_view type = TypeOf(block);
      if (type == "text") {
        text += StringMember(block.get_object(), "text");
        has_text = true;
      } else if (type == "tool_use") {
        const json::object& tool_use = block.get_object();
        const json::value* input = Member(tool_use, "input");
        const std::string arguments = input != nullptr ? json::serialize(*input) : std::string("{}");
        if (StringMember(tool_use, "name") == kJsonOutputTool) {
          // The response_format answer (see kJsonOutputTool): it is the content.
          text += arguments;
          has_text = true;
          json_output = true;
          continue;
        }
        json::object function;
        function["name"] = StringMember(tool_use, "name");
        function["arguments"] = arguments;
        json::object call;
        call["id"] = StringMember(tool_use, "id");
        call["type"] = "function";
        call["function"] = std::move(function);
        tool_calls.push_back(std::move(call));
      } else if (type == "thinking") {
        reasoning += StringMember(block.get_object(), "thinking");
        thinking_blocks.push_back(block);
      } else if (type == "redacted_thinking") {
        thinking_blocks.push_back(block);
      }
      // Server tool blocks (server_tool_use, web_search_tool_result, …) have
      // no OpenAI counterpart; the text blocks around them say what they found.
    }
  }

  json::object out_message;
  out_message["role"] = "assistant";
  // OpenAI writes null, not "", when the answer is only tool calls.
  if (has_text || tool_calls.empty()) out_message["content"] = std::move(text);
  else out_message["content"] = nullptr;
  out_message["refusal"] = nullptr;
  if (!tool_calls.empty()) out_message["tool_calls"] = std::move(tool_calls);
  if (!thinking_blocks.empty()) {
    out_message["reasoning_content"] = std::move(reasoning);
    out_message["thinking_blocks"] = std::move(thinking_blocks);
  }

  const bool only_json_output = json_output && !out_message.contains("tool_calls");
  json::object choice;
  choice["index"] = 0;
  choice["message"] = std::move(out_message);
  choice["logprobs"] = nullptr;
  choice["finish_reason"] = detail::FinishReasonFor(StringMember(message, "stop_reason"), only_json_output);

  json::object out;
  // The vendor's id is kept as is: it is what their logs and support know.
  out["id"] = StringMember(message, "id");
  out["object"] = "chat.completion";
  out["created"] = created != 0 ? created : detail::NowUnixSeconds();
  out["model"] = client_model;
  out["choices"] = json::array{std::move(choice)};
  const json::value* usage = Member(message, "usage");
  out["usage"] = detail::ChatUsageJson(usage != nullptr ? UsageFromMessages(*usage) : core::Usage{});
  return out;
}

json::object ChatResponseToMessages(const json::object& chat, std::string_view client_model) {
  json::array content;
  std::string_view finish_reason;
  bool refused = false;
  const json::array* choices = ArrayMember(chat, "choices");
  const json::object* choice = choices != nullptr && !choices->empty() ? (*choices)[0].if_object() : nullptr;
  if (choice != nullptr) {
    finish_reason = StringMember(*choice, "finish_reason");
    if (const json::object* message = ObjectMember(*choice, "message")) {
      // Reasoning from servers that return it (DeepSeek, vLLM, OpenRouter's
      // `reasoning`) becomes a thinking block with an empty signature: shown
      // to the client, and never valid to send back to Anthropic itself.
      std::string_view reasoning = StringMember(*message, "reasoning_content");
      if (reasoning.empty()) reasoning = StringMember(*message, "reasoning");
      if (!reasoning.empty()) {
        content.push_back(json::object{{"type", "thinking"}, {"thinking", reasoning}, {"signature", ""}});
      }
      std::string text;
      if (const json::value* value = Member(*message, "content")) {
        if (value->is_string()) {
          text = value->get_string();
        } else if (value->is_array()) {
          for (const json::value& part : value->get_array()) {
            if (TypeOf(part) == "text") text += StringMember(part.get_object(), "text");
            else if (TypeOf(part) == "refusal") text += StringMember(part.get_object(), "refusal");
          }
        }
      }
      if (const std::string_view refusal = StringMember(*message, "refusal"); !refusal.empty()) {
        refused = true;
        if (text.empty()) text = refusal;
      }
      // Anthropic refuses empty text blocks in a conversation, so none is made.
      if (!text.empty()) content.push_back(json::object{{"type", "text"}, {"text", std::move(text)}});
      if (const json::array* calls = ArrayMember(*message, "tool_calls")) {
        for (const json::value& call : *calls) {
          const json::object* object = call.if_object();
          const json::object* function = object != nullptr ? ObjectMember(*object, "function") : nullptr;
          if (function == nullptr) continue;
          boost::system::error_code ec;
          json::value input = json::parse(StringMember(*function, "arguments"), ec);
          if (ec || !input.is_object()) input = json::object();
          json::object block;
          block["type"] = "tool_use";
          block["id"] = StringMember(*object, "id");
          block["name"] = StringMember(*function, "name");
          block["input"] = std::move(input);
          content.push_back(std::move(block));
        }
      }
    }
  }

  const bool has_tool_use = !content.empty() && TypeOf(content.back()) == "tool_use";
  json::object out;
  out["id"] = StringMember(chat, "id");
  out["type"] = "message";
  out["role"] = "assistant";
  out["model"] = client_model;
  out["content"] = std::move(content);
  std::string_view stop_reason = detail::StopReasonFor(finish_reason, refused);
  // Some OpenAI-compatible servers end a tool-calling turn with "stop";
  // Anthropic clients only run tools on tool_use.
  if (stop_reason == "end_turn" && has_tool_use) stop_reason = "tool_use";
  out["stop_reason"] = stop_reason;
  // OpenAI does not say which stop sequence matched, so there is none to report.
  out["stop_sequence"] = nullptr;
  const json::value* usage = Member(chat, "usage");
  out["usage"] = detail::MessagesUsageJson(usage != nullptr ? UsageFromChat(*usage) : core::Usage{});
  return out;
}

}  // namespace strata::providers::anthropic
