// Hub fan-out: one topic with N local subscriptions (one session each);
// items/s is deliveries/s.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "alloc_counter.hpp"
#include "core/hub.hpp"
#include "core/message.hpp"

namespace {

using namespace herald::core;

class counting_subscriber final : public subscriber {
 public:
  void deliver_topic(topic_sub&, const message_ptr& m) override {
    ++count;
    benchmark::DoNotOptimize(m.get());
  }
  void deliver_user(const message_ptr&) override { ++count; }
  void kick(const std::string&) override {}

  std::uint64_t count = 0;
};

void BM_HubFanOut(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::string topic = "/topic/prices.ABC";
  std::vector<counting_subscriber> sessions(n);
  std::vector<topic_sub> subs(n);
  hub h([](const std::string&, bool) {});
  for (std::size_t i = 0; i < n; ++i) {
    subs[i].owner = &sessions[i];
    h.add_topic(topic, subs[i]);
  }
  message_fields fields;
  fields.destination = topic;
  fields.body = std::string(200, 'x');
  const message_ptr m = make_message(std::move(fields), "id-1");

  const auto allocs_before = herald::bench::allocations();
  for (auto _ : state) h.deliver(topic, m);
  const auto allocs = herald::bench::allocations() - allocs_before;

  std::uint64_t delivered = 0;
  for (const auto& s : sessions) delivered += s.count;
  if (delivered != state.iterations() * n) state.SkipWithError("wrong number of deliveries");
  state.SetItemsProcessed(static_cast<std::int64_t>(delivered));
  state.counters["allocs/delivery"] = benchmark::Counter(static_cast<double>(allocs) / static_cast<double>(delivered));
  for (auto& s : subs) h.remove_topic(s);
}
BENCHMARK(BM_HubFanOut)->Arg(1)->Arg(100)->Arg(10000);

}  // namespace
