#include "mock_llm/internal/handlers.h"
#include "mock_llm/mock_llm.h"

namespace strata::mock_llm {
namespace {

using HandlerFunction = asio::awaitable<void> (*)(Context&, const http::Request&, http::Responder&);

}  // namespace

http::Router BuildMockLlmRouter(std::shared_ptr<const MockLlmOptions> options) {
  auto context = std::make_shared<Context>(std::move(options));
  http::Router router;
  // Each route is a plain lambda that starts a named coroutine, never a
  // lambda coroutine: the coroutine takes `*context` by reference, and the
  // lambda's copy of `context` lives in the router, which the server keeps
  // until its last handler has returned.
  const auto add = [&router, &context](beast_http::verb method, std::string pattern, HandlerFunction handler) {
    router.Add(method, std::move(pattern),
               [context, handler](const http::Request& request, http::Responder& responder) {
                 return handler(*context, request, responder);
               });
  };
  add(beast_http::verb::post, "/v1/chat/completions", &HandleChatCompletions);
  add(beast_http::verb::post, "/v1/completions", &HandleCompletions);
  add(beast_http::verb::post, "/v1/embeddings", &HandleEmbeddings);
  add(beast_http::verb::get, "/v1/models", &HandleListModels);
  add(beast_http::verb::get, "/v1/models/{id}", &HandleGetModel);
  add(beast_http::verb::post, "/v1/messages", &HandleMessages);
  add(beast_http::verb::post, "/v1/messages/count_tokens", &HandleCountTokens);
  // Gemini writes the method into the model's segment ("gemini-2.5-flash:generateContent"),
  // so one pattern takes every call and the handler splits the segment. The
  // @google/genai SDK calls the stable /v1 by default, others /v1beta.
  add(beast_http::verb::get, "/v1beta/models", &HandleGeminiListModels);
  add(beast_http::verb::get, "/v1beta/models/{model}", &HandleGeminiGetModel);
  add(beast_http::verb::post, "/v1beta/models/{call}", &HandleGeminiModelCall);
  add(beast_http::verb::post, "/v1/models/{call}", &HandleGeminiModelCall);
  return router;
}

}  // namespace strata::mock_llm
