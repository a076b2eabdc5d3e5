#include "review/review_queue.h"

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "store/blocking_pool.h"
#include "store/migrations.h"
#include "store/sqlite/content_vault.h"
#include "store/sqlite/database.h"
#include "store/sqlite/review_store.h"
#include "support/run_coroutine.h"

namespace strata::review {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using strata::testing::RunCoroutine;

constexpr std::int64_t kStart = 1'773'568'800'000;  // 2026-03-15 10:00 UTC

class ReviewQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "strata-review-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto opened = store::sqlite::Database::Open((dir_ / "strata.db").string());
    ASSERT_TRUE(opened) << opened.error().message();
    database_ = std::move(*opened);
    ASSERT_TRUE(store::ApplyMigrations(*database_));
    store_ = std::make_unique<store::sqlite::SqliteReviewStore>(*database_);
    store::sqlite::MasterKey master_key;
    master_key.fill(7);
    vault_ = std::make_unique<store::sqlite::SqliteContentVault>(*database_, master_key);
    pool_ = std::make_unique<store::BlockingPool>(2);
    MakeQueue(milliseconds(20));
  }
  void TearDown() override {
    queue_.reset();
    pool_.reset();
    store_.reset();
    vault_.reset();
    database_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void MakeQueue(milliseconds poll_interval, store::ReviewStore* over = nullptr) {
    queue_ = std::make_unique<ReviewQueue>(
        over != nullptr ? *over : *store_, *pool_, *vault_,
        ReviewOptions{.hold_ttl = std::chrono::hours(1), .poll_interval = poll_interval, .now_ms = [this] {
                        return now_ms.load();
                      }});
  }

  static HeldExchange Exchange(std::string tenant = "ten_a", std::string key = "key_a") {
    return HeldExchange{.tenant = std::move(tenant),
                        .request_id = "req_1",
                        .key_id = std::move(key),
                        .subject = "user-42",
                        .mode = "blocking",
                        .decision_record = R"({"rule":"pii"})",
                        .redacted_exchange = R"({"prompt":"[EMAIL]"})",
                        .held_answer = R"({"answer":"the secret text"})"};
  }

  std::string Submit(HeldExchange exchange) {
    core::Result<std::string> id = RunCoroutine(queue_->Submit(std::move(exchange)));
    EXPECT_TRUE(id) << id.error().message();
    return id ? *id : std::string();
  }

  core::Result<json::object> View(const std::string& id, const std::string& tenant, const std::string& key) {
    return RunCoroutine(queue_->CallerView(id, tenant, key));
  }

  std::atomic<std::int64_t> now_ms{kStart};
  std::filesystem::path dir_;
  std::unique_ptr<store::sqlite::Database> database_;
  std::unique_ptr<store::sqlite::SqliteReviewStore> store_;
  std::unique_ptr<store::BlockingPool> pool_;
  std::unique_ptr<store::sqlite::SqliteContentVault> vault_;
  std::unique_ptr<ReviewQueue> queue_;
};

TEST_F(ReviewQueueTest, SubmitSealsTheHeldAnswerBeforeStoringIt) {
  const std::string id = Submit(Exchange());
  ASSERT_TRUE(id.starts_with("rev_")) << id;
  core::Result<store::ReviewRow> row = store_->Get(id, "ten_a");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->status, "pending");
  EXPECT_EQ(row->created_at_ms, kStart);
  EXPECT_EQ(row->expires_at_ms, kStart + 3'600'000);
  ASSERT_TRUE(row->held_answer);
  EXPECT_EQ(row->held_answer->find("secret"), std::string::npos);
  core::Result<std::string> opened = vault_->Open("ten_a", *row->held_answer);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, R"({"answer":"the secret text"})");
}

TEST_F(ReviewQueueTest, SubmitRefusesAnUnknownMode) {
  HeldExchange exchange = Exchange();
  exchange.mode = "later";
  core::Result<std::string> id = RunCoroutine(queue_->Submit(std::move(exchange)));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code(), core::ErrorCode::kInvalidRequest);
}

