#include "tracing/span.h"

#include <utility>

#include "tracing/genai.h"
#include "tracing/internal/text.h"
#include "tracing/tracer.h"

namespace strata::tracing {

using internal::CutUtf8;

Span::Span(Span&& other) noexcept
    : data_(std::move(other.data_)),
      context_(std::move(other.context_)),
      tracer_(std::exchange(other.tracer_, nullptr)),
      started_(other.started_) {
  other.context_ = {};
}

Span& Span::operator=(Span&& other) noexcept {
  if (this != &other) {
    End();
    data_ = std::move(other.data_);
    context_ = std::exchange(other.context_, {});
    tracer_ = std::exchange(other.tracer_, nullptr);
    started_ = other.started_;
  }
  return *this;
}

Span::~Span() { End(); }

void Span::SetName(std::string_view name) {
  if (data_ == nullptr) return;
  data_->name = CutUtf8(name, tracer_->options_.max_attribute_length);
}

Attribute* Span::Slot(AttributeKey key) {
  const std::string_view name = key.view();
  for (Attribute& attribute : data_->attributes) {
    if (attribute.key.data() == name.data() || attribute.key == name) return &attribute;
  }
  if (data_->attributes.size() >= tracer_->options_.max_attributes) {
    ++data_->dropped_attributes;
    return nullptr;
  }
  Attribute& added = data_->attributes.emplace_back();
  added.key = name;
  return &added;
}

void Span::SetAttribute(AttributeKey key, std::string_view value) {
  if (data_ == nullptr) return;
  if (Attribute* slot = Slot(key)) {
    slot->value.emplace<std::string>(CutUtf8(value, tracer_->options_.max_attribute_length));
  }
}

void Span::SetAttribute(AttributeKey key, bool value) {
  if (data_ == nullptr) return;
  if (Attribute* slot = Slot(key)) slot->value = value;
}

void Span::SetAttribute(AttributeKey key, double value) {
  if (data_ == nullptr) return;
  if (Attribute* slot = Slot(key)) slot->value = value;
}

void Span::SetInt(AttributeKey key, std::int64_t value) {
  if (Attribute* slot = Slot(key)) slot->value = value;
}

void Span::SetAttribute(AttributeKey key, std::vector<std::string> values) {
  if (data_ == nullptr) return;
  const std::size_t limit = tracer_->options_.max_attribute_length;
  for (std::string& value : values) {
    if (value.size() > limit) value.resize(CutUtf8(value, limit).size());
  }
  if (Attribute* slot = Slot(key)) slot->value = std::move(values);
}

bool Span::capturing_content() const { return data_ != nullptr && tracer_->options_.capture_content; }

void Span::SetContent(AttributeKey key, std::string_view content) {
  if (!capturing_content()) return;
  if (Attribute* slot = Slot(key)) {
    slot->value.emplace<std::string>(CutUtf8(content, tracer_->options_.max_content_length));
  }
}

void Span::AddEvent(AttributeKey name, std::initializer_list<EventAttribute> attributes) {
  if (data_ == nullptr) return;
  const TracingOptions& options = tracer_->options_;
  if (data_->events.size() >= options.max_events) {
    ++data_->dropped_events;
    return;
  }
  SpanEvent& event = data_->events.emplace_back();
  event.name = name.view();
  event.time_unix_nano = data_->start_unix_nano + internal::NanosSince(started_);
  event.attributes.reserve(attributes.size());
  for (const EventAttribute& given : attributes) {
    if (event.attributes.size() >= options.max_attributes) break;
    Attribute& attribute = event.attributes.emplace_back();
    attribute.key = given.key.view();
    std::visit(
        [&](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::string_view>) {
            attribute.value.emplace<std::string>(CutUtf8(value, options.max_attribute_length));
          } else {
            attribute.value = value;
          }
        },
        given.value);
  }
}

void Span::SetStatus(StatusCode code, std::string_view message) {
  if (data_ == nullptr || code == StatusCode::kUnset || data_->status == StatusCode::kOk) return;
  data_->status = code;
  if (code == StatusCode::kError) {
    data_->status_message = CutUtf8(message, tracer_->options_.max_attribute_length);
  } else {
    data_->status_message.clear();
  }
}

void Span::SetError(std::string_view type, std::string_view message) {
  if (data_ == nullptr) return;
  SetStatus(StatusCode::kError, message);
  SetAttribute(genai::kErrorType, type);
}

void Span::End() {
  if (data_ == nullptr) return;
  // Wall clock at the start, the monotonic clock for the duration: a clock
  // step during the span cannot make it end before it began.
  data_->end_unix_nano = data_->start_unix_nano + internal::NanosSince(started_);
  if (tracer_->sink_ != nullptr) {
    tracer_->sink_->OnEnd(std::move(data_));
  } else {
    data_.reset();
  }
}

}  // namespace strata::tracing
