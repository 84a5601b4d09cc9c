// Pipelined keep-alive HTTP publisher (herald's /api, nchan's /pub).
#include "http_text.hpp"
#include "pacer.hpp"
#include "payload.hpp"
#include "publisher.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

namespace herald::bench {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

namespace {

class http_publisher final : public publisher, public std::enable_shared_from_this<http_publisher> {
 public:
  http_publisher(asio::io_context& ctx, const options& opts, const targets& where)
      : socket_(ctx), timer_(ctx), opts_(opts), where_(where) {}

  void connect(std::function<void(std::string)> done) override {
    const asio::ip::tcp::endpoint server(asio::ip::make_address(opts_.host),
                                         opts_.publish_port ? opts_.publish_port : opts_.port);
    socket_.async_connect(server, [self = shared_from_this(), done = std::move(done)](const error_code& ec) {
      if (ec) return done("publisher connect: " + ec.message());
      self->socket_.set_option(asio::ip::tcp::no_delay(true));
      self->read();
      done({});
    });
  }

  void run(const publish_job& job, std::function<void(publish_outcome)> done) override {
    job_ = job;
    done_ = std::move(done);
    outcome_ = {};
    answered_ = 0;
    in_flight_ = 0;
    outcome_.start_ns = now_ns();
    pace_ = {outcome_.start_ns, job.messages, job.rate};
    pump();
  }

 private:
  void pump() {
    if (!done_) return;
    const std::uint64_t now = now_ns();
    const std::uint64_t due = pace_.due(now);
    std::string body;
    while (outcome_.sent < due && in_flight_ < job_.window) {
      body.clear();
      write_payload(body, {job_.round, outcome_.sent, now_ns()}, job_.body_bytes);
      const unsigned user = job_.who == audience::own_destination ? picker_.next(job_.users) : 0;
      where_.append_http_publish(pending_, job_.who, user, body);
      ++outcome_.sent;
      ++in_flight_;
    }
    flush();
    if (outcome_.sent < job_.messages && outcome_.sent >= due && !timer_armed_) {
      timer_armed_ = true;
      timer_.expires_at(asio::steady_timer::time_point(std::chrono::nanoseconds(pace_.due_time_ns(outcome_.sent))));
      timer_.async_wait([self = shared_from_this()](const error_code&) {
        self->timer_armed_ = false;
        self->pump();
      });
    }
  }

  void flush() {
    if (writing_ || pending_.empty()) return;
    writing_ = true;
    out_.clear();
    out_.swap(pending_);
    asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this()](const error_code& ec, std::size_t) {
      self->writing_ = false;
      if (ec) return self->fail("publisher write: " + ec.message());
      self->flush();
    });
  }

  void read() {
    if (in_.size() - used_ < 4096) in_.resize(std::max<std::size_t>(in_.size() * 2, 65536));
    socket_.async_read_some(asio::buffer(in_.data() + used_, in_.size() - used_),
                            [self = shared_from_this()](const error_code& ec, std::size_t n) {
                              if (ec) return self->fail("publisher read: " + ec.message());
                              self->used_ += n;
                              self->consume();
                              self->read();
                            });
  }

  void consume() {
    std::size_t pos = 0;
    for (;;) {
      http::response_head head;
      std::size_t len = 0;
      const auto status = http::scan_response({in_.data() + pos, used_ - pos}, head, len);
      if (status == http::scan_status::need_more) break;
      if (status == http::scan_status::bad_response) return fail("publisher: unparseable HTTP response");
      if (head.status < 200 || head.status > 299) {
        if (outcome_.first_error.empty())
          outcome_.first_error = "HTTP " + std::to_string(head.status) + ": " + std::string(in_.data() + pos, std::min<std::size_t>(len, 300));
        ++outcome_.errors;
      }
      pos += len;
      ++answered_;
      --in_flight_;
    }
    std::memmove(in_.data(), in_.data() + pos, used_ - pos);
    used_ -= pos;
    if (done_ && answered_ == job_.messages) return finish();
    pump();
  }

  void finish() {
    outcome_.end_ns = now_ns();
    auto done = std::move(done_);
    done_ = nullptr;
    done(outcome_);
  }

  void fail(const std::string& what) {
    if (outcome_.first_error.empty()) outcome_.first_error = what;
    error_code ignored;
    socket_.close(ignored);
    if (done_) {
      outcome_.errors += outcome_.sent - answered_;
      finish();
    }
  }

  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;
  const options& opts_;
  const targets& where_;
  publish_job job_;
  pacer pace_;
  user_picker picker_;
  publish_outcome outcome_;
  std::function<void(publish_outcome)> done_;
  std::uint64_t answered_ = 0;
  unsigned in_flight_ = 0;
  bool timer_armed_ = false;
  bool writing_ = false;
  std::string pending_;
  std::string out_;
  std::vector<char> in_;
  std::size_t used_ = 0;
};

}  // namespace

std::shared_ptr<publisher> make_http_publisher(asio::io_context& ctx, const options& opts, const targets& where) {
  return std::make_shared<http_publisher>(ctx, opts, where);
}

}  // namespace herald::bench
