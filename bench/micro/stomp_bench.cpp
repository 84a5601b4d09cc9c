// STOMP parser and encoder throughput, and core::make_message (which
// encodes a published message's head once per STOMP version).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <system_error>

#include "alloc_counter.hpp"
#include "core/message.hpp"
#include "stomp/encoder.hpp"
#include "stomp/parser.hpp"

namespace {

using namespace herald;

std::string payload(std::size_t n) {
  std::string body;
  body.reserve(n);
  while (body.size() < n) body += "{\"sym\":\"ABC\",\"px\":101.25,\"qty\":300}";
  body.resize(n);
  return body;
}

// A typical client SEND: 5 headers, content-length included.
std::string send_frame(std::size_t body_size) {
  const std::string body = payload(body_size);
  std::string wire = "SEND\n";
  wire += "destination:/app/chat.send\n";
  wire += "content-type:application/json\n";
  wire += "content-length:" + std::to_string(body.size()) + "\n";
  wire += "receipt:r-42\n";
  wire += "x-request-id:7f3a2c91-5d0e-4b7a-9c1f-2e6d8a4b3f10\n";
  wire += "\n";
  wire += body;
  wire += '\0';
  return wire;
}

void expect_frame(stomp::parse_status s, benchmark::State& state) {
  if (s != stomp::parse_status::frame) {
    state.SkipWithError("parser did not produce a frame");
  }
}

// The whole frame arrives in one read.
void BM_ParseSend_Whole(benchmark::State& state) {
  const std::string wire = send_frame(static_cast<std::size_t>(state.range(0)));
  stomp::parser_limits limits;
  limits.max_frame_bytes = 1u << 20;
  stomp::parser p(limits);
  stomp::frame f;
  std::error_code ec;
  for (auto _ : state) {
    p.feed(wire);
    const auto s = p.next(f, ec);
    benchmark::DoNotOptimize(f.body.data());
    if (s != stomp::parse_status::frame) {
      expect_frame(s, state);
      break;
    }
  }
  if (f.body.size() != static_cast<std::size_t>(state.range(0))) state.SkipWithError("wrong body");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));  // frames
}
BENCHMARK(BM_ParseSend_Whole)->Arg(200)->Arg(64 * 1024);

// Worst-case segmentation: one byte per read, drained after each.
void BM_ParseSend_1ByteChunks(benchmark::State& state) {
  const std::string wire = send_frame(200);
  stomp::parser p;
  stomp::frame f;
  std::error_code ec;
  for (auto _ : state) {
    stomp::parse_status s = stomp::parse_status::need_more;
    for (char c : wire) {
      p.feed(std::string_view(&c, 1));
      s = p.next(f, ec);
    }
    benchmark::DoNotOptimize(f.body.data());
    if (s != stomp::parse_status::frame) {
      expect_frame(s, state);
      break;
    }
  }
  if (f.body.size() != 200) state.SkipWithError("wrong body");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseSend_1ByteChunks);

// A MESSAGE frame as the generic encoder writes it (the delivery path uses
// the pre-encoded message head instead; see BM_MakeMessage).
void BM_EncodeMessage(benchmark::State& state) {
  stomp::frame f;
  f.cmd = stomp::command::message;
  f.add("destination", "/topic/prices.ABC");
  f.add("subscription", "sub-0");
  f.add("message-id", "node-1-123456789");
  f.add("content-type", "application/json");
  f.body = payload(200);
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string wire = stomp::encode(f, stomp::version::v1_2);
    bytes += wire.size();
    benchmark::DoNotOptimize(wire.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_EncodeMessage);

// Publish-time encoding of a message with 3 application headers and a
// 200-byte body. Each iteration copies the fields in (make_message consumes
// them), as the publisher hands over freshly parsed fields.
void BM_MakeMessage(benchmark::State& state) {
  core::message_fields fields;
  fields.destination = "/topic/prices.ABC";
  fields.headers = {{"content-type", "application/json"}, {"x-trace", "4bf92f3577b34da6"}, {"priority", "5"}};
  fields.body = payload(200);
  const std::string id = "node-1-123456789";
  const auto allocs_before = herald::bench::allocations();
  for (auto _ : state) {
    core::message_ptr m = core::make_message(fields, id);
    benchmark::DoNotOptimize(m.get());
  }
  state.counters["allocs/msg"] = benchmark::Counter(static_cast<double>(herald::bench::allocations() - allocs_before) /
                                                    static_cast<double>(state.iterations()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_MakeMessage);

}  // namespace
