#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace strata::store::internal {

template <class Signature>
class UniqueFunction;

// A move-only std::function: what queued work needs when it owns an Asio
// completion handler or a std::promise, neither of which can be copied.
// (std::move_only_function is C++23; g++ 12 does not ship it.)
template <class R, class... Args>
class UniqueFunction<R(Args...)> {
 public:
  UniqueFunction() = default;

  template <class F>
    requires(!std::is_same_v<std::decay_t<F>, UniqueFunction> && std::is_invocable_r_v<R, F&, Args...>)
  UniqueFunction(F f) : callable_(std::make_unique<Model<F>>(std::move(f))) {}  // NOLINT: implicit on purpose

  UniqueFunction(UniqueFunction&&) noexcept = default;
  UniqueFunction& operator=(UniqueFunction&&) noexcept = default;

  explicit operator bool() const { return callable_ != nullptr; }

  // REQUIRES: not empty.
  R operator()(Args... args) { return callable_->Call(std::forward<Args>(args)...); }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual R Call(Args... args) = 0;
  };
  template <class F>
  struct Model final : Concept {
    explicit Model(F f) : f_(std::move(f)) {}
    R Call(Args... args) override { return f_(std::forward<Args>(args)...); }
    F f_;
  };

  std::unique_ptr<Concept> callable_;
};

}  // namespace strata::store::internal
