#pragma once

// The walker that turns a YAML document into typed option structs. A section
// of the config is read by a function that names each key it knows and where
// its value goes:
//
//   void ReadLog(Section& log, observability::LogOptions& options) {
//     log.ReadChoice("level", options.level, {"trace", "debug", "info", "warn", "error", "off"});
//     log.ReadBool("access_log", options.access_log);
//   }
//   ...
//   root.ReadSection("log", [&](Section& log) { ReadLog(log, config.log); });
//
// Keys that are absent keep the value already in the struct (its default).
// Every problem is recorded in Diagnostics with its line, and the walk goes
// on, so one run reports all of them; the target of a bad value is left as it
// was. After a section's function returns, the keys it never asked about are
// reported as unknown, with a "did you mean" among the keys it did ask about.
//
// Scalar values go through `${VAR}` interpolation (env_interpolation.h) before
// they are typed. Messages never show a value that came from the environment:
// they name the key and the variable instead.

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "config/environment.h"
#include "config/value_parsers.h"
#include "core/error.h"

namespace strata::config {

// Errors found while loading one file, each as "file:line: message".
class Diagnostics {
 public:
  explicit Diagnostics(std::string file_name) : file_name_(std::move(file_name)) {}

  // `line` is 1-based; 0 when no line applies (the message reads "file: ...").
  void Add(int line, std::string message);
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  const std::string& file_name() const { return file_name_; }

  // All messages ordered by line (stable for one line), joined by '\n', as one
  // kInvalidRequest error. Only meaningful when !empty().
  core::Error ToError() const;

 private:
  struct Entry {
    int line;
    std::string text;
  };
  std::string file_name_;
  std::vector<Entry> entries_;
};

// What a value parser returns when the text does not fit: what the value must
// be, phrased to follow "<key> must be ", e.g. "an integer between 0 and 65535".
struct MustBe {
  std::string what;
};
template <class T>
using ParseOutcome = std::variant<T, MustBe>;

// Whether a duration of zero is allowed.
enum class DurationFloor { kAboveZero, kZeroAllowed };

// One YAML mapping being read (the top level, `server`, `server.tls`, or one
// item of a list). Created only by ReadDocument, ReadSection and ReadList;
// valid only inside the function it is passed to.
class Section {
 public:
  // Parses `yaml` and calls `body` with its top-level mapping; an empty
  // document is an empty mapping. A syntax error, a second document or a
  // top level that is not a mapping is recorded and `body` is not called.
  template <class Body>
  static void ReadDocument(std::string_view yaml, Diagnostics& diagnostics, const Environment& environment,
                           Body&& body) {
    Context context{diagnostics, environment};
    std::optional<Section> root = Root(yaml, context);
    if (root) {
      body(*root);
      root->RejectUnknownKeys();
    }
  }

  // The reads. Each records an error and leaves `out` unchanged when the value
  // does not fit. A null value (`key:` or `key: ~`) reads as "".

  // Any text.
  void ReadString(std::string_view key, std::string& out);
  // Text that must not be empty.
  void ReadNonEmptyString(std::string_view key, std::string& out);
  // One of `choices`, exactly.
  void ReadChoice(std::string_view key, std::string& out, std::initializer_list<std::string_view> choices);
  // A path that, when not empty, must name a file this process can read now.
  // Relative paths are relative to the working directory.
  void ReadReadableFile(std::string_view key, std::string& out);
  // A list of non-empty strings (`[a, b]` or one item per line), each
  // interpolated. An absent or null value leaves `out` as it is.
  void ReadStringList(std::string_view key, std::vector<std::string>& out);
  // A mapping of names to strings (`{authorization: "Bearer ${TOKEN}"}`), in
  // the document's order, each value interpolated; names are taken as written.
  // An absent or null value leaves `out` as it is; on any error it is left too.
  void ReadStringMap(std::string_view key, std::vector<std::pair<std::string, std::string>>& out);
  // true or false.
  void ReadBool(std::string_view key, bool& out);
  // A duration with a unit ("250ms", "10s", "1.5m", "1h").
  void ReadDuration(std::string_view key, std::chrono::milliseconds& out,
                    DurationFloor floor = DurationFloor::kAboveZero);
  // Bytes: an integer or a number with a unit ("64KiB", "16MiB", "1GB"), at least `min`.
  void ReadByteSize(std::string_view key, std::size_t& out, std::uint64_t min = 0);

