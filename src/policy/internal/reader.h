#pragma once

// A small YAML walker for policy documents, in the spirit of the config's
// Section (src/config/yaml_reader.h) but without `${VAR}` interpolation: the
// policy module sits below config, so it cannot use that one. Every problem
// is recorded with its line and the walk goes on, so one parse reports all.

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "policy/policy.h"

namespace strata::policy::internal {

// 1-based; 0 when yaml-cpp knows no position (an absent node).
int LineOf(const YAML::Node& node);
// "a mapping", "a list", "a single value", "an empty value": for messages.
std::string_view KindOf(const YAML::Node& node);
// A value quoted for a message, cut at a newline or after 80 characters.
std::string Shown(std::string_view text);
// The closest of `known` when it is close enough to be a likely typo.
std::optional<std::string_view> Suggest(std::string_view unknown, std::span<const std::string_view> known);

// The problems of one document, each rendered "source:line: message".
class Problems {
 public:
  explicit Problems(std::string_view source) : source_(source) {}

  void Add(int line, std::string message);
  bool empty() const { return entries_.empty(); }
  // All of them, ordered by line (stable within a line), one per line, as a
  // kInvalidRequest error; also into `out` when given.
  core::Error ToError(std::vector<ParseProblem>* out = nullptr) const;

 private:
  using Entry = ParseProblem;
  std::string source_;
  std::vector<Entry> entries_;
};

// One YAML mapping being read. Keys are asked for by name; after the reads,
// RejectUnknownKeys reports the others with a "did you mean".
class Fields {
 public:
  // `node` must be a mapping or null (an empty one). `line` is where the
  // mapping is, for problems about a key that is absent. Repeated keys and
  // keys that are not plain names are reported here.
  Fields(const YAML::Node& node, std::string path, int line, Problems& problems);

  // The value of `key`, marking it as known; nullptr when absent.
  const YAML::Node* Get(std::string_view key);
  bool Has(std::string_view key) const;
  // Whether none of the keys present is a known one (only meaningful after
  // the reads).
  bool NoneKnown() const;
  // "rules[0].when.models"
  std::string PathOf(std::string_view key) const;
  // The line of `key`, or of the mapping when the key is absent.
  int LineOf(std::string_view key) const;
  // Records "<path of key> <message>" at the key's line.
  void Fail(std::string_view key, std::string_view message);
  void RejectUnknownKeys();

  const std::string& path() const { return path_; }
  int line() const { return line_; }
  Problems& problems() { return *problems_; }

 private:
  struct Entry {
    std::string key;
    YAML::Node value;
    int line = 0;
  };
  const Entry* Find(std::string_view key) const;

  std::string path_;
  int line_;
  Problems* problems_;
  std::vector<Entry> entries_;
  std::vector<std::string_view> asked_;  // keys are literals of the reader: they outlive it
};

// Scalar parsers: nullopt when the text does not fit.
// "true" or "false" in any case; YAML 1.1's yes/no/on/off are refused.
std::optional<bool> ParseBool(std::string_view text);
// A finite decimal number ("0.1", "5", "1e-3").
std::optional<double> ParseNumber(std::string_view text);
// A base-10 integer without sign.
std::optional<long long> ParseCount(std::string_view text);
// <number><unit> parts, units ms, s, m, h ("500ms", "30s", "1.5m", "1m30s"),
// a whole number of milliseconds in all. A bare number is refused.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace strata::policy::internal
