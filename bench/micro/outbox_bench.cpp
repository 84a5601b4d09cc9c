// Outbox queueing of deliveries that share one message and one
// subscription prefix: only the outbox's own storage may allocate.
// Arg = deliveries pushed before the queue is drained (1: steady state,
// 64: a burst to a slow reader).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <utility>

#include "alloc_counter.hpp"
#include "core/message.hpp"
#include "core/outbox.hpp"

namespace {

using namespace herald::core;

void BM_OutboxPushPop(benchmark::State& state) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  message_fields fields;
  fields.destination = "/topic/prices.ABC";
  fields.headers = {{"content-type", "application/json"}};
  fields.body = std::string(200, 'x');
  const message_ptr m = make_message(std::move(fields), "id-1");
  const auto prefix =
      std::make_shared<const std::string>("MESSAGE\ndestination:/topic/prices.ABC\nsubscription:sub-0\n");
  outbox box(64u << 20);

  const auto allocs_before = herald::bench::allocations();
  std::size_t bytes = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < batch; ++i) {
      outbound o;
      o.prefix = prefix;
      o.msg = m;
      o.droppable = true;
      if (box.push(std::move(o)) != push_result::queued) {
        state.SkipWithError("push refused");
        return;
      }
    }
    while (!box.empty()) {
      box.begin_write();
      bytes += box.front().wire_size();
      box.pop_front();
    }
  }
  const auto allocs = herald::bench::allocations() - allocs_before;
  const auto items = state.iterations() * batch;
  state.SetItemsProcessed(static_cast<std::int64_t>(items));  // push + pop pairs
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["allocs/item"] = benchmark::Counter(static_cast<double>(allocs) / static_cast<double>(items));
}
BENCHMARK(BM_OutboxPushPop)->Arg(1)->Arg(64);

}  // namespace
