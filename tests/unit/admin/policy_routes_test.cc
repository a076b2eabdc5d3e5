// The policy routes of the admin API (routes_policies.cc), dispatched in
// process through the real Router over a real SQLite store: no sockets.

#include <stdlib.h>

#include <filesystem>
#include <map>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "admin/admin_api.h"
#include "governance/secrets.h"
#include "policy/source.h"
#include "store/store.h"
#include "support/run_coroutine.h"

namespace strata::admin {
namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
namespace json = boost::json;

constexpr std::string_view kBlockEmail = "rules:\n  - name: no-email\n    then:\n      input: {EMAIL: block}\n";
constexpr std::string_view kTwoProblems =
    "rules:\n  - name: a\n    then:\n      input: hide\n  - name: b\n    when:\n      modelz: [x]\n    then:\n"
    "      review: queued\n";

// Answers one request: keeps what was sent and the path parameters matched.
class CapturingResponder final : public http::Responder {
 public:
  explicit CapturingResponder(std::map<std::string, std::string, std::less<>> params) : params_(std::move(params)) {}

  asio::awaitable<core::Status> Send(http::Response response) override {
    response_ = std::move(response);
    co_return core::Status{};
  }
  asio::awaitable<core::Status> StartEvents(http::Response) override { co_return core::Status{}; }
  asio::awaitable<core::Status> SendEvent(std::string_view, std::string_view) override { co_return core::Status{}; }
  asio::awaitable<core::Status> SendChunk(std::string_view) override { co_return core::Status{}; }
  asio::awaitable<core::Status> FinishEvents() override { co_return core::Status{}; }
  void WatchClient() override {}
  bool ClientGone() const override { return false; }
  void OnClientGone(std::function<void()>) override {}
  void Abort() override {}
  const std::string& request_id() const override { return request_id_; }
  std::string_view route() const override { return "test"; }
  std::string_view PathParam(std::string_view name) const override {
    auto found = params_.find(name);
    return found == params_.end() ? std::string_view() : std::string_view(found->second);
  }
  std::string_view client_address() const override { return "127.0.0.1"; }

  const http::Response& response() const { return response_; }

 private:
  std::map<std::string, std::string, std::less<>> params_;
  std::string request_id_ = "req_test";
  http::Response response_;
};

struct Answer {
  int status = 0;
  json::value body;
};

asio::awaitable<void> Dispatch(const http::Handler* handler, const http::Request* request,
                               CapturingResponder* responder) {
  co_await (*handler)(*request, *responder);
}

class PolicyRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "strata-admin-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    store::StoreOptions options;
    options.data_dir = dir_.string();
    auto opened = store::Store::Open(options);
    ASSERT_TRUE(opened) << opened.error().message();
    store_ = std::move(*opened);

    auto acme = store_->governance().CreateTenant({.name = "acme"});
    auto globex = store_->governance().CreateTenant({.name = "globex"});
    ASSERT_TRUE(acme && globex);
    acme_ = acme->id;
    globex_ = globex->id;
    platform_admin_ = Key("", "admin");
    acme_admin_ = Key(acme_, "tenant-admin");
    acme_viewer_ = Key(acme_, "viewer");
    globex_admin_ = Key(globex_, "tenant-admin");

