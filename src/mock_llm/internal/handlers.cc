#include "mock_llm/internal/handlers.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include "mock_llm/internal/anthropic.h"
#include "mock_llm/internal/embeddings.h"
#include "mock_llm/internal/gemini.h"
#include "mock_llm/internal/openai.h"
#include "mock_llm/internal/text.h"

namespace strata::mock_llm {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;

constexpr std::uint64_t kMaxDelayMs = 600'000;
constexpr std::uint64_t kMaxChunks = 65'536;
constexpr std::uint64_t kMaxRetryAfterSeconds = 86'400;
constexpr std::uint32_t kDefaultRetryAfterSeconds = 1;

enum class Vendor { kOpenAi, kAnthropic, kGemini };

// The request body parsed once into a bump allocator: the whole DOM is freed
// at once when the handler ends, and small bodies never touch the heap.
class ParsedBody {
 public:
  explicit ParsedBody(std::string_view text) : value_(json::parse(text, error_, &resource_)) {}
  ParsedBody(const ParsedBody&) = delete;
  ParsedBody& operator=(const ParsedBody&) = delete;

  bool ok() const { return !error_; }
  const json::value& value() const { return value_; }

  core::Error Error(Vendor vendor) const {
    std::string message = vendor == Vendor::kOpenAi      ? "We could not parse the JSON body of your request: "
                          : vendor == Vendor::kAnthropic ? "There was an error parsing the body of your request: "
                                                         : "Invalid JSON payload received. ";
    message += error_.message();
    return core::Error::InvalidRequest(std::move(message));
  }

 private:
  unsigned char buffer_[4096];
  json::monotonic_resource resource_{buffer_, sizeof buffer_};
  boost::system::error_code error_;
  json::value value_;
};

core::Result<std::optional<std::uint64_t>> HeaderNumber(const http::Request& request, std::string_view name,
                                                        std::uint64_t min, std::uint64_t max) {
  const auto field = request.find(name);
  if (field == request.end()) return std::optional<std::uint64_t>();
  const std::string_view text = field->value();
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    std::string message(name);
    message += ": must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
    return core::Error::InvalidRequest(std::move(message), std::string(name));
  }
  return std::optional<std::uint64_t>(value);
}

AnswerIds Ids(const http::Responder& responder) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return {responder.request_id(), std::chrono::duration_cast<std::chrono::seconds>(now).count()};
}

// Pieces a generated text is streamed in, for timing a non-streamed answer.
std::size_t PieceCount(const Reply& reply, std::uint32_t chunks) {
  const std::size_t bytes = reply.tool_call ? reply.tool_call->arguments.size() : reply.text.size();
  return std::min<std::size_t>(bytes, chunks);
}

asio::awaitable<void> Delay(milliseconds delay) {
  if (delay <= milliseconds::zero()) co_return;
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, delay);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

