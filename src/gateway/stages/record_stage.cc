#include "gateway/stages/record_stage.h"

#include <chrono>
#include <cstdio>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/ids.h"
#include "observability/log.h"

namespace strata::gateway {
namespace {

namespace json = boost::json;
using Clock = core::Exchange::Clock;

std::string_view FormatName(core::ApiFormat format) {
  switch (format) {
    case core::ApiFormat::kOpenAiChat: return "openai.chat";
    case core::ApiFormat::kOpenAiCompletions: return "openai.completions";
    case core::ApiFormat::kOpenAiEmbeddings: return "openai.embeddings";
    case core::ApiFormat::kAnthropicMessages: return "anthropic.messages";
  }
  return "unknown";
}

std::int64_t Micros(Clock::duration duration) {
  return std::chrono::duration_cast<std::chrono::microseconds>(duration).count();
}

std::string Payload(const core::Exchange& exchange) {
  json::object usage;
  usage["input_tokens"] = exchange.usage.input_tokens;
  usage["output_tokens"] = exchange.usage.output_tokens;
  usage["cached_input_tokens"] = exchange.usage.cached_input_tokens;
  usage["cache_write_tokens"] = exchange.usage.cache_write_tokens;
  usage["reasoning_tokens"] = exchange.usage.reasoning_tokens;
  usage["estimated"] = exchange.usage.estimated;
  json::array tried;
  for (const std::string& name : exchange.tried) tried.emplace_back(name);
  json::object record;
  record["request_id"] = exchange.request_id;
  record["format"] = FormatName(exchange.format);
  record["key_id"] = exchange.principal.key_id;
  record["tenant"] = exchange.principal.tenant;
  record["team"] = exchange.principal.team;
  record["model"] = exchange.model;
  record["alias"] = exchange.alias;
  record["deployment"] = exchange.deployment;
  record["upstream_model"] = exchange.upstream_model;
  record["attempts"] = std::move(tried);
  record["stream"] = exchange.stream;
  record["status"] = exchange.status;
  record["client_gone"] = exchange.client_gone;
  record["usage"] = std::move(usage);
  record["cost_usd"] = exchange.cost_usd ? json::value(*exchange.cost_usd) : json::value(nullptr);
  record["latency_us"] = Micros(Clock::now() - exchange.started);
  record["first_byte_us"] =
      exchange.first_byte ? json::value(Micros(*exchange.first_byte - exchange.started)) : json::value(nullptr);
  return json::serialize(record);
}

// The exchange's line in the daily spend rollup (UTC day of the record).
store::SpendRow SpendOf(const core::Exchange& exchange, std::int64_t created_at_ms) {
  store::SpendRow spend;
  spend.tenant_id = exchange.principal.tenant;
  spend.team_id = exchange.principal.team;
  spend.key_id = exchange.principal.key_id;
  spend.model = exchange.model;
  const auto day = std::chrono::floor<std::chrono::days>(std::chrono::sys_time<std::chrono::milliseconds>(
      std::chrono::milliseconds(created_at_ms)));
  const std::chrono::year_month_day date(day);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  spend.day = text;
  spend.requests = 1;
  spend.input_tokens = static_cast<std::int64_t>(exchange.usage.input_tokens);
  spend.output_tokens = static_cast<std::int64_t>(exchange.usage.output_tokens);
  spend.cost_nano_usd = exchange.cost_nano_usd;
  return spend;
}

}  // namespace

boost::asio::awaitable<void> RecordStage::OnComplete(core::Exchange& exchange) {
  store::Record record;
  // Not the request id: clients may reuse theirs, and a duplicate id would be ignored.
  record.id = core::NewRequestId();
  record.created_at_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  record.kind = "inference";
  record.payload = Payload(exchange);
  record.spend = SpendOf(exchange, record.created_at_ms);
  core::Status queued = co_await queue_.Push(std::move(record));
  if (!queued) {
    // Only after shutdown began; the queue logs and counts it too.
    observability::Log(observability::Level::kError, "inference record refused",
                       {{"request_id", exchange.request_id}, {"error", queued.error().message()}});
  }
}

}  // namespace strata::gateway