    snapshots_ = std::make_unique<governance::SnapshotSource>(store_->governance(), governance::SnapshotOptions{});
    ASSERT_TRUE(snapshots_->Start());
    policy_source_ = std::make_unique<policy::PolicySource>(store_->policies(), nullptr,
                                                            policy::PolicySourceOptions{.refresh = std::chrono::hours(1)});
    ASSERT_TRUE(policy_source_->Start());
    api_ = std::make_unique<AdminApi>(AdminDeps{.store = store_->governance(),
                                                .pool = store_->pool(),
                                                .snapshots = *snapshots_,
                                                .policies = &store_->policies(),
                                                .policy_source = policy_source_.get()});
    api_->AddRoutes(router_);
  }

  void TearDown() override {
    api_.reset();
    policy_source_.reset();
    snapshots_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // A key's secret, stored with `role` in `tenant` ("" for a platform key).
  std::string Key(const std::string& tenant, const std::string& role) {
    governance::MintedKey minted = governance::MintKey();
    auto row = store_->governance().CreateKey(
        {.tenant_id = tenant, .name = role + "-key", .prefix = minted.prefix, .digest_hex = minted.digest_hex,
         .role = role});
    EXPECT_TRUE(row) << row.error().message();
    return minted.secret;
  }

  Answer Call(beast_http::verb method, const std::string& target, const std::string& secret,
              const std::string& body = "") {
    http::Router::Match match = router_.Find(method, target);
    if (match.handler == nullptr) {
      ADD_FAILURE() << "no route for " << target;
      return {};
    }
    std::map<std::string, std::string, std::less<>> params;
    for (const auto& [name, value] : match.params) params.emplace(std::string(name), std::string(value));
    http::Request request(method, target, 11);
    request.set(beast_http::field::authorization, "Bearer " + secret);
    if (!body.empty()) {
      request.set(beast_http::field::content_type, "application/json");
      request.body() = body;
      request.prepare_payload();
    }
    CapturingResponder responder(std::move(params));
    testing::RunCoroutine(Dispatch(match.handler, &request, &responder));
    Answer answer;
    answer.status = responder.response().result_int();
    boost::system::error_code ec;
    answer.body = json::parse(responder.response().body(), ec);
    EXPECT_FALSE(ec) << responder.response().body();
    return answer;
  }

  static std::string SourceBody(std::string_view yaml) {
    return json::serialize(json::object{{"source", yaml}});
  }

  static std::string Message(const Answer& answer) {
    const json::value* message = answer.body.is_object() ? answer.body.as_object().if_contains("error") : nullptr;
    if (message == nullptr || !message->is_object()) return "";
    const json::value* text = message->as_object().if_contains("message");
    return text != nullptr && text->is_string() ? std::string(text->as_string()) : "";
  }

  std::int64_t StoredVersions(const std::string& scope) {
    auto page = store_->policies().List(scope, 0, 500);
    EXPECT_TRUE(page);
    return page ? static_cast<std::int64_t>(page->rows.size()) : -1;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::string acme_, globex_;
  std::string platform_admin_, acme_admin_, acme_viewer_, globex_admin_;
  std::unique_ptr<governance::SnapshotSource> snapshots_;
  std::unique_ptr<policy::PolicySource> policy_source_;
  std::unique_ptr<AdminApi> api_;
  http::Router router_;
};

TEST_F(PolicyRoutesTest, PlatformPolicyIsNotFoundUntilStored) {
  EXPECT_EQ(Call(beast_http::verb::get, "/admin/v1/policy", platform_admin_).status, 404);
}

TEST_F(PolicyRoutesTest, PutStoresTheNextVersionAndPutsItInForce) {
  const Answer first = Call(beast_http::verb::put, "/admin/v1/policy", platform_admin_, SourceBody(kBlockEmail));
  ASSERT_EQ(first.status, 201) << json::serialize(first.body);
  const json::object& policy = first.body.as_object();
  EXPECT_EQ(policy.at("object"), "policy");
  EXPECT_EQ(policy.at("scope"), "platform");
  EXPECT_TRUE(policy.at("tenant_id").is_null());
  EXPECT_EQ(policy.at("version"), 1);
  EXPECT_EQ(policy.at("label"), "platform@v1");
  EXPECT_EQ(policy.at("source").as_string(), kBlockEmail);
  EXPECT_FALSE(policy.at("created_by").as_string().empty());
  // Reloaded before answering: this node enforces it already.
  EXPECT_EQ(policy_source_->Current()->VersionsFor(acme_), (std::vector<std::string>{"platform@v1"}));

  const Answer second = Call(beast_http::verb::put, "/admin/v1/policy", platform_admin_, SourceBody("rules: []"));
  ASSERT_EQ(second.status, 201);
  EXPECT_EQ(second.body.as_object().at("version"), 2);

  const Answer current = Call(beast_http::verb::get, "/admin/v1/policy", platform_admin_);
  ASSERT_EQ(current.status, 200);
  EXPECT_EQ(current.body.as_object().at("version"), 2);
  EXPECT_EQ(current.body.as_object().at("source"), "rules: []");
}

TEST_F(PolicyRoutesTest, VersionsAreListedNewestFirstAndReadOneByOne) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Call(beast_http::verb::put, "/admin/v1/policy", platform_admin_, SourceBody(kBlockEmail)).status, 201);
  }
  const Answer page = Call(beast_http::verb::get, "/admin/v1/policy/versions?limit=2", platform_admin_);
  ASSERT_EQ(page.status, 200);
  const json::array& data = page.body.as_object().at("data").as_array();
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data[0].as_object().at("version"), 3);
  EXPECT_EQ(data[1].as_object().at("version"), 2);
  EXPECT_EQ(page.body.as_object().at("has_more"), true);
  EXPECT_EQ(page.body.as_object().at("next_after"), "2");

  const Answer rest = Call(beast_http::verb::get, "/admin/v1/policy/versions?after=2", platform_admin_);
  ASSERT_EQ(rest.status, 200);
  ASSERT_EQ(rest.body.as_object().at("data").as_array().size(), 1u);
  EXPECT_EQ(rest.body.as_object().at("has_more"), false);

  const Answer one = Call(beast_http::verb::get, "/admin/v1/policy/versions/1", platform_admin_);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.body.as_object().at("label"), "platform@v1");
  EXPECT_EQ(Call(beast_http::verb::get, "/admin/v1/policy/versions/9", platform_admin_).status, 404);
  EXPECT_EQ(Call(beast_http::verb::get, "/admin/v1/policy/versions/x", platform_admin_).status, 400);
  EXPECT_EQ(Call(beast_http::verb::get, "/admin/v1/policy/versions?after=zero", platform_admin_).status, 400);
}

