#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "tracing/span.h"

namespace strata::tracing::internal {

// A bounded lock-free queue of spans, Dmitry Vyukov's bounded MPMC ring: each
// cell carries a sequence number that says whose turn it is, so a push or a
// pop is one CAS plus two stores, never a lock, never an allocation; a full
// ring refuses a push at once (the caller drops the span), an empty one a pop.
// The exporter uses two: ended spans (many io threads push, the export thread
// pops) and spare SpanData for reuse (the export thread pushes, io threads pop).
//
// Capacity is rounded up to a power of two.
class SpanQueue {
 public:
  explicit SpanQueue(std::size_t capacity) {
    std::size_t size = 2;
    while (size < capacity) size <<= 1;
    mask_ = size - 1;
    cells_ = std::make_unique<Cell[]>(size);
    for (std::size_t i = 0; i < size; ++i) cells_[i].sequence.store(i, std::memory_order_relaxed);
  }

  ~SpanQueue() {
    while (Pop() != nullptr) {
    }
  }

  SpanQueue(const SpanQueue&) = delete;
  SpanQueue& operator=(const SpanQueue&) = delete;

  // Takes `span` unless the queue is full; on refusal `span` is left as it was.
  bool TryPush(std::unique_ptr<SpanData>& span) {
    std::size_t position = tail_.load(std::memory_order_relaxed);
    Cell* cell;
    while (true) {
      cell = &cells_[position & mask_];
      const std::size_t sequence = cell->sequence.load(std::memory_order_acquire);
      const auto difference = static_cast<std::intptr_t>(sequence) - static_cast<std::intptr_t>(position);
      if (difference == 0) {
        if (tail_.compare_exchange_weak(position, position + 1, std::memory_order_relaxed)) break;
      } else if (difference < 0) {
        return false;  // the consumer has not freed this cell yet: full
      } else {
        position = tail_.load(std::memory_order_relaxed);
      }
    }
    cell->span = span.release();
    cell->sequence.store(position + 1, std::memory_order_release);
    return true;
  }

  // The oldest span, or null when empty.
  std::unique_ptr<SpanData> Pop() {
    std::size_t position = head_.load(std::memory_order_relaxed);
    Cell* cell;
    while (true) {
      cell = &cells_[position & mask_];
      const std::size_t sequence = cell->sequence.load(std::memory_order_acquire);
      const auto difference = static_cast<std::intptr_t>(sequence) - static_cast<std::intptr_t>(position + 1);
      if (difference == 0) {
        if (head_.compare_exchange_weak(position, position + 1, std::memory_order_relaxed)) break;
      } else if (difference < 0) {
        return nullptr;  // nothing published here yet: empty
      } else {
        position = head_.load(std::memory_order_relaxed);
      }
    }
    std::unique_ptr<SpanData> span(cell->span);
    cell->span = nullptr;
    cell->sequence.store(position + mask_ + 1, std::memory_order_release);
    return span;
  }

  // Approximate: exact only when no push or pop is in progress.
  std::size_t size() const {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    const std::size_t head = head_.load(std::memory_order_relaxed);
    return tail >= head ? tail - head : 0;
  }
  std::size_t capacity() const { return mask_ + 1; }

 private:
  struct Cell {
    std::atomic<std::size_t> sequence{0};
    SpanData* span = nullptr;
  };

  std::size_t mask_ = 0;
  std::unique_ptr<Cell[]> cells_;
  alignas(64) std::atomic<std::size_t> tail_{0};  // next position to push
  alignas(64) std::atomic<std::size_t> head_{0};  // next position to pop
};

}  // namespace strata::tracing::internal
