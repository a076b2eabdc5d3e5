#pragma once

#include "providers/provider.h"

namespace strata::providers {

// Google's Gemini API (generativelanguage.googleapis.com). Speaks OpenAI chat
// only, by translating the request, the answer and every stream event
// (gemini/translate.h); Anthropic clients reach it through the gateway's
// messages → chat translation. Calls
//   <base_url>/<version>/models/<model>:generateContent
//   <base_url>/<version>/models/<model>:streamGenerateContent?alt=sse
// where base_url defaults to https://generativelanguage.googleapis.com (a
// base_url that already ends in the version segment is taken as is), version
// is the deployment's api_version or "v1beta", and <model> is the body's
// model (the deployment's upstream model; a "models/" or "tunedModels/"
// prefix is kept as the resource path). The key goes in `x-goog-api-key`,
// never in the URL: URLs end up in logs; with several keys, a 429 is retried
// at once on the next (WithKeyRotation). Errors are classified by
// gemini::ErrorFromGemini.
class GeminiProvider final : public Provider {
 public:
  bool Speaks(core::ApiFormat format) const override;
  asio::awaitable<core::Result<Answer>> Call(const Deployment& deployment, core::ApiFormat format,
                                             const boost::json::object& body, const CallContext& context) override;
  asio::awaitable<StreamEnd> Stream(const Deployment& deployment, core::ApiFormat format,
                                    const boost::json::object& body, EventSink& sink,
                                    const CallContext& context) override;
};

}  // namespace strata::providers
