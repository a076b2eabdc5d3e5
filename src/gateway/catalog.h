#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/options.h"

namespace strata::gateway {

// One deployment to try, with the upstream model resolved for this request.
struct Candidate {
  const providers::Deployment* deployment;
  std::string upstream_model;
};

// An alias a request may be served by, with its candidates.
struct AliasRoute {
  const ModelAlias* alias;
  std::vector<Candidate> candidates;
};

// The aliases from config, looked up per request. Immutable after build, so
// every worker reads it without locks.
class Catalog {
 public:
  explicit Catalog(std::vector<ModelAlias> aliases);

  // The aliases that may serve `model`: its own, then its fallbacks (each
  // alias once, breadth first). Empty when nothing serves `model`.
  std::vector<AliasRoute> Routes(std::string_view model) const;

  const std::vector<ModelAlias>& aliases() const { return aliases_; }

  // The names clients may ask for: exact aliases, then patterns.
  std::vector<std::string> Names() const;
  bool Serves(std::string_view model) const { return Find(model) != nullptr; }

 private:
  const ModelAlias* Find(std::string_view model) const;
  std::vector<ModelAlias> aliases_;
};

}  // namespace strata::gateway
