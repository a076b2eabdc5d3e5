#include "gateway/catalog.h"

#include <algorithm>
#include <set>

namespace strata::gateway {
namespace {

bool IsPattern(std::string_view name) { return !name.empty() && name.back() == '*'; }

// The part of `model` a pattern's `*` matched, or nothing if it does not match.
std::optional<std::string_view> MatchPattern(std::string_view pattern, std::string_view model) {
  const std::string_view prefix = pattern.substr(0, pattern.size() - 1);
  if (model.size() <= prefix.size() || model.substr(0, prefix.size()) != prefix) return std::nullopt;
  return model.substr(prefix.size());
}

std::string Resolve(const std::string& upstream, std::string_view matched) {
  const std::size_t at = upstream.find("{model}");
  if (at == std::string::npos) return upstream;
  std::string resolved = upstream;
  resolved.replace(at, 7, matched);
  return resolved;
}

}  // namespace

Catalog::Catalog(std::vector<ModelAlias> aliases) : aliases_(std::move(aliases)) {
  // Exact names win over patterns; among patterns the longest prefix wins.
  std::stable_sort(aliases_.begin(), aliases_.end(), [](const ModelAlias& a, const ModelAlias& b) {
    if (IsPattern(a.name) != IsPattern(b.name)) return !IsPattern(a.name);
    return IsPattern(a.name) && a.name.size() > b.name.size();
  });
}

const ModelAlias* Catalog::Find(std::string_view model) const {
  for (const ModelAlias& alias : aliases_) {
    if (IsPattern(alias.name) ? MatchPattern(alias.name, model).has_value() : alias.name == model) return &alias;
  }
  return nullptr;
}

std::vector<AliasRoute> Catalog::Routes(std::string_view model) const {
  std::vector<AliasRoute> routes;
  std::set<const ModelAlias*> visited;
  std::vector<std::pair<const ModelAlias*, std::string>> queue;
  if (const ModelAlias* first = Find(model)) queue.emplace_back(first, std::string(model));
  for (std::size_t i = 0; i < queue.size(); ++i) {
    const auto [alias, requested] = queue[i];
    if (!visited.insert(alias).second) continue;
    const std::string_view matched =
        IsPattern(alias->name) ? MatchPattern(alias->name, requested).value_or(requested) : std::string_view(requested);
    AliasRoute& route = routes.emplace_back(AliasRoute{alias, {}});
    for (const providers::Deployment& deployment : alias->deployments) {
      route.candidates.push_back({&deployment, Resolve(deployment.model, matched)});
    }
    for (const std::string& fallback : alias->fallbacks) {
      if (const ModelAlias* next = Find(fallback)) queue.emplace_back(next, fallback);
    }
  }
  return routes;
}

std::vector<std::string> Catalog::Names() const {
  std::vector<std::string> names;
  for (const ModelAlias& alias : aliases_) names.push_back(alias.name);
  return names;
}

}  // namespace strata::gateway
