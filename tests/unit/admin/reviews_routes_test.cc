// The review queue's admin routes, driven through the real router, auth and
// stores (SQLite in a temp dir), with an in-memory responder.
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "admin/admin_api.h"
#include "governance/secrets.h"
#include "governance/snapshot.h"
#include "review/review_queue.h"
#include "store/store.h"
#include "support/run_coroutine.h"

namespace strata::admin {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace beast_http = boost::beast::http;

constexpr std::string_view kHeldText = "the-held-answer-text";

class FakeResponder final : public http::Responder {
 public:
  asio::awaitable<core::Status> Send(http::Response response) override {
    this->response = std::move(response);
    co_return core::Status{};
  }
  asio::awaitable<core::Status> StartEvents(http::Response) override { co_return core::Error::Internal("unused"); }
  asio::awaitable<core::Status> SendEvent(std::string_view, std::string_view) override {
    co_return core::Error::Internal("unused");
  }
  asio::awaitable<core::Status> SendChunk(std::string_view) override { co_return core::Error::Internal("unused"); }
  asio::awaitable<core::Status> FinishEvents() override { co_return core::Error::Internal("unused"); }
  void WatchClient() override {}
  bool ClientGone() const override { return false; }
  void OnClientGone(std::function<void()>) override {}
  void Abort() override {}
  const std::string& request_id() const override { return request_id_; }
  std::string_view route() const override { return ""; }
  std::string_view PathParam(std::string_view name) const override {
    for (const auto& [key, value] : params) {
      if (key == name) return value;
    }
    return {};
  }
  std::string_view client_address() const override { return "127.0.0.1"; }

  std::vector<std::pair<std::string_view, std::string_view>> params;
  http::Response response;

 private:
  std::string request_id_ = "req-test";
};

struct Answer {
  int status = 0;
  json::value body;
  std::string text;
};

class ReviewRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "strata-admin-rev-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    store::StoreOptions options;
    options.data_dir = dir_.string();
    options.threads = 2;
    auto opened = store::Store::Open(options);
    ASSERT_TRUE(opened) << opened.error().message();
    store_ = std::move(*opened);
    tenant_a_ = Tenant("acme");
    tenant_b_ = Tenant("globex");
    reviewer_ = Key(tenant_a_, "reviewer");
    auditor_ = Key(tenant_a_, "auditor");
    viewer_ = Key(tenant_a_, "viewer");
    reviewer_b_ = Key(tenant_b_, "reviewer");
    admin_ = Key("", "admin");
    snapshots_ = std::make_unique<governance::SnapshotSource>(store_->governance(), governance::SnapshotOptions{});
    ASSERT_TRUE(snapshots_->Start());
    queue_ = std::make_unique<review::ReviewQueue>(store_->reviews(), store_->pool(), store_->vault());
    api_ = std::make_unique<AdminApi>(AdminDeps{.store = store_->governance(),
                                                .pool = store_->pool(),
                                                .snapshots = *snapshots_,
                                                .reviews = &store_->reviews(),
                                                .review_queue = queue_.get()});
    api_->AddRoutes(router_);
  }
  void TearDown() override {
    api_.reset();
    queue_.reset();
    snapshots_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string Tenant(const std::string& name) {
    auto row = store_->governance().CreateTenant({.name = name});
    EXPECT_TRUE(row);
    return row ? row->id : "";
  }
  // Returns the secret of a new key with `role`.
  std::string Key(const std::string& tenant, const std::string& role) {
    const governance::MintedKey minted = governance::MintKey();
    auto row = store_->governance().CreateKey({.tenant_id = tenant,
                                               .name = role,
                                               .prefix = minted.prefix,
                                               .digest_hex = minted.digest_hex,
                                               .role = role});
    EXPECT_TRUE(row) << row.error().message();
    return minted.secret;
  }

  std::string Review(const std::string& tenant, const std::string& request_id = "req-1") {
    review::HeldExchange exchange{.tenant = tenant,
                                  .request_id = request_id,
                                  .key_id = "key_caller",
                                  .subject = "user-1",
                                  .decision_record = R"({"rule":"pii"})",
                                  .redacted_exchange = R"({"prompt":"[EMAIL]"})",
                                  .held_answer = R"({"answer":")" + std::string(kHeldText) + R"("})"};
    core::Result<std::string> id = strata::testing::RunCoroutine(queue_->Submit(std::move(exchange)));
    EXPECT_TRUE(id);
    return id ? *id : "";
  }

  Answer Call(beast_http::verb method, const std::string& target, const std::string& secret,
              const std::string& body = "") {
    http::Request request{method, target, 11};
    request.set(beast_http::field::authorization, "Bearer " + secret);
    if (!body.empty()) {
      request.set(beast_http::field::content_type, "application/json");
      request.body() = body;
    }
    request.prepare_payload();
    http::Router::Match match = router_.Find(method, target);
    EXPECT_NE(match.handler, nullptr) << target;
    if (match.handler == nullptr) return {};
    FakeResponder responder;
    responder.params = match.params;
    strata::testing::RunCoroutine((*match.handler)(request, responder));
    Answer answer;
    answer.status = responder.response.result_int();
    answer.text = responder.response.body();
    boost::system::error_code ec;
    answer.body = json::parse(answer.text, ec);
    EXPECT_FALSE(ec) << answer.text;
    return answer;
  }

  std::vector<std::string> ListedIds(const Answer& answer) {
    std::vector<std::string> ids;
    for (const json::value& item : answer.body.at("data").as_array()) {
      ids.emplace_back(item.at("id").as_string());
    }
    return ids;
  }

  std::string Status(const std::string& id) { return store_->reviews().Get(id, "")->status; }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<governance::SnapshotSource> snapshots_;
  std::unique_ptr<review::ReviewQueue> queue_;
  std::unique_ptr<AdminApi> api_;
  http::Router router_;
  std::string tenant_a_, tenant_b_;
  std::string reviewer_, auditor_, viewer_, reviewer_b_, admin_;
};

