#include "gateway/api_docs.h"

namespace strata::gateway {
namespace {

std::string Ref(std::string_view name) { return R"({"$ref":"#/components/schemas/)" + std::string(name) + R"("})"; }

http::RouteDoc Doc(std::string id, std::string summary, std::string request, std::string response,
                   bool event_stream = false) {
  http::RouteDoc doc;
  doc.operation_id = std::move(id);
  doc.summary = std::move(summary);
  doc.tag = "gateway";
  doc.permission = "models.use";
  doc.request_schema = std::move(request);
  doc.response_schema = std::move(response);
  doc.event_stream = event_stream;
  return doc;
}

}  // namespace

http::RouteDoc GatewayRouteDoc(DocumentedRoute route) {
  switch (route) {
    case DocumentedRoute::kChat:
      return Doc("createChatCompletion", "OpenAI chat completion (stream: true answers server-sent events)",
                 Ref("ChatCompletionRequest"), Ref("ChatCompletion"), true);
    case DocumentedRoute::kCompletions:
      return Doc("createCompletion", "OpenAI legacy text completion", Ref("CompletionRequest"), Ref("Completion"),
                 true);
    case DocumentedRoute::kEmbeddings:
      return Doc("createEmbedding", "OpenAI embeddings", Ref("EmbeddingRequest"), Ref("EmbeddingList"));
    case DocumentedRoute::kMessages:
      return Doc("createMessage", "Anthropic message (stream: true answers server-sent events)",
                 Ref("MessageRequest"), Ref("Message"), true);
    case DocumentedRoute::kCountTokens:
      return Doc("countMessageTokens", "Anthropic token count (a documented estimate)", Ref("MessageRequest"),
                 R"({"type":"object","required":["input_tokens"],"properties":{"input_tokens":{"type":"integer"}}})");
    case DocumentedRoute::kModels:
      return Doc("listModels", "The models this gateway serves", "", Ref("ModelList"));
    case DocumentedRoute::kModel:
      return Doc("getModel", "One model", "", Ref("Model"));
    case DocumentedRoute::kReview:
      return Doc("pollReview", "A review holding one of the caller's answers (docs/REVIEW.md)", "", Ref("ReviewStatus"));
    case DocumentedRoute::kFeedback: {
      http::RouteDoc doc = Doc("createFeedback", "Feedback on an exchange: a score and a comment", Ref("FeedbackRequest"),
                               Ref("FeedbackReceipt"));
      doc.success_status = 201;
      return doc;
    }
  }
  return {};
}

http::RouteDoc OpsRouteDoc(std::string_view path) {
  http::RouteDoc doc;
  doc.tag = "operations";
  doc.public_route = true;
  if (path == "/healthz") {
    doc.operation_id = "healthz";
    doc.summary = "Liveness: 200 while the process serves";
  } else if (path == "/readyz") {
    doc.operation_id = "readyz";
    doc.summary = "Readiness: 200 when every check passes, 503 naming the failures";
  } else {
    doc.operation_id = "metrics";
    doc.summary = "Prometheus metrics (text exposition format)";
  }
  return doc;
}

std::map<std::string, std::string> GatewaySchemas() {
  std::map<std::string, std::string> schemas;
  schemas["ChatCompletionRequest"] =
      R"({"type":"object","required":["model","messages"],"properties":{"model":{"type":"string"},)"
      R"("messages":{"type":"array","minItems":1,"items":{"type":"object","required":["role"]}},)"
      R"("stream":{"type":"boolean"},"max_tokens":{"type":"integer"},"max_completion_tokens":{"type":"integer"},)"
      R"("tools":{"type":"array"},"user":{"type":"string"}}})";
  schemas["ChatCompletion"] =
      R"({"type":"object","required":["id","object","model","choices"],"properties":{"id":{"type":"string"},)"
      R"("object":{"const":"chat.completion"},"created":{"type":"integer"},"model":{"type":"string"},)"
      R"("choices":{"type":"array","items":{"type":"object","required":["index","message"],"properties":{)"
      R"("index":{"type":"integer"},"message":{"type":"object","required":["role"]},)"
      R"("finish_reason":{"type":["string","null"]}}}},"usage":{"type":"object","properties":{)"
      R"("prompt_tokens":{"type":"integer"},"completion_tokens":{"type":"integer"},"total_tokens":{"type":"integer"}}}}})";
  schemas["CompletionRequest"] =
      R"({"type":"object","required":["model","prompt"],"properties":{"model":{"type":"string"},)"
      R"("prompt":{"type":["string","array"]},"stream":{"type":"boolean"},"max_tokens":{"type":"integer"}}})";
  schemas["Completion"] =
      R"({"type":"object","required":["id","object","choices"],"properties":{"id":{"type":"string"},)"
      R"("object":{"const":"text_completion"},"choices":{"type":"array","items":{"type":"object","required":["text"]}}}})";
  schemas["EmbeddingRequest"] =
      R"({"type":"object","required":["model","input"],"properties":{"model":{"type":"string"},)"
      R"("input":{"type":["string","array"]},"encoding_format":{"enum":["float","base64"]}}})";
  schemas["EmbeddingList"] =
      R"({"type":"object","required":["object","data"],"properties":{"object":{"const":"list"},)"
      R"("data":{"type":"array","items":{"type":"object","required":["object","embedding","index"]}}}})";
  schemas["MessageRequest"] =
      R"({"type":"object","required":["model","messages"],"properties":{"model":{"type":"string"},)"
      R"("messages":{"type":"array","minItems":1},"max_tokens":{"type":"integer","minimum":1},)"
      R"("system":{"type":["string","array"]},"stream":{"type":"boolean"},"tools":{"type":"array"}}})";
  schemas["Message"] =
      R"({"type":"object","required":["id","type","role","content","model"],"properties":{"id":{"type":"string"},)"
      R"("type":{"const":"message"},"role":{"const":"assistant"},"content":{"type":"array"},"model":{"type":"string"},)"
      R"("stop_reason":{"type":["string","null"]},"usage":{"type":"object"}}})";
  schemas["Model"] =
      R"({"type":"object","required":["id","object","created","owned_by"],"properties":{"id":{"type":"string"},)"
      R"("object":{"const":"model"},"created":{"type":"integer"},"owned_by":{"type":"string"}}})";
  schemas["ModelList"] = R"({"type":"object","required":["object","data"],"properties":{"object":{"const":"list"},)"
                         R"("data":{"type":"array","items":)" + Ref("Model") + "}}}";
  schemas["ReviewStatus"] =
      R"({"type":"object","required":["id","object","status","created_at"],"properties":{"id":{"type":"string"},)"
      R"("object":{"const":"review"},"status":{"enum":["pending","approved","rejected","expired"]},)"
      R"("created_at":{"type":"integer"},"decided_at":{"type":["integer","null"]},"justification":{"type":"string"},)"
      R"("response":{"type":"object"}}})";
  schemas["FeedbackRequest"] =
      R"({"type":"object","required":["request_id","score"],"additionalProperties":false,"properties":{)"
      R"("request_id":{"type":"string","minLength":1,"maxLength":200},"score":{"type":"number","minimum":0,"maximum":1},)"
      R"("comment":{"type":"string","maxLength":2000}}})";
  schemas["FeedbackReceipt"] =
      R"({"type":"object","required":["id","object","request_id","score","comment","created_at"],"properties":{)"
      R"("id":{"type":"string"},"object":{"const":"feedback"},"request_id":{"type":"string"},"score":{"type":"number"},)"
      R"("comment":{"type":"string"},"created_at":{"type":"integer"}}})";
  return schemas;
}

}  // namespace strata::gateway
