#include "pricing/price_table.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <sstream>
#include <utility>

#include "pricing/internal/embedded_prices.h"

namespace strata::pricing {
namespace {

// Problems found in one document, reported together as "file:line: message".
class Problems {
 public:
  explicit Problems(std::string_view file_name) : file_name_(file_name) {}

  void Add(int line, std::string text) { entries_.push_back({line, std::move(text)}); }
  // An error already formatted elsewhere (another file's problems), kept after ours.
  void AddFormatted(std::string text) { formatted_.push_back(std::move(text)); }
  bool empty() const { return entries_.empty() && formatted_.empty(); }

  core::Error ToError() const {
    std::vector<Entry> sorted = entries_;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) { return a.line < b.line; });
    std::string message;
    for (const Entry& entry : sorted) {
      if (!message.empty()) {
        message += '\n';
      }
      message += file_name_;
      if (entry.line > 0) {
        message += ':' + std::to_string(entry.line);
      }
      message += ": " + entry.text;
    }
    for (const std::string& text : formatted_) {
      if (!message.empty()) {
        message += '\n';
      }
      message += text;
    }
    return core::Error::InvalidRequest(std::move(message));
  }

 private:
  struct Entry {
    int line;
    std::string text;
  };
  std::string file_name_;
  std::vector<Entry> entries_;
  std::vector<std::string> formatted_;
};

int LineOf(const YAML::Node& node) { return node.Mark().line + 1; }  // null marks are -1: 0, "no line"

std::string Join(std::initializer_list<std::string_view> words) {
  std::string joined;
  for (std::string_view word : words) {
    if (!joined.empty()) {
      joined += ", ";
    }
    joined += word;
  }
  return joined;
}

// A price: a plain decimal number ("2.50", "0", ".5"), no sign, exponent or unit,
// at most kMaxUsdPerMillionTokens. YAML would accept ".inf" or "1e3" as floats;
// a price file has no use for them, and refusing them catches typos.
std::optional<double> ParseUsd(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789.") != std::string::npos ||
      std::count(text.begin(), text.end(), '.') > 1 || text == ".") {
    return std::nullopt;
  }
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > kMaxUsdPerMillionTokens) {
    return std::nullopt;
  }
  return value;
}

bool ValidId(const std::string& id) {
  return !id.empty() && std::none_of(id.begin(), id.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; });
}

// Rates as written, before defaults are filled in.
struct WrittenRates {
  std::optional<double> input, output, cached_input, cache_write, cache_write_1h, reasoning;
};

// The rates of one tier with the documented defaults applied.
TokenRates Resolve(const WrittenRates& written) {
  TokenRates rates;
  rates.input = written.input.value_or(0);
  rates.output = written.output.value_or(0);
  rates.cached_input = written.cached_input.value_or(rates.input);
  rates.cache_write = written.cache_write.value_or(rates.input);
  rates.cache_write_1h = written.cache_write_1h.value_or(rates.cache_write);
  rates.reasoning = written.reasoning.value_or(rates.output);
  return rates;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return Lower(x) == Lower(y);
         });
}

// Edit distance with adjacent transpositions counted as one edit (the same
// measure src/config uses for its "did you mean"), case-insensitive.
std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = Lower(a[i - 1]) == Lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && Lower(a[i - 1]) == Lower(b[j - 2]) && Lower(a[i - 2]) == Lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// "unknown key 'cahced_input' in 'models.gpt-4o'; did you mean 'cached_input'?",
// or the list of known keys when none is close: a price file has few keys.
std::string UnknownKey(std::string_view path, std::string_view key, std::initializer_list<std::string_view> known) {
  std::string message = "unknown key '" + std::string(key) + "' ";
  message += path.empty() ? "at the top level" : "in '" + std::string(path) + "'";
  std::string_view best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (std::string_view candidate : known) {
    const std::size_t distance = EditDistance(key, candidate);
    const std::size_t allowed = candidate.size() <= 4 ? 1 : candidate.size() <= 8 ? 2 : 3;
    if (distance <= allowed && distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  if (!best.empty()) {
    return message + "; did you mean '" + std::string(best) + "'?";
  }
  return message + " (known: " + Join(known) + ")";
}

std::string PathOf(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : std::string(parent) + "." + std::string(key);
}

// One key of a mapping, with its line.
struct Field {
  std::string key;
  YAML::Node value;
  int line = 0;
};

// The keys of `map` in order, each once: a key written twice is reported and
// its second value ignored.
std::vector<Field> FieldsOf(const YAML::Node& map, std::string_view path, Problems& problems) {
  std::vector<Field> fields;
  for (const auto& item : map) {
    Field field{item.first.IsScalar() ? item.first.Scalar() : std::string(), item.second, LineOf(item.first)};
    const auto first = std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.key == field.key; });
    if (first != fields.end()) {
      problems.Add(field.line, "duplicate key '" + PathOf(path, field.key) + "' (first at line " +
                                   std::to_string(first->line) + ")");
      continue;
    }
    fields.push_back(std::move(field));
  }
  return fields;
}

