// Gemini streamGenerateContent (alt=sse) → chat.completion.chunk stream.
//
// Chunks are written as text rather than built as JSON values: this runs once
// per event on the hot path, and every chunk shares a prefix fixed by the
// first event.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/text.h"
#include "providers/openai_chat.h"
#include "providers/gemini/translate.h"
#include "providers/gemini/translate_common.h"

namespace strata::providers::gemini {

namespace json = boost::json;
using detail::ArrayMember;
using detail::Member;
using detail::ObjectMember;
using detail::StringMember;

namespace {

// OpenAI's n tops out at 128; a bound keeps a hostile upstream from making us allocate.
constexpr std::size_t kMaxCandidates = 128;

core::Error Malformed(std::string_view what) {
  return core::Error::UpstreamRejected("Gemini stream: " + std::string(what));
}

// An `{"error":…}` event: the status decides whether another attempt may help.
core::Error StreamError(const json::object& error) {
  const std::string_view status = StringMember(error, "status");
  const json::value* code_value = Member(error, "code");
  const std::uint64_t code = code_value != nullptr ? detail::Unsigned(*code_value).value_or(0) : 0;
  std::string text = "Gemini stream error (" + std::string(status.empty() ? std::string_view("?") : status) +
                     "): " + std::string(StringMember(error, "message"));
  if (status == "DEADLINE_EXCEEDED" || code == 504) return core::Error::UpstreamTimeout(std::move(text));
  if (status == "UNAVAILABLE" || status == "INTERNAL" || status == "RESOURCE_EXHAUSTED" || code == 429 ||
      code >= 500) {
    return core::Error::UpstreamUnavailable(std::move(text));
  }
  return core::Error::UpstreamRejected(std::move(text));
}

std::string TextDelta(std::string_view key, std::string_view text) {
  std::string delta = "{\"";
  delta += key;
  delta += "\":";
  core::AppendJsonString(delta, text);
  delta += '}';
  return delta;
}

}  // namespace

GeminiStreamToChatChunks::GeminiStreamToChatChunks(ChatChunkOptions options) : options_(std::move(options)) {
  if (options_.created == 0) options_.created = detail::NowUnixSeconds();
}

core::Usage GeminiStreamToChatChunks::usage() const { return UsageFromGemini(usage_metadata_); }

core::Result<std::vector<std::string>> GeminiStreamToChatChunks::Feed(const http::SseEvent& event) {
  std::vector<std::string> out;
  if (finished_) return out;
  boost::system::error_code ec;
  json::value parsed = json::parse(event.data, ec);
  if (ec || !parsed.is_object()) return Malformed("malformed JSON in an event");
  const json::object& object = parsed.get_object();
  if (const json::object* error = ObjectMember(object, "error")) return StreamError(*error);
  if (!started_) Start(object);
  if (const json::object* usage = ObjectMember(object, "usageMetadata")) MergeUsage(*usage);

  const json::array* candidates = ArrayMember(object, "candidates");
  if (candidates == nullptr || candidates->empty()) {
    // A prompt blocked before any answer: the client sees an empty, filtered turn.
    const json::object* feedback = ObjectMember(object, "promptFeedback");
    if (feedback != nullptr && !StringMember(*feedback, "blockReason").empty()) {
      json::object blocked{{"finishReason", "SAFETY"}};
      OnCandidate(blocked, 0, out);
    }
    return out;
  }
  for (std::size_t i = 0; i < candidates->size(); ++i) {
    const json::object* candidate = (*candidates)[i].if_object();
    if (candidate == nullptr) return Malformed("a candidate that is not an object");
    const json::value* index_value = Member(*candidate, "index");
    const std::optional<std::uint64_t> index =
        index_value != nullptr ? detail::Unsigned(*index_value) : std::optional<std::uint64_t>(i);
    if (!index || *index >= kMaxCandidates) return Malformed("a candidate index that is not 0..127");
    OnCandidate(*candidate, static_cast<std::size_t>(*index), out);
  }
  return out;
}

core::Result<std::vector<std::string>> GeminiStreamToChatChunks::Close() {
  std::vector<std::string> out;
  if (finished_) return out;
  if (!started_) return core::Error::UpstreamUnavailable("Gemini ended its stream before any response");
  bool any = false;
  for (const Choice& choice : choices_) {
    if (choice.started && !choice.finished) {
      return core::Error::UpstreamUnavailable("Gemini ended its stream before a finishReason");
    }
    any = any || choice.started;
  }
  if (!any) return core::Error::UpstreamUnavailable("Gemini ended its stream without a candidate");
  finished_ = true;
  if (options_.include_usage) {
    // OpenAI's last chunk: no choices, the whole usage.
    std::string chunk = chunk_prefix_;
    chunk += R"(,"choices":[],"usage":)";
    chunk += json::serialize(ChatUsageJson(usage()));
    chunk += '}';
    out.push_back(std::move(chunk));
  }
  return out;
}

void GeminiStreamToChatChunks::Start(const json::object& event) {
  started_ = true;
  std::string id(StringMember(event, "responseId"));
  if (id.empty()) id = "chatcmpl-gemini-" + std::to_string(options_.created);
  chunk_prefix_ = R"({"id":)";
  core::AppendJsonString(chunk_prefix_, id);
  chunk_prefix_ += R"(,"object":"chat.completion.chunk","created":)";
  chunk_prefix_ += std::to_string(options_.created);
  chunk_prefix_ += R"(,"model":)";
  core::AppendJsonString(chunk_prefix_, options_.client_model);
}

void GeminiStreamToChatChunks::OnCandidate(const json::object& candidate, std::size_t index,
                                           std::vector<std::string>& out) {
  if (choices_.size() <= index) choices_.resize(index + 1);
  Choice& choice = choices_[index];
  if (choice.finished) return;  // Gemini says nothing more for a finished candidate; ignore it if it does
  if (!choice.started) {
    choice.started = true;
    // OpenAI's first chunk of a choice names the role and carries empty content.
    out.push_back(Chunk(index, R"({"role":"assistant","content":""})"));
  }
  const json::object* content = ObjectMember(candidate, "content");
  if (const json::array* parts = content != nullptr ? ArrayMember(*content, "parts") : nullptr) {
    for (const json::value& value : *parts) {
      const json::object* part = value.if_object();
      if (part == nullptr) continue;
      if (const json::value* text = Member(*part, "text"); text && text->is_string()) {
        if (text->get_string().empty()) continue;
        const json::value* thought = Member(*part, "thought");
        const bool is_thought = thought != nullptr && thought->is_bool() && thought->get_bool();
        out.push_back(Chunk(index, TextDelta(is_thought ? "reasoning_content" : "content", text->get_string())));
      } else if (const json::object* call = ObjectMember(*part, "functionCall")) {
        // Gemini sends each call whole: one delta carries the id, the name and
        // all the arguments, which OpenAI clients accumulate as usual.
        const std::size_t call_index = choice.tool_calls++;
        const json::value* args = Member(*call, "args");
        std::string delta = R"({"tool_calls":[{"index":)";
        delta += std::to_string(call_index);
        delta += R"(,"id":)";
        core::AppendJsonString(delta, "call_" + std::to_string(call_index));
        delta += R"(,"type":"function","function":{"name":)";
        core::AppendJsonString(delta, StringMember(*call, "name"));
        delta += R"(,"arguments":)";
        core::AppendJsonString(delta, args != nullptr ? json::serialize(*args) : std::string("{}"));
        delta += '}';
        if (const std::string_view signature = detail::SignatureOf(*part); !signature.empty()) {
          delta += R"(,"extra_content":)";
          delta += json::serialize(detail::SignatureExtra(signature));
        }
        delta += "}]}";
        out.push_back(Chunk(index, delta));
      }
      // inlineData, executableCode, codeExecutionResult: nothing a chat client could show.
    }
  }
  const std::string_view reason = StringMember(candidate, "finishReason");
  if (!reason.empty() && reason != "FINISH_REASON_UNSPECIFIED") {
    choice.finished = true;
    out.push_back(Chunk(index, "{}", FinishReasonFor(reason, choice.tool_calls > 0)));
  }
}

std::string GeminiStreamToChatChunks::Chunk(std::size_t index, std::string_view delta_json,
                                            std::string_view finish_reason) const {
  return openai_chat::Chunk(chunk_prefix_, index, delta_json, finish_reason, options_.include_usage);
}

void GeminiStreamToChatChunks::MergeUsage(const json::object& usage) {
  // Every Gemini event may carry usageMetadata; the last event's is the whole
  // count, earlier ones partial. A field present later wins.
  for (const auto& [key, value] : usage) usage_metadata_[key] = value;
}

}  // namespace strata::providers::gemini
