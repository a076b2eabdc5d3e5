#include "gateway/dispatch.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "gateway/guard/guarded_sink.h"
#include "gateway/review_hold.h"
#include "gateway/stages/metrics_stage.h"
#include "gateway/upstream_race.h"
#include "observability/log.h"
#include "providers/anthropic/translate.h"
#include "providers/registry.h"
#include "tracing/genai.h"

namespace strata::gateway {
namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
namespace json = boost::json;

using Clock = routing::Clock;

std::chrono::milliseconds Millis(Clock::duration duration) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(duration);
}

void SetExchangeHeaders(http::Response& response, const core::Exchange& exchange) {
  for (const auto& [name, value] : exchange.response_headers) response.set(name, value);
}

void SetRoutingHeaders(http::Response& response, const core::Exchange& exchange) {
  SetExchangeHeaders(response, exchange);
  response.set("x-strata-deployment", exchange.deployment);
  response.set("x-strata-attempts", std::to_string(exchange.tried.size()));
}

// Forwards a provider's events to the client, starting the event stream on the first.
class ClientSink final : public providers::EventSink {
 public:
  ClientSink(core::Exchange& exchange, http::Responder& responder, unsigned version, tracing::Span& span)
      : exchange_(exchange), responder_(responder), version_(version), span_(span) {}

  asio::awaitable<core::Status> OnEvent(std::string_view name, std::string_view data) override {
    if (!started_) {
      started_ = true;
      exchange_.first_byte = core::Exchange::Clock::now();
      span_.AddEvent(tracing::genai::kEventFirstToken);
      exchange_.status = 200;
      http::Response head(beast_http::status::ok, version_);
      SetRoutingHeaders(head, exchange_);
      core::Status opened = co_await responder_.StartEvents(std::move(head));
      if (!opened) co_return opened;
    }
    co_return co_await responder_.SendEvent(data, name);
  }

  // Read by the first-event deadline, which must not fire once a stream started.
  const bool* started_flag() const { return &started_; }

 private:
  core::Exchange& exchange_;
  http::Responder& responder_;
  unsigned version_;
  tracing::Span& span_;  // the request's: gets the first-token event
  bool started_ = false;
};

// Translates an OpenAI chat stream into Anthropic events on the way to the
// client, for /v1/messages served by an OpenAI-compatible provider.
class MessagesSink final : public providers::EventSink {
 public:
  MessagesSink(providers::EventSink& inner, providers::anthropic::MessagesStreamOptions options)
      : inner_(inner), translator_(std::move(options)) {}

  asio::awaitable<core::Status> OnEvent(std::string_view, std::string_view data) override {
    core::Result<std::vector<http::SseEvent>> events = translator_.Feed(data);
    if (!events) co_return events.error();
    for (const http::SseEvent& event : *events) {
      core::Status sent = co_await inner_.OnEvent(event.event, event.data);
      if (!sent) co_return sent;
    }
    co_return core::Status();
  }

 private:
  providers::EventSink& inner_;
  providers::anthropic::ChatChunksToMessagesStream translator_;
};

asio::awaitable<void> EndBrokenStream(core::Exchange& exchange, http::Responder& responder,
                                      const core::Error& error) {
  exchange.error = error.code();
  if (responder.ClientGone()) {
    exchange.client_gone = true;
    co_return;
  }
  // The OpenAI SDKs raise an APIError for a chunk carrying `error`; the
  // Anthropic SDKs for an `error` event.
  observability::Log(observability::Level::kWarn, "upstream stream broke after it started",
                     {{"request_id", exchange.request_id}, {"trace_id", exchange.trace_id},
                      {"deployment", exchange.deployment}, {"error", error.message()}});
  const bool anthropic = exchange.format == core::ApiFormat::kAnthropicMessages;
  if (co_await responder.SendEvent(ErrorBody(exchange, error), anthropic ? "error" : "")) {
    co_await responder.FinishEvents();
  }
}

// Whether `deployment` carries every tag a policy's route constraint requires.
bool HasTags(const providers::Deployment& deployment, const std::vector<std::string>& required) {
  for (const std::string& tag : required) {
    if (std::find(deployment.tags.begin(), deployment.tags.end(), tag) == deployment.tags.end()) return false;
  }
  return true;
}

// Prices the exchange's usage at the called model's rates. Unknown models stay
// unpriced (cost_usd empty), never silently free.
std::optional<pricing::Cost> Account(core::Exchange& exchange, const pricing::PriceTable& prices) {
  const std::optional<pricing::ModelPrice> price = prices.Find(exchange.upstream_model);
  if (!price) return std::nullopt;
  const pricing::Cost cost = pricing::ComputeCost(*price, exchange.usage);
  exchange.cost_usd = cost.usd();
  exchange.cost_nano_usd = cost.total_nano_usd();
  return cost;
}