asio::awaitable<void> DecideAfter(ReviewQueue& queue, std::string id, milliseconds delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::use_awaitable);
  core::Result<store::ReviewRow> decided = co_await queue.Decide(id, "ten_a", true, "usr_rev", "looks fine");
  EXPECT_TRUE(decided) << decided.error().message();
}

TEST_F(ReviewQueueTest, AwaitDecisionWakesAtOnceWhenDecidedThroughTheQueue) {
  MakeQueue(std::chrono::seconds(30));  // polling alone would take far longer than the test allows
  const std::string id = Submit(Exchange());
  asio::io_context io;
  asio::co_spawn(io, DecideAfter(*queue_, id, milliseconds(50)), asio::detached);
  const auto start = std::chrono::steady_clock::now();
  core::Result<ReviewStatus> status = RunCoroutine(io, queue_->AwaitDecision(id, std::chrono::seconds(20)));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(status) << status.error().message();
  EXPECT_EQ(status->status, "approved");
  EXPECT_EQ(status->justification, "looks fine");
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  EXPECT_EQ(queue_->waiters(), 0u);
}

TEST_F(ReviewQueueTest, AwaitDecisionSeesADecisionMadeElsewhereByPolling) {
  const std::string id = Submit(Exchange());
  // Another node decides: straight in the store, no Notify in this process.
  std::thread other([&] {
    std::this_thread::sleep_for(milliseconds(100));
    EXPECT_TRUE(store_->Decide(id, "", false, "usr_rev", "leaks data", kStart + 1000));
  });
  core::Result<ReviewStatus> status = RunCoroutine(queue_->AwaitDecision(id, std::chrono::seconds(20)));
  other.join();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, "rejected");
  EXPECT_EQ(status->decided_at_ms, kStart + 1000);
  EXPECT_EQ(status->justification, "leaks data");
}

TEST_F(ReviewQueueTest, AwaitDecisionAnswersPendingWhenTheWaitRunsOut) {
  const std::string id = Submit(Exchange());
  const auto start = std::chrono::steady_clock::now();
  core::Result<ReviewStatus> status = RunCoroutine(queue_->AwaitDecision(id, milliseconds(120)));
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->pending());
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(120));
  EXPECT_EQ(queue_->waiters(), 0u);
}

TEST_F(ReviewQueueTest, AwaitDecisionOnAnUnknownReviewIsNotFound) {
  core::Result<ReviewStatus> status = RunCoroutine(queue_->AwaitDecision("rev_nope", milliseconds(50)));
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), core::ErrorCode::kNotFound);
}

TEST_F(ReviewQueueTest, ManyWaitersAreAllWokenByOneDecision) {
  MakeQueue(std::chrono::seconds(30));
  const std::string id = Submit(Exchange());
  asio::io_context io;
  int approved = 0;
  for (int i = 0; i < 50; ++i) {
    asio::co_spawn(io, queue_->AwaitDecision(id, std::chrono::seconds(20)),
                   [&](std::exception_ptr, core::Result<ReviewStatus> status) {
                     if (status && status->status == "approved") ++approved;
                   });
  }
  asio::co_spawn(io, DecideAfter(*queue_, id, milliseconds(100)), asio::detached);
  const auto start = std::chrono::steady_clock::now();
  io.run();
  EXPECT_EQ(approved, 50);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(queue_->waiters(), 0u);
}

