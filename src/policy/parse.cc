// ParseDocument: YAML -> Document, with every problem reported at its line.
// The format is docs/POLICY.md; each Read* below is one part of it.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <functional>

#include "policy/document.h"
#include "core/yaml_syntax.h"
#include "policy/internal/reader.h"
#include "policy/policy.h"

namespace strata::policy {
namespace {

using internal::Fields;
using internal::KindOf;
using internal::LineOf;
using internal::Problems;
using internal::Shown;

constexpr std::string_view kActionChoices = "allow, flag, redact, mask, block";
constexpr std::array<std::string_view, 4> kEndpoints = {"chat", "completions", "embeddings", "messages"};
constexpr std::chrono::milliseconds kDefaultReviewWait = std::chrono::seconds(30);
constexpr std::chrono::milliseconds kMaxReviewWait = std::chrono::minutes(10);
constexpr std::size_t kMaxNameLength = 64;
// Reserved for the `defaults:` block in matched_rules ("<label>/defaults").
constexpr std::string_view kDefaultsName = "defaults";

// The entity names as the YAML spells them, for suggestions.
std::array<std::string_view, guardrails::kEntityTypeCount> EntityNames() {
  std::array<std::string_view, guardrails::kEntityTypeCount> names{};
  for (int i = 0; i < guardrails::kEntityTypeCount; ++i) {
    names[i] = guardrails::EntityName(static_cast<guardrails::EntityType>(i));
  }
  return names;
}

std::string EntityList() {
  std::string listed;
  for (std::string_view name : EntityNames()) listed += (listed.empty() ? "" : ", ") + std::string(name);
  return listed;
}

// Reads `key` as one scalar and parses it. On a problem, records "<path> must
// be <must_be>, got ..." and returns nullopt.
template <class T>
std::optional<T> ReadScalar(Fields& fields, std::string_view key, std::string_view must_be,
                            const std::function<std::optional<T>(std::string_view)>& parse) {
  const YAML::Node* node = fields.Get(key);
  if (node == nullptr) return std::nullopt;
  if (!node->IsScalar()) {
    fields.Fail(key, "must be " + std::string(must_be) + ", not " + std::string(KindOf(*node)));
    return std::nullopt;
  }
  std::optional<T> value = parse(node->Scalar());
  if (!value) fields.Fail(key, "must be " + std::string(must_be) + ", got " + Shown(node->Scalar()));
  return value;
}

template <class Enum>
std::optional<Enum> ReadChoice(Fields& fields, std::string_view key, std::string_view choices,
                               std::optional<Enum> (*parse)(std::string_view)) {
  return ReadScalar<Enum>(fields, key, "one of " + std::string(choices), parse);
}

// A non-empty list of non-empty strings. `check` returns what an item must be
// when it does not fit (empty string: it fits). nullopt after any problem.
std::optional<std::vector<std::string>> ReadStringList(
    Fields& fields, std::string_view key,
    const std::function<std::string(std::string_view)>& check = [](std::string_view) { return std::string(); }) {
  const YAML::Node* node = fields.Get(key);
  if (node == nullptr) return std::nullopt;
  if (!node->IsSequence()) {
    fields.Fail(key, "must be a list, such as [a, b], not " + std::string(KindOf(*node)));
    return std::nullopt;
  }
  if (node->size() == 0) {
    fields.Fail(key, "must list at least one value (leave the key out to match any)");
    return std::nullopt;
  }
  std::vector<std::string> items;
  bool failed = false;
  std::size_t index = 0;
  for (const YAML::Node& item : *node) {
    const std::string path = fields.PathOf(key) + "[" + std::to_string(index++) + "]";
    const int line = item.IsNull() ? fields.LineOf(key) : LineOf(item);
    if (!item.IsScalar() || item.Scalar().empty()) {
      fields.problems().Add(line, path + " must be a non-empty string, not " +
                                      std::string(item.IsScalar() ? "an empty one" : KindOf(item)));
      failed = true;
      continue;
    }
    if (std::string must_be = check(item.Scalar()); !must_be.empty()) {
      fields.problems().Add(line, path + " must be " + must_be + ", got " + Shown(item.Scalar()));
      failed = true;
      continue;
    }
    items.push_back(item.Scalar());
  }
  if (failed) return std::nullopt;
  return items;
}

// A mapping read by `body`, which gets its Fields. An absent key calls
// nothing; a null value reads as an empty mapping; anything else is refused.
// Returns whether `body` ran.
bool ReadMapping(Fields& fields, std::string_view key, const std::function<void(Fields&)>& body) {
  const YAML::Node* node = fields.Get(key);
  if (node == nullptr) return false;
  if (!node->IsMap() && !node->IsNull()) {
    fields.Fail(key, "must be a mapping of keys, not " + std::string(KindOf(*node)));
    return false;
  }
  Fields child(*node, fields.PathOf(key), fields.LineOf(key), fields.problems());
  body(child);
  child.RejectUnknownKeys();
  return true;
}

void ReadMetadata(Fields& when, Conditions& conditions) {
  const YAML::Node* node = when.Get("metadata");
  if (node == nullptr) return;
  if (!node->IsMap() || node->size() == 0) {
    when.Fail("metadata", "must be a non-empty mapping of metadata keys to values, such as {env: prod}, not " +
                              std::string(node->IsMap() ? "an empty one" : KindOf(*node)));
    return;
  }
  for (const auto& pair : *node) {
    const int line = LineOf(pair.first);
    if (!pair.first.IsScalar() || pair.first.Scalar().empty()) {
      when.problems().Add(line, when.PathOf("metadata") + " keys must be non-empty names");
      continue;
    }
    const std::string& key = pair.first.Scalar();
    const std::string path = when.PathOf("metadata") + "." + key;
    const auto same = [&](const auto& existing) { return existing.first == key; };
    if (std::any_of(conditions.metadata.begin(), conditions.metadata.end(), same)) {
      when.problems().Add(line, "duplicate key '" + path + "'");
      continue;
    }
    if (!pair.second.IsScalar()) {
      when.problems().Add(line, path + " must be a value or a pattern such as 'billing*', not " +
                                    std::string(KindOf(pair.second)));
      continue;
    }
    conditions.metadata.emplace_back(key, Glob(pair.second.Scalar()));
  }
}

std::optional<double> NonNegative(std::string_view text) {
  std::optional<double> value = internal::ParseNumber(text);
  if (!value || *value < 0) return std::nullopt;
  return value;
}

void ReadCost(Fields& cost, Conditions& conditions) {
  conditions.cost_above = ReadScalar<double>(cost, "above", "a number of US dollars, at least 0", NonNegative);
  conditions.cost_below = ReadScalar<double>(cost, "below", "a number of US dollars, at least 0", NonNegative);
  if (!cost.Has("above") && !cost.Has("below")) {
    cost.problems().Add(cost.line(), cost.path() + " must give above, below or both");
  } else if (conditions.cost_above && conditions.cost_below && *conditions.cost_above >= *conditions.cost_below) {
    cost.Fail("below", "must be more than " + cost.PathOf("above") + ", or no cost could match");
  }
}

void ReadFindingsItem(Fields& item, FindingsCondition& condition) {
  static constexpr std::string_view kSources = "input, output, any";
  condition.in = ReadChoice<FindingsSource>(item, "in", kSources, [](std::string_view text) {
                   if (text == "input") return std::optional(FindingsSource::kInput);
                   if (text == "output") return std::optional(FindingsSource::kOutput);
                   if (text == "any") return std::optional(FindingsSource::kAny);
                   return std::optional<FindingsSource>();
                 }).value_or(FindingsSource::kInput);
  condition.types.fill(true);
  static const std::array<std::string_view, guardrails::kEntityTypeCount> names = EntityNames();
  std::optional<std::vector<std::string>> types = ReadStringList(item, "types", [](std::string_view name) {
    if (ParseEntityType(name)) return std::string();
    std::optional<std::string_view> guess = internal::Suggest(name, names);
    return guess ? "an entity type such as '" + std::string(*guess) + "' (did you mean it?)"
                 : "an entity type: one of " + EntityList();
  });
  if (types) {
    condition.types.fill(false);
    for (const std::string& name : *types) condition.types[static_cast<int>(*ParseEntityType(name))] = true;
  }
  condition.min_score = ReadScalar<double>(item, "min_score", "a number between 0 and 1", [](std::string_view text) {
                          std::optional<double> value = internal::ParseNumber(text);
                          if (!value || *value < 0 || *value > 1) return std::optional<double>();
                          return value;
                        }).value_or(0.0);
  condition.min_count = static_cast<int>(
      ReadScalar<long long>(item, "min_count", "a whole number between 1 and 1000000", [](std::string_view text) {
        std::optional<long long> value = internal::ParseCount(text);
        if (!value || *value < 1 || *value > 1'000'000) return std::optional<long long>();
        return value;
      }).value_or(1));
}

// `findings:` is one mapping or a list of them; the rule's condition holds
// when any of them does.
void ReadFindings(Fields& when, Conditions& conditions) {
  const YAML::Node* node = when.Get("findings");
  if (node == nullptr) return;
  const std::string path = when.PathOf("findings");
  const auto read_one = [&](const YAML::Node& map, std::string item_path, int line) {
    Fields item(map, std::move(item_path), line, when.problems());
    ReadFindingsItem(item, conditions.findings.emplace_back());
    item.RejectUnknownKeys();
  };
  if (node->IsMap()) {
    read_one(*node, path, when.LineOf("findings"));
    return;
  }
  if (!node->IsSequence() || node->size() == 0) {
    when.Fail("findings", "must be a mapping such as {types: [EMAIL]}, or a non-empty list of them, not " +
                              std::string(node->IsSequence() ? "an empty list" : KindOf(*node)));
    return;
  }
  std::size_t index = 0;
  for (const YAML::Node& item : *node) {
    std::string item_path = path + "[" + std::to_string(index++) + "]";
    const int line = item.IsNull() ? when.LineOf("findings") : LineOf(item);
    if (!item.IsMap()) {
      when.problems().Add(line, item_path + " must be a mapping such as {types: [EMAIL]}, not " +
                                    std::string(KindOf(item)));
      continue;
    }
    read_one(item, std::move(item_path), line);
  }
}

void ReadWhen(Fields& when, Conditions& conditions) {
  conditions.tenants = ReadStringList(when, "tenants").value_or(std::vector<std::string>{});
  conditions.teams = ReadStringList(when, "teams").value_or(std::vector<std::string>{});
  conditions.keys = ReadStringList(when, "keys").value_or(std::vector<std::string>{});
  for (const std::string& pattern : ReadStringList(when, "models").value_or(std::vector<std::string>{})) {
    conditions.models.emplace_back(pattern);
  }
  conditions.endpoints = ReadStringList(when, "endpoints", [](std::string_view endpoint) {
                           const bool known =
                               std::find(kEndpoints.begin(), kEndpoints.end(), endpoint) != kEndpoints.end();
                           return known ? std::string() : "one of chat, completions, embeddings, messages";
                         }).value_or(std::vector<std::string>{});
  ReadMetadata(when, conditions);
  ReadMapping(when, "estimated_cost_usd", [&](Fields& cost) { ReadCost(cost, conditions); });
  ReadFindings(when, conditions);
}

// `input:` / `output:`: one action for every entity type, or a mapping of
// entity types (and `default`) to actions.
void ReadActions(Fields& then, std::string_view key, ActionTable& table) {
  const YAML::Node* node = then.Get(key);
  if (node == nullptr) return;
  const std::string path = then.PathOf(key);
  const std::string must_be = "one of " + std::string(kActionChoices);
  if (node->IsScalar()) {
    if (std::optional<Action> action = ParseAction(node->Scalar())) {
      table.fill(*action);
    } else {
      then.Fail(key, "must be " + must_be + " (or a mapping of entity types to them), got " + Shown(node->Scalar()));
    }
    return;
  }
  if (!node->IsMap() || node->size() == 0) {
    then.Fail(key, "must be an action (" + std::string(kActionChoices) +
                       ") or a mapping such as {EMAIL: redact, default: flag}, not " +
                       std::string(node->IsMap() ? "an empty mapping" : KindOf(*node)));
    return;
  }
  static const std::array<std::string_view, guardrails::kEntityTypeCount + 1> known = [] {
    std::array<std::string_view, guardrails::kEntityTypeCount + 1> names{};
    std::ranges::copy(EntityNames(), names.begin());
    names.back() = "default";
    return names;
  }();
  // Named types win over `default` wherever it is written.
  std::optional<Action> fallback;
  std::array<std::optional<Action>, guardrails::kEntityTypeCount> named{};
  std::vector<std::string> seen;
  for (const auto& pair : *node) {
    const int line = LineOf(pair.first);
    const std::string name = pair.first.IsScalar() ? pair.first.Scalar() : std::string();
    const std::optional<guardrails::EntityType> type = ParseEntityType(name);
    if (!type && name != "default") {
      std::string message = "unknown entity type " + Shown(name) + " in '" + path + "'";
      if (std::optional<std::string_view> guess = internal::Suggest(name, known)) {
        message += "; did you mean '" + std::string(*guess) + "'?";
      } else {
        message += " (known: " + EntityList() + ", default)";
      }
      then.problems().Add(line, std::move(message));
      continue;
    }
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      then.problems().Add(line, "duplicate key '" + path + "." + name + "'");
      continue;
    }
    seen.push_back(name);
    const std::string item_path = path + "." + name;
    if (!pair.second.IsScalar()) {
      then.problems().Add(line, item_path + " must be " + must_be + ", not " + std::string(KindOf(pair.second)));
      continue;
    }
    const std::optional<Action> action = ParseAction(pair.second.Scalar());
    if (!action) {
      then.problems().Add(line, item_path + " must be " + must_be + ", got " + Shown(pair.second.Scalar()));
      continue;
    }
    (type ? named[static_cast<int>(*type)] : fallback) = *action;
  }
  for (std::size_t i = 0; i < table.size(); ++i) {
    table[i] = named[i].value_or(fallback.value_or(Action::kAllow));
  }
}

void ReadThen(Fields& then, Settings& settings) {
  ReadActions(then, "input", settings.input);
  ReadActions(then, "output", settings.output);
  settings.restore = ReadScalar<bool>(then, "restore", "true or false", internal::ParseBool);
  ReadMapping(then, "route", [&](Fields& route) {
    settings.require_tags = ReadStringList(route, "require_tags").value_or(std::vector<std::string>{});
    if (!route.Has("require_tags")) {
      route.problems().Add(route.line(), route.PathOf("require_tags") + " is required (the tags a deployment must carry)");
    }
  });
  settings.review = ReadChoice<ReviewMode>(then, "review", "none, queued, blocking", ParseReviewMode);
  const std::optional<std::chrono::milliseconds> wait = ReadScalar<std::chrono::milliseconds>(
      then, "review_wait", "a duration of at most 10m, such as '500ms', '30s' or '2m'",
      [](std::string_view text) -> std::optional<std::chrono::milliseconds> {
        std::optional<std::chrono::milliseconds> value = internal::ParseDuration(text);
        if (!value || *value > kMaxReviewWait) return std::nullopt;
        return value;
      });
  settings.log_content = ReadChoice<ContentLogging>(then, "log_content", "full, redacted, none", ParseContentLogging);

  const bool reviews = settings.review && *settings.review != ReviewMode::kNone;
  if (reviews) settings.review_wait = wait.value_or(kDefaultReviewWait);
  if (then.Has("review_wait") && !reviews && !then.Has("review")) {
    then.Fail("review_wait", "needs " + then.PathOf("review") + ": queued or blocking");
  } else if (then.Has("review_wait") && settings.review == ReviewMode::kNone) {
    then.Fail("review_wait", "has no effect with review: none");
  }
  if (then.NoneKnown()) {
    then.problems().Add(then.line(), then.path() +
                                         " must set at least one of input, output, restore, route, review, "
                                         "review_wait, log_content");
  }
}

bool IsValidName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxNameLength && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
  });
}

