#include "review/review_queue.h"

#include <algorithm>
#include <atomic>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include "core/clock.h"
#include "core/json_values.h"
#include "observability/log.h"

namespace strata::review {
namespace {

namespace json = boost::json;

// Stored JSON objects as objects; anything else (never written by Strata)
// wrapped, so the admin API's schema holds whatever the row says.
json::object ObjectOf(const std::string& text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (!ec && value.is_object()) return std::move(value.get_object());
  return json::object{{"text", text}};
}

core::Error NoSuchReview(std::string_view id) { return core::Error::NotFound("no review '" + std::string(id) + "'"); }

ReviewStatus StatusOf(const store::ReviewRow& row) {
  return ReviewStatus{
      .id = row.id, .status = row.status, .decided_at_ms = row.decided_at_ms, .justification = row.justification};
}

}  // namespace

// One AwaitDecision in progress. Shared with Notify, which posts a cancel of
// `timer` to the timer's own executor: the timer is only touched there.
struct ReviewQueue::Waiter {
  explicit Waiter(asio::any_io_executor executor) : timer(std::move(executor)) {}
  asio::steady_timer timer;
  std::atomic<bool> notified{false};
};

// Keeps a Waiter in waiters_ for as long as it lives (every exit path of
// AwaitDecision, exceptions included).
class ReviewQueue::Registration {
 public:
  Registration(ReviewQueue& queue, std::string id, std::shared_ptr<Waiter> waiter)
      : queue_(queue), id_(std::move(id)), waiter_(std::move(waiter)) {
    std::lock_guard lock(queue_.mutex_);
    queue_.waiters_[id_].push_back(waiter_);
  }
  ~Registration() {
    std::lock_guard lock(queue_.mutex_);
    auto found = queue_.waiters_.find(id_);
    if (found == queue_.waiters_.end()) return;
    std::erase(found->second, waiter_);
    if (found->second.empty()) queue_.waiters_.erase(found);
  }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

 private:
  ReviewQueue& queue_;
  std::string id_;
  std::shared_ptr<Waiter> waiter_;
};

ReviewQueue::ReviewQueue(store::ReviewStore& store, store::BlockingPool& pool, store::ContentVault& vault,
                         ReviewOptions options)
    : store_(store), pool_(pool), vault_(vault), options_(std::move(options)) {}

ReviewQueue::~ReviewQueue() = default;

std::int64_t ReviewQueue::Now() const {
  return options_.now_ms ? options_.now_ms() : core::NowMs();
}

asio::awaitable<core::Result<std::string>> ReviewQueue::Submit(HeldExchange exchange) {
  if (exchange.tenant.empty()) co_return core::Error::InvalidRequest("a review needs a tenant", "tenant");
  if (exchange.mode != "blocking" && exchange.mode != "queued") {
    co_return core::Error::InvalidRequest("review mode must be 'blocking' or 'queued'", "mode");
  }
  store::ReviewRow row;
  row.tenant_id = std::move(exchange.tenant);
  row.request_id = std::move(exchange.request_id);
  row.key_id = std::move(exchange.key_id);
  row.subject = std::move(exchange.subject);
  row.mode = std::move(exchange.mode);
  row.decision_record = std::move(exchange.decision_record);
  row.redacted_exchange = std::move(exchange.redacted_exchange);
  row.created_at_ms = Now();
  row.expires_at_ms = row.created_at_ms + options_.hold_ttl.count();
  std::optional<std::string>& plaintext = exchange.held_answer;
  // Seal and insert in one pool job: the plaintext never reaches the store.
  const auto seal_and_create = [this, &row, &plaintext]() -> core::Result<store::ReviewRow> {
    if (plaintext) {
      core::Result<std::string> sealed = vault_.Seal(row.tenant_id, row.subject, *plaintext);
      if (!sealed) return sealed.error();
      row.held_answer = std::move(*sealed);
    }
    return store_.Create(row);
  };
  core::Result<store::ReviewRow> created = co_await pool_.Run(seal_and_create);
  if (!created) co_return created.error();
  co_return created->id;
}

asio::awaitable<core::Result<ReviewStatus>> ReviewQueue::ReadStatus(const std::string& id) {
  core::Result<store::ReviewRow> row = co_await pool_.Run([this, &id] { return store_.Get(id, ""); });
  if (!row) co_return row.error();
  co_return StatusOf(*row);
}

asio::awaitable<void> ReviewQueue::PollSettled() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    // Every waiter ticks once a poll_interval; the first tick of each interval
    // reads for all of them. The slack absorbs timer jitter.
    if (now - last_poll_ < options_.poll_interval - options_.poll_interval / 8) co_return;
    last_poll_ = now;
    ids.reserve(waiters_.size());
    for (const auto& [id, list] : waiters_) ids.push_back(id);
  }
  core::Result<std::vector<std::string>> settled = co_await pool_.Run([this, &ids] { return store_.Settled(ids); });
  if (!settled) {
    observability::Log(observability::Level::kWarn, "polling reviews failed", {{"error", settled.error().message()}});
    co_return;
  }
  for (const std::string& id : *settled) Notify(id);
}

