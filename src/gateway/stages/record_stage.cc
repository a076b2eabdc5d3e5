#include "gateway/stages/record_stage.h"

#include <chrono>
#include <cstdio>

#include "core/ids.h"
#include "core/json_writer.h"
#include "gateway/guard/request_guard.h"
#include "gateway/stages/guard_stage.h"
#include "observability/log.h"

namespace strata::gateway {
namespace {

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

// Written straight into one string (core::JsonWriter): a record is built for
// every request, and a json::object tree costs a dozen allocations more.
std::string Payload(const core::Exchange& exchange, const RequestGuard* guard) {
  const core::Usage& usage = exchange.usage;
  core::JsonWriter counts(192);
  counts.Field("input_tokens").Number(usage.input_tokens);
  counts.Field("output_tokens").Number(usage.output_tokens);
  counts.Field("cached_input_tokens").Number(usage.cached_input_tokens);
  counts.Field("cache_write_tokens").Number(usage.cache_write_tokens);
  counts.Field("reasoning_tokens").Number(usage.reasoning_tokens);
  counts.Field("estimated").Bool(usage.estimated);

  core::JsonWriter record(512);
  record.Field("request_id").String(exchange.request_id);
  record.Field("format").String(FormatName(exchange.format));
  record.Field("key_id").String(exchange.principal.key_id);
  record.Field("tenant").String(exchange.principal.tenant);
  record.Field("team").String(exchange.principal.team);
  record.Field("model").String(exchange.model);
  record.Field("alias").String(exchange.alias);
  record.Field("deployment").String(exchange.deployment);
  record.Field("upstream_model").String(exchange.upstream_model);
  record.Field("attempts").Raw("[");
  for (std::size_t i = 0; i < exchange.tried.size(); ++i) {
    if (i > 0) record.Raw(",");
    record.String(exchange.tried[i]);
  }
  record.Raw("]");
  record.Field("stream").Bool(exchange.stream);
  record.Field("status").Number(exchange.status);
  record.Field("client_gone").Bool(exchange.client_gone);
  record.Field("usage").Raw(std::move(counts).Finish());
  record.Field("cost_usd");
  if (exchange.cost_usd) {
    record.Number(*exchange.cost_usd);
  } else {
    record.Null();
  }
  record.Field("latency_us").Number(Micros(Clock::now() - exchange.started));
  record.Field("first_byte_us");
  if (exchange.first_byte) {
    record.Number(Micros(*exchange.first_byte - exchange.started));
  } else {
    record.Null();
  }
  // The policy's decision (docs/POLICY.md): never a matched value.
  record.Field("decision");
  if (guard != nullptr) {
    record.Raw(guard->DecisionRecord());
  } else {
    record.Null();
  }
  return std::move(record).Finish();
}

// "YYYY-MM-DD" of a Unix time in ms, UTC. Formatted once per day and thread:
// every record asks, and snprintf is most of the spend line's cost.
const std::string& UtcDay(std::int64_t unix_ms) {
  thread_local std::chrono::sys_days cached_day{};
  thread_local std::string cached_text;
  const auto day = std::chrono::floor<std::chrono::days>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(unix_ms)));
  if (cached_text.empty() || day != cached_day) {
    const std::chrono::year_month_day date(day);
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    cached_day = day;
    cached_text = text;
  }
  return cached_text;
}

// The exchange's line in the daily spend rollup (UTC day of the record).
store::SpendRow SpendOf(const core::Exchange& exchange, std::int64_t created_at_ms) {
  store::SpendRow spend;
  spend.tenant_id = exchange.principal.tenant;
  spend.team_id = exchange.principal.team;
  spend.key_id = exchange.principal.key_id;
  spend.model = exchange.model;
  spend.day = UtcDay(created_at_ms);
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
  record.id = core::NewTimeOrderedId();
  record.created_at_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  record.kind = "inference";
  const RequestGuard* guard = GuardOf(exchange);
  record.payload = Payload(exchange, guard);
  record.tenant = exchange.principal.tenant;
  record.subject = exchange.subject;
  // Sealed under the subject's key by the store; only what the policy says to keep.
  if (guard != nullptr) record.content = guard->LoggedContent();
  record.spend = SpendOf(exchange, record.created_at_ms);
  core::Status queued = co_await queue_.Push(std::move(record));
  if (!queued) {
    // Only after shutdown began; the queue logs and counts it too.
    observability::Log(observability::Level::kError, "inference record refused",
                       {{"request_id", exchange.request_id}, {"error", queued.error().message()}});
  }
}

}  // namespace strata::gateway
