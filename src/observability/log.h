#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <variant>

#include "observability/options.h"

namespace strata::observability {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError };

// One structured field of a log line. Values are copied into the line at once,
// so views need only outlive the call.
struct Field {
  using Value = std::variant<std::string_view, std::int64_t, std::uint64_t, double, bool>;
  std::string_view key;
  Value value;

  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  template <class I>
    requires std::is_integral_v<I>
  Field(std::string_view k, I v) : key(k), value(static_cast<std::int64_t>(v)) {}
};

// Sets up the async logger (spdlog) from options. Until called, lines go to
// stderr synchronously at info level. Safe to call again (tests).
void InitLogging(const LogOptions& options);
// Flushes and stops the async logger; lines logged later are written synchronously.
void ShutdownLogging();

// Writes one line: {"ts":..,"level":..,"msg":..,<fields>} in JSON format, or
// "ts level msg key=value ..." in text format. Never throws.
void Log(Level level, std::string_view message, std::initializer_list<Field> fields = {});
// The same, for a line whose fields are chosen at run time.
void Log(Level level, std::string_view message, std::span<const Field> fields);
bool Enabled(Level level);
// Whether the access log is on (LogOptions::access_log).
bool AccessLogEnabled();

}  // namespace strata::observability