TEST_F(ReviewQueueTest, AwaitDecisionReturnsPendingAtOnceWhenCancelled) {
  MakeQueue(std::chrono::seconds(30));
  const std::string id = Submit(Exchange());
  asio::io_context io;
  asio::cancellation_signal signal;
  std::optional<core::Result<ReviewStatus>> got;
  asio::co_spawn(io, queue_->AwaitDecision(id, std::chrono::seconds(20)),
                 asio::bind_cancellation_slot(signal.slot(),
                                              [&](std::exception_ptr escaped, core::Result<ReviewStatus> status) {
                                                EXPECT_FALSE(escaped);
                                                got = std::move(status);
                                              }));
  asio::steady_timer timer(io, milliseconds(50));
  timer.async_wait([&](boost::system::error_code) { signal.emit(asio::cancellation_type::terminal); });
  const auto start = std::chrono::steady_clock::now();
  io.run();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_TRUE(got);
  ASSERT_TRUE(*got);
  EXPECT_TRUE((*got)->pending());
  EXPECT_EQ(queue_->waiters(), 0u);
}

TEST_F(ReviewQueueTest, RunExpiryExpiresDueReviewsUntilCancelled) {
  const std::string id = Submit(Exchange());
  now_ms = kStart + 3'600'000;
  asio::io_context io;
  asio::cancellation_signal signal;
  bool finished = false;
  asio::co_spawn(io, queue_->RunExpiry(milliseconds(10)),
                 asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr escaped) {
                   EXPECT_FALSE(escaped);
                   finished = true;
                 }));
  asio::steady_timer timer(io, milliseconds(100));
  timer.async_wait([&](boost::system::error_code) { signal.emit(asio::cancellation_type::terminal); });
  io.run();
  EXPECT_TRUE(finished);
  EXPECT_EQ(store_->Get(id, "ten_a")->status, "expired");
}

// Counts the reads a queue makes, passing everything to the real store.
class CountingStore final : public store::ReviewStore {
 public:
  explicit CountingStore(store::ReviewStore& inner) : inner_(inner) {}
  core::Result<store::ReviewRow> Create(store::ReviewRow row) override { return inner_.Create(std::move(row)); }
  core::Result<store::ReviewRow> Get(std::string_view id, std::string_view tenant_id) override {
    ++gets;
    return inner_.Get(id, tenant_id);
  }
  core::Result<store::Page<store::ReviewRow>> List(const store::ReviewQuery& query) override {
    return inner_.List(query);
  }
  core::Result<store::ReviewRow> Decide(std::string_view id, std::string_view tenant_id, bool approve,
                                        std::string_view reviewer_id, std::string_view justification,
                                        std::int64_t now_ms) override {
    return inner_.Decide(id, tenant_id, approve, reviewer_id, justification, now_ms);
  }
  core::Result<std::vector<std::string>> Settled(const std::vector<std::string>& ids) override {
    ++settled;
    return inner_.Settled(ids);
  }
  core::Result<std::int64_t> ExpireDue(std::int64_t now_ms) override { return inner_.ExpireDue(now_ms); }
  core::Result<std::int64_t> DeleteSubject(std::string_view tenant_id, std::string_view subject) override {
    return inner_.DeleteSubject(tenant_id, subject);
  }
  core::Result<std::int64_t> PurgeBefore(std::string_view tenant_id, std::int64_t cutoff_ms) override {
    return inner_.PurgeBefore(tenant_id, cutoff_ms);
  }
  core::Result<store::FeedbackRow> CreateFeedback(store::FeedbackRow row) override {
    return inner_.CreateFeedback(std::move(row));
  }
  core::Result<store::Page<store::FeedbackRow>> ListFeedback(const store::FeedbackQuery& query) override {
    return inner_.ListFeedback(query);
  }
  core::Result<std::int64_t> PurgeFeedbackBefore(std::string_view tenant_id, std::int64_t cutoff_ms) override {
    return inner_.PurgeFeedbackBefore(tenant_id, cutoff_ms);
  }

  std::atomic<int> gets{0};
  std::atomic<int> settled{0};

 private:
  store::ReviewStore& inner_;
};