// true or false, in any letter case (yes/no/on/off are refused, as in src/config).
std::optional<bool> ParseBool(const YAML::Node& value) {
  if (value.IsScalar()) {
    if (EqualsIgnoringCase(value.Scalar(), "true")) return true;
    if (EqualsIgnoringCase(value.Scalar(), "false")) return false;
  }
  return std::nullopt;
}

}  // namespace

// Walks YAML into a PriceTable, recording every problem instead of stopping at
// the first, so one run of `strata config check` shows them all.
class TableBuilder {
 public:
  TableBuilder(PriceTable& table, Problems& problems) : table_(table), problems_(problems) {}

  void Document(const YAML::Node& root) {
    if (root.IsNull() || !root.IsDefined()) {
      problems_.Add(0, "a price file needs a 'models' mapping");
      return;
    }
    if (!root.IsMap()) {
      problems_.Add(LineOf(root), "the top level must be a mapping with a 'models' key");
      return;
    }
    bool has_models = false;
    for (const Field& field : FieldsOf(root, "", problems_)) {
      if (field.key == "taken_on" || field.key == "source") {
        if (!field.value.IsScalar()) {
          problems_.Add(field.line, field.key + " must be text");
        } else if (field.key == "taken_on") {
          table_.taken_on_ = field.value.Scalar();
        }
      } else if (field.key == "currency") {
        if (!field.value.IsScalar() || field.value.Scalar() != "USD") {
          problems_.Add(field.line, "currency must be USD (prices are US dollars per 1M tokens)");
        }
      } else if (field.key == "models") {
        has_models = true;
        Models(field.value, "models", field.line);
      } else {
        problems_.Add(field.line, UnknownKey("", field.key, {"taken_on", "currency", "source", "models"}));
      }
    }
    if (!has_models) {
      problems_.Add(LineOf(root), "a price file needs a 'models' mapping");
    }
  }

  // `path` names the mapping in messages ("models", "pricing.models").
  void Models(const YAML::Node& models, std::string_view path, int line) {
    if (models.IsNull()) {
      return;  // `models:` with nothing under it: no models, not an error
    }
    if (!models.IsMap()) {
      problems_.Add(line, std::string(path) + " must be a mapping of model id to prices");
      return;
    }
    for (const Field& field : FieldsOf(models, path, problems_)) {
      Model(field, std::string(path));
    }
  }