TEST_F(PolicyRoutesTest, AnInvalidDocumentIsRefusedWithEveryProblemByLineAndNothingIsStored) {
  const Answer refused = Call(beast_http::verb::put, "/admin/v1/policy", platform_admin_, SourceBody(kTwoProblems));
  ASSERT_EQ(refused.status, 400);
  const std::string message = Message(refused);
  EXPECT_NE(message.find("line 4: "), std::string::npos) << message;
  EXPECT_NE(message.find("line 7: "), std::string::npos) << message;
  EXPECT_NE(message.find("modelz"), std::string::npos) << message;
  EXPECT_EQ(message.find("policy:"), std::string::npos) << message;
  EXPECT_EQ(StoredVersions(""), 0);
  EXPECT_EQ(Call(beast_http::verb::get, "/admin/v1/policy", platform_admin_).status, 404);
}

TEST_F(PolicyRoutesTest, TheBodyIsStrict) {
  EXPECT_EQ(Call(beast_http::verb::put, "/admin/v1/policy", platform_admin_, R"({"source":"rules: []","x":1})").status,
            400);
  EXPECT_EQ(Call(beast_http::verb::put, "/admin/v1/policy", platform_admin_, R"({"source":42})").status, 400);
  EXPECT_EQ(Call(beast_http::verb::put, "/admin/v1/policy", platform_admin_, R"({})").status, 400);
  EXPECT_EQ(Call(beast_http::verb::put, "/admin/v1/policy", platform_admin_, "not json").status, 400);
  EXPECT_EQ(StoredVersions(""), 0);
}

