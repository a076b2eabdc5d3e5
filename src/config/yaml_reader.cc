#include "config/yaml_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include "config/env_interpolation.h"
#include "core/yaml_syntax.h"

namespace strata::config {
namespace {

// Literal values longer than this are cut in messages.
constexpr std::size_t kMaxShownValue = 120;

int LineOf(const YAML::Node& node) { return node.Mark().is_null() ? 0 : node.Mark().line + 1; }

std::string_view KindOf(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "an empty value";
    case YAML::NodeType::Scalar:
      break;
  }
  return "a single value";
}

// Edit distance with adjacent transpositions counted as one edit, so that
// "prot" is one step from "port". Case-insensitive.
std::size_t EditDistance(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) {
    d[i][0] = i;
  }
  for (std::size_t j = 0; j <= m; ++j) {
    d[0][j] = j;
  }
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

// The closest known key, when it is close enough to be a likely typo: one edit
// for short keys, up to three for long ones. Far guesses confuse more than help.
std::optional<std::string> Suggest(std::string_view unknown, const std::vector<std::string>& known) {
  std::optional<std::string> best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const std::string& candidate : known) {
    const std::size_t distance = EditDistance(unknown, candidate);
    const std::size_t allowed = candidate.size() <= 4 ? 1 : candidate.size() <= 8 ? 2 : 3;
    if (distance <= allowed && distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

// Why `path` cannot be read now, or nullopt when it can.
std::optional<std::string> UnreadableReason(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return "it is a directory";
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return std::generic_category().message(errno);
  }
  ::close(fd);
  return std::nullopt;
}

}  // namespace

void Diagnostics::Add(int line, std::string message) {
  std::string text = file_name_;
  if (line > 0) {
    text += ":" + std::to_string(line);
  }
  text += ": " + message;
  entries_.push_back({line, std::move(text)});
}

core::Error Diagnostics::ToError() const {
  std::vector<Entry> sorted = entries_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) { return a.line < b.line; });
  std::string message;
  for (const Entry& entry : sorted) {
    if (!message.empty()) {
      message += '\n';
    }
    message += entry.text;
  }
  return core::Error::InvalidRequest(std::move(message));
}

Section::Section(const YAML::Node& node, std::string path, int line, Context& context)
    : path_(std::move(path)), line_(line), context_(&context) {
  if (!node.IsMap()) {
    return;  // null: an empty section; callers refuse other kinds before this
  }
  for (const auto& pair : node) {
    const int key_line = LineOf(pair.first);
    if (!pair.first.IsScalar()) {
      Record(key_line, "keys must be plain names, not " + std::string(KindOf(pair.first)));
      continue;
    }
    const std::string& key = pair.first.Scalar();
    // yaml-cpp keeps both copies of a repeated key; silently taking one would
    // hide an edit that does nothing.
    if (const Entry* first = Find(key)) {
      Record(key_line, "duplicate key '" + PathOf(key) + "' (first at line " + std::to_string(first->line) + ")");
      continue;
    }
    entries_.push_back({key, pair.second, key_line});
  }
}

std::optional<Section> Section::Root(std::string_view yaml, Context& context) {
  if (const core::SyntaxProblem syntax = core::CheckYamlSyntax(yaml, /*allow_anchors=*/true); syntax.line > 0) {
    context.diagnostics.Add(syntax.line, "invalid YAML: " + syntax.message);
    return std::nullopt;
  }
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::Exception& error) {
    // yaml-cpp's messages describe the grammar, never the document's text.
    const int line = error.mark.is_null() ? 0 : error.mark.line + 1;
    context.diagnostics.Add(line, "invalid YAML: " + error.msg);
    return std::nullopt;
  }
  if (documents.empty()) {
    return Section(YAML::Node(), "", 0, context);
  }
  if (documents.size() > 1) {
    context.diagnostics.Add(LineOf(documents[1]), "a config file holds one YAML document; found another here");
    return std::nullopt;
  }
  const YAML::Node& root = documents.front();
  if (!root.IsMap() && !root.IsNull()) {
    context.diagnostics.Add(LineOf(root), "the top level must be a mapping of sections such as 'server:', not " +
                                              std::string(KindOf(root)));
    return std::nullopt;
  }
  return Section(root, "", LineOf(root), context);
}

std::string Section::IntegerRequirement(long long min, long long max, bool bounded) {
  if (!bounded) {
    return "an integer of at least " + std::to_string(min);
  }
  return "an integer between " + std::to_string(min) + " and " + std::to_string(max);
}

const Section::Entry* Section::Find(std::string_view key) const {
  for (const Entry& entry : entries_) {
    if (entry.key == key) {
      return &entry;
    }
  }
  return nullptr;
}

Section::Entry* Section::Find(std::string_view key) {
  return const_cast<Entry*>(std::as_const(*this).Find(key));
}

Section::Entry* Section::Ask(std::string_view key) {
  if (std::find(asked_.begin(), asked_.end(), key) == asked_.end()) {
    asked_.emplace_back(key);
  }
  return Find(key);
}