 private:
  void Model(const Field& entry, const std::string& parent) {
    const std::string& id = entry.key;
    const int line = entry.line;
    const std::string path = PathOf(parent, id);
    if (!ValidId(id)) {
      problems_.Add(line, parent + " has a model id that is empty or contains spaces");
      return;
    }
    if (!Declare(id, line, path)) {
      return;
    }
    if (!entry.value.IsMap()) {
      problems_.Add(line, path + " must be a mapping of prices, e.g. {input: 2.50, output: 10.00}");
      return;
    }

    ModelPrice price;
    price.model = id;
    WrittenRates written;
    std::vector<std::string> aliases;
    std::optional<Field> long_context;
    for (const Field& field : FieldsOf(entry.value, path, problems_)) {
      if (Rate(field, path, written)) {
        continue;
      }
      if (field.key == "embedding") {
        const std::optional<bool> embedding = ParseBool(field.value);
        if (!embedding) {
          problems_.Add(field.line, path + ".embedding must be true or false");
        }
        price.embedding = embedding.value_or(false);
      } else if (field.key == "aliases") {
        aliases = Aliases(field, path + ".aliases");
      } else if (field.key == "long_context") {
        long_context = field;
      } else {
        problems_.Add(field.line, UnknownKey(path, field.key,
                                             {"input", "output", "cached_input", "cache_write", "cache_write_1h",
                                              "reasoning", "embedding", "aliases", "long_context"}));
      }
    }

    if (!written.input) {
      problems_.Add(line, path + " needs an 'input' price");
    }
    if (price.embedding) {
      const std::pair<const char*, const std::optional<double>*> inapplicable[] = {
          {"output", &written.output},
          {"cached_input", &written.cached_input},
          {"cache_write", &written.cache_write},
          {"cache_write_1h", &written.cache_write_1h},
          {"reasoning", &written.reasoning}};
      for (const auto& [field, rate] : inapplicable) {
        if (rate->has_value()) {
          problems_.Add(line, path + "." + field + " does not apply: an embedding model has only an 'input' price");
        }
      }
      if (long_context) {
        problems_.Add(long_context->line, path + ".long_context does not apply to an embedding model");
      }
      // Input only: every input class at the input price, no output.
      price.rates = TokenRates{};
      price.rates.input = price.rates.cached_input = price.rates.cache_write = price.rates.cache_write_1h =
          written.input.value_or(0);
    } else {
      if (!written.output) {
        problems_.Add(line, path + " needs an 'output' price (or 'embedding: true' for an embedding model)");
      }
      price.rates = Resolve(written);
      if (long_context) {
        price.long_context = LongContext(*long_context, path + ".long_context");
      }
    }

    table_.models_[id] = std::move(price);
    for (std::string& alias : aliases) {
      table_.aliases_[alias] = id;
    }
  }

  // Reads `field` into `written` if it is one of the six rates; false if it is not a rate.
  bool Rate(const Field& field, const std::string& path, WrittenRates& written) {
    const std::string& name = field.key;
    std::optional<double>* slot = name == "input"            ? &written.input
                                  : name == "output"         ? &written.output
                                  : name == "cached_input"   ? &written.cached_input
                                  : name == "cache_write"    ? &written.cache_write
                                  : name == "cache_write_1h" ? &written.cache_write_1h
                                  : name == "reasoning"      ? &written.reasoning
                                                             : nullptr;
    if (slot == nullptr) {
      return false;
    }
    std::optional<double> usd = field.value.IsScalar() ? ParseUsd(field.value.Scalar()) : std::nullopt;
    if (!usd) {
      problems_.Add(field.line, path + "." + name +
                                    " must be a price in US dollars per 1M tokens: a plain number from 0 to 1000000, "
                                    "like 2.50");
    }
    *slot = usd.value_or(0);
    return true;
  }

  std::vector<std::string> Aliases(const Field& field, const std::string& path) {
    std::vector<std::string> aliases;
    if (!field.value.IsSequence()) {
      problems_.Add(field.line, path + " must be a list of model ids, e.g. [gpt-4o-latest]");
      return aliases;
    }
    for (const YAML::Node& item : field.value) {
      const int item_line = LineOf(item);
      if (!item.IsScalar() || !ValidId(item.Scalar())) {
        problems_.Add(item_line, path + " has an entry that is not a model id (empty, a list, or with spaces)");
        continue;
      }
      if (Declare(item.Scalar(), item_line, path + " entry '" + item.Scalar() + "'")) {
        aliases.push_back(item.Scalar());
      }
    }
    return aliases;
  }