TEST_F(PolicyRoutesTest, AViewerCannotPut) {
  const Answer refused = Call(beast_http::verb::put, "/admin/v1/tenants/" + acme_ + "/policy", acme_viewer_,
                              SourceBody(kBlockEmail));
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(StoredVersions(acme_), 0);
  // It may read.
  EXPECT_EQ(Call(beast_http::verb::get, "/admin/v1/tenants/" + acme_ + "/policy/versions", acme_viewer_).status, 200);
}

TEST_F(PolicyRoutesTest, ATenantAdminCannotTouchThePlatformPolicy) {
  EXPECT_EQ(Call(beast_http::verb::put, "/admin/v1/policy", acme_admin_, SourceBody(kBlockEmail)).status, 403);
  EXPECT_EQ(StoredVersions(""), 0);
  EXPECT_EQ(Call(beast_http::verb::get, "/admin/v1/policy", acme_admin_).status, 403);
  EXPECT_EQ(Call(beast_http::verb::get, "/admin/v1/policy/versions", acme_admin_).status, 403);
}

TEST_F(PolicyRoutesTest, ATenantAdminWritesItsOwnTenantsPolicy) {
  const std::string path = "/admin/v1/tenants/" + acme_ + "/policy";
  const Answer stored = Call(beast_http::verb::put, path, acme_admin_, SourceBody(kBlockEmail));
  ASSERT_EQ(stored.status, 201) << json::serialize(stored.body);
  EXPECT_EQ(stored.body.as_object().at("scope"), "tenant");
  EXPECT_EQ(stored.body.as_object().at("tenant_id").as_string(), acme_);
  EXPECT_EQ(stored.body.as_object().at("label").as_string(), "tenant:" + acme_ + "@v1");
  EXPECT_EQ(policy_source_->Current()->VersionsFor(acme_),
            (std::vector<std::string>{"default", "tenant:" + acme_ + "@v1"}));
  EXPECT_EQ(policy_source_->Current()->VersionsFor(globex_), (std::vector<std::string>{"default"}));

  EXPECT_EQ(Call(beast_http::verb::get, path, acme_admin_).status, 200);
  EXPECT_EQ(Call(beast_http::verb::get, path + "/versions/1", acme_admin_).status, 200);
  // A platform admin reaches every tenant.
  EXPECT_EQ(Call(beast_http::verb::get, path, platform_admin_).status, 200);
  // The platform document is not the tenant's.
  EXPECT_EQ(Call(beast_http::verb::get, "/admin/v1/policy", platform_admin_).status, 404);
}

TEST_F(PolicyRoutesTest, AnotherTenantsPolicyIsNotFound) {
  const std::string acme_path = "/admin/v1/tenants/" + acme_ + "/policy";
  ASSERT_EQ(Call(beast_http::verb::put, acme_path, acme_admin_, SourceBody(kBlockEmail)).status, 201);
  EXPECT_EQ(Call(beast_http::verb::get, acme_path, globex_admin_).status, 404);
  EXPECT_EQ(Call(beast_http::verb::get, acme_path + "/versions", globex_admin_).status, 404);
  EXPECT_EQ(Call(beast_http::verb::get, acme_path + "/versions/1", globex_admin_).status, 404);
  EXPECT_EQ(Call(beast_http::verb::put, acme_path, globex_admin_, SourceBody("rules: []")).status, 404);
  EXPECT_EQ(StoredVersions(acme_), 1);
}