// A streamed answer that reached its end through the guard: for one held
// whole, decided (and reviewed, if the policy says so) and then sent.
asio::awaitable<void> FinishGuardedStream(core::Exchange& exchange, GuardedSink& guarded, DispatchGuard governance,
                                          http::Responder& responder) {
  RequestGuard& guard = *governance.guard;
  if (!guarded.holds()) {
    guard.FinishStream();
    co_return;
  }
  if (core::Status allowed = guarded.Decide(); !allowed) {
    co_await SendError(exchange, responder, allowed.error(), 11);
    co_return;
  }
  if (guard.effect().review == policy::ReviewMode::kBlocking) {
    std::string held = guarded.HeldAnswerJson();
    const bool approved = co_await HoldForReview(exchange, guard, governance.reviews, std::move(held), responder);
    if (!approved) co_return;
  }
  if (core::Status sent = co_await guarded.Release(); !sent) exchange.client_gone = true;
}

}  // namespace

std::string ErrorBody(const core::Exchange& exchange, const core::Error& error) {
  return exchange.format == core::ApiFormat::kAnthropicMessages ? providers::anthropic::MessagesErrorBody(error)
                                                                : error.ToJson();
}

asio::awaitable<void> SendError(core::Exchange& exchange, http::Responder& responder, const core::Error& error,
                                unsigned version) {
  exchange.status = error.HttpStatus();
  exchange.error = error.code();
  http::Response response = http::ErrorResponse(error, version);
  response.body() = ErrorBody(exchange, error);
  SetExchangeHeaders(response, exchange);
  if (!exchange.tried.empty()) response.set("x-strata-attempts", std::to_string(exchange.tried.size()));
  co_await responder.Send(std::move(response));
}

WorkerRouting::WorkerRouting(const Catalog& catalog, const GatewayOptions& options, std::uint64_t seed)
    : selector_(seed) {
  // A deployment is one upstream however many aliases list it: one health per
  // name, its cap from where it is first listed.
  std::unordered_map<std::string_view, std::shared_ptr<routing::DeploymentHealth>> health_by_name;
  for (const ModelAlias& alias : catalog.aliases()) {
    for (const providers::Deployment& deployment : alias.deployments) {
      routing::DeploymentStats& stats = stats_.emplace_back();
      stats.name = deployment.name;
      stats.weight = deployment.weight;
      stats.priority = deployment.priority;
      std::shared_ptr<routing::DeploymentHealth>& health = health_by_name[deployment.name];
      if (health == nullptr) {
        health = std::make_shared<routing::DeploymentHealth>();
        health->max_concurrency = deployment.max_concurrency;
        health->breaker = routing::CircuitBreaker(options.breaker);
        health->breaker.PublishTo(BreakerCellFor(deployment.name));  // for /metrics
      }
      stats.health = health;
      by_deployment_[&deployment] = &stats;
    }
  }
}

routing::DeploymentStats* WorkerRouting::StatsFor(const providers::Deployment* deployment) const {
  return by_deployment_.at(deployment);
}