TEST_F(ReviewQueueTest, ManyWaitersShareOneStoreReadPerPollInterval) {
  CountingStore counting(*store_);
  MakeQueue(milliseconds(50), &counting);
  constexpr int kWaiters = 40;
  std::vector<std::string> ids;
  for (int i = 0; i < kWaiters; ++i) ids.push_back(Submit(Exchange()));
  asio::io_context io;
  int pending = 0;
  for (const std::string& id : ids) {
    asio::co_spawn(io, queue_->AwaitDecision(id, milliseconds(400)),
                   [&](std::exception_ptr, core::Result<ReviewStatus> status) {
                     if (status && status->pending()) ++pending;
                   });
  }
  // Decided elsewhere half-way: its waiter learns it from the shared poll.
  std::thread other([&] {
    std::this_thread::sleep_for(milliseconds(150));
    EXPECT_TRUE(store_->Decide(ids[7], "", true, "usr_rev", "ok", kStart + 1));
  });
  io.run();
  other.join();
  EXPECT_EQ(pending, kWaiters - 1);
  // One read each to start and one at the deadline (plus the decided one),
  // and about one shared poll per interval: not one read per waiter per interval.
  EXPECT_LE(counting.gets.load(), 2 * kWaiters + 2);
  EXPECT_GE(counting.settled.load(), 3);
  EXPECT_LE(counting.settled.load(), 16);
  EXPECT_EQ(queue_->waiters(), 0u);
}

TEST_F(ReviewQueueTest, SettledNamesReviewsNoLongerPending) {
  const std::string pending = Submit(Exchange());
  const std::string decided = Submit(Exchange());
  ASSERT_TRUE(store_->Decide(decided, "", false, "usr", "no", kStart + 1));
  core::Result<std::vector<std::string>> settled = store_->Settled({pending, decided, "rev_gone", "it's \"odd\""});
  ASSERT_TRUE(settled) << settled.error().message();
  std::sort(settled->begin(), settled->end());
  EXPECT_EQ(*settled, (std::vector<std::string>{"it's \"odd\"", decided, "rev_gone"}));
}

TEST_F(ReviewQueueTest, CallerViewShowsAPendingReviewToItsOwnKeyOnly) {
  const std::string id = Submit(Exchange());
  core::Result<json::object> view = View(id, "ten_a", "key_a");
  ASSERT_TRUE(view) << view.error().message();
  EXPECT_EQ((*view)["id"], json::value(id));
  EXPECT_EQ((*view)["object"], "review");
  EXPECT_EQ((*view)["status"], "pending");
  EXPECT_EQ((*view)["created_at"], kStart / 1000);
  EXPECT_TRUE((*view)["decided_at"].is_null());
  EXPECT_FALSE(view->contains("response"));
  EXPECT_FALSE(view->contains("justification"));

  for (const auto& [tenant, key] : {std::pair{"ten_a", "key_b"}, std::pair{"ten_b", "key_a"}, std::pair{"", "key_a"}}) {
    core::Result<json::object> refused = View(id, tenant, key);
    ASSERT_FALSE(refused) << tenant << " " << key;
    EXPECT_EQ(refused.error().code(), core::ErrorCode::kNotFound);
  }
  core::Result<json::object> missing = View("rev_missing", "ten_a", "key_a");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), core::ErrorCode::kNotFound);
}

