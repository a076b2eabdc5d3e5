#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "core/result.h"
#include "mock_llm/internal/text.h"

// The OpenAI wire format: reading requests into plans, and rendering plans as
// the bodies and SSE events the official SDK expects. Pure functions; the
// handlers add timing and faults. Validation failures are kInvalidRequest
// errors whose message and param go into the OpenAI error envelope.
namespace strata::mock_llm::openai {

struct ChatPlan {
  std::string model;
  Reply reply;                   // the same for each of the n choices
  std::uint32_t n = 1;
  std::uint32_t prompt_tokens = 0;
  bool stream = false;
  bool include_usage = false;    // stream_options.include_usage
};

// Reads a /v1/chat/completions body. `reply_override` replaces the generated
// text (x-mock-reply).
core::Result<ChatPlan> PlanChat(const boost::json::value& body, std::optional<std::string_view> reply_override);
// A `chat.completion` object.
std::string RenderChat(const ChatPlan& plan, const AnswerIds& ids);
// The `chat.completion.chunk` events, in order: a role chunk per choice, the
// content (or tool-argument) pieces choice by choice, a finish chunk per
// choice, the usage chunk when asked for, and "[DONE]".
std::vector<SseEvent> RenderChatStream(const ChatPlan& plan, const AnswerIds& ids, std::uint32_t chunks);

struct CompletionPlan {
  std::string model;
  std::vector<Reply> replies;  // one per prompt; each has n choices
  std::uint32_t n = 1;
  std::uint32_t prompt_tokens = 0;
  bool stream = false;
  bool include_usage = false;
};

// Reads a /v1/completions body: `prompt` is a string, a list of strings, or
// token ids (answered as "[<k> tokens]"). No default max_tokens.
core::Result<CompletionPlan> PlanCompletion(const boost::json::value& body,
                                            std::optional<std::string_view> reply_override);
std::string RenderCompletion(const CompletionPlan& plan, const AnswerIds& ids);
std::vector<SseEvent> RenderCompletionStream(const CompletionPlan& plan, const AnswerIds& ids,
                                             std::uint32_t chunks);

// (Embeddings: embeddings.h.)

// GET /v1/models and /v1/models/{id}.
std::string RenderModelList(const std::vector<std::string>& models);
std::string RenderModel(std::string_view id);

// {"error":{"message","type","param","code"}} for a validation failure.
std::string RenderError(const core::Error& error);
// The envelope the real API sends with `status` (status:<code> faults).
std::string RenderStatusError(int status);

}  // namespace strata::mock_llm::openai