asio::awaitable<core::Result<ReviewStatus>> ReviewQueue::AwaitDecision(std::string id,
                                                                       std::chrono::milliseconds wait) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + wait;
  // Cancellation ends the wait with the last status read, never by throwing.
  co_await asio::this_coro::throw_if_cancelled(false);
  asio::any_io_executor executor = co_await asio::this_coro::executor;
  auto waiter = std::make_shared<Waiter>(executor);
  // Registered before the first read, so a decision made between a read and
  // the wait that follows is never missed: `notified` stays set.
  Registration registration(*this, id, waiter);
  core::Result<ReviewStatus> last = co_await ReadStatus(id);
  for (;;) {
    if (!last || !last->pending()) co_return last;
    const Clock::time_point now = Clock::now();
    if (now >= deadline) co_return last;
    asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
    if (cancellation.cancelled() != asio::cancellation_type::none) co_return last;
    if (!waiter->notified.load()) {
      const auto left = std::chrono::duration_cast<Clock::duration>(deadline - now);
      waiter->timer.expires_after(std::min<Clock::duration>(options_.poll_interval, left));
      // A Notify after the check above posts its cancel behind this wait (one
      // thread runs this executor), so it lands on the wait.
      co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
      cancellation = co_await asio::this_coro::cancellation_state;
      if (cancellation.cancelled() != asio::cancellation_type::none) co_return last;
      // Decisions taken on other nodes: one batched read per interval for
      // every waiter here, which notifies those whose review settled.
      if (!waiter->notified.load() && Clock::now() < deadline) co_await PollSettled();
    }
    if (waiter->notified.load() || Clock::now() >= deadline) {
      waiter->notified.store(false);
      last = co_await ReadStatus(id);
    }
  }
}

void ReviewQueue::Notify(std::string_view id) {
  std::vector<std::shared_ptr<Waiter>> woken;
  {
    std::lock_guard lock(mutex_);
    auto found = waiters_.find(std::string(id));
    if (found == waiters_.end()) return;
    woken = found->second;
  }
  for (std::shared_ptr<Waiter>& waiter : woken) {
    waiter->notified.store(true);
    asio::any_io_executor executor = waiter->timer.get_executor();
    asio::post(executor, [waiter = std::move(waiter)] { waiter->timer.cancel(); });
  }
}

std::size_t ReviewQueue::waiters() const {
  std::lock_guard lock(mutex_);
  std::size_t count = 0;
  for (const auto& [id, list] : waiters_) count += list.size();
  return count;
}

asio::awaitable<core::Result<store::ReviewRow>> ReviewQueue::Decide(std::string id, std::string tenant_id,
                                                                    bool approve, std::string reviewer_id,
                                                                    std::string justification) {
  const std::int64_t now = Now();
  core::Result<store::ReviewRow> decided = co_await pool_.Run([&]() {
    return store_.Decide(id, tenant_id, approve, reviewer_id, justification, now);
  });
  if (decided) Notify(id);
  co_return decided;
}