TEST_F(ReviewQueueTest, CallerViewOfAnApprovedReviewCarriesTheHeldAnswer) {
  const std::string id = Submit(Exchange());
  now_ms = kStart + 5'000;
  ASSERT_TRUE(RunCoroutine(queue_->Decide(id, "ten_a", true, "usr_rev", "fine")));
  core::Result<json::object> view = View(id, "ten_a", "key_a");
  ASSERT_TRUE(view);
  EXPECT_EQ((*view)["status"], "approved");
  EXPECT_EQ((*view)["decided_at"], (kStart + 5'000) / 1000);
  EXPECT_EQ((*view)["response"], json::parse(R"({"answer":"the secret text"})"));
  EXPECT_FALSE(view->contains("justification"));
}

TEST_F(ReviewQueueTest, CallerViewOfARejectedReviewCarriesTheJustificationOnly) {
  const std::string id = Submit(Exchange());
  ASSERT_TRUE(RunCoroutine(queue_->Decide(id, "ten_a", false, "usr_rev", "contains a customer's address")));
  core::Result<json::object> view = View(id, "ten_a", "key_a");
  ASSERT_TRUE(view);
  EXPECT_EQ((*view)["status"], "rejected");
  EXPECT_EQ((*view)["justification"], "contains a customer's address");
  EXPECT_FALSE(view->contains("response"));
  EXPECT_FALSE(store_->Get(id, "ten_a")->held_answer);
}

TEST_F(ReviewQueueTest, AnErasedSubjectsAnswerIsNoLongerReleased) {
  const std::string id = Submit(Exchange());
  ASSERT_TRUE(RunCoroutine(queue_->Decide(id, "ten_a", true, "usr_rev", "fine")));
  ASSERT_TRUE(vault_->EraseSubject("ten_a", "user-42"));
  core::Result<json::object> view = View(id, "ten_a", "key_a");
  ASSERT_TRUE(view) << view.error().message();
  EXPECT_EQ((*view)["status"], "approved");
  EXPECT_FALSE(view->contains("response"));
}

TEST_F(ReviewQueueTest, OpenAnswerReleasesOnlyAnApprovedAnswerToItsKey) {
  const std::string id = Submit(Exchange());
  core::Result<std::optional<std::string>> before = RunCoroutine(queue_->OpenAnswer(id, "ten_a", "key_a"));
  ASSERT_TRUE(before);
  EXPECT_FALSE(*before);
  ASSERT_TRUE(RunCoroutine(queue_->Decide(id, "ten_a", true, "usr_rev", "fine")));
  core::Result<std::optional<std::string>> after = RunCoroutine(queue_->OpenAnswer(id, "ten_a", "key_a"));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->value_or(""), R"({"answer":"the secret text"})");
  EXPECT_FALSE(RunCoroutine(queue_->OpenAnswer(id, "ten_a", "key_b")));
}

TEST_F(ReviewQueueTest, ExpiryDropsTheHeldAnswerAndRefusesLateDecisions) {
  const std::string id = Submit(Exchange());
  now_ms = kStart + 3'600'000;
  core::Result<std::int64_t> expired = RunCoroutine(queue_->ExpireOnce());
  ASSERT_TRUE(expired);
  EXPECT_EQ(*expired, 1);
  core::Result<store::ReviewRow> row = store_->Get(id, "ten_a");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->status, "expired");
  EXPECT_FALSE(row->held_answer);
  core::Result<store::ReviewRow> late = RunCoroutine(queue_->Decide(id, "ten_a", true, "usr_rev", "fine"));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code(), core::ErrorCode::kConflict);
  core::Result<ReviewStatus> status = RunCoroutine(queue_->AwaitDecision(id, milliseconds(10)));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, "expired");
}

TEST_F(ReviewQueueTest, ReviewerJsonNeverCarriesTheHeldAnswer) {
  const std::string id = Submit(Exchange());
  core::Result<store::ReviewRow> row = store_->Get(id, "ten_a");
  ASSERT_TRUE(row);
  const json::object reviewer = ReviewerJson(*row);
  EXPECT_FALSE(reviewer.contains("held_answer"));
  EXPECT_FALSE(reviewer.contains("response"));
  EXPECT_EQ(reviewer.at("redacted_exchange"), json::parse(R"({"prompt":"[EMAIL]"})"));
  EXPECT_EQ(reviewer.at("decision_record"), json::parse(R"({"rule":"pii"})"));
  EXPECT_EQ(reviewer.at("mode"), "blocking");
  EXPECT_TRUE(reviewer.at("reviewer_id").is_null());
}

}  // namespace
}  // namespace strata::review