void ReadRule(Fields& item, Rule& rule, const std::vector<Rule>& earlier) {
  rule.line = item.line();
  const std::optional<std::string> name = ReadScalar<std::string>(
      item, "name", "1 to 64 letters, digits, '_', '.' or '-'", [](std::string_view text) -> std::optional<std::string> {
        if (!IsValidName(text)) return std::nullopt;
        return std::string(text);
      });
  if (!item.Has("name")) {
    item.Fail("name", "is required");
  } else if (name && *name == kDefaultsName) {
    item.Fail("name", "must not be 'defaults': that name cites the document's defaults: block");
  } else if (name) {
    const auto same = [&](const Rule& other) { return other.name == *name; };
    if (auto first = std::find_if(earlier.begin(), earlier.end(), same); first != earlier.end()) {
      item.Fail("name", "'" + *name + "' is already used by the rule at line " + std::to_string(first->line) +
                            ": rule names must be unique in a document");
    }
    rule.name = *name;
  }
  rule.description =
      ReadScalar<std::string>(item, "description", "text", [](std::string_view text) {
        return std::optional(std::string(text));
      }).value_or("");
  ReadMapping(item, "when", [&](Fields& when) { ReadWhen(when, rule.when); });
  if (!ReadMapping(item, "then", [&](Fields& then) { ReadThen(then, rule.then); }) && !item.Has("then")) {
    item.Fail("then", "is required: what the rule does when it matches");
  }
  rule.output_dependent = std::any_of(rule.when.findings.begin(), rule.when.findings.end(),
                                      [](const FindingsCondition& c) { return c.in != FindingsSource::kInput; });
}

