#include "mock_llm/fault.h"

#include <charconv>

namespace strata::mock_llm {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<std::uint32_t> ParseCount(std::string_view text) {
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

core::Error BadItem(std::string_view item, std::string_view why) {
  std::string message = "invalid fault \"";
  message.append(item).append("\": ").append(why);
  return core::Error::InvalidRequest(std::move(message), "x-mock-fault");
}

}  // namespace

core::Result<FaultSpec> ParseFaultSpec(std::string_view text) {
  FaultSpec spec;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view item = Trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (item.empty() || item == "none") continue;

    const std::size_t colon = item.find(':');
    const std::string_view name = item.substr(0, colon);
    const bool has_argument = colon != std::string_view::npos;
    const std::optional<std::uint32_t> argument =
        has_argument ? ParseCount(Trim(item.substr(colon + 1))) : std::nullopt;
    const bool wants_argument =
        name == "status" || name == "disconnect" || name == "stall-after" || name == "slow-first-byte";
    if (wants_argument && !argument) return BadItem(item, "expects a non-negative integer after ':'");
    if (!wants_argument && has_argument) return BadItem(item, "takes no argument");

    if (name == "status") {
      if (*argument < 400 || *argument > 599) return BadItem(item, "status must be 400..599");
      spec.status = static_cast<int>(*argument);
    } else if (name == "reset") {
      spec.reset = true;
    } else if (name == "disconnect") {
      spec.disconnect_after = *argument;
    } else if (name == "stall") {
      spec.stall = true;
    } else if (name == "stall-after") {
      spec.stall_after = *argument;
    } else if (name == "malformed") {
      spec.malformed = true;
    } else if (name == "slow-first-byte") {
      spec.slow_first_byte = std::chrono::milliseconds(*argument);
    } else {
      return BadItem(item,
                     "unknown; expected status:<code>, reset, disconnect:<k>, stall, stall-after:<k>, "
                     "malformed, slow-first-byte:<ms> or none");
    }
  }
  return spec;
}

}  // namespace strata::mock_llm