  // An integer in [min, max] (clamped to what T holds). Leave `max` out for
  // "no upper bound but T's".
  template <std::integral T>
  void ReadInteger(std::string_view key, T& out, long long min,
                   long long max = std::numeric_limits<long long>::max()) {
    const long long low = std::cmp_less(min, std::numeric_limits<T>::lowest())
                              ? static_cast<long long>(std::numeric_limits<T>::lowest())
                              : min;
    const bool bounded = max != std::numeric_limits<long long>::max() ||
                         std::cmp_less(std::numeric_limits<T>::max(), std::numeric_limits<long long>::max());
    const long long high = std::cmp_greater(max, std::numeric_limits<T>::max())
                               ? static_cast<long long>(std::numeric_limits<T>::max())
                               : max;
    Read(key, out, [low, high, bounded](std::string_view text) -> ParseOutcome<T> {
      std::optional<long long> value = ParseInteger(text);
      if (!value || *value < low || *value > high) {
        return MustBe{IntegerRequirement(low, high, bounded)};
      }
      return static_cast<T>(*value);
    });
  }

  // The general read, for types the ones above do not cover: `parse` takes the
  // interpolated text and returns ParseOutcome<T>.
  template <class T, class Parser>
  void Read(std::string_view key, T& out, Parser&& parse) {
    std::optional<Scalar> scalar = ScalarOf(key);
    if (!scalar) {
      return;
    }
    ParseOutcome<T> outcome = parse(std::string_view(scalar->text));
    if (T* value = std::get_if<T>(&outcome)) {
      out = std::move(*value);
      return;
    }
    Reject(key, *scalar, std::get<MustBe>(outcome).what);
  }

  // A nested mapping: calls `body` with it, then reports its unknown keys. An
  // absent or null value calls nothing (the defaults stay); any other
  // non-mapping is an error.
  template <class Body>
  void ReadSection(std::string_view key, Body&& body) {
    std::optional<Section> child = Child(key);
    if (child) {
      body(*child);
      child->RejectUnknownKeys();
    }
  }

  // A list of mappings: calls `body(item)` for each, in order; item paths read
  // "key[0]", "key[1]". An absent or null value is an empty list.
  template <class Body>
  void ReadList(std::string_view key, Body&& body) {
    for (Section& item : Items(key)) {
      body(item);
      item.RejectUnknownKeys();
    }
  }

  // The raw value of `key`, for a part of the file that another module parses
  // itself (`policy:`, with its own line-numbered errors); marks the key as
  // known. nullptr when absent or null. Nothing in it is interpolated.
  const YAML::Node* ReadRaw(std::string_view key);

  // Records "<path of key> <message>" at the key's line, or at the section's
  // line when the key is absent. For checks across keys, made after the reads.
  // `message` must not contain values (they may have come from the environment).
  void Fail(std::string_view key, std::string_view message);

  bool Has(std::string_view key) const;
  // Whether an error was recorded for `key` (so a check across keys can skip it).
  bool Failed(std::string_view key) const;
  // "server.tls"; empty at the top level.
  const std::string& path() const { return path_; }
  // The full path of one of this section's keys: "server.tls.cert_file".
  std::string PathOf(std::string_view key) const;

 private:
  struct Context {
    Diagnostics& diagnostics;
    const Environment& environment;
  };
  struct Entry {
    std::string key;
    YAML::Node value;
    int line = 0;
    bool failed = false;
  };
  // A scalar's text after interpolation, and where it came from.
  struct Scalar {
    std::string text;
    std::vector<std::string> variables;  // non-empty: the text came from the environment
    bool null = false;
  };

  Section(const YAML::Node& node, std::string path, int line, Context& context);

  static std::optional<Section> Root(std::string_view yaml, Context& context);
  static std::string IntegerRequirement(long long min, long long max, bool bounded);

  // Marks `key` as known; returns its entry, or nullptr when absent.
  Entry* Ask(std::string_view key);
  const Entry* Find(std::string_view key) const;
  Entry* Find(std::string_view key);
  std::optional<Scalar> ScalarOf(std::string_view key);
  std::optional<Section> Child(std::string_view key);
  std::vector<Section> Items(std::string_view key);
  void Reject(std::string_view key, const Scalar& scalar, std::string_view must_be);
  void RejectUnknownKeys();
  void Record(int line, std::string message);

  std::string path_;
  int line_;
  Context* context_;
  std::vector<Entry> entries_;
  std::vector<std::string> asked_;
};

}  // namespace strata::config
