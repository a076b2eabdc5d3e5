#include "limits/internal/decision_text.h"

namespace strata::limits::internal {

std::string FormatUsd(std::int64_t nano_usd) {
  const std::string sign = nano_usd < 0 ? "-" : "";
  const std::uint64_t magnitude =
      nano_usd < 0 ? 0 - static_cast<std::uint64_t>(nano_usd) : static_cast<std::uint64_t>(nano_usd);
  std::string fraction = std::to_string(magnitude % 1'000'000'000 + 1'000'000'000).substr(1);
  while (fraction.size() > 2 && fraction.back() == '0') fraction.pop_back();
  return sign + "$" + std::to_string(magnitude / 1'000'000'000) + "." + fraction;
}

void KeepTightest(std::vector<RateHeader>& headers, RateHeader header) {
  auto same = std::find_if(headers.begin(), headers.end(), [&](const RateHeader& h) { return h.kind == header.kind; });
  if (same == headers.end()) {
    headers.push_back(std::move(header));
  } else if (header.remaining < same->remaining ||
             (header.remaining == same->remaining && header.reset > same->reset)) {
    *same = std::move(header);
  }
}

}  // namespace strata::limits::internal