TEST_F(ReviewRoutesTest, ATenantsReviewerListsOnlyItsOwnTenantsReviews) {
  const std::string a1 = Review(tenant_a_);
  const std::string a2 = Review(tenant_a_);
  const std::string b1 = Review(tenant_b_);

  Answer mine = Call(beast_http::verb::get, "/admin/v1/reviews", reviewer_);
  ASSERT_EQ(mine.status, 200) << mine.text;
  EXPECT_EQ(ListedIds(mine), (std::vector<std::string>{a1, a2}));
  EXPECT_EQ(mine.body.at("object"), "list");
  EXPECT_EQ(mine.body.at("has_more"), false);

  Answer theirs = Call(beast_http::verb::get, "/admin/v1/reviews", reviewer_b_);
  EXPECT_EQ(ListedIds(theirs), std::vector<std::string>{b1});

  Answer all = Call(beast_http::verb::get, "/admin/v1/reviews", admin_);
  EXPECT_EQ(ListedIds(all), (std::vector<std::string>{a1, a2, b1}));

  Answer page = Call(beast_http::verb::get, "/admin/v1/reviews?limit=1", admin_);
  EXPECT_EQ(ListedIds(page), std::vector<std::string>{a1});
  EXPECT_EQ(page.body.at("has_more"), true);
  Answer next = Call(beast_http::verb::get, "/admin/v1/reviews?limit=1&after=" + a1, admin_);
  EXPECT_EQ(ListedIds(next), std::vector<std::string>{a2});
}

TEST_F(ReviewRoutesTest, ListFiltersByStatusAndRefusesAnUnknownOne) {
  const std::string a1 = Review(tenant_a_);
  const std::string a2 = Review(tenant_a_);
  ASSERT_EQ(Call(beast_http::verb::post, "/admin/v1/reviews/" + a1 + "/decision", reviewer_,
                 R"({"decision":"reject","justification":"no"})")
                .status,
            200);
  EXPECT_EQ(ListedIds(Call(beast_http::verb::get, "/admin/v1/reviews?status=pending", reviewer_)),
            std::vector<std::string>{a2});
  EXPECT_EQ(ListedIds(Call(beast_http::verb::get, "/admin/v1/reviews?status=rejected", reviewer_)),
            std::vector<std::string>{a1});
  Answer bad = Call(beast_http::verb::get, "/admin/v1/reviews?status=maybe", reviewer_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body.at("error").at("param"), "status");
}