  std::optional<LongContextTier> LongContext(const Field& field, const std::string& path) {
    if (!field.value.IsMap()) {
      problems_.Add(field.line, path + " must be a mapping: {above_input_tokens: 200000, input: ..., output: ...}");
      return std::nullopt;
    }
    LongContextTier tier;
    WrittenRates written;
    bool has_threshold = false;
    for (const Field& item : FieldsOf(field.value, path, problems_)) {
      if (Rate(item, path, written)) {
        continue;
      }
      if (item.key == "above_input_tokens") {
        has_threshold = true;
        const std::string text = item.value.IsScalar() ? item.value.Scalar() : std::string();
        std::uint64_t threshold = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), threshold);
        if (text.empty() || error != std::errc() || end != text.data() + text.size() || threshold == 0) {
          problems_.Add(item.line, path + ".above_input_tokens must be a whole number of tokens above 0");
        }
        tier.above_input_tokens = threshold;
      } else {
        problems_.Add(item.line, UnknownKey(path, item.key,
                                            {"above_input_tokens", "input", "output", "cached_input", "cache_write",
                                             "cache_write_1h", "reasoning"}));
      }
    }
    if (!has_threshold) {
      problems_.Add(field.line, path + " needs 'above_input_tokens'");
    }
    if (!written.input || !written.output) {
      problems_.Add(field.line, path + " needs both an 'input' and an 'output' price");
    }
    tier.rates = Resolve(written);
    return tier;
  }

  // Records that `id` names a model or alias at `line`; false (and a problem)
  // when the document already declared it.
  bool Declare(const std::string& id, int line, const std::string& what) {
    const auto [it, inserted] = declared_.emplace(id, line);
    if (!inserted) {
      problems_.Add(line, what + ": '" + id + "' is already declared at line " + std::to_string(it->second));
    }
    return inserted;
  }

  PriceTable& table_;
  Problems& problems_;
  std::map<std::string, int, std::less<>> declared_;
};

namespace {

// Parses YAML text, turning a syntax error into a problem with its line.
std::optional<YAML::Node> LoadYaml(std::string_view yaml, Problems& problems) {
  try {
    std::vector<YAML::Node> documents = YAML::LoadAll(std::string(yaml));
    if (documents.size() > 1) {
      problems.Add(LineOf(documents[1]), "a price file holds one YAML document, not several");
      return std::nullopt;
    }
    return documents.empty() ? YAML::Node() : documents.front();
  } catch (const YAML::Exception& error) {
    problems.Add(error.mark.line + 1, "YAML syntax error: " + error.msg);
    return std::nullopt;
  }
}

}  // namespace

const PriceTable& PriceTable::Default() {
  static const PriceTable table = [] {
    core::Result<PriceTable> parsed = Parse(internal::EmbeddedPricesYaml(), "prices.yaml (embedded)");
    if (!parsed) {
      // A build that shipped a broken table; pricing_test catches this first.
      std::fprintf(stderr, "strata: the embedded price table does not parse:\n%s\n",
                   parsed.error().message().c_str());
      std::abort();
    }
    return std::move(*parsed);
  }();
  return table;
}

core::Result<PriceTable> PriceTable::Parse(std::string_view yaml, std::string_view file_name) {
  Problems problems(file_name);
  PriceTable table;
  if (std::optional<YAML::Node> root = LoadYaml(yaml, problems)) {
    TableBuilder(table, problems).Document(*root);
  }
  if (!problems.empty()) {
    return problems.ToError();
  }
  return table;
}

core::Result<PriceTable> PriceTable::LoadFile(const std::string& path) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) {
    return core::Error::NotFound(path + ": cannot open the price file (no such file)");
  }
  if (std::filesystem::is_directory(status)) {
    return core::Error::InvalidRequest(path + ": cannot read the price file (it is a directory)");
  }
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  if (file) {
    text << file.rdbuf();
  }
  if (!file || file.bad()) {
    return core::Error::InvalidRequest(path + ": cannot read the price file");
  }
  return Parse(text.str(), path);
}

core::Result<PriceTable> PriceTable::ParseModels(const YAML::Node& models, std::string_view file_name,
                                                 std::string_view path) {
  Problems problems(file_name);
  PriceTable table;
  if (models.IsDefined()) {
    TableBuilder(table, problems).Models(models, path, LineOf(models));
  }
  if (!problems.empty()) {
    return problems.ToError();
  }
  return table;
}