// Waits until the client leaves or the stall cap passes.
asio::awaitable<void> Stall(const Context& context, http::Responder& responder) {
  struct Watch {
    asio::steady_timer timer;
    bool client_gone = false;
  };
  responder.WatchClient();  // a non-streamed stall must notice the client leaving too
  const auto executor = co_await asio::this_coro::executor;
  auto watch = std::make_shared<Watch>(Watch{asio::steady_timer(executor, context.options->stall_cap)});
  // The callback may run at once (the client already left, and then there is
  // no wait to cancel yet) or outlive this frame (the server keeps it until
  // the connection ends): hence the flag and the weak pointer.
  responder.OnClientGone([weak = std::weak_ptr<Watch>(watch)] {
    if (const auto alive = weak.lock()) {
      alive->client_gone = true;
      alive->timer.cancel();
    }
  });
  if (watch->client_gone || responder.ClientGone()) co_return;
  co_await watch->timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> SendJson(http::Responder& responder, const http::Request& request, int status,
                               std::string body, std::optional<std::uint32_t> retry_after = std::nullopt) {
  http::Response response;
  response.version(request.version());
  response.result(static_cast<unsigned>(status));
  if (status == 529) response.reason("Overloaded");  // Anthropic's; Beast has no phrase for it
  response.set(beast_http::field::content_type, "application/json");
  if (retry_after) response.set(beast_http::field::retry_after, std::to_string(*retry_after));
  response.body() = std::move(body);
  // A failure means the client left; there is no one left to tell.
  co_await responder.Send(std::move(response));
}

asio::awaitable<void> SendError(http::Responder& responder, const http::Request& request, Vendor vendor,
                                const core::Error& error) {
  std::string body;
  switch (vendor) {
    case Vendor::kOpenAi: body = openai::RenderError(error); break;
    case Vendor::kAnthropic: body = anthropic::RenderError(error); break;
    case Vendor::kGemini: body = gemini::RenderError(error); break;
  }
  co_await SendJson(responder, request, error.HttpStatus(), std::move(body));
}

// Waits out the latency, then plays the faults that replace the answer
// (reset, stall, status). Returns whether the request is done.
asio::awaitable<bool> Preamble(const Context& context, Vendor vendor, const http::Request& request,
                               http::Responder& responder, const Knobs& knobs) {
  const FaultSpec& fault = knobs.fault;
  co_await Delay(knobs.latency + fault.slow_first_byte);
  if (fault.reset) {
    responder.Abort();
    co_return true;
  }
  if (fault.stall) {
    co_await Stall(context, responder);
    responder.Abort();
    co_return true;
  }
  if (fault.status != 0) {
    std::optional<std::uint32_t> retry_after = knobs.retry_after;
    if (!retry_after && fault.status == 429) retry_after = kDefaultRetryAfterSeconds;
    std::string body;
    switch (vendor) {
      case Vendor::kOpenAi: body = openai::RenderStatusError(fault.status); break;
      case Vendor::kAnthropic: body = anthropic::RenderStatusError(fault.status); break;
      case Vendor::kGemini: body = gemini::RenderStatusError(fault.status); break;
    }
    co_await SendJson(responder, request, fault.status, std::move(body), retry_after);
    co_return true;
  }
  co_return false;
}

// Sends a non-streamed answer: as a vendor would, only once it is all
// "generated", so it takes as long as the streamed one would.
asio::awaitable<void> Answer(const Context& context, const http::Request& request, http::Responder& responder,
                             const Knobs& knobs, std::string body, std::size_t pieces) {
  const FaultSpec& fault = knobs.fault;
  co_await Delay(knobs.first_byte_delay + knobs.chunk_delay * static_cast<int>(pieces > 0 ? pieces - 1 : 0));
  if (fault.malformed) body.resize(body.size() / 2);
  if (!fault.disconnect_after && !fault.stall_after) {
    co_await SendJson(responder, request, 200, std::move(body));
    co_return;
  }
  // A body cut short: chunked, so the client sees the head and part of the
  // body, then a connection that ends without the last chunk.
  http::Response head(beast_http::status::ok, request.version());
  head.set(beast_http::field::content_type, "application/json");
  const core::Status started = co_await responder.StartEvents(std::move(head));
  if (!started) co_return;
  const std::vector<std::string_view> parts = SplitPieces(body, knobs.chunks);
  const std::size_t keep = fault.disconnect_after ? *fault.disconnect_after : *fault.stall_after;
  for (std::size_t i = 0; i < std::min(keep, parts.size()); ++i) {
    const core::Status written = co_await responder.SendChunk(parts[i]);
    if (!written) co_return;
  }
  if (!fault.disconnect_after) co_await Stall(context, responder);
  responder.Abort();
}

// Sends a streamed answer, event by event, with the configured pacing and
// the faults that cut or corrupt a stream.
asio::awaitable<void> Stream(const Context& context, const http::Request& request, http::Responder& responder,
                             const Knobs& knobs, std::vector<SseEvent> events) {
  const FaultSpec& fault = knobs.fault;
  http::Response head(beast_http::status::ok, request.version());
  head.set(beast_http::field::content_type, "text/event-stream");
  head.set(beast_http::field::cache_control, "no-cache");
  const core::Status started = co_await responder.StartEvents(std::move(head));
  if (!started) co_return;
  co_await Delay(knobs.first_byte_delay);

  bool first_content = true;
  for (std::size_t sent = 0; sent <= events.size(); ++sent) {
    if (fault.disconnect_after && sent == std::min<std::size_t>(*fault.disconnect_after, events.size())) {
      responder.Abort();
      co_return;
    }
    if (fault.stall_after && sent == std::min<std::size_t>(*fault.stall_after, events.size())) {
      co_await Stall(context, responder);
      responder.Abort();
      co_return;
    }
    if (sent == events.size()) break;
    SseEvent& event = events[sent];
    if (event.content) {
      if (!first_content) co_await Delay(knobs.chunk_delay);
      // Half a JSON object: the client's parser, not the transport, must catch it.
      if (first_content && fault.malformed) event.data.resize(event.data.size() / 2);
      first_content = false;
    }
    const core::Status written = co_await responder.SendEvent(event.data, event.name);
    if (!written) co_return;
  }
  co_await responder.FinishEvents();
}

// Whether the query string of `target` holds `key=value` (Gemini's ?alt=sse).
bool HasQueryParam(std::string_view target, std::string_view key, std::string_view value) {
  const std::size_t question = target.find('?');
  if (question == std::string_view::npos) return false;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == key && pair.substr(equals + 1) == value) {
      return true;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

// Which vendor's SDK asks for /v1/models: the Anthropic SDK always sends
// anthropic-version, Google's x-goog-api-key (or x-goog-api-client); the
// OpenAI one sends neither.
Vendor ModelsVendor(const http::Request& request) {
  if (request.find("anthropic-version") != request.end()) return Vendor::kAnthropic;
  if (request.find("x-goog-api-key") != request.end() || request.find("x-goog-api-client") != request.end()) {
    return Vendor::kGemini;
  }
  return Vendor::kOpenAi;
}

}  // namespace

Context::Context(std::shared_ptr<const MockLlmOptions> opts) : options(std::move(opts)) {
  if (!options) options = std::make_shared<const MockLlmOptions>();
  fault_ratio = std::isnan(options->fault_ratio) ? 0.0 : std::clamp(options->fault_ratio, 0.0, 1.0);
  openai_models = openai::RenderModelList(options->models);
  anthropic_models = anthropic::RenderModelList(options->models);
  gemini_models = gemini::RenderModelList(options->models);
}

bool FaultHits(double ratio, std::uint64_t seed, std::uint64_t n) {
  if (ratio >= 1) return true;
  if (ratio <= 0) return false;
  if (seed == 0) {
    // Bresenham: a hit whenever (n + 1) * ratio reaches a whole number. The
    // epsilon keeps 3 * (1.0 / 3) from landing just below 1.
    constexpr double kEpsilon = 1e-9;
    const auto hits_before = [ratio](std::uint64_t count) {
      return std::floor(static_cast<double>(count) * ratio + kEpsilon);
    };
    return hits_before(n + 1) > hits_before(n);
  }
  std::uint64_t state = seed ^ (n * 0x9e3779b97f4a7c15ULL);
  return static_cast<double>(SplitMix64(state) >> 11) * 0x1p-53 < ratio;
}

core::Result<Knobs> ReadKnobs(Context& context, const http::Request& request, bool eligible_for_run_fault) {
  const MockLlmOptions& options = *context.options;
  Knobs knobs;
  knobs.latency = options.latency;
  knobs.first_byte_delay = options.first_byte_delay;
  knobs.chunk_delay = options.chunk_delay;
  knobs.chunks = std::clamp<std::uint32_t>(options.chunks, 1, kMaxChunks);

  struct DelayHeader {
    std::string_view name;
    milliseconds* target;
  };
  for (const DelayHeader& header : {DelayHeader{"x-mock-latency-ms", &knobs.latency},
                                    DelayHeader{"x-mock-first-byte-delay-ms", &knobs.first_byte_delay},
                                    DelayHeader{"x-mock-chunk-delay-ms", &knobs.chunk_delay}}) {
    auto value = HeaderNumber(request, header.name, 0, kMaxDelayMs);
    if (!value) return value.error();
    if (*value) *header.target = milliseconds(**value);
  }
  auto chunks = HeaderNumber(request, "x-mock-chunks", 1, kMaxChunks);
  if (!chunks) return chunks.error();
  if (*chunks) knobs.chunks = static_cast<std::uint32_t>(**chunks);
  auto retry_after = HeaderNumber(request, "x-mock-retry-after", 0, kMaxRetryAfterSeconds);
  if (!retry_after) return retry_after.error();
  if (*retry_after) knobs.retry_after = static_cast<std::uint32_t>(**retry_after);
  if (const auto reply = request.find("x-mock-reply"); reply != request.end()) knobs.reply = reply->value();

  if (const auto fault = request.find("x-mock-fault"); fault != request.end()) {
    auto spec = ParseFaultSpec(fault->value());
    if (!spec) return spec.error();
    knobs.fault = *spec;
  } else if (eligible_for_run_fault && !options.fault.empty() &&
             FaultHits(context.fault_ratio, options.fault_seed,
                       context.requests.fetch_add(1, std::memory_order_relaxed))) {
    knobs.fault = options.fault;
  }
  return knobs;
}

namespace {

// What every handler starts with: its knobs (a bad one is answered with
// the vendor's error), then the latency and faults they ask for. Nothing when
// the request has been answered already.
asio::awaitable<std::optional<Knobs>> Begin(Context& context, Vendor vendor, const http::Request& request,
                                            http::Responder& responder, bool eligible_for_run_fault = true) {
  core::Result<Knobs> knobs = ReadKnobs(context, request, eligible_for_run_fault);
  if (!knobs) {
    co_await SendError(responder, request, vendor, knobs.error());
    co_return std::nullopt;
  }
  if (co_await Preamble(context, vendor, request, responder, *knobs)) co_return std::nullopt;
  co_return std::move(*knobs);
}

}  // namespace

asio::awaitable<void> HandleChatCompletions(Context& context, const http::Request& request,
                                            http::Responder& responder) {
  const std::optional<Knobs> knobs = co_await Begin(context, Vendor::kOpenAi, request, responder);
  if (!knobs) co_return;
  const ParsedBody body(request.body());
  core::Result<openai::ChatPlan> plan =
      body.ok() ? openai::PlanChat(body.value(), knobs->reply) : body.Error(Vendor::kOpenAi);
  if (!plan) {
    co_await SendError(responder, request, Vendor::kOpenAi, plan.error());
    co_return;
  }
  const AnswerIds ids = Ids(responder);
  if (plan->stream) {
    co_await Stream(context, request, responder, *knobs, openai::RenderChatStream(*plan, ids, knobs->chunks));
  } else {
    const std::size_t pieces = PieceCount(plan->reply, knobs->chunks);
    co_await Answer(context, request, responder, *knobs, openai::RenderChat(*plan, ids), pieces);
  }
}

asio::awaitable<void> HandleCompletions(Context& context, const http::Request& request, http::Responder& responder) {
  const std::optional<Knobs> knobs = co_await Begin(context, Vendor::kOpenAi, request, responder);
  if (!knobs) co_return;
  const ParsedBody body(request.body());
  core::Result<openai::CompletionPlan> plan =
      body.ok() ? openai::PlanCompletion(body.value(), knobs->reply) : body.Error(Vendor::kOpenAi);
  if (!plan) {
    co_await SendError(responder, request, Vendor::kOpenAi, plan.error());
    co_return;
  }
  const AnswerIds ids = Ids(responder);
  if (plan->stream) {
    co_await Stream(context, request, responder, *knobs, openai::RenderCompletionStream(*plan, ids, knobs->chunks));
  } else {
    std::size_t pieces = 0;
    for (const Reply& reply : plan->replies) pieces = std::max(pieces, PieceCount(reply, knobs->chunks));
    co_await Answer(context, request, responder, *knobs, openai::RenderCompletion(*plan, ids), pieces);
  }
}

asio::awaitable<void> HandleEmbeddings(Context& context, const http::Request& request, http::Responder& responder) {
  const std::optional<Knobs> knobs = co_await Begin(context, Vendor::kOpenAi, request, responder);
  if (!knobs) co_return;
  const ParsedBody body(request.body());
  core::Result<std::string> answer = body.ok()
      ? RenderEmbeddings(body.value(), context.options->embedding_dimensions)
      : body.Error(Vendor::kOpenAi);
  if (!answer) {
    co_await SendError(responder, request, Vendor::kOpenAi, answer.error());
    co_return;
  }
  co_await Answer(context, request, responder, *knobs, std::move(*answer), 1);
}

asio::awaitable<void> HandleMessages(Context& context, const http::Request& request, http::Responder& responder) {
  const std::optional<Knobs> knobs = co_await Begin(context, Vendor::kAnthropic, request, responder);
  if (!knobs) co_return;
  const ParsedBody body(request.body());
  core::Result<anthropic::MessagePlan> plan =
      body.ok() ? anthropic::PlanMessage(body.value(), knobs->reply) : body.Error(Vendor::kAnthropic);
  if (!plan) {
    co_await SendError(responder, request, Vendor::kAnthropic, plan.error());
    co_return;
  }
  const AnswerIds ids = Ids(responder);
  if (plan->stream) {
    co_await Stream(context, request, responder, *knobs, anthropic::RenderMessageStream(*plan, ids, knobs->chunks));
  } else {
    const std::size_t pieces = PieceCount(plan->reply, knobs->chunks);
    co_await Answer(context, request, responder, *knobs, anthropic::RenderMessage(*plan, ids), pieces);
  }
}

asio::awaitable<void> HandleCountTokens(Context& context, const http::Request& request, http::Responder& responder) {
  const std::optional<Knobs> knobs = co_await Begin(context, Vendor::kAnthropic, request, responder);
  if (!knobs) co_return;
  const ParsedBody body(request.body());
  core::Result<std::string> answer =
      body.ok() ? anthropic::RenderCountTokens(body.value()) : body.Error(Vendor::kAnthropic);
  if (!answer) {
    co_await SendError(responder, request, Vendor::kAnthropic, answer.error());
    co_return;
  }
  co_await SendJson(responder, request, 200, std::move(*answer));
}

asio::awaitable<void> HandleListModels(Context& context, const http::Request& request, http::Responder& responder) {
  const Vendor vendor = ModelsVendor(request);
  const std::optional<Knobs> knobs = co_await Begin(context, vendor, request, responder, false);
  if (!knobs) co_return;
  std::string body = vendor == Vendor::kOpenAi      ? context.openai_models
                     : vendor == Vendor::kAnthropic ? context.anthropic_models
                                                    : context.gemini_models;
  co_await SendJson(responder, request, 200, std::move(body));
}

asio::awaitable<void> HandleGetModel(Context& context, const http::Request& request, http::Responder& responder) {
  const Vendor vendor = ModelsVendor(request);
  const std::optional<Knobs> knobs = co_await Begin(context, vendor, request, responder, false);
  if (!knobs) co_return;
  const std::string_view id = responder.PathParam("id");
  std::string body = vendor == Vendor::kOpenAi      ? openai::RenderModel(id)
                     : vendor == Vendor::kAnthropic ? anthropic::RenderModel(id)
                                                    : gemini::RenderModel(id);
  co_await SendJson(responder, request, 200, std::move(body));
}

// The key (x-goog-api-key or ?key=) is not checked, like every key the mock gets.
asio::awaitable<void> HandleGeminiModelCall(Context& context, const http::Request& request,
                                            http::Responder& responder) {
  const std::optional<Knobs> knobs = co_await Begin(context, Vendor::kGemini, request, responder);
  if (!knobs) co_return;
  const std::optional<gemini::ModelCall> call = gemini::SplitModelCall(responder.PathParam("call"));
  const bool generate = call && call->method == "generateContent";
  const bool stream = call && call->method == "streamGenerateContent";
  if (!generate && !stream && !(call && call->method == "countTokens")) {
    co_await SendError(responder, request, Vendor::kGemini,
                       core::Error::NotFound("Method not found: POST /v1beta/models/" +
                                             std::string(responder.PathParam("call"))));
    co_return;
  }
  const ParsedBody body(request.body());
  if (!generate && !stream) {
    core::Result<std::string> answer = body.ok() ? gemini::RenderCountTokens(body.value()) : body.Error(Vendor::kGemini);
    if (!answer) {
      co_await SendError(responder, request, Vendor::kGemini, answer.error());
      co_return;
    }
    co_await SendJson(responder, request, 200, std::move(*answer));
    co_return;
  }
  core::Result<gemini::GeneratePlan> plan =
      body.ok() ? gemini::PlanGenerate(body.value(), call->model, knobs->reply) : body.Error(Vendor::kGemini);
  if (!plan) {
    co_await SendError(responder, request, Vendor::kGemini, plan.error());
    co_return;
  }
  const AnswerIds ids = Ids(responder);
  const std::size_t pieces = PieceCount(plan->reply, knobs->chunks);
  if (generate) {
    co_await Answer(context, request, responder, *knobs, gemini::RenderGenerate(*plan, ids), pieces);
  } else if (HasQueryParam(request.target(), "alt", "sse")) {
    co_await Stream(context, request, responder, *knobs, gemini::RenderGenerateStream(*plan, ids, knobs->chunks));
  } else {
    // Without alt=sse Google streams one JSON array of responses; the mock
    // sends the same array, whole.
    std::string array = "[";
    for (const SseEvent& event : gemini::RenderGenerateStream(*plan, ids, knobs->chunks)) {
      if (array.size() > 1) array += ",\r\n";
      array += event.data;
    }
    array += ']';
    co_await Answer(context, request, responder, *knobs, std::move(array), pieces);
  }
}

asio::awaitable<void> HandleGeminiListModels(Context& context, const http::Request& request,
                                             http::Responder& responder) {
  const std::optional<Knobs> knobs = co_await Begin(context, Vendor::kGemini, request, responder, false);
  if (!knobs) co_return;
  co_await SendJson(responder, request, 200, context.gemini_models);
}

asio::awaitable<void> HandleGeminiGetModel(Context& context, const http::Request& request,
                                           http::Responder& responder) {
  const std::optional<Knobs> knobs = co_await Begin(context, Vendor::kGemini, request, responder, false);
  if (!knobs) co_return;
  co_await SendJson(responder, request, 200, gemini::RenderModel(responder.PathParam("model")));
}

}  // namespace strata::mock_llm
