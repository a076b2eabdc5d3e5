#include "policy/internal/reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace strata::policy::internal {

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

std::string Shown(std::string_view text) {
  constexpr std::size_t kMaxShown = 80;
  const std::string_view cut = text.substr(0, std::min(text.find('\n'), kMaxShown));
  return "'" + std::string(cut) + (cut.size() < text.size() ? "...'" : "'");
}

namespace {

// Edit distance counting an adjacent transposition as one edit, ignoring
// letter case, so that "EMAIL" is a likely meaning of "emial".
std::size_t EditDistance(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string_view> Suggest(std::string_view unknown, std::span<const std::string_view> known) {
  std::optional<std::string_view> best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (std::string_view candidate : known) {
    const std::size_t distance = EditDistance(unknown, candidate);
    // One edit for short names, up to three for long ones: far guesses confuse.
    const std::size_t allowed = candidate.size() <= 4 ? 1 : candidate.size() <= 8 ? 2 : 3;
    if (distance <= allowed && distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

void Problems::Add(int line, std::string message) { entries_.push_back({line, std::move(message)}); }

core::Error Problems::ToError(std::vector<ParseProblem>* out) const {
  std::vector<Entry> sorted = entries_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) { return a.line < b.line; });
  std::string message;
  for (const Entry& entry : sorted) {
    if (!message.empty()) message += '\n';
    message += source_;
    if (entry.line > 0) message += ":" + std::to_string(entry.line);
    message += ": " + entry.message;
  }
  if (out != nullptr) *out = std::move(sorted);
  return core::Error::InvalidRequest(std::move(message));
}

Fields::Fields(const YAML::Node& node, std::string path, int line, Problems& problems)
    : path_(std::move(path)), line_(line), problems_(&problems) {
  if (!node.IsMap()) {
    return;
  }
  for (const auto& pair : node) {
    const int key_line = internal::LineOf(pair.first);
    if (!pair.first.IsScalar()) {
      problems_->Add(key_line, "keys in '" + path_ + "' must be plain names, not " + std::string(KindOf(pair.first)));
      continue;
    }
    const std::string& key = pair.first.Scalar();
    // yaml-cpp keeps both copies of a repeated key; taking one silently would
    // hide an edit that does nothing.
    if (const Entry* first = Find(key)) {
      problems_->Add(key_line,
                     "duplicate key '" + PathOf(key) + "' (first at line " + std::to_string(first->line) + ")");
      continue;
    }
    entries_.push_back({key, pair.second, key_line});
  }
}

const Fields::Entry* Fields::Find(std::string_view key) const {
  for (const Entry& entry : entries_) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

const YAML::Node* Fields::Get(std::string_view key) {
  if (std::find(asked_.begin(), asked_.end(), key) == asked_.end()) {
    asked_.push_back(key);
  }
  const Entry* entry = Find(key);
  return entry != nullptr ? &entry->value : nullptr;
}

bool Fields::Has(std::string_view key) const { return Find(key) != nullptr; }

bool Fields::NoneKnown() const {
  return std::none_of(asked_.begin(), asked_.end(), [this](std::string_view key) { return Has(key); });
}

std::string Fields::PathOf(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

int Fields::LineOf(std::string_view key) const {
  const Entry* entry = Find(key);
  return entry != nullptr ? entry->line : line_;
}

void Fields::Fail(std::string_view key, std::string_view message) {
  problems_->Add(LineOf(key), PathOf(key) + " " + std::string(message));
}

void Fields::RejectUnknownKeys() {
  for (const Entry& entry : entries_) {
    if (std::find(asked_.begin(), asked_.end(), entry.key) != asked_.end()) {
      continue;
    }
    std::string message = "unknown key '" + entry.key + "' ";
    message += path_.empty() ? "at the top level of the policy" : "in '" + path_ + "'";
    if (std::optional<std::string_view> suggestion = Suggest(entry.key, asked_)) {
      message += "; did you mean '" + std::string(*suggestion) + "'?";
    }
    problems_->Add(entry.line, std::move(message));
  }
}

std::optional<bool> ParseBool(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "true") return true;
  if (lower == "false") return false;
  return std::nullopt;
}

std::optional<double> ParseNumber(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<long long> ParseCount(std::string_view text) {
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || text.front() == '-' || ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double total_ms = 0;
  while (!text.empty()) {
    const std::size_t digits = text.find_first_not_of("0123456789.");
    if (digits == 0 || digits == std::string_view::npos) return std::nullopt;  // no number, or no unit
    const std::optional<double> number = ParseNumber(text.substr(0, digits));
    if (!number) return std::nullopt;
    text.remove_prefix(digits);
    const std::size_t unit_size = std::min(text.find_first_of("0123456789."), text.size());
    const std::string_view unit = text.substr(0, unit_size);
    text.remove_prefix(unit_size);
    if (unit == "ms") {
      total_ms += *number;
    } else if (unit == "s") {
      total_ms += *number * 1000;
    } else if (unit == "m") {
      total_ms += *number * 60'000;
    } else if (unit == "h") {
      total_ms += *number * 3'600'000;
    } else {
      return std::nullopt;
    }
  }
  // Refuse what would be rounded ("0.5ms") or overflow.
  if (total_ms != std::floor(total_ms) || total_ms > 1e15) return std::nullopt;
  return std::chrono::milliseconds(static_cast<long long>(total_ms));
}

}  // namespace strata::policy::internal