TEST_F(PolicyRoutesTest, ValidateAnswersRuleNamesOrProblemsAndStoresNothing) {
  const Answer valid = Call(beast_http::verb::post, "/admin/v1/policy/validate", acme_viewer_,
                            SourceBody("defaults: {input: flag}\n" + std::string(kBlockEmail)));
  ASSERT_EQ(valid.status, 200) << json::serialize(valid.body);
  EXPECT_EQ(valid.body.as_object().at("valid"), true);
  EXPECT_EQ(valid.body.as_object().at("rules"), (json::array{"defaults", "no-email"}));

  const Answer invalid = Call(beast_http::verb::post, "/admin/v1/policy/validate", acme_viewer_,
                              SourceBody(kTwoProblems));
  ASSERT_EQ(invalid.status, 200);
  EXPECT_EQ(invalid.body.as_object().at("valid"), false);
  const json::array& errors = invalid.body.as_object().at("errors").as_array();
  ASSERT_GE(errors.size(), 2u);
  EXPECT_TRUE(errors[0].as_string().starts_with("line 4: ")) << errors[0];
  EXPECT_EQ(errors, (json::array{"line 4: rules[0].then.input must be one of allow, flag, redact, mask, block (or a "
                                 "mapping of entity types to them), got 'hide'",
                                 "line 7: unknown key 'modelz' in 'rules[1].when'; did you mean 'models'?"}));

  EXPECT_EQ(StoredVersions(""), 0);
  EXPECT_EQ(StoredVersions(acme_), 0);
}

TEST_F(PolicyRoutesTest, ProblemsWithoutALineKeepTheirMessage) {
  const Answer invalid = Call(beast_http::verb::post, "/admin/v1/policy/validate", platform_admin_,
                              SourceBody("# only a comment\n"));
  ASSERT_EQ(invalid.status, 200);
  const json::array& errors = invalid.body.as_object().at("errors").as_array();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_FALSE(errors[0].as_string().starts_with("policy")) << errors[0];
  EXPECT_FALSE(errors[0].as_string().starts_with(":")) << errors[0];
}

// The integration tests validate answers against /openapi.json, whose Policy
// schema is strict (additionalProperties: false): keep the two in step.
TEST_F(PolicyRoutesTest, AnswersHaveExactlyThePropertiesOfTheirSchemas) {
  const Answer stored = Call(beast_http::verb::put, "/admin/v1/policy", platform_admin_, SourceBody(kBlockEmail));
  ASSERT_EQ(stored.status, 201);
  const std::map<std::string, std::string> schemas = AdminApi::Schemas();
  const json::object schema = json::parse(schemas.at("Policy")).as_object();
  const json::object& properties = schema.at("properties").as_object();
  for (const json::value& name : schema.at("required").as_array()) {
    EXPECT_TRUE(stored.body.as_object().contains(name.as_string())) << name;
  }
  for (const auto& field : stored.body.as_object()) {
    EXPECT_TRUE(properties.contains(field.key())) << field.key();
  }
  EXPECT_EQ(properties.size(), stored.body.as_object().size());

  const json::object validation = json::parse(schemas.at("PolicyValidation")).as_object();
  const Answer valid =
      Call(beast_http::verb::post, "/admin/v1/policy/validate", platform_admin_, SourceBody(kBlockEmail));
  for (const auto& field : valid.body.as_object()) {
    EXPECT_TRUE(validation.at("properties").as_object().contains(field.key())) << field.key();
  }
  // Every documented schema of the policy routes is JSON.
  for (const http::Router::RouteInfo& route : router_.Routes()) {
    if (route.pattern.find("/policy") == std::string_view::npos) continue;
    boost::system::error_code ec;
    if (!route.doc->request_schema.empty()) json::parse(route.doc->request_schema, ec);
    EXPECT_FALSE(ec) << route.pattern << ": " << route.doc->request_schema;
    json::parse(route.doc->response_schema, ec);
    EXPECT_FALSE(ec) << route.pattern << ": " << route.doc->response_schema;
  }
}

TEST_F(PolicyRoutesTest, RoutesAreAbsentWithoutAPolicyStore) {
  AdminApi bare(AdminDeps{.store = store_->governance(), .pool = store_->pool(), .snapshots = *snapshots_});
  http::Router router;
  bare.AddRoutes(router);
  EXPECT_EQ(router.Find(beast_http::verb::get, "/admin/v1/policy").handler, nullptr);
}

}  // namespace
}  // namespace strata::admin
