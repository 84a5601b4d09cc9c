// app_dispatch: at most max_active gateway calls at once, the rest waiting
// in arrival order up to max_waiting; each answer frees one slot once.
#include "session/app_dispatch.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace herald::session {
namespace {

// Records calls; the test answers them. A deque: answering one may start
// (append) another while the answer runs.
struct recording_gateway final : app_gateway {
  struct call {
    app_request req;
    std::function<void(std::string)> done;
  };
  std::deque<call> calls;
  void forward(app_request req, std::function<void(std::string)> done) override {
    calls.push_back({std::move(req), std::move(done)});
  }
};

app_request request(std::string body) {
  app_request r;
  r.destination = "/app/x";
  r.body = std::move(body);
  return r;
}

TEST(AppDispatch, RunsUpToMaxActiveThenQueuesInOrder) {
  app_dispatch d;
  recording_gateway gw;
  std::vector<std::string> answered;
  auto submit = [&](const std::string& body) {
    return d.submit(gw, 2, 3, request(body), [&answered, body](std::string error) {
      answered.push_back(body + (error.empty() ? "" : ":" + error));
    });
  };
  EXPECT_TRUE(submit("1"));
  EXPECT_TRUE(submit("2"));
  EXPECT_TRUE(submit("3"));
  EXPECT_TRUE(submit("4"));
  EXPECT_TRUE(submit("5"));
  EXPECT_FALSE(submit("6"));  // 3 wait already
  EXPECT_EQ(gw.calls.size(), 2u);
  EXPECT_EQ(d.active(), 2u);
  EXPECT_EQ(d.waiting(), 3u);

  gw.calls[1].done("");
  ASSERT_EQ(gw.calls.size(), 3u);
  EXPECT_EQ(gw.calls[2].req.body, "3");
  gw.calls[0].done("timed out");
  ASSERT_EQ(gw.calls.size(), 4u);
  EXPECT_EQ(gw.calls[3].req.body, "4");
  EXPECT_TRUE(submit("7"));  // room in the queue again, behind 5
  gw.calls[2].done("");
  gw.calls[3].done("");
  ASSERT_EQ(gw.calls.size(), 6u);
  EXPECT_EQ(gw.calls[4].req.body, "5");
  EXPECT_EQ(gw.calls[5].req.body, "7");
  gw.calls[4].done("");
  gw.calls[5].done("");
  EXPECT_EQ(answered, (std::vector<std::string>{"2", "1:timed out", "3", "4", "5", "7"}));
  EXPECT_EQ(d.active(), 0u);
  EXPECT_EQ(d.waiting(), 0u);
}

TEST(AppDispatch, ZeroWaitingRefusesAtOnceWhenFull) {
  app_dispatch d;
  recording_gateway gw;
  EXPECT_TRUE(d.submit(gw, 1, 0, request("a"), [](std::string) {}));
  EXPECT_FALSE(d.submit(gw, 1, 0, request("b"), [](std::string) { ADD_FAILURE() << "refused: never answered"; }));
  gw.calls[0].done("");
  EXPECT_TRUE(d.submit(gw, 1, 0, request("c"), [](std::string) {}));
  EXPECT_EQ(gw.calls.size(), 2u);
}

TEST(AppDispatch, SecondAnswerFreesNoSecondSlot) {
  app_dispatch d;
  recording_gateway gw;
  int answers = 0;
  for (int i = 0; i < 3; ++i) d.submit(gw, 1, 10, request(std::to_string(i)), [&](std::string) { ++answers; });
  gw.calls[0].done("");
  gw.calls[0].done("again");
  EXPECT_EQ(answers, 1);
  EXPECT_EQ(d.active(), 1u);
  EXPECT_EQ(gw.calls.size(), 2u);
  EXPECT_EQ(d.waiting(), 1u);
}

// A gateway that answers inside forward(): every call still runs, in
// order, without recursion growing with the queue.
TEST(AppDispatch, SynchronousAnswers) {
  struct instant final : app_gateway {
    std::vector<std::string> seen;
    void forward(app_request req, std::function<void(std::string)> done) override {
      seen.push_back(req.body);
      done("");
    }
  } gw;
  app_dispatch d;
  int answers = 0;
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(d.submit(gw, 1, 0, request(std::to_string(i)), [&](std::string) { ++answers; }));
  }
  EXPECT_EQ(answers, 100);
  EXPECT_EQ(gw.seen.size(), 100u);
  EXPECT_EQ(d.active(), 0u);
}

// Answers that arrive after the dispatch is gone (worker teardown) only
// reach their callers.
TEST(AppDispatch, AnswerAfterTheDispatchIsGone) {
  recording_gateway gw;
  int answers = 0;
  {
    app_dispatch d;
    d.submit(gw, 1, 1, request("a"), [&](std::string) { ++answers; });
    d.submit(gw, 1, 1, request("b"), [&](std::string) { ++answers; });
  }
  gw.calls[0].done("");
  EXPECT_EQ(answers, 1);
  EXPECT_EQ(gw.calls.size(), 1u);
}

}  // namespace
}  // namespace herald::session