TEST_F(ReviewRoutesTest, AReviewerSeesTheRedactedExchangeButNeverTheHeldAnswer) {
  const std::string id = Review(tenant_a_);
  Answer got = Call(beast_http::verb::get, "/admin/v1/reviews/" + id, reviewer_);
  ASSERT_EQ(got.status, 200) << got.text;
  EXPECT_EQ(got.body.at("id"), json::value(id));
  EXPECT_EQ(got.body.at("object"), "review");
  EXPECT_EQ(got.body.at("status"), "pending");
  EXPECT_EQ(got.body.at("mode"), "blocking");
  EXPECT_EQ(got.body.at("redacted_exchange"), json::parse(R"({"prompt":"[EMAIL]"})"));
  EXPECT_EQ(got.body.at("decision_record"), json::parse(R"({"rule":"pii"})"));
  EXPECT_EQ(got.text.find(kHeldText), std::string::npos);
  EXPECT_FALSE(got.body.as_object().contains("held_answer"));

  ASSERT_EQ(Call(beast_http::verb::post, "/admin/v1/reviews/" + id + "/decision", reviewer_,
                 R"({"decision":"approve","justification":"fine"})")
                .status,
            200);
  Answer approved = Call(beast_http::verb::get, "/admin/v1/reviews/" + id, reviewer_);
  EXPECT_EQ(approved.text.find(kHeldText), std::string::npos);
}

TEST_F(ReviewRoutesTest, AnotherTenantsReviewIsNotFound) {
  const std::string id = Review(tenant_b_);
  Answer got = Call(beast_http::verb::get, "/admin/v1/reviews/" + id, reviewer_);
  EXPECT_EQ(got.status, 404);
  Answer decided = Call(beast_http::verb::post, "/admin/v1/reviews/" + id + "/decision", reviewer_,
                        R"({"decision":"approve","justification":"mine now"})");
  EXPECT_EQ(decided.status, 404);
  EXPECT_EQ(Status(id), "pending");
  EXPECT_EQ(Call(beast_http::verb::get, "/admin/v1/reviews/rev_missing", admin_).status, 404);
}

TEST_F(ReviewRoutesTest, ADecisionIsRecordedOnceAndASecondOneIsAConflict) {
  const std::string id = Review(tenant_a_);
  Answer first = Call(beast_http::verb::post, "/admin/v1/reviews/" + id + "/decision", reviewer_,
                      R"({"decision":"approve","justification":"checked the sources"})");
  ASSERT_EQ(first.status, 200) << first.text;
  EXPECT_EQ(first.body.at("status"), "approved");
  EXPECT_EQ(first.body.at("justification"), "checked the sources");
  EXPECT_TRUE(first.body.at("reviewer_id").is_string());
  EXPECT_TRUE(first.body.at("decided_at").is_int64());

  Answer second = Call(beast_http::verb::post, "/admin/v1/reviews/" + id + "/decision", admin_,
                       R"({"decision":"reject","justification":"changed my mind"})");
  EXPECT_EQ(second.status, 409) << second.text;
  EXPECT_EQ(second.body.at("error").at("code"), "conflict");
  EXPECT_EQ(Status(id), "approved");
}

TEST_F(ReviewRoutesTest, BadDecisionBodiesAreRefusedAndChangeNothing) {
  const std::string id = Review(tenant_a_);
  const std::string too_long = R"({"decision":"approve","justification":")" + std::string(2001, 'x') + R"("})";
  for (const std::string& body :
       {std::string("not json"), std::string("[]"), std::string(R"({"decision":"approve"})"),
        std::string(R"({"justification":"why"})"), std::string(R"({"decision":"maybe","justification":"why"})"),
        std::string(R"({"decision":true,"justification":"why"})"),
        std::string(R"({"decision":"approve","justification":42})"),
        std::string(R"({"decision":"approve","justification":""})"),
        std::string(R"({"decision":"approve","justification":"   "})"),
        std::string(R"({"decision":"approve","justification":"why","extra":1})"), too_long}) {
    Answer answer = Call(beast_http::verb::post, "/admin/v1/reviews/" + id + "/decision", reviewer_, body);
    EXPECT_EQ(answer.status, 400) << body.substr(0, 80) << " -> " << answer.text;
    EXPECT_TRUE(answer.body.as_object().contains("error")) << answer.text;
  }
  EXPECT_EQ(Status(id), "pending");
  const std::string longest = R"({"decision":"approve","justification":")" + std::string(2000, 'x') + R"("})";
  EXPECT_EQ(Call(beast_http::verb::post, "/admin/v1/reviews/" + id + "/decision", reviewer_, longest).status, 200);
}

TEST_F(ReviewRoutesTest, AnAuditorMayReadButNotDecideAndAViewerMayDoNeither) {
  const std::string id = Review(tenant_a_);
  EXPECT_EQ(Call(beast_http::verb::get, "/admin/v1/reviews/" + id, auditor_).status, 200);
  EXPECT_EQ(Call(beast_http::verb::post, "/admin/v1/reviews/" + id + "/decision", auditor_,
                 R"({"decision":"approve","justification":"ok"})")
                .status,
            403);
  EXPECT_EQ(Call(beast_http::verb::get, "/admin/v1/reviews", viewer_).status, 403);
  EXPECT_EQ(Call(beast_http::verb::get, "/admin/v1/feedback", viewer_).status, 403);
  EXPECT_EQ(Status(id), "pending");
}