std::shared_ptr<Document> ReadDocument(const YAML::Node& root, std::string path, Problems& problems) {
  auto document = std::make_shared<Document>();
  const std::string where = path.empty() ? "a policy document" : "'" + path + "'";
  if (!root.IsMap()) {
    problems.Add(LineOf(root), where + " must be a mapping with rules: (and optionally defaults:), not " +
                                   std::string(KindOf(root)));
    return document;
  }
  Fields top(root, std::move(path), LineOf(root), problems);
  ReadMapping(top, "defaults", [&](Fields& defaults) {
    Rule& rule = document->rules.emplace_back();
    rule.name = kDefaultsName;
    rule.line = defaults.line();
    ReadThen(defaults, rule.then);
  });
  const YAML::Node* rules = top.Get("rules");
  if (rules == nullptr || rules->IsNull()) {
    if (!top.Has("defaults")) top.Fail("rules", "is required: a list of rules");
  } else if (!rules->IsSequence()) {
    top.Fail("rules", "must be a list of rules, not " + std::string(KindOf(*rules)));
  } else {
    std::size_t index = 0;
    for (const YAML::Node& item : *rules) {
      const std::string item_path = top.PathOf("rules") + "[" + std::to_string(index++) + "]";
      const int line = item.IsNull() ? top.LineOf("rules") : LineOf(item);
      if (!item.IsMap()) {
        problems.Add(line, item_path + " must be a mapping with name: and then:, not " + std::string(KindOf(item)));
        continue;
      }
      Fields fields(item, item_path, line, problems);
      Rule rule;
      ReadRule(fields, rule, document->rules);
      fields.RejectUnknownKeys();
      document->rules.push_back(std::move(rule));
    }
  }
  top.RejectUnknownKeys();
  return document;
}

