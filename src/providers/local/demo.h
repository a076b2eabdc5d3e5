#pragma once

#include "providers/provider.h"

namespace strata::providers {

// `strata-demo`: a deterministic model that runs inside the process, so a
// newcomer with no vendor key sees the whole pipeline answer. It says what it
// is, echoes the last user message, streams word by word, and reports usage
// marked as estimated. Never a stand-in for a real model.
class DemoProvider final : public Provider {
 public:
  bool Speaks(core::ApiFormat format) const override;
  asio::awaitable<core::Result<Answer>> Call(const Deployment& deployment, core::ApiFormat format,
                                             const boost::json::object& body, const CallContext& context) override;
  asio::awaitable<StreamEnd> Stream(const Deployment& deployment, core::ApiFormat format,
                                    const boost::json::object& body, EventSink& sink,
                                    const CallContext& context) override;
};

// The demo's answer to a chat body: a pure function, for tests and docs.
std::string DemoReply(const boost::json::object& body);

}  // namespace strata::providers
