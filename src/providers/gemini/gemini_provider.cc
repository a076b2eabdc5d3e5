#include "providers/openai_chat.h"
#include "providers/gemini/gemini_provider.h"

#include <cctype>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "http/client.h"
#include "http/server.h"
#include "providers/gemini/translate.h"
#include "providers/key_rotation.h"

namespace strata::providers {
namespace {

namespace beast_http = boost::beast::http;
namespace json = boost::json;

constexpr std::string_view kDefaultBaseUrl = "https://generativelanguage.googleapis.com";
constexpr std::string_view kDefaultVersion = "v1beta";
constexpr std::size_t kMaxErrorBody = 64 * 1024;
// An event larger than this is no answer we could forward (a Gemini event is
// one response piece: a few KiB, an inline image at most a few MiB).
constexpr std::size_t kMaxPendingEventBytes = 32 * 1024 * 1024;

// The model the client's body names (the gateway set it to the deployment's
// upstream model), else the deployment's.
std::string_view ModelOf(const Deployment& deployment, const json::object& body) {
  const json::value* model = body.if_contains("model");
  if (model != nullptr && model->is_string() && !model->get_string().empty()) return model->get_string();
  return deployment.model;
}

// Model names are path segments: anything but unreserved characters and the
// resource path's slashes is percent-encoded, so a stray '?' or '#' in a
// configured name cannot change the URL's meaning.
void AppendPathEncoded(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : text) {
    const unsigned char byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
}

http::ClientRequest BuildRequest(const Deployment& deployment, std::string_view model, bool stream,
                                 std::string body, std::string_view api_key, const CallContext& context) {
  std::string url = deployment.base_url.empty() ? std::string(kDefaultBaseUrl) : deployment.base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  const std::string version = deployment.api_version.empty() ? std::string(kDefaultVersion) : deployment.api_version;
  if (!url.ends_with("/" + version)) url += "/" + version;
  url += '/';
  if (!model.starts_with("models/") && !model.starts_with("tunedModels/")) url += "models/";
  AppendPathEncoded(url, model);
  url += stream ? ":streamGenerateContent?alt=sse" : ":generateContent";

  http::ClientRequest request;
  request.method = beast_http::verb::post;
  request.url = std::move(url);
  if (!api_key.empty()) request.headers.set("x-goog-api-key", api_key);
  request.headers.set(beast_http::field::content_type, "application/json");
  request.headers.set(beast_http::field::user_agent, "strata");
  if (stream) request.headers.set(beast_http::field::accept, "text/event-stream");
  for (const auto& [name, value] : deployment.headers) request.headers.set(name, value);
  SetTraceHeaders(request.headers, context);
  request.body = std::move(body);
  return request;
}

// The error a streamed call answered with. (ReadErrorAnswer classifies with
// UpstreamHttpError alone; Gemini's envelope needs ErrorFromGemini.)
asio::awaitable<core::Error> ReadGeminiError(std::string_view deployment, http::ClientStream& stream) {
  std::string body;
  while (body.size() < kMaxErrorBody) {
    core::Result<std::string> piece = co_await stream.Read();
    if (!piece || piece->empty()) break;
    body += *piece;
  }
  co_return gemini::ErrorFromGemini(deployment, stream.status(), body, stream.headers());
}

// Sends `chunks` in order, as they are: each went out the moment its event came in.
asio::awaitable<core::Status> Deliver(EventSink& sink, const std::vector<std::string>& chunks, StreamEnd& end) {
  for (const std::string& chunk : chunks) {
    core::Status sent = co_await sink.OnEvent(std::string_view(), chunk);
    end.delivered = true;
    if (!sent) co_return sent;
  }
  co_return core::Status();
}

}  // namespace

bool GeminiProvider::Speaks(core::ApiFormat format) const { return format == core::ApiFormat::kOpenAiChat; }

asio::awaitable<core::Result<Answer>> GeminiProvider::Call(const Deployment& deployment, core::ApiFormat format,
                                                           const json::object& body, const CallContext& context) {
  if (format != core::ApiFormat::kOpenAiChat) {
    co_return core::Error::UpstreamRejected(deployment.name + " serves only chat completions");
  }
  core::Result<json::object> request_body = gemini::ChatRequestToGemini(body);
  if (!request_body) co_return request_body.error();
  const std::string_view model = ModelOf(deployment, body);
  const std::string serialized = json::serialize(*request_body);
  core::Result<http::ClientResponse> response = co_await WithKeyRotation(
      deployment, [&](std::string_view key) -> asio::awaitable<core::Result<http::ClientResponse>> {
        core::Result<http::ClientResponse> answer =
            co_await http::WorkerClient().Send(BuildRequest(deployment, model, false, serialized, key, context));
        if (answer && answer->status != 200) {
          co_return gemini::ErrorFromGemini(deployment.name, answer->status, answer->body, answer->headers);
        }
        co_return answer;
      });
  if (!response) co_return response.error();
  boost::system::error_code ec;
  const json::value parsed = json::parse(response->body, ec);
  if (ec || !parsed.is_object()) co_return core::Error::UpstreamRejected(deployment.name + " answered with invalid JSON");
  Answer answer;
  if (const auto* usage = parsed.get_object().if_contains("usageMetadata")) {
    answer.usage = gemini::UsageFromGemini(*usage);
  }
  answer.body = json::serialize(gemini::GeminiResponseToChat(parsed.get_object(), model));
  co_return answer;
}

asio::awaitable<StreamEnd> GeminiProvider::Stream(const Deployment& deployment, core::ApiFormat format,
                                                  const json::object& body, EventSink& sink,
                                                  const CallContext& context) {
  StreamEnd end;
  if (format != core::ApiFormat::kOpenAiChat) {
    end.status = core::Error::UpstreamRejected(deployment.name + " serves only chat completions");
    co_return end;
  }
  core::Result<json::object> request_body = gemini::ChatRequestToGemini(body);
  if (!request_body) {
    end.status = request_body.error();
    co_return end;
  }
  const std::string model(ModelOf(deployment, body));
  const std::string serialized = json::serialize(*request_body);
  core::Result<http::ClientStream> stream = co_await WithKeyRotation(
      deployment, [&](std::string_view key) -> asio::awaitable<core::Result<http::ClientStream>> {
        core::Result<http::ClientStream> opened =
            co_await http::WorkerClient().Open(BuildRequest(deployment, model, true, serialized, key, context));
        if (!opened || opened->status() == 200) co_return opened;
        co_return co_await ReadGeminiError(deployment.name, *opened);
      });
  if (!stream) {
    end.status = stream.error();
    co_return end;
  }

  gemini::ChatChunkOptions options;
  options.client_model = model;
  options.include_usage = openai_chat::IncludeUsageRequested(body);
  gemini::GeminiStreamToChatChunks to_chat(std::move(options));
  http::SseDecoder decoder;
  while (true) {
    core::Result<std::string> piece = co_await stream->Read();
    if (!piece) {
      end.usage = to_chat.usage();
      end.status = piece.error();
      co_return end;
    }
    // Gemini marks no end of stream: the end of the body is the end.
    if (piece->empty()) break;
    for (const http::SseEvent& event : decoder.Feed(*piece)) {
      core::Result<std::vector<std::string>> chunks = to_chat.Feed(event);
      end.usage = to_chat.usage();
      if (!chunks) {
        end.status = chunks.error();
        co_return end;
      }
      core::Status sent = co_await Deliver(sink, *chunks, end);
      if (!sent) {
        end.status = sent;
        co_return end;
      }
    }
    if (decoder.buffered_bytes() > kMaxPendingEventBytes) {
      end.status = core::Error::UpstreamRejected(deployment.name + " sent an event larger than 32 MiB");
      co_return end;
    }
  }
  core::Result<std::vector<std::string>> last = to_chat.Close();
  end.usage = to_chat.usage();
  if (!last) {
    end.status = last.error();
    co_return end;
  }
  core::Status sent = co_await Deliver(sink, *last, end);
  if (sent) {
    sent = co_await sink.OnEvent(std::string_view(), "[DONE]");
    end.delivered = true;
  }
  end.status = sent;
  co_return end;
}

}  // namespace strata::providers