core::Result<std::shared_ptr<const Document>> Finish(std::shared_ptr<Document> document, const Problems& problems,
                                                     std::string_view source, std::string scope, std::string label,
                                                     std::vector<ParseProblem>* out) {
  if (!problems.empty()) return problems.ToError(out);
  document->source = std::string(source);
  document->scope = std::move(scope);
  document->label = std::move(label);
  for (Rule& rule : document->rules) rule.citation = document->label + "/" + rule.name;
  return std::shared_ptr<const Document>(std::move(document));
}

}  // namespace

core::Result<std::shared_ptr<const Document>> ParseDocument(const YAML::Node& node, std::string_view source,
                                                            std::string scope, std::string label,
                                                            std::string_view path, std::vector<ParseProblem>* out) {
  Problems problems(source);
  std::shared_ptr<Document> document = ReadDocument(node, std::string(path), problems);
  return Finish(std::move(document), problems, source, std::move(scope), std::move(label), out);
}

core::Result<std::shared_ptr<const Document>> ParseDocument(std::string_view yaml, std::string_view source,
                                                            std::string scope, std::string label,
                                                            std::vector<ParseProblem>* out) {
  Problems problems(source);
  if (const core::SyntaxProblem syntax = core::CheckYamlSyntax(yaml); syntax.line > 0) {
    problems.Add(syntax.line, "invalid YAML: " + syntax.message);
    return problems.ToError(out);
  }
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::Exception& error) {
    problems.Add(error.mark.is_null() ? 0 : error.mark.line + 1, "invalid YAML: " + error.msg);
    return problems.ToError(out);
  }
  if (documents.size() > 1) {
    problems.Add(LineOf(documents[1]), "a policy holds one YAML document; found another here");
    return problems.ToError(out);
  }
  const YAML::Node root = documents.empty() ? YAML::Node() : documents.front();
  std::shared_ptr<Document> document = ReadDocument(root, "", problems);
  return Finish(std::move(document), problems, source, std::move(scope), std::move(label), out);
}

}  // namespace strata::policy
