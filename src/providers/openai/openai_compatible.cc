#include "providers/openai_chat.h"
#include "providers/openai/openai_compatible.h"

#include <array>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "http/client.h"
#include "http/server.h"
#include "http/sse_decoder.h"
#include "pricing/token_estimate.h"
#include "providers/key_rotation.h"
#include "providers/openai/usage_scan.h"
#include "providers/upstream_error.h"

namespace strata::providers {
namespace {

namespace beast_http = boost::beast::http;
namespace json = boost::json;

constexpr std::array<OpenAiPreset, 13> kPresets = {{
    {"openai", "https://api.openai.com/v1"},
    {"azure", "", true},
    {"groq", "https://api.groq.com/openai/v1"},
    {"together", "https://api.together.xyz/v1"},
    {"mistral", "https://api.mistral.ai/v1"},
    {"deepseek", "https://api.deepseek.com/v1"},
    {"fireworks", "https://api.fireworks.ai/inference/v1"},
    {"openrouter", "https://openrouter.ai/api/v1"},
    {"vllm", "http://127.0.0.1:8000/v1", false, false},
    {"ollama", "http://127.0.0.1:11434/v1", false, false},
    {"llamacpp", "http://127.0.0.1:8080/v1", false, false},
    {"lmstudio", "http://127.0.0.1:1234/v1", false, false},
    {"openai-compatible", "", false, false},
}};

std::string_view PathFor(core::ApiFormat format) {
  switch (format) {
    case core::ApiFormat::kOpenAiCompletions: return "/completions";
    case core::ApiFormat::kOpenAiEmbeddings: return "/embeddings";
    default: return "/chat/completions";
  }
}

http::ClientRequest BuildRequest(const Deployment& deployment, core::ApiFormat format, std::string body,
                                 std::string_view api_key, const CallContext& context) {
  const OpenAiPreset preset = FindOpenAiPreset(deployment.provider).value_or(OpenAiPreset{});
  std::string base = deployment.base_url.empty() ? std::string(preset.base_url) : deployment.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  http::ClientRequest request;
  request.method = beast_http::verb::post;
  request.url = base + std::string(PathFor(format));
  if (preset.azure) {
    request.url += "?api-version=" + (deployment.api_version.empty() ? std::string("2024-10-21") : deployment.api_version);
    if (!api_key.empty()) request.headers.set("api-key", api_key);
  } else if (!api_key.empty()) {
    request.headers.set(beast_http::field::authorization, "Bearer " + std::string(api_key));
  }
  request.headers.set(beast_http::field::content_type, "application/json");
  request.headers.set(beast_http::field::user_agent, "strata");
  for (const auto& [name, value] : deployment.headers) request.headers.set(name, value);
  SetTraceHeaders(request.headers, context);
  request.body = std::move(body);
  return request;
}

// A token count: 0 when absent or not a non-negative integer.
std::uint64_t Count(const json::object& object, std::string_view key) {
  const json::value* value = json_fields::Member(object, key);
  return value != nullptr ? json_fields::Unsigned(*value).value_or(0) : 0;
}

// Appends the generated text of one choice (a whole message or a stream
// delta): content, legacy completion text, and tool-call names and arguments.
void CollectText(const json::object& choice, std::string& text) {
  const auto append = [&text](const json::value* value) {
    if (value != nullptr && value->is_string()) text.append(value->get_string());
  };
  append(choice.if_contains("text"));
  for (std::string_view key : {"message", "delta"}) {
    const json::value* part = choice.if_contains(key);
    if (part == nullptr || !part->is_object()) continue;
    append(part->get_object().if_contains("content"));
    const json::value* calls = part->get_object().if_contains("tool_calls");
    if (calls == nullptr || !calls->is_array()) continue;
    for (const json::value& call : calls->get_array()) {
      const json::value* function = call.is_object() ? call.get_object().if_contains("function") : nullptr;
      if (function == nullptr || !function->is_object()) continue;
      append(function->get_object().if_contains("name"));
      append(function->get_object().if_contains("arguments"));
    }
  }
}

void CollectChoicesText(const json::object& answer, std::string& text) {
  const json::value* choices = answer.if_contains("choices");
  if (choices == nullptr || !choices->is_array()) return;
  for (const json::value& choice : choices->get_array()) {
    if (choice.is_object()) CollectText(choice.get_object(), text);
  }
}

// When a vendor reports no usage (some local servers), a documented estimate
// (pricing/token_estimate.h) marked as such: better than billing nothing.
core::Usage EstimateIfMissing(const core::Usage& reported, bool reported_any, const json::object& request,
                              std::string_view generated) {
  if (reported_any) return reported;
  return pricing::EstimatedUsage(pricing::EstimateRequestInputTokens(request), pricing::EstimateTokens(generated));
}

// The usage of a whole answer: as reported (one SAX pass, usage_scan.h), or
// estimated. Only an answer without usage is parsed into a DOM, for its text;
// not a coroutine, so that parse's arena lives on the stack.
core::Result<core::Usage> UsageOfAnswer(const Deployment& deployment, core::ApiFormat format,
                                        const json::object& request, std::string_view answer) {
  const UsageScan scan = ScanOpenAiUsage(answer);
  if (!scan.valid_object) {
    return core::Error::UpstreamRejected(deployment.name + " answered with invalid JSON");
  }
  if (scan.usage) return *scan.usage;
  if (format == core::ApiFormat::kOpenAiEmbeddings) {
    return pricing::EstimatedUsage(pricing::EstimateRequestInputTokens(request), 0);
  }
  unsigned char scratch[4096];
  json::monotonic_resource arena(scratch, sizeof scratch);
  const json::value parsed = json::parse(answer, &arena);  // valid: the scan said so
  std::string generated;
  CollectChoicesText(parsed.get_object(), generated);
  return EstimateIfMissing({}, false, request, generated);
}

}  // namespace

std::optional<OpenAiPreset> FindOpenAiPreset(std::string_view provider) {
  for (const OpenAiPreset& preset : kPresets) {
    if (preset.name == provider) return preset;
  }
  return std::nullopt;
}

core::Usage UsageFromOpenAi(const json::value& usage) {
  core::Usage result;
  if (!usage.is_object()) return result;
  const json::object& object = usage.get_object();
  result.input_tokens = Count(object, "prompt_tokens");
  result.output_tokens = Count(object, "completion_tokens");
  if (const auto* details = object.if_contains("prompt_tokens_details"); details && details->is_object()) {
    result.cached_input_tokens = Count(details->get_object(), "cached_tokens");
  }
  if (const auto* details = object.if_contains("completion_tokens_details"); details && details->is_object()) {
    result.reasoning_tokens = Count(details->get_object(), "reasoning_tokens");
  }
  return result;
}

bool OpenAiCompatibleProvider::Speaks(core::ApiFormat format) const {
  return format != core::ApiFormat::kAnthropicMessages;
}

asio::awaitable<core::Result<Answer>> OpenAiCompatibleProvider::Call(const Deployment& deployment,
                                                                     core::ApiFormat format,
                                                                     const json::object& body,
                                                                     const CallContext& context) {
  const std::string serialized = json::serialize(body);
  co_return co_await WithKeyRotation(
      deployment, [&](std::string_view key) -> asio::awaitable<core::Result<Answer>> {
        http::ClientRequest request = BuildRequest(deployment, format, serialized, key, context);
        core::Result<http::ClientResponse> response = co_await http::WorkerClient().Send(std::move(request));
        if (!response) co_return response.error();
        if (response->status != 200) {
          co_return UpstreamHttpError(deployment.name, response->status, response->body, response->headers);
        }
        core::Result<core::Usage> usage = UsageOfAnswer(deployment, format, body, response->body);
        if (!usage) co_return usage.error();
        co_return Answer{std::move(response->body), *usage};
      });
}

asio::awaitable<StreamEnd> OpenAiCompatibleProvider::Stream(const Deployment& deployment, core::ApiFormat format,
                                                            const json::object& body, EventSink& sink,
                                                            const CallContext& context) {
  const bool client_wants_usage = openai_chat::IncludeUsageRequested(body);
  json::object upstream_body = body;
  upstream_body["stream"] = true;
  if (format == core::ApiFormat::kOpenAiChat || format == core::ApiFormat::kOpenAiCompletions) {
    json::object options;
    options["include_usage"] = true;
    upstream_body["stream_options"] = std::move(options);
  }
  const std::string serialized = json::serialize(upstream_body);

  StreamEnd end;
  core::Result<http::ClientStream> opened = co_await WithKeyRotation(
      deployment, [&](std::string_view key) -> asio::awaitable<core::Result<http::ClientStream>> {
        http::ClientRequest request = BuildRequest(deployment, format, serialized, key, context);
        request.headers.set(beast_http::field::accept, "text/event-stream");
        core::Result<http::ClientStream> stream = co_await http::WorkerClient().Open(std::move(request));
        if (!stream || stream->status() == 200) co_return stream;
        co_return co_await ReadErrorAnswer(deployment.name, *stream);
      });
  if (!opened) {
    end.status = opened.error();
    co_return end;
  }

  http::SseDecoder decoder;
  bool done = false;
  bool usage_reported = false;
  std::string generated;  // only for the estimate, when the vendor reports no usage
  while (!done) {
    core::Result<std::string> piece = co_await opened->Read();
    if (!piece) {
      end.status = piece.error();
      co_return end;
    }
    if (piece->empty()) {
      end.status = core::Error::UpstreamUnavailable(deployment.name + " ended its stream before [DONE]");
      co_return end;
    }
    for (const http::SseEvent& event : decoder.Feed(*piece)) {
      if (event.data == "[DONE]") {
        done = true;
      } else {
        boost::system::error_code ec;
        const json::value chunk = json::parse(event.data, ec);
        if (ec || !chunk.is_object()) {
          end.status = core::Error::UpstreamRejected(deployment.name + " sent a stream chunk that is not JSON");
          co_return end;
        }
        const json::object& object = chunk.get_object();
        if (!usage_reported) CollectChoicesText(object, generated);
        if (const auto* usage = object.if_contains("usage"); usage && usage->is_object()) {
          end.usage = UsageFromOpenAi(*usage);
          usage_reported = true;
          const auto* choices = object.if_contains("choices");
          const bool usage_only = choices == nullptr || (choices->is_array() && choices->get_array().empty());
          if (usage_only && !client_wants_usage) continue;  // we asked for it, not the client
        }
      }
      core::Status sent = co_await sink.OnEvent(event.event, event.data);
      end.delivered = true;
      if (!sent) {
        end.status = sent.error();  // the client left: stop reading, which closes the upstream
        co_return end;
      }
      if (done) break;
    }
  }
  end.usage = EstimateIfMissing(end.usage, usage_reported, body, generated);
  end.status = core::Status();
  co_return end;
}

}  // namespace strata::providers
