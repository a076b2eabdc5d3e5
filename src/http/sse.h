#pragma once

#include <string>
#include <string_view>

namespace strata::http {

// Formats one Server-Sent Event: "event: <name>\n" when a name is given, one
// "data: " line per line of `data`, and the blank line that ends the event.
std::string FormatSseEvent(std::string_view data, std::string_view name = {});

}  // namespace strata::http