TEST_F(ReviewRoutesTest, FeedbackIsListedPerTenantAndFilteredByRequest) {
  store::ReviewStore& reviews = store_->reviews();
  auto feedback = [&](const std::string& tenant, const std::string& request_id, double score) {
    auto row = reviews.CreateFeedback(
        {.tenant_id = tenant, .request_id = request_id, .key_id = "key_1", .score = score, .comment = "c",
         .created_at_ms = 1'773'568'800'000});
    EXPECT_TRUE(row);
    return row ? row->id : "";
  };
  const std::string x = feedback(tenant_a_, "req-x", 1);
  const std::string y = feedback(tenant_a_, "req-y", 0.5);
  const std::string b = feedback(tenant_b_, "req-x", 0);

  Answer mine = Call(beast_http::verb::get, "/admin/v1/feedback", reviewer_);
  ASSERT_EQ(mine.status, 200) << mine.text;
  EXPECT_EQ(ListedIds(mine), (std::vector<std::string>{x, y}));
  const json::value& first = mine.body.at("data").as_array().at(0);
  EXPECT_EQ(first.at("object"), "feedback");
  EXPECT_EQ(first.at("score").to_number<double>(), 1.0);
  EXPECT_EQ(first.at("request_id"), "req-x");
  EXPECT_EQ(ListedIds(Call(beast_http::verb::get, "/admin/v1/feedback?request_id=req-x", reviewer_)),
            std::vector<std::string>{x});
  EXPECT_EQ(ListedIds(Call(beast_http::verb::get, "/admin/v1/feedback?request_id=req-x", admin_)),
            (std::vector<std::string>{x, b}));
}

// The integration tests validate answers against /openapi.json: the schemas
// must parse, and every field they require must be in what the routes answer.
TEST_F(ReviewRoutesTest, SchemasParseAndDescribeWhatTheRoutesAnswer) {
  const std::map<std::string, std::string> schemas = AdminApi::Schemas();
  for (const http::Router::RouteInfo& route : router_.Routes()) {
    if (!route.pattern.starts_with("/admin/v1/reviews") && !route.pattern.starts_with("/admin/v1/feedback")) continue;
    for (const std::string* text : {&route.doc->request_schema, &route.doc->response_schema}) {
      if (text->empty()) continue;
      boost::system::error_code ec;
      json::parse(*text, ec);
      EXPECT_FALSE(ec) << route.pattern << ": " << *text;
    }
  }
  const std::string id = Review(tenant_a_);
  ASSERT_TRUE(store_->reviews().CreateFeedback({.tenant_id = tenant_a_, .request_id = "r", .created_at_ms = 1}));
  const std::pair<std::string, std::string> cases[] = {{"Review", "/admin/v1/reviews/" + id},
                                                       {"Feedback", "/admin/v1/feedback"}};
  for (const auto& [component, target] : cases) {
    ASSERT_TRUE(schemas.contains(component));
    boost::system::error_code ec;
    const json::value schema = json::parse(schemas.at(component), ec);
    ASSERT_FALSE(ec) << component;
    Answer answer = Call(beast_http::verb::get, target, reviewer_);
    ASSERT_EQ(answer.status, 200);
    const json::value item =
        answer.body.as_object().contains("data") ? answer.body.at("data").as_array().at(0) : answer.body;
    for (const json::value& field : schema.at("required").as_array()) {
      EXPECT_TRUE(item.as_object().contains(field.as_string())) << component << " lacks " << field;
    }
    for (const auto& [name, value] : item.as_object()) {
      EXPECT_TRUE(schema.at("properties").as_object().contains(name)) << component << " has undocumented " << name;
    }
  }
}

TEST_F(ReviewRoutesTest, NoRoutesWithoutAReviewStore) {
  AdminApi bare(AdminDeps{.store = store_->governance(), .pool = store_->pool(), .snapshots = *snapshots_});
  http::Router router;
  bare.AddRoutes(router);
  EXPECT_EQ(router.Find(beast_http::verb::get, "/admin/v1/reviews").handler, nullptr);
  EXPECT_EQ(router.Find(beast_http::verb::get, "/admin/v1/feedback").handler, nullptr);
}

}  // namespace
}  // namespace strata::admin
