#include "providers/openai_chat.h"
#include "providers/anthropic/anthropic_provider.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "http/client.h"
#include "http/server.h"
#include "providers/anthropic/translate.h"
#include "providers/key_rotation.h"
#include "providers/upstream_error.h"

namespace strata::providers {
namespace {

namespace beast_http = boost::beast::http;
namespace json = boost::json;

constexpr std::string_view kDefaultBaseUrl = "https://api.anthropic.com";
constexpr std::string_view kApiVersion = "2023-06-01";

http::ClientRequest BuildRequest(const Deployment& deployment, std::string body, std::string_view api_key,
                                 const CallContext& context) {
  std::string base = deployment.base_url.empty() ? std::string(kDefaultBaseUrl) : deployment.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  http::ClientRequest request;
  request.method = beast_http::verb::post;
  request.url = base + "/v1/messages";
  if (!api_key.empty()) request.headers.set("x-api-key", api_key);
  request.headers.set("anthropic-version", kApiVersion);
  request.headers.set(beast_http::field::content_type, "application/json");
  request.headers.set(beast_http::field::user_agent, "strata");
  for (const auto& [name, value] : deployment.headers) request.headers.set(name, value);
  SetTraceHeaders(request.headers, context);
  request.body = std::move(body);
  return request;
}

// The body to send: the client's, or the translation of an OpenAI chat body.
core::Result<json::object> MessagesBody(core::ApiFormat format, const json::object& body) {
  const json::value* model = body.if_contains("model");
  const std::string_view upstream_model =
      model != nullptr && model->is_string() ? std::string_view(model->get_string()) : std::string_view();
  if (format == core::ApiFormat::kAnthropicMessages) return body;
  return anthropic::ChatRequestToMessages(body, upstream_model);
}

// Usage as a native stream reports it: input at message_start, output at message_delta.
void TrackUsage(const http::SseEvent& event, core::Usage& usage) {
  if (event.event != "message_start" && event.event != "message_delta") return;
  boost::system::error_code ec;
  const json::value parsed = json::parse(event.data, ec);
  if (ec || !parsed.is_object()) return;
  const json::object& object = parsed.get_object();
  const json::value* holder = &parsed;
  if (const auto* message = object.if_contains("message")) holder = message;
  if (!holder->is_object()) return;
  const json::value* reported = holder->get_object().if_contains("usage");
  if (reported == nullptr) return;
  const core::Usage delta = anthropic::UsageFromMessages(*reported);
  if (event.event == "message_start") {
    usage = delta;
  } else {
    usage.output_tokens = delta.output_tokens;
  }
}

}  // namespace

bool AnthropicProvider::Speaks(core::ApiFormat format) const {
  return format == core::ApiFormat::kAnthropicMessages || format == core::ApiFormat::kOpenAiChat;
}

asio::awaitable<core::Result<Answer>> AnthropicProvider::Call(const Deployment& deployment, core::ApiFormat format,
                                                              const json::object& body, const CallContext& context) {
  core::Result<json::object> request_body = MessagesBody(format, body);
  if (!request_body) co_return request_body.error();
  const std::string serialized = json::serialize(*request_body);
  core::Result<http::ClientResponse> response = co_await WithKeyRotation(
      deployment, [&](std::string_view key) -> asio::awaitable<core::Result<http::ClientResponse>> {
        core::Result<http::ClientResponse> answer =
            co_await http::WorkerClient().Send(BuildRequest(deployment, serialized, key, context));
        if (answer && answer->status != 200) {
          co_return UpstreamHttpError(deployment.name, answer->status, answer->body, answer->headers);
        }
        co_return answer;
      });
  if (!response) co_return response.error();
  boost::system::error_code ec;
  const json::value parsed = json::parse(response->body, ec);
  if (ec || !parsed.is_object()) co_return core::Error::UpstreamRejected(deployment.name + " answered with invalid JSON");
  Answer answer;
  if (const auto* usage = parsed.get_object().if_contains("usage")) answer.usage = anthropic::UsageFromMessages(*usage);
  if (format == core::ApiFormat::kAnthropicMessages) {
    answer.body = std::move(response->body);
  } else {
    answer.body = json::serialize(anthropic::MessagesResponseToChat(parsed.get_object(), deployment.model));
  }
  co_return answer;
}

asio::awaitable<StreamEnd> AnthropicProvider::Stream(const Deployment& deployment, core::ApiFormat format,
                                                     const json::object& body, EventSink& sink,
                                                     const CallContext& context) {
  StreamEnd end;
  core::Result<json::object> request_body = MessagesBody(format, body);
  if (!request_body) {
    end.status = request_body.error();
    co_return end;
  }
  (*request_body)["stream"] = true;
  const std::string serialized = json::serialize(*request_body);
  core::Result<http::ClientStream> stream = co_await WithKeyRotation(
      deployment, [&](std::string_view key) -> asio::awaitable<core::Result<http::ClientStream>> {
        http::ClientRequest request = BuildRequest(deployment, serialized, key, context);
        request.headers.set(beast_http::field::accept, "text/event-stream");
        core::Result<http::ClientStream> opened = co_await http::WorkerClient().Open(std::move(request));
        if (!opened || opened->status() == 200) co_return opened;
        co_return co_await ReadErrorAnswer(deployment.name, *opened);
      });
  if (!stream) {
    end.status = stream.error();
    co_return end;
  }

  const bool native = format == core::ApiFormat::kAnthropicMessages;
  const json::value* model = body.if_contains("model");
  anthropic::MessagesStreamToChatChunks to_chat(anthropic::ChatChunkOptions{
      model != nullptr && model->is_string() ? std::string(model->get_string()) : deployment.model,
      openai_chat::IncludeUsageRequested(body)});
  http::SseDecoder decoder;
  bool done = false;
  while (!done) {
    core::Result<std::string> piece = co_await stream->Read();
    if (!piece) {
      end.status = piece.error();
      co_return end;
    }
    if (piece->empty()) {
      end.status = core::Error::UpstreamUnavailable(deployment.name + " ended its stream before message_stop");
      co_return end;
    }
    for (const http::SseEvent& event : decoder.Feed(*piece)) {
      core::Status sent = core::Status();
      if (native) {
        TrackUsage(event, end.usage);
        if (event.event == "error") {
          end.status = core::Error::UpstreamUnavailable(deployment.name + " sent a stream error: " + event.data);
          co_return end;
        }
        sent = co_await sink.OnEvent(event.event, event.data);
        end.delivered = true;
        done = event.event == "message_stop";
      } else {
        core::Result<std::vector<std::string>> chunks = to_chat.Feed(event);
        if (!chunks) {
          end.status = chunks.error();
          co_return end;
        }
        for (const std::string& chunk : *chunks) {
          sent = co_await sink.OnEvent({}, chunk);
          end.delivered = true;
          if (!sent) break;
        }
        end.usage = to_chat.usage();
        if (sent && to_chat.finished()) {
          sent = co_await sink.OnEvent({}, "[DONE]");
          done = true;
        }
      }
      if (!sent) {
        end.status = sent.error();
        co_return end;
      }
      if (done) break;
    }
  }
  end.status = core::Status();
  co_return end;
}

}  // namespace strata::providers