// Blocking (store and vault): the review if it is `key_id`'s, with its held
// answer opened when it is approved and still held.
core::Result<ReviewQueue::CallersReview> ReviewQueue::ReadForCaller(const std::string& id, const std::string& tenant,
                                                                    const std::string& key_id) {
  if (tenant.empty()) return NoSuchReview(id);
  core::Result<store::ReviewRow> row = store_.Get(id, tenant);
  if (!row) return row.error();
  if (row->key_id != key_id) return NoSuchReview(id);
  CallersReview review{.row = std::move(*row)};
  if (review.row.status != "approved" || !review.row.held_answer) return review;
  core::Result<std::string> opened = vault_.Open(tenant, *review.row.held_answer);
  if (opened) {
    review.answer = std::move(*opened);
  } else if (opened.error().code() != core::ErrorCode::kNotFound) {  // kNotFound: the subject was erased
    return opened.error();
  }
  return review;
}

asio::awaitable<core::Result<std::optional<std::string>>> ReviewQueue::OpenAnswer(std::string id, std::string tenant,
                                                                                  std::string key_id) {
  core::Result<CallersReview> review = co_await pool_.Run([&] { return ReadForCaller(id, tenant, key_id); });
  if (!review) co_return review.error();
  co_return std::move(review->answer);
}

asio::awaitable<core::Result<json::object>> ReviewQueue::CallerView(std::string id, std::string tenant,
                                                                    std::string key_id) {
  core::Result<CallersReview> review = co_await pool_.Run([&] { return ReadForCaller(id, tenant, key_id); });
  if (!review) co_return review.error();
  const store::ReviewRow& row = review->row;
  json::object view{{"id", row.id},
                    {"object", "review"},
                    {"status", row.status},
                    {"created_at", row.created_at_ms / 1000},
                    {"decided_at", core::SecondsOrNull(row.decided_at_ms)}};
  if (row.status == "rejected") view["justification"] = row.justification;
  if (review->answer) view["response"] = core::ParsedOrText(*review->answer);
  co_return view;
}

asio::awaitable<core::Result<std::int64_t>> ReviewQueue::ExpireOnce() {
  const std::int64_t now = Now();
  co_return co_await pool_.Run([this, now] { return store_.ExpireDue(now); });
}

asio::awaitable<void> ReviewQueue::RunExpiry(std::chrono::milliseconds interval) {
  co_await asio::this_coro::throw_if_cancelled(false);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    core::Result<std::int64_t> expired = co_await ExpireOnce();
    if (!expired) {
      observability::Log(observability::Level::kWarn, "expiring pending reviews failed",
                         {{"error", expired.error().message()}});
    } else if (*expired > 0) {
      observability::Log(observability::Level::kInfo, "pending reviews expired", {{"count", *expired}});
    }
    timer.expires_after(interval);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;  // cancelled
    asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
    if (cancellation.cancelled() != asio::cancellation_type::none) co_return;
  }
}

json::object ReviewerJson(const store::ReviewRow& row) {
  return {{"id", row.id},
          {"object", "review"},
          {"tenant_id", row.tenant_id},
          {"request_id", row.request_id},
          {"key_id", row.key_id},
          {"mode", row.mode},
          {"status", row.status},
          {"decision_record", ObjectOf(row.decision_record)},
          {"redacted_exchange", ObjectOf(row.redacted_exchange)},
          {"created_at", row.created_at_ms / 1000},
          {"expires_at", row.expires_at_ms / 1000},
          {"decided_at", core::SecondsOrNull(row.decided_at_ms)},
          {"reviewer_id", row.reviewer_id.empty() ? json::value(nullptr) : json::value(row.reviewer_id)},
          {"justification", row.justification.empty() ? json::value(nullptr) : json::value(row.justification)}};
}

json::object FeedbackJson(const store::FeedbackRow& row) {
  return {{"id", row.id},
          {"object", "feedback"},
          {"tenant_id", row.tenant_id},
          {"request_id", row.request_id},
          {"key_id", row.key_id},
          {"score", row.score},
          {"comment", row.comment},
          {"created_at", row.created_at_ms / 1000}};
}

}  // namespace strata::review
