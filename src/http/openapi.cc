#include "http/openapi.h"

#include <set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace strata::http {
namespace {

namespace json = boost::json;

core::Result<json::value> ParseSchema(std::string_view text, std::string_view where) {
  boost::system::error_code ec;
  json::value schema = json::parse(text, ec);
  if (ec || !schema.is_object()) {
    return core::Error::Internal("the OpenAPI schema of " + std::string(where) + " is not a JSON object");
  }
  return schema;
}

json::object JsonContent(json::value schema) {
  json::object media;
  media["schema"] = std::move(schema);
  json::object content;
  content["application/json"] = std::move(media);
  return content;
}

json::object ErrorResponse(std::string_view description) {
  json::object response;
  response["description"] = description;
  response["content"] = JsonContent(json::object{{"$ref", "#/components/schemas/Error"}});
  return response;
}

// The shared envelope: {"error": {"message", "type", "param", "code"}}.
json::value ErrorSchema() {
  return json::parse(R"({
    "type": "object", "required": ["error"],
    "properties": {"error": {
      "type": "object", "required": ["message", "type"],
      "properties": {
        "message": {"type": "string"}, "type": {"type": "string"},
        "param": {"type": ["string", "null"]}, "code": {"type": ["string", "null"]}}}}})");
}

json::object Parameter(std::string_view name, std::string_view in, json::value schema, std::string_view description,
                       bool required) {
  json::object parameter;
  parameter["name"] = name;
  parameter["in"] = in;
  parameter["required"] = required;
  if (!description.empty()) parameter["description"] = description;
  parameter["schema"] = std::move(schema);
  return parameter;
}

core::Result<json::object> Operation(const Router::RouteInfo& route) {
  const RouteDoc& doc = *route.doc;
  const std::string where = doc.operation_id;
  json::object operation;
  operation["operationId"] = doc.operation_id;
  if (!doc.summary.empty()) operation["summary"] = doc.summary;
  if (!doc.tag.empty()) operation["tags"] = json::array{json::value(doc.tag)};
  if (!doc.permission.empty()) operation["x-strata-permission"] = doc.permission;
  if (doc.public_route) operation["security"] = json::array{};

  json::array parameters;
  std::string_view pattern = route.pattern;
  for (std::size_t open = pattern.find('{'); open != std::string_view::npos; open = pattern.find('{', open + 1)) {
    const std::size_t close = pattern.find('}', open);
    parameters.push_back(
        Parameter(pattern.substr(open + 1, close - open - 1), "path", json::object{{"type", "string"}}, {}, true));
  }
  for (const RouteDoc::Param& param : doc.query) {
    core::Result<json::value> schema = ParseSchema(param.schema, where + " query " + param.name);
    if (!schema) return schema.error();
    parameters.push_back(Parameter(param.name, "query", std::move(*schema), param.description, param.required));
  }
  if (!parameters.empty()) operation["parameters"] = std::move(parameters);

  if (!doc.request_schema.empty()) {
    core::Result<json::value> schema = ParseSchema(doc.request_schema, where + " request");
    if (!schema) return schema.error();
    json::object body;
    body["required"] = true;
    body["content"] = JsonContent(std::move(*schema));
    operation["requestBody"] = std::move(body);
  }

  json::object responses;
  json::object success;
  success["description"] = doc.summary.empty() ? "OK" : doc.summary;
  if (!doc.response_schema.empty()) {
    core::Result<json::value> schema = ParseSchema(doc.response_schema, where + " response");
    if (!schema) return schema.error();
    json::object content = JsonContent(std::move(*schema));
    if (doc.event_stream) {
      content["text/event-stream"] = json::object{{"schema", json::object{{"type", "string"}}}};
    }
    success["content"] = std::move(content);
  }
  responses[std::to_string(doc.success_status)] = std::move(success);
  if (!doc.public_route) {
    responses["401"] = ErrorResponse("missing or invalid credentials");
    if (!doc.permission.empty()) responses["403"] = ErrorResponse("the caller lacks " + doc.permission);
  }
  responses["default"] = ErrorResponse("an error, in the shared envelope");
  operation["responses"] = std::move(responses);
  return operation;
}

std::string MethodName(beast_http::verb method) {
  std::string name(beast_http::to_string(method));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

}  // namespace

core::Result<std::string> BuildOpenApi(const Router& router, const OpenApiInfo& info) {
  json::object paths;
  std::set<std::string, std::less<>> operation_ids;
  for (const Router::RouteInfo& route : router.Routes()) {
    if (route.doc->operation_id.empty()) continue;
    if (!operation_ids.insert(route.doc->operation_id).second) {
      return core::Error::Internal("the operation id '" + route.doc->operation_id + "' is used twice");
    }
    core::Result<json::object> operation = Operation(route);
    if (!operation) return operation.error();
    json::value& path = paths[route.pattern];
    if (!path.is_object()) path = json::object();
    path.get_object()[MethodName(route.method)] = std::move(*operation);
  }

  json::object schemas;
  schemas["Error"] = ErrorSchema();
  for (const auto& [name, text] : info.schemas) {
    core::Result<json::value> schema = ParseSchema(text, "component " + name);
    if (!schema) return schema.error();
    schemas[name] = std::move(*schema);
  }
  json::object security_schemes;
  security_schemes["bearer"] = json::object{{"type", "http"}, {"scheme", "bearer"}};
  security_schemes["apiKey"] = json::object{{"type", "apiKey"}, {"in", "header"}, {"name", "x-api-key"}};
  security_schemes["session"] = json::object{{"type", "apiKey"}, {"in", "cookie"}, {"name", "strata_session"}};
  json::object components;
  components["schemas"] = std::move(schemas);
  components["securitySchemes"] = std::move(security_schemes);

  json::object document;
  document["openapi"] = "3.1.0";
  json::object about{{"title", info.title}, {"version", info.version}};
  if (!info.description.empty()) about["description"] = info.description;
  document["info"] = std::move(about);
  document["security"] = json::array{json::object{{"bearer", json::array{}}}, json::object{{"apiKey", json::array{}}},
                                     json::object{{"session", json::array{}}}};
  document["paths"] = std::move(paths);
  document["components"] = std::move(components);
  return json::serialize(document);
}

}  // namespace strata::http