bool Section::Has(std::string_view key) const { return Find(key) != nullptr; }

bool Section::Failed(std::string_view key) const {
  const Entry* entry = Find(key);
  return entry != nullptr && entry->failed;
}

std::string Section::PathOf(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void Section::Record(int line, std::string message) { context_->diagnostics.Add(line, std::move(message)); }

void Section::Fail(std::string_view key, std::string_view message) {
  Entry* entry = Find(key);
  if (entry != nullptr) {
    entry->failed = true;
  }
  Record(entry != nullptr ? entry->line : line_, PathOf(key) + " " + std::string(message));
}

std::optional<Section::Scalar> Section::ScalarOf(std::string_view key) {
  Entry* entry = Ask(key);
  if (entry == nullptr) {
    return std::nullopt;
  }
  if (entry->value.IsNull()) {
    return Scalar{.text = "", .variables = {}, .null = true};
  }
  if (!entry->value.IsScalar()) {
    Fail(key, "must be a single value, not " + std::string(KindOf(entry->value)));
    return std::nullopt;
  }
  core::Result<Interpolated> interpolated = Interpolate(entry->value.Scalar(), context_->environment);
  if (!interpolated) {
    Fail(key, interpolated.error().message());
    return std::nullopt;
  }
  return Scalar{.text = std::move(interpolated->text), .variables = std::move(interpolated->variables)};
}

void Section::Reject(std::string_view key, const Scalar& scalar, std::string_view must_be) {
  std::string got;
  if (scalar.null) {
    got = "got an empty value";
  } else if (!scalar.variables.empty()) {
    // The text may be a secret: say where it came from, never what it is.
    got = "got a value from ";
    for (std::size_t i = 0; i < scalar.variables.size(); ++i) {
      got += (i == 0 ? "${" : ", ${") + scalar.variables[i] + "}";
    }
  } else {
    std::string shown = scalar.text.substr(0, std::min(scalar.text.find('\n'), kMaxShownValue));
    got = "got '" + shown + (shown.size() < scalar.text.size() ? "...'" : "'");
  }
  Fail(key, "must be " + std::string(must_be) + ", " + got);
}

std::optional<Section> Section::Child(std::string_view key) {
  Entry* entry = Ask(key);
  if (entry == nullptr) {
    return std::nullopt;
  }
  if (!entry->value.IsMap() && !entry->value.IsNull()) {
    Fail(key, "must be a mapping of keys, not " + std::string(KindOf(entry->value)));
    return std::nullopt;
  }
  return Section(entry->value, PathOf(key), entry->line, *context_);
}

std::vector<Section> Section::Items(std::string_view key) {
  std::vector<Section> items;
  Entry* entry = Ask(key);
  if (entry == nullptr || entry->value.IsNull()) {
    return items;
  }
  if (!entry->value.IsSequence()) {
    Fail(key, "must be a list, not " + std::string(KindOf(entry->value)));
    return items;
  }
  std::size_t index = 0;
  for (const YAML::Node& item : entry->value) {
    std::string item_path = PathOf(key) + "[" + std::to_string(index++) + "]";
    const int item_line = item.IsNull() ? entry->line : LineOf(item);
    if (!item.IsMap()) {
      entry->failed = true;
      Record(item_line, item_path + " must be a mapping of keys, not " + std::string(KindOf(item)));
      continue;
    }
    items.push_back(Section(item, std::move(item_path), item_line, *context_));
  }
  return items;
}

void Section::RejectUnknownKeys() {
  for (const Entry& entry : entries_) {
    if (std::find(asked_.begin(), asked_.end(), entry.key) != asked_.end()) {
      continue;
    }
    std::string message = "unknown key '" + entry.key + "' ";
    message += path_.empty() ? "at the top level" : "in '" + path_ + "'";
    if (std::optional<std::string> suggestion = Suggest(entry.key, asked_)) {
      message += "; did you mean '" + *suggestion + "'?";
    }
    Record(entry.line, std::move(message));
  }
}

void Section::ReadStringList(std::string_view key, std::vector<std::string>& out) {
  Entry* entry = Ask(key);
  if (entry == nullptr || entry->value.IsNull()) {
    return;
  }
  if (!entry->value.IsSequence()) {
    Fail(key, "must be a list of strings, not " + std::string(KindOf(entry->value)));
    return;
  }
  std::vector<std::string> items;
  std::size_t index = 0;
  for (const YAML::Node& item : entry->value) {
    const std::string item_path = PathOf(key) + "[" + std::to_string(index++) + "]";
    const int item_line = item.IsNull() ? entry->line : LineOf(item);
    if (!item.IsScalar()) {
      entry->failed = true;
      Record(item_line, item_path + " must be a string, not " + std::string(KindOf(item)));
      continue;
    }
    core::Result<Interpolated> interpolated = Interpolate(item.Scalar(), context_->environment);
    if (!interpolated || interpolated->text.empty()) {
      entry->failed = true;
      Record(item_line, item_path + (interpolated ? " must not be empty" : " " + interpolated.error().message()));
      continue;
    }
    items.push_back(std::move(interpolated->text));
  }
  if (!entry->failed) out = std::move(items);
}

void Section::ReadStringMap(std::string_view key, std::vector<std::pair<std::string, std::string>>& out) {
  Entry* entry = Ask(key);
  if (entry == nullptr || entry->value.IsNull()) {
    return;
  }
  if (!entry->value.IsMap()) {
    Fail(key, "must be a mapping of names to strings, not " + std::string(KindOf(entry->value)));
    return;
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& pair : entry->value) {
    const int line = LineOf(pair.first);
    if (!pair.first.IsScalar() || pair.first.Scalar().empty()) {
      entry->failed = true;
      Record(line, PathOf(key) + " keys must be non-empty names");
      continue;
    }
    const std::string item_path = PathOf(key) + "." + pair.first.Scalar();
    const auto same = [&](const auto& existing) { return existing.first == pair.first.Scalar(); };
    if (std::find_if(pairs.begin(), pairs.end(), same) != pairs.end()) {
      entry->failed = true;
      Record(line, "duplicate key '" + item_path + "'");
      continue;
    }
    if (!pair.second.IsScalar()) {
      entry->failed = true;
      Record(pair.second.IsNull() ? line : LineOf(pair.second),
             item_path + " must be a string, not " + std::string(KindOf(pair.second)));
      continue;
    }
    core::Result<Interpolated> interpolated = Interpolate(pair.second.Scalar(), context_->environment);
    if (!interpolated) {
      entry->failed = true;
      Record(LineOf(pair.second), item_path + " " + interpolated.error().message());
      continue;
    }
    pairs.emplace_back(pair.first.Scalar(), std::move(interpolated->text));
  }
  if (!entry->failed) out = std::move(pairs);
}

const YAML::Node* Section::ReadRaw(std::string_view key) {
  Entry* entry = Ask(key);
  if (entry == nullptr || entry->value.IsNull()) {
    return nullptr;
  }
  return &entry->value;
}

void Section::ReadString(std::string_view key, std::string& out) {
  Read(key, out, [](std::string_view text) -> ParseOutcome<std::string> { return std::string(text); });
}

void Section::ReadNonEmptyString(std::string_view key, std::string& out) {
  Read(key, out, [](std::string_view text) -> ParseOutcome<std::string> {
    if (text.empty()) {
      return MustBe{"a non-empty string"};
    }
    return std::string(text);
  });
}

void Section::ReadChoice(std::string_view key, std::string& out, std::initializer_list<std::string_view> choices) {
  std::string listed;
  for (std::string_view choice : choices) {
    listed += (listed.empty() ? "" : ", ") + std::string(choice);
  }
  Read(key, out, [&](std::string_view text) -> ParseOutcome<std::string> {
    if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
      return MustBe{"one of " + listed};
    }
    return std::string(text);
  });
}

