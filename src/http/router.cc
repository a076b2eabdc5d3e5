#include "http/server.h"

namespace strata::http {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 1;  // paths begin with '/'
  while (start <= path.size()) {
    const std::size_t end = path.find('/', start);
    const std::size_t stop = end == std::string_view::npos ? path.size() : end;
    segments.push_back(path.substr(start, stop - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return segments;
}

bool IsPlaceholder(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::Add(beast_http::verb method, std::string pattern, Handler handler, RouteDoc doc) {
  std::vector<std::string> segments;
  for (std::string_view segment : SplitPath(pattern)) segments.emplace_back(segment);
  routes_.push_back({method, std::move(pattern), std::move(segments), std::move(handler), std::move(doc)});
}

std::vector<Router::RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> routes;
  routes.reserve(routes_.size());
  for (const Route& route : routes_) routes.push_back({route.method, route.pattern, &route.doc});
  return routes;
}

Router::Match Router::Find(beast_http::verb method, std::string_view target) const {
  Match match;
  const std::string_view path = target.substr(0, target.find('?'));
  if (path.empty() || path.front() != '/') return match;
  const std::vector<std::string_view> segments = SplitPath(path);
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::vector<std::pair<std::string_view, std::string_view>> params;
    bool matches = true;
    for (std::size_t i = 0; i < segments.size() && matches; ++i) {
      const std::string& expected = route.segments[i];
      if (IsPlaceholder(expected)) {
        matches = !segments[i].empty();
        std::string_view name(expected);
        params.emplace_back(name.substr(1, name.size() - 2), segments[i]);
      } else {
        matches = expected == segments[i];
      }
    }
    if (!matches) continue;
    if (route.method != method) {
      match.method_not_allowed = true;
      continue;
    }
    match.handler = &route.handler;
    match.pattern = route.pattern;
    match.method_not_allowed = false;
    match.params = std::move(params);
    return match;
  }
  return match;
}

}  // namespace strata::http
