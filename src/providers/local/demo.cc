#include "providers/local/demo.h"

#include <ctime>

#include <boost/json/serialize.hpp>

#include "pricing/token_estimate.h"
#include "providers/openai_chat.h"

namespace strata::providers {
namespace {

namespace json = boost::json;

std::string_view LastUserText(const json::object& body) {
  const auto* messages = body.if_contains("messages");
  if (messages == nullptr || !messages->is_array()) return {};
  const json::array& list = messages->get_array();
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    if (!it->is_object()) continue;
    const json::object& message = it->get_object();
    const auto* role = message.if_contains("role");
    if (role == nullptr || !role->is_string() || role->get_string() != "user") continue;
    const auto* content = message.if_contains("content");
    if (content != nullptr && content->is_string()) return content->get_string();
    if (content != nullptr && content->is_array()) {
      for (const json::value& part : content->get_array()) {
        if (part.is_object()) {
          const auto* text = part.get_object().if_contains("text");
          if (text != nullptr && text->is_string()) return text->get_string();
        }
      }
    }
    return {};
  }
  return {};
}

// The demo has no tokenizer: the documented estimate, marked as such.
core::Usage DemoUsage(const json::object& body, std::string_view reply) {
  return pricing::EstimatedUsage(pricing::EstimateRequestInputTokens(body), pricing::EstimateTokens(reply));
}

json::object UsageJson(const core::Usage& usage) {
  json::object object;
  object["prompt_tokens"] = usage.input_tokens;
  object["completion_tokens"] = usage.output_tokens;
  object["total_tokens"] = usage.total_tokens();
  return object;
}

json::object ChunkJson(std::string_view id, std::string_view model, std::int64_t created) {
  json::object chunk;
  chunk["id"] = id;
  chunk["object"] = "chat.completion.chunk";
  chunk["created"] = created;
  chunk["model"] = model;
  return chunk;
}

std::string ModelOf(const json::object& body) {
  const auto* model = body.if_contains("model");
  return model != nullptr && model->is_string() ? std::string(model->get_string()) : "strata-demo";
}

}  // namespace

std::string DemoReply(const json::object& body) {
  const std::string_view said = LastUserText(body);
  return "Hello from strata-demo, the built-in demo model: your request went through Strata's whole "
         "pipeline. Configure a provider to talk to a real model. You said: \"" +
         std::string(said.substr(0, 200)) + "\"";
}

bool DemoProvider::Speaks(core::ApiFormat format) const { return format == core::ApiFormat::kOpenAiChat; }

// No HTTP call, so nothing to carry the trace context on.
asio::awaitable<core::Result<Answer>> DemoProvider::Call(const Deployment&, core::ApiFormat,
                                                         const json::object& body, const CallContext&) {
  const std::string reply = DemoReply(body);
  const core::Usage usage = DemoUsage(body, reply);
  json::object message;
  message["role"] = "assistant";
  message["content"] = reply;
  json::object choice;
  choice["index"] = 0;
  choice["message"] = std::move(message);
  choice["finish_reason"] = "stop";
  json::object completion;
  completion["id"] = "chatcmpl-demo";
  completion["object"] = "chat.completion";
  completion["created"] = static_cast<std::int64_t>(std::time(nullptr));
  completion["model"] = ModelOf(body);
  completion["choices"] = json::array{std::move(choice)};
  completion["usage"] = UsageJson(usage);
  co_return Answer{json::serialize(completion), usage};
}

asio::awaitable<StreamEnd> DemoProvider::Stream(const Deployment&, core::ApiFormat, const json::object& body,
                                                EventSink& sink, const CallContext&) {
  const std::string reply = DemoReply(body);
  const std::string model = ModelOf(body);
  const auto created = static_cast<std::int64_t>(std::time(nullptr));
  StreamEnd end;
  end.usage = DemoUsage(body, reply);
  const auto send = [&](json::object chunk) -> asio::awaitable<bool> {
    core::Status sent = co_await sink.OnEvent({}, json::serialize(chunk));
    end.delivered = true;
    if (!sent) end.status = sent.error();
    co_return static_cast<bool>(sent);
  };
  // Word by word, each word with the space before it, as real models stream.
  std::size_t start = 0;
  bool first = true;
  while (start < reply.size()) {
    std::size_t next = reply.find(' ', start + 1);
    if (next == std::string::npos) next = reply.size();
    json::object delta;
    if (first) delta["role"] = "assistant";
    delta["content"] = reply.substr(start, next - start);
    json::object choice;
    choice["index"] = 0;
    choice["delta"] = std::move(delta);
    choice["finish_reason"] = nullptr;
    json::object chunk = ChunkJson("chatcmpl-demo", model, created);
    chunk["choices"] = json::array{std::move(choice)};
    if (!co_await send(std::move(chunk))) co_return end;
    first = false;
    start = next;
  }
  json::object choice;
  choice["index"] = 0;
  choice["delta"] = json::object();
  choice["finish_reason"] = "stop";
  json::object last = ChunkJson("chatcmpl-demo", model, created);
  last["choices"] = json::array{std::move(choice)};
  if (!co_await send(std::move(last))) co_return end;
  if (openai_chat::IncludeUsageRequested(body)) {
    json::object usage_chunk = ChunkJson("chatcmpl-demo", model, created);
    usage_chunk["choices"] = json::array();
    usage_chunk["usage"] = UsageJson(end.usage);
    if (!co_await send(std::move(usage_chunk))) co_return end;
  }
  core::Status sent = co_await sink.OnEvent({}, "[DONE]");
  end.status = sent;
  co_return end;
}

}  // namespace strata::providers
