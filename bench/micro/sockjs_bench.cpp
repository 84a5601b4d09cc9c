// SockJS framing cost: every message a SockJS client receives is
// JSON-escaped into its connection's frame (the one per-subscriber copy
// that SockJS, unlike WebSocket, cannot avoid). Reported per byte for an
// ASCII JSON body and a CJK-heavy one.
#include <benchmark/benchmark.h>

#include <string>

#include "sockjs/frames.hpp"

namespace {

void sockjs_frame(std::string& out, const std::string& body) {
  herald::sockjs::array_frame a(out);
  a.begin_message();
  a.piece(body);
  a.end_message();
  a.finish();
}

std::string ascii_body(std::size_t n) {
  std::string s = "MESSAGE\ndestination:/topic/x\nsubscription:1\nmessage-id:n-1\n\n";
  while (s.size() < n) s += R"({"mobile":"13800000000","message":"token expired, please log in again"})";
  s.resize(n);
  s.push_back('\0');
  return s;
}

std::string cjk_body(std::size_t n) {
  std::string s = "MESSAGE\ndestination:/topic/x\nsubscription:1\nmessage-id:n-1\n\n";
  while (s.size() < n) s += "{\"message\":\"登录已过期，请重新登录\"}";
  s.push_back('\0');
  return s;
}

void run(benchmark::State& state, const std::string& body) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    sockjs_frame(out, body);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

}  // namespace

void BM_SockjsFrameAscii(benchmark::State& state) {
  auto body = ascii_body(static_cast<std::size_t>(state.range(0)));
  run(state, body);
}
BENCHMARK(BM_SockjsFrameAscii)->Arg(256)->Arg(16 * 1024);

void BM_SockjsFrameCjk(benchmark::State& state) {
  auto body = cjk_body(static_cast<std::size_t>(state.range(0)));
  run(state, body);
}
BENCHMARK(BM_SockjsFrameCjk)->Arg(256)->Arg(16 * 1024);
