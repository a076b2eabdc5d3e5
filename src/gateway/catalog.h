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

// The aliases from config, looked up per request. Immutable after build, so
// every worker reads it without locks.
class Catalog {
 public:
  explicit Catalog(std::vector<ModelAlias> aliases);

  // Deployments to try for `model`, in order: the alias's own (by priority,
  // then as listed), then its fallbacks' (each alias visited once). Empty when
  // nothing serves `model`.
  std::vector<Candidate> Plan(std::string_view model) const;

  // The names clients may ask for: exact aliases, then patterns.
  std::vector<std::string> Names() const;
  bool Serves(std::string_view model) const { return Find(model) != nullptr; }

 private:
  const ModelAlias* Find(std::string_view model) const;
  std::vector<ModelAlias> aliases_;
};

}  // namespace strata::gateway