asio::awaitable<void> Dispatch(core::Exchange& exchange, const std::vector<AliasRoute>& routes,
                               const GatewayOptions& options, const pricing::PriceTable& prices,
                               WorkerRouting& routing, http::Responder& responder, DispatchTrace trace,
                               DispatchGuard governance) {
  namespace genai = tracing::genai;
  const unsigned version = 11;
  std::vector<routing::CandidateGroup> groups;
  std::unordered_map<const routing::DeploymentStats*, const Candidate*> candidate_of;
  RequestGuard* guard = governance.guard;
  const std::vector<std::string> no_tags;
  const std::vector<std::string>& required_tags = guard != nullptr ? guard->effect().require_tags : no_tags;
  bool any_candidate = false;
  for (const AliasRoute& route : routes) {
    routing::CandidateGroup& group = groups.emplace_back();
    group.alias = route.alias->name;
    group.strategy = route.alias->strategy;
    for (const Candidate& candidate : route.candidates) {
      if (!HasTags(*candidate.deployment, required_tags)) continue;  // the policy's route constraint
      any_candidate = true;
      routing::DeploymentStats* stats = routing.StatsFor(candidate.deployment);
      group.deployments.push_back(stats);
      candidate_of[stats] = &candidate;
    }
  }
  if (!any_candidate) {
    std::string tags;
    for (const std::string& tag : required_tags) tags += (tags.empty() ? "" : ", ") + tag;
    co_await SendError(exchange, responder,
                       core::Error(core::ErrorCode::kPolicyBlocked,
                                   "no deployment of '" + exchange.model + "' meets the policy's route constraint (tags: " +
                                       tags + ")"),
                       version);
    co_return;
  }
  routing::AttemptPlan plan(std::move(groups), options.retry, routing.selector(), Clock::now() + options.timeout);
  ClientSink sink(exchange, responder, version, *trace.request);
  // Watch the client for the whole exchange, so that its leaving cancels the
  // upstream call at once (RaceCall) instead of at the next write.
  responder.WatchClient();
  core::Error last_error = core::Error::Unavailable("no deployment could serve '" + exchange.model + "'");
  while (true) {
    core::Result<routing::Attempt> attempt = plan.Next(Clock::now());
    if (!attempt) {
      last_error = attempt.error();
      break;
    }
    if (attempt->delay.count() > 0) {
      asio::steady_timer backoff(co_await asio::this_coro::executor, attempt->delay);
      co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    const Candidate& candidate = *candidate_of.at(attempt->deployment);
    const providers::Deployment& deployment = *candidate.deployment;
    const std::shared_ptr<providers::Provider> provider = providers::ProviderFor(deployment.provider);
    exchange.tried.push_back(deployment.name);
    exchange.deployment = deployment.name;
    exchange.alias = attempt->alias;
    // One CLIENT span per attempt; the backoff above falls between two spans.
    // It ends at the end of this loop body, co_return included.
    const std::string_view operation = genai::OperationName(exchange.format);
    tracing::Span attempt_span = trace.tracer->StartChild(*trace.request, operation, tracing::SpanKind::kClient);
    if (attempt_span.recording()) {
      attempt_span.SetName(genai::SpanName(operation, candidate.upstream_model));
      attempt_span.SetAttribute(genai::kOperationName, operation);
      attempt_span.SetAttribute(genai::kProviderName, genai::ProviderName(deployment.provider));
      attempt_span.SetAttribute(genai::kRequestModel, candidate.upstream_model);
      attempt_span.SetAttribute(genai::kStrataDeployment, deployment.name);
      attempt_span.SetAttribute(genai::kStrataAttempt, exchange.tried.size());
      genai::RecordServerAddress(attempt_span, providers::BaseUrlOf(deployment));
      genai::RecordRequestParameters(attempt_span, exchange.body);
    }
    // The vendor sees the attempt as its parent (flag 00 when not sampled);
    // with tracing off, the caller's own headers pass through.
    providers::CallContext call_context;
    if (attempt_span.context().IsValid()) {
      call_context.traceparent = attempt_span.Traceparent();
      call_context.tracestate = attempt_span.context().trace_state_view();
    } else {
      call_context = *trace.passthrough;
    }
    // A provider that does not speak the client's format is reached through
    // OpenAI chat, the one every provider speaks.
    const bool translate = provider != nullptr && !provider->Speaks(exchange.format) &&
                           exchange.format == core::ApiFormat::kAnthropicMessages &&
                           provider->Speaks(core::ApiFormat::kOpenAiChat);
    if (provider == nullptr || (!translate && !provider->Speaks(exchange.format))) {
      last_error = core::Error::UpstreamRejected(deployment.name + " cannot serve this API");
      attempt_span.SetError(last_error.CodeName(), last_error.message());
      plan.RecordFailure(last_error, false, Clock::now());
      continue;
    }
    exchange.body["model"] = candidate.upstream_model;
    exchange.upstream_model = candidate.upstream_model;
    const core::ApiFormat format = translate ? core::ApiFormat::kOpenAiChat : exchange.format;
    json::object translated;
    if (translate) {
      core::Result<json::object> chat =
          providers::anthropic::MessagesRequestToChat(exchange.body, candidate.upstream_model);
      if (!chat) {
        last_error = chat.error();
        attempt_span.SetError(last_error.CodeName(), last_error.message());
        break;  // the request cannot be expressed: no deployment would do better
      }
      translated = std::move(*chat);
    }
    const json::object& body = translate ? translated : exchange.body;
    const Clock::time_point started = Clock::now();
    exchange.upstream_calls.push_back(
        {deployment.name, deployment.provider, std::string(attempt->alias), started, {}, {}});  // for metrics

    if (exchange.stream) {
      // provider → (Anthropic translation) → guard → client
      std::optional<GuardedSink> guarded;
      if (guard != nullptr) guarded.emplace(*guard, sink);
      providers::EventSink& to_client = guarded ? static_cast<providers::EventSink&>(*guarded) : sink;
      MessagesSink to_messages(to_client, {exchange.model, 0});
      providers::EventSink& target = translate ? static_cast<providers::EventSink&>(to_messages) : to_client;
      const bool* upstream_started = guarded ? guarded->started_flag() : sink.started_flag();
      const std::chrono::milliseconds limit = std::min(deployment.timeout, plan.Remaining(Clock::now()));
      providers::StreamEnd end = co_await RaceStream(provider->Stream(deployment, format, body, target, call_context),
                                                     upstream_started, limit, responder, deployment.name);
      exchange.usage = end.usage;
      exchange.EndUpstreamCall(end.status);
      Account(exchange, prices);
      genai::RecordUsage(attempt_span, end.usage);
      if (end.status) {
        const auto first_byte = exchange.first_byte.value_or(Clock::now());
        plan.RecordSuccess(Millis(first_byte - started), Clock::now());
        if (guarded) co_await FinishGuardedStream(exchange, *guarded, governance, responder);
        co_return;
      }
      last_error = end.status.error();
      attempt_span.SetError(last_error.CodeName(), last_error.message());
      if (last_error.code() == core::ErrorCode::kPolicyBlocked) {  // the guard stopped it: not the deployment's fault
        if (*sink.started_flag()) {
          co_await EndBrokenStream(exchange, responder, last_error);
        } else {
          co_await SendError(exchange, responder, last_error, version);
        }
        co_return;
      }
      // A client that left is not the deployment's failure: leaving the attempt
      // unrecorded makes the plan count it as neutral. An answer held whole by
      // the guard reached nobody yet, so it may still be retried.
      const bool reached_client = end.delivered && !(guarded && guarded->holds());
      if (!responder.ClientGone()) plan.RecordFailure(last_error, reached_client, Clock::now());
      if (reached_client || responder.ClientGone()) {
        co_await EndBrokenStream(exchange, responder, last_error);
        co_return;
      }
    } else {
      const std::chrono::milliseconds limit = std::min(deployment.timeout, plan.Remaining(Clock::now()));
      core::Result<providers::Answer> answer =
          co_await RaceCall(provider->Call(deployment, format, body, call_context), limit, responder, deployment.name);
      if (answer && translate) {
        boost::system::error_code ec;
        json::value chat = json::parse(answer->body, ec);
        if (ec || !chat.is_object()) {
          answer = core::Error::UpstreamRejected(deployment.name + " answered with invalid JSON");
        } else {
          answer->body = json::serialize(providers::anthropic::ChatResponseToMessages(chat.get_object(), exchange.model));
        }
      }
      exchange.EndUpstreamCall(answer);
      if (answer) {
        plan.RecordSuccess(Millis(Clock::now() - started), Clock::now());
        exchange.usage = answer->usage;
        genai::RecordUsage(attempt_span, answer->usage);
        if (attempt_span.recording()) {
          // gen_ai.response.*, from the body as the client gets it; parsed
          // again only for a sampled span.
          boost::system::error_code ec;
          const json::value parsed = json::parse(answer->body, ec);
          if (!ec && parsed.is_object()) {
            genai::RecordResponse(attempt_span, parsed.get_object());
            genai::RecordOutputContent(attempt_span, parsed.get_object());
          }
        }
        attempt_span.End();  // the upstream call is over; sending to the client is the request span's
        const std::optional<pricing::Cost> cost = Account(exchange, prices);
        std::string answer_body = std::move(answer->body);
        if (guard != nullptr) {
          core::Result<std::string> filtered = guard->FilterAnswer(std::move(answer_body));
          if (!filtered) {
            co_await SendError(exchange, responder, filtered.error(), version);
            co_return;
          }
          answer_body = std::move(*filtered);
          if (guard->effect().review == policy::ReviewMode::kBlocking) {
            const bool approved = co_await HoldForReview(exchange, *guard, governance.reviews, answer_body, responder);
            if (!approved) co_return;
          }
        }
        exchange.status = 200;
        exchange.first_byte = Clock::now();
        http::Response response(beast_http::status::ok, version);
        response.set(beast_http::field::content_type, "application/json");
        SetRoutingHeaders(response, exchange);
        if (cost) response.set("x-strata-cost-usd", pricing::FormatUsd(cost->total_nano_usd()));
        response.body() = std::move(answer_body);
        if (!co_await responder.Send(std::move(response))) exchange.client_gone = true;
        co_return;
      }
      last_error = answer.error();
      attempt_span.SetError(last_error.CodeName(), last_error.message());
      if (responder.ClientGone()) {
        exchange.client_gone = true;  // nobody to answer; the attempt counts as neutral
        co_return;
      }
      plan.RecordFailure(last_error, false, Clock::now());
    }
    observability::Log(observability::Level::kWarn, "upstream attempt failed",
                       {{"request_id", exchange.request_id}, {"trace_id", exchange.trace_id},
                        {"deployment", deployment.name}, {"error", last_error.message()}});
  }
  exchange.deployment.clear();
  co_await SendError(exchange, responder, last_error, version);
}

}  // namespace strata::gateway
