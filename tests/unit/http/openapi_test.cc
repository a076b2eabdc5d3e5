#include "http/openapi.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace strata::http {
namespace {

namespace json = boost::json;

Handler Noop() {
  return [](const Request&, Responder&) -> asio::awaitable<void> { co_return; };
}

RouteDoc Documented(std::string id) {
  RouteDoc doc;
  doc.operation_id = std::move(id);
  doc.summary = "does " + doc.operation_id;
  return doc;
}

json::object Build(const Router& router, OpenApiInfo info = {}) {
  core::Result<std::string> built = BuildOpenApi(router, info);
  EXPECT_TRUE(built) << (built ? "" : built.error().message());
  return built ? json::parse(*built).as_object() : json::object();
}

TEST(OpenApiTest, DocumentsEveryRouteWithItsPathParametersAndPermission) {
  Router router;
  RouteDoc get_key = Documented("getKey");
  get_key.permission = "keys.read";
  get_key.tag = "keys";
  get_key.response_schema = R"({"$ref":"#/components/schemas/Key"})";
  router.Add(beast_http::verb::get, "/admin/v1/tenants/{tenant_id}/keys/{key_id}", Noop(), get_key);
  RouteDoc create = Documented("createKey");
  create.permission = "keys.write";
  create.request_schema = R"({"type":"object","required":["name"]})";
  create.success_status = 201;
  router.Add(beast_http::verb::post, "/admin/v1/tenants/{tenant_id}/keys", Noop(), create);
  OpenApiInfo info;
  info.version = "1.2.3";
  info.schemas["Key"] = R"({"type":"object"})";

  const json::object doc = Build(router, info);
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
  EXPECT_EQ(doc.at("info").at("version").as_string(), "1.2.3");
  const json::object& get = doc.at("paths").at("/admin/v1/tenants/{tenant_id}/keys/{key_id}").at("get").as_object();
  EXPECT_EQ(get.at("operationId").as_string(), "getKey");
  EXPECT_EQ(get.at("x-strata-permission").as_string(), "keys.read");
  const json::array& parameters = get.at("parameters").as_array();
  ASSERT_EQ(parameters.size(), 2u);
  EXPECT_EQ(parameters[0].at("name").as_string(), "tenant_id");
  EXPECT_EQ(parameters[1].at("name").as_string(), "key_id");
  EXPECT_EQ(parameters[1].at("in").as_string(), "path");
  EXPECT_TRUE(get.at("responses").as_object().contains("403"));
  const json::object& post = doc.at("paths").at("/admin/v1/tenants/{tenant_id}/keys").at("post").as_object();
  EXPECT_TRUE(post.at("responses").as_object().contains("201"));
  EXPECT_TRUE(post.at("requestBody").at("required").as_bool());
  EXPECT_TRUE(doc.at("components").at("schemas").as_object().contains("Key"));
  EXPECT_TRUE(doc.at("components").at("schemas").as_object().contains("Error"));
}

TEST(OpenApiTest, PublicRoutesNeedNoCredentialAndUndocumentedRoutesAreLeftOut) {
  Router router;
  RouteDoc health = Documented("healthz");
  health.public_route = true;
  router.Add(beast_http::verb::get, "/healthz", Noop(), health);
  router.Add(beast_http::verb::get, "/internal", Noop());
  const json::object doc = Build(router);
  EXPECT_TRUE(doc.at("paths").at("/healthz").at("get").at("security").as_array().empty());
  EXPECT_FALSE(doc.at("paths").as_object().contains("/internal"));
  EXPECT_FALSE(doc.at("paths").at("/healthz").at("get").at("responses").as_object().contains("401"));
}

TEST(OpenApiTest, RefusesARepeatedOperationIdOrABrokenSchema) {
  Router twice;
  twice.Add(beast_http::verb::get, "/a", Noop(), Documented("same"));
  twice.Add(beast_http::verb::get, "/b", Noop(), Documented("same"));
  EXPECT_FALSE(BuildOpenApi(twice, {}));

  Router broken;
  RouteDoc doc = Documented("broken");
  doc.response_schema = "{not json";
  broken.Add(beast_http::verb::get, "/c", Noop(), doc);
  core::Result<std::string> built = BuildOpenApi(broken, {});
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().message().find("broken"), std::string::npos);
}

}  // namespace
}  // namespace strata::http
