#include "observability/log.h"

#include <atomic>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/text.h"

namespace strata::observability {
namespace {

std::mutex g_init_mutex;
std::shared_ptr<spdlog::logger> g_logger;  // guarded by g_init_mutex
// Replaced loggers are kept alive: another thread may still be inside a call on
// one it loaded from g_current. There are only ever a handful.
std::vector<std::shared_ptr<spdlog::logger>> g_retired;  // guarded by g_init_mutex
std::atomic<spdlog::logger*> g_current{nullptr};
std::atomic<bool> g_json{true};
std::atomic<bool> g_access_log{true};

spdlog::level::level_enum ToSpdlog(Level level) {
  switch (level) {
    case Level::kTrace: return spdlog::level::trace;
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

// The timestamp and level come from the pattern; the message and fields from Log().
void ApplyPattern(spdlog::logger& logger, bool json) {
  if (json) {
    logger.set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})", spdlog::pattern_time_type::utc);
  } else {
    logger.set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);
  }
}

spdlog::logger& Current() {
  spdlog::logger* logger = g_current.load(std::memory_order_acquire);
  if (logger != nullptr) return *logger;
  std::lock_guard lock(g_init_mutex);
  if (!g_logger) {
    g_logger = std::make_shared<spdlog::logger>("strata", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    ApplyPattern(*g_logger, true);
    g_logger->set_level(spdlog::level::info);
    g_current.store(g_logger.get(), std::memory_order_release);
  }
  return *g_logger;
}

void AppendJsonValue(std::string& out, const Field::Value& value) {
  std::visit(
      [&out](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::string_view>) {
          out += '"';
          core::AppendJsonEscaped(out, v);
          out += '"';
        } else if constexpr (std::is_same_v<V, bool>) {
          out += v ? "true" : "false";
        } else {
          fmt::format_to(std::back_inserter(out), "{}", v);
        }
      },
      value);
}

void AppendTextValue(std::string& out, const Field::Value& value) {
  std::visit(
      [&out](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::string_view>) {
          core::AppendJsonEscaped(out, v);  // keeps one line per record
        } else if constexpr (std::is_same_v<V, bool>) {
          out += v ? "true" : "false";
        } else {
          fmt::format_to(std::back_inserter(out), "{}", v);
        }
      },
      value);
}

}  // namespace

void InitLogging(const LogOptions& options) {
  std::lock_guard lock(g_init_mutex);
  if (g_logger) g_logger->flush();
  spdlog::sink_ptr sink;
  if (options.file.empty()) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file);
  }
  if (!spdlog::thread_pool()) spdlog::init_thread_pool(16384, 1);
  // block, not overrun: a burst slows the logging thread's callers rather than losing lines
  auto logger = std::make_shared<spdlog::async_logger>("strata", sink, spdlog::thread_pool(),
                                                       spdlog::async_overflow_policy::block);
  const bool json = options.format != "text";
  ApplyPattern(*logger, json);
  logger->set_level(spdlog::level::from_str(options.level));
  logger->flush_on(spdlog::level::warn);
  g_json.store(json);
  g_access_log.store(options.access_log);
  if (g_logger) g_retired.push_back(g_logger);
  g_logger = logger;
  g_current.store(logger.get(), std::memory_order_release);
}

void ShutdownLogging() {
  std::lock_guard lock(g_init_mutex);
  if (g_logger) g_logger->flush();
  auto sync = std::make_shared<spdlog::logger>("strata", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  ApplyPattern(*sync, g_json.load());
  if (g_logger) sync->set_level(g_logger->level());
  if (g_logger) g_retired.push_back(g_logger);
  g_logger = sync;
  g_current.store(sync.get(), std::memory_order_release);
  spdlog::shutdown();
}

bool Enabled(Level level) { return Current().should_log(ToSpdlog(level)); }
bool AccessLogEnabled() { return g_access_log.load(std::memory_order_relaxed); }

void Log(Level level, std::string_view message, std::initializer_list<Field> fields) {
  Log(level, message, std::span<const Field>(fields.begin(), fields.size()));
}

void Log(Level level, std::string_view message, std::span<const Field> fields) {
  spdlog::logger& logger = Current();
  const auto spd_level = ToSpdlog(level);
  if (!logger.should_log(spd_level)) return;
  std::string line;
  line.reserve(128);
  if (g_json.load(std::memory_order_relaxed)) {
    line += "\"msg\":\"";
    core::AppendJsonEscaped(line, message);
    line += '"';
    for (const Field& field : fields) {
      line += ",\"";
      core::AppendJsonEscaped(line, field.key);
      line += "\":";
      AppendJsonValue(line, field.value);
    }
  } else {
    core::AppendJsonEscaped(line, message);
    for (const Field& field : fields) {
      line += ' ';
      line += field.key;
      line += '=';
      AppendTextValue(line, field.value);
    }
  }
  try {
    logger.log(spd_level, "{}", line);
  } catch (...) {
    // Logging never takes the server down.
  }
}

}  // namespace strata::observability