void Section::ReadReadableFile(std::string_view key, std::string& out) {
  Read(key, out, [](std::string_view text) -> ParseOutcome<std::string> {
    std::string path(text);
    if (!path.empty()) {
      if (std::optional<std::string> reason = UnreadableReason(path)) {
        return MustBe{"a readable file (" + *reason + ")"};
      }
    }
    return path;
  });
}

void Section::ReadBool(std::string_view key, bool& out) {
  Read(key, out, [](std::string_view text) -> ParseOutcome<bool> {
    if (std::optional<bool> value = ParseBool(text)) {
      return *value;
    }
    return MustBe{"true or false"};
  });
}

void Section::ReadDuration(std::string_view key, std::chrono::milliseconds& out, DurationFloor floor) {
  Read(key, out, [floor](std::string_view text) -> ParseOutcome<std::chrono::milliseconds> {
    if (ParseInteger(text)) {
      return MustBe{"a duration with a unit, such as '10s' or '250ms' (units: ms, s, m, h)"};
    }
    std::optional<std::chrono::milliseconds> value = ParseDuration(text);
    if (!value) {
      return MustBe{"a duration in whole milliseconds, such as '250ms', '10s', '1.5s', '2m' or '1h'"};
    }
    if (floor == DurationFloor::kAboveZero && value->count() == 0) {
      return MustBe{"a duration above zero, such as '10s'"};
    }
    return *value;
  });
}

void Section::ReadByteSize(std::string_view key, std::size_t& out, std::uint64_t min) {
  Read(key, out, [min](std::string_view text) -> ParseOutcome<std::size_t> {
    std::optional<std::uint64_t> value = ParseByteSize(text);
    if (!value || *value < min) {
      std::string what = "a size in bytes";
      if (min > 0) {
        what += " of at least " + std::to_string(min);
      }
      return MustBe{what + ", such as 65536, '64KiB' or '16MiB'"};
    }
    return static_cast<std::size_t>(*value);
  });
}

}  // namespace strata::config
