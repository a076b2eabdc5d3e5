#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "core/result.h"
#include "mock_llm/internal/text.h"

// The Anthropic Messages wire format: requests into plans, plans into the
// message object and the event stream the official SDK expects. Pure
// functions; validation failures are kInvalidRequest errors for the
// {"type":"error","error":{...}} envelope.
namespace strata::mock_llm::anthropic {

struct MessagePlan {
  std::string model;
  Reply reply;
  std::uint32_t input_tokens = 0;
  bool stream = false;
};

// Reads a /v1/messages body. `max_tokens` is required, as by the real API.
core::Result<MessagePlan> PlanMessage(const boost::json::value& body, std::optional<std::string_view> reply_override);
// A `message` object with one content block (text or tool_use).
std::string RenderMessage(const MessagePlan& plan, const AnswerIds& ids);
// The named events, in order: message_start, content_block_start, ping,
// content_block_delta (text_delta or input_json_delta) per piece,
// content_block_stop, message_delta (stop_reason, usage), message_stop.
std::vector<SseEvent> RenderMessageStream(const MessagePlan& plan, const AnswerIds& ids, std::uint32_t chunks);

// /v1/messages/count_tokens: {"input_tokens": N}, counted as PlanMessage does.
core::Result<std::string> RenderCountTokens(const boost::json::value& body);

// GET /v1/models and /v1/models/{id} in Anthropic's shape.
std::string RenderModelList(const std::vector<std::string>& models);
std::string RenderModel(std::string_view id);

// {"type":"error","error":{"type","message"}} for a validation failure.
std::string RenderError(const core::Error& error);
// The envelope the real API sends with `status` (status:<code> faults).
std::string RenderStatusError(int status);

}  // namespace strata::mock_llm::anthropic
