#pragma once

// The price of every model Strata knows, by model id.
//
//   const pricing::PriceTable& prices = ...;  // built once at startup
//   if (std::optional<pricing::ModelPrice> price = prices.Find(upstream_model)) {
//     exchange.cost = pricing::ComputeCost(*price, exchange.usage);
//   } else {
//     // unknown model: report the cost as unknown, never as 0
//   }
//
// The table starts from the one shipped in the binary (src/pricing/prices.yaml:
// public list prices, dated) and takes operators' overrides on top. The file
// format, the override rules and the `pricing:` config section are described
// in docs/PRICING.md.

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "pricing/cost.h"

// Declared, not included: callers that hold a YAML::Node already link
// yaml-cpp; everyone else need not see it.
namespace YAML {
class Node;
}

namespace strata::pricing {

// Model id -> ModelPrice. Built once at startup, then read-only: const methods
// are safe to call from any number of threads at once.
//
// Find's matching rule, in order:
//   1. exact: a model id or one of its aliases, compared byte for byte;
//   2. snapshot: the longest id or alias K such that the model is
//      K + sep + suffix, where sep is '-', '@' or ':' and suffix starts with
//      at least three digits: "gpt-4o-2024-08-06" and "claude-sonnet-4-5-20250929"
//      are priced as "gpt-4o" and "claude-sonnet-4-5", "gemini-2.0-flash-001" as
//      "gemini-2.0-flash", "claude-3-5-sonnet-v2@20241022" as "claude-3-5-sonnet-v2".
// Anything else is unknown. In particular a *variant* is never priced as its
// base model: "gpt-4o-mini" is not "gpt-4o", "o3-pro" is not "o3", and
// "claude-opus-4-1" is not "claude-opus-4" (a one-digit suffix is a version,
// not a date).
class PriceTable {
 public:
  // An empty table: prices nothing.
  PriceTable() = default;

  // The table shipped in the binary, parsed once on first use. The build's
  // tests prove it parses; if it did not, this would abort at startup.
  static const PriceTable& Default();

  // Parses a price document (the shape of prices.yaml: `models:` plus the
  // optional `taken_on`, `currency` and `source`). Every problem is reported,
  // one "file_name:line: message" per line in line order, as one
  // kInvalidRequest error; unknown keys are refused.
  static core::Result<PriceTable> Parse(std::string_view yaml, std::string_view file_name);

  // Reads and parses `path` (named by its path in errors). A missing file is
  // kNotFound; one that cannot be read is kInvalidRequest.
  static core::Result<PriceTable> LoadFile(const std::string& path);

  // The `pricing:` section of the main config (shape in docs/PRICING.md):
  // the default table unless `defaults: false`, then `file` merged over it,
  // then `models` merged over that. Errors in the section read
  // "file_name:line: message" with the config's line numbers (unknown keys
  // refused, with a "did you mean"); errors inside `file` name that file and
  // its lines. All come back as one kInvalidRequest error, one problem per
  // line. A null or absent section (an undefined or null node) yields
  // Default(). `${VAR}` interpolation is not applied here.
  static core::Result<PriceTable> FromConfig(const YAML::Node& pricing, std::string_view file_name);

  // Parses just a `models:` mapping node, e.g. one taken from a larger
  // document; `path` prefixes the keys in messages ("pricing.models").
  static core::Result<PriceTable> ParseModels(const YAML::Node& models, std::string_view file_name,
                                              std::string_view path = "models");

  // Lays `overrides` over this table. Each model in `overrides` replaces the
  // whole entry of the same id (no field-by-field merge: what the override
  // says is what is charged; left-out fields take their defaults, not the old
  // entry's values). Aliases an override declares move to it. The aliases the
  // old entry had keep pointing at the id, so they get the new price.
  // `taken_on` stays this table's.
  void Merge(const PriceTable& overrides);

  // The price of `model` by the rule above, or nullopt when the table does not
  // know it. ModelPrice::model is the id that matched.
  std::optional<ModelPrice> Find(std::string_view model) const;

  // Number of model entries (aliases not counted).
  std::size_t size() const { return models_.size(); }
  bool empty() const { return models_.empty(); }
  // Every model id and alias, sorted.
  std::vector<std::string> Ids() const;
  // The model ids alone, sorted.
  std::vector<std::string> ModelIds() const;
  // When the prices were taken ("2026-11-23"), as the document said; may be empty.
  const std::string& taken_on() const { return taken_on_; }

 private:
  friend class TableBuilder;

  // The id `model` matches exactly (itself or the model an alias names), or nullptr.
  const ModelPrice* FindExact(std::string_view model) const;

  std::map<std::string, ModelPrice, std::less<>> models_;
  std::map<std::string, std::string, std::less<>> aliases_;  // alias -> model id
  std::string taken_on_;
};

}  // namespace strata::pricing
