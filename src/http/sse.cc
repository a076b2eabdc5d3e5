#include "http/sse.h"

namespace strata::http {

std::string FormatSseEvent(std::string_view data, std::string_view name) {
  std::string event;
  event.reserve(data.size() + name.size() + 16);
  if (!name.empty()) {
    event += "event: ";
    event += name;
    event += '\n';
  }
  // A newline inside the data would end the field early: each line gets its own
  // "data:" field, and the client joins them back with '\n'.
  std::size_t start = 0;
  while (true) {
    const std::size_t end = data.find('\n', start);
    event += "data: ";
    event += data.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    event += '\n';
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  event += '\n';
  return event;
}

}  // namespace strata::http
