#pragma once

#include "providers/provider.h"

namespace strata::providers {

// Anthropic's Messages API. Speaks it natively (a /v1/messages client is
// forwarded as is, model replaced), and serves OpenAI chat by translating the
// request, the answer and every stream event (translate.h). The key goes in
// `x-api-key`, with `anthropic-version: 2023-06-01`. Default base URL
// https://api.anthropic.com (the deployment's base_url replaces it: it is the
// part before /v1/messages).
class AnthropicProvider final : public Provider {
 public:
  bool Speaks(core::ApiFormat format) const override;
  asio::awaitable<core::Result<Answer>> Call(const Deployment& deployment, core::ApiFormat format,
                                             const boost::json::object& body, const CallContext& context) override;
  asio::awaitable<StreamEnd> Stream(const Deployment& deployment, core::ApiFormat format,
                                    const boost::json::object& body, EventSink& sink,
                                    const CallContext& context) override;
};

}  // namespace strata::providers