core::Result<PriceTable> PriceTable::FromConfig(const YAML::Node& pricing, std::string_view file_name) {
  if (!pricing.IsDefined() || pricing.IsNull()) {
    return Default();
  }
  Problems problems(file_name);
  if (!pricing.IsMap()) {
    problems.Add(LineOf(pricing), "pricing must be a mapping with 'defaults', 'file' and/or 'models'");
    return problems.ToError();
  }

  bool use_defaults = true;
  std::string file;
  PriceTable inline_models;
  for (const Field& field : FieldsOf(pricing, "pricing", problems)) {
    if (field.key == "defaults") {
      const std::optional<bool> defaults = ParseBool(field.value);
      if (!defaults) {
        problems.Add(field.line, "pricing.defaults must be true or false");
      }
      use_defaults = defaults.value_or(true);
    } else if (field.key == "file") {
      if (!field.value.IsScalar() || field.value.Scalar().empty()) {
        problems.Add(field.line, "pricing.file must be the path of a price file");
      } else {
        file = field.value.Scalar();
      }
    } else if (field.key == "models") {
      TableBuilder(inline_models, problems).Models(field.value, "pricing.models", field.line);
    } else {
      problems.Add(field.line, UnknownKey("pricing", field.key, {"defaults", "file", "models"}));
    }
  }

  PriceTable table = use_defaults ? Default() : PriceTable();
  if (!file.empty()) {
    core::Result<PriceTable> from_file = LoadFile(file);
    if (from_file) {
      table.Merge(*from_file);
    } else {
      problems.AddFormatted(from_file.error().message());
    }
  }
  if (!problems.empty()) {
    return problems.ToError();
  }
  table.Merge(inline_models);
  return table;
}

void PriceTable::Merge(const PriceTable& overrides) {
  for (const auto& [id, price] : overrides.models_) {
    models_.insert_or_assign(id, price);
    aliases_.erase(id);  // an explicit entry wins over an old alias of the same name
  }
  for (const auto& [alias, target] : overrides.aliases_) {
    if (models_.erase(alias) > 0) {
      // `alias` was a model of its own: whatever was priced as it is now priced as `target`.
      for (auto& [other, other_target] : aliases_) {
        if (other_target == alias) {
          other_target = target;
        }
      }
    }
    aliases_.insert_or_assign(alias, target);
  }
}

const ModelPrice* PriceTable::FindExact(std::string_view model) const {
  if (auto found = models_.find(model); found != models_.end()) {
    return &found->second;
  }
  if (auto alias = aliases_.find(model); alias != aliases_.end()) {
    if (auto found = models_.find(alias->second); found != models_.end()) {
      return &found->second;
    }
  }
  return nullptr;
}

std::optional<ModelPrice> PriceTable::Find(std::string_view model) const {
  if (const ModelPrice* price = FindExact(model)) {
    return *price;
  }
  // A snapshot: base + separator + a suffix starting with three digits (a date
  // or build number). Scanning separators from the right finds the longest base first.
  for (std::size_t at = model.size(); at-- > 0;) {
    const char separator = model[at];
    if (separator != '-' && separator != '@' && separator != ':') {
      continue;
    }
    const std::string_view suffix = model.substr(at + 1);
    const bool dated = suffix.size() >= 3 && std::all_of(suffix.begin(), suffix.begin() + 3, [](char c) {
                         return c >= '0' && c <= '9';
                       });
    if (!dated) {
      continue;
    }
    if (const ModelPrice* price = FindExact(model.substr(0, at))) {
      return *price;
    }
  }
  return std::nullopt;
}

std::vector<std::string> PriceTable::ModelIds() const {
  std::vector<std::string> ids;
  ids.reserve(models_.size());
  for (const auto& [id, price] : models_) {
    ids.push_back(id);
  }
  return ids;
}

std::vector<std::string> PriceTable::Ids() const {
  std::vector<std::string> ids = ModelIds();
  for (const auto& [alias, target] : aliases_) {
    ids.push_back(alias);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace strata::pricing
