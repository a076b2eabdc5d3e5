#include "providers/openai/usage_scan.h"

#include <cmath>
#include <cstdint>
#include <string>

#include <boost/json/basic_parser_impl.hpp>

namespace strata::providers {
namespace {

namespace json = boost::json;
using boost::system::error_code;

// Follows the path to the few numbers it wants and ignores everything else.
// Depth counts open objects and arrays; the answer is depth 1.
class UsageHandler {
 public:
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

  UsageScan result;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }

  bool on_object_begin(error_code&) {
    if (depth_ == 0) result.valid_object = true;
    if (slot_ == Slot::kUsage) {
      usage_ = core::Usage{};
      usage_depth_ = depth_ + 1;
    } else {
      // A details object starts its count over (the last duplicate wins); an
      // object where a count belongs is no count.
      Set(std::nullopt);
      if (slot_ == Slot::kPromptDetails) details_ = Details::kPrompt;
      if (slot_ == Slot::kCompletionDetails) details_ = Details::kCompletion;
    }
    ++depth_;
    slot_ = Slot::kNone;
    return true;
  }
  bool on_object_end(std::size_t, error_code&) {
    --depth_;
    if (depth_ + 1 == usage_depth_) {
      result.usage = usage_;
      usage_depth_ = 0;
    } else if (usage_depth_ != 0 && depth_ == usage_depth_) {
      details_ = Details::kNone;
    }
    return true;
  }
  bool on_array_begin(error_code&) {
    Set(std::nullopt);
    ++depth_;
    slot_ = Slot::kNone;
    return true;
  }
  bool on_array_end(std::size_t, error_code&) {
    --depth_;
    return true;
  }

  bool on_key_part(std::string_view part, std::size_t, error_code&) {
    key_.append(part);
    return true;
  }
  bool on_key(std::string_view last, std::size_t, error_code&) {
    std::string_view key = last;
    if (!key_.empty()) {
      key_.append(last);
      key = key_;
    }
    slot_ = SlotOf(key);
    key_.clear();
    return true;
  }

  bool on_string_part(std::string_view, std::size_t, error_code&) { return true; }
  bool on_string(std::string_view, std::size_t, error_code&) { return Scalar(std::nullopt); }
  bool on_number_part(std::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t value, std::string_view, error_code&) {
    return Scalar(value >= 0 ? std::optional<std::uint64_t>(value) : std::nullopt);
  }
  bool on_uint64(std::uint64_t value, std::string_view, error_code&) { return Scalar(value); }
  bool on_double(double value, std::string_view, error_code&) {
    // 2^63 bounds the cast; anything larger is no count anyway.
    const bool whole = value >= 0 && value < 9.2e18 && std::floor(value) == value;
    return Scalar(whole ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(value)) : std::nullopt);
  }
  bool on_bool(bool, error_code&) { return Scalar(std::nullopt); }
  bool on_null(error_code&) { return Scalar(std::nullopt); }
  bool on_comment_part(std::string_view, error_code&) { return true; }
  bool on_comment(std::string_view, error_code&) { return true; }

 private:
  enum class Slot { kNone, kUsage, kPrompt, kCompletion, kPromptDetails, kCompletionDetails, kCached, kReasoning };
  enum class Details { kNone, kPrompt, kCompletion };

  Slot SlotOf(std::string_view key) const {
    if (depth_ == 1) return key == "usage" ? Slot::kUsage : Slot::kNone;
    if (usage_depth_ == 0) return Slot::kNone;
    if (depth_ == usage_depth_) {
      if (key == "prompt_tokens") return Slot::kPrompt;
      if (key == "completion_tokens") return Slot::kCompletion;
      if (key == "prompt_tokens_details") return Slot::kPromptDetails;
      if (key == "completion_tokens_details") return Slot::kCompletionDetails;
    } else if (depth_ == usage_depth_ + 1) {
      if (details_ == Details::kPrompt && key == "cached_tokens") return Slot::kCached;
      if (details_ == Details::kCompletion && key == "reasoning_tokens") return Slot::kReasoning;
    }
    return Slot::kNone;
  }

  // The current key's value, as far as it matters: a count (0 when it is not
  // a non-negative integer); for "usage" or a details key, a value that is not
  // an object (absent usage; no cached or reasoning tokens).
  void Set(std::optional<std::uint64_t> count) {
    switch (slot_) {
      case Slot::kUsage: result.usage.reset(); break;
      case Slot::kPrompt: usage_.input_tokens = count.value_or(0); break;
      case Slot::kCompletion: usage_.output_tokens = count.value_or(0); break;
      case Slot::kCached: case Slot::kPromptDetails: usage_.cached_input_tokens = count.value_or(0); break;
      case Slot::kReasoning: case Slot::kCompletionDetails: usage_.reasoning_tokens = count.value_or(0); break;
      case Slot::kNone: break;
    }
  }
  bool Scalar(std::optional<std::uint64_t> count) {
    if (slot_ == Slot::kPromptDetails || slot_ == Slot::kCompletionDetails) count.reset();
    Set(count);
    slot_ = Slot::kNone;
    return true;
  }

  int depth_ = 0;
  int usage_depth_ = 0;  // the depth inside the usage object while in it; 0 outside
  Details details_ = Details::kNone;
  Slot slot_ = Slot::kNone;
  std::string key_;  // a key that arrived in parts
  core::Usage usage_;
};

}  // namespace

UsageScan ScanOpenAiUsage(std::string_view answer) {
  json::basic_parser<UsageHandler> parser(json::parse_options{});
  error_code ec;
  const std::size_t used = parser.write_some(false, answer.data(), answer.size(), ec);
  if (ec || used != answer.size() || !parser.done()) return {};
  return parser.handler().result;
}

}  // namespace strata::providers
